"""The long fuzz campaign (``make fuzz``): forked workers under CPU, memory and time limits.

Every case runs in a child forked from this (already warmed-up) process, with
``RLIMIT_CPU`` and ``RLIMIT_AS`` set; the parent waits at most ``--timeout`` seconds of wall
clock. So a hang or a kill is counted rather than stopping the run. Outcomes are printed per
kind (ok, rejected, crash, nonfinite, hang, killed), and the first few inputs of every bad
kind are kept in ``--keep`` for a regression test.

    python -m tests.fuzz.campaign --studies 100000 --workbooks 20000 --workers 2
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fuzzlib

BAD = ("crash", "nonfinite", "hang", "killed")


@dataclass
class Running:
    pid: int
    fd: int
    started: float
    folder: Path
    kind: str


def _child(kind: str, folder: Path, seed: int, template: Any, cpu: int, mem: int) -> str:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    rng = random.Random(seed)
    try:
        if kind == "study":
            path = fuzzlib.study_case(folder, rng, fuzzlib.seeds())
        else:
            path = fuzzlib.workbook_case(folder, rng, template)
    except Exception as exc:  # a broken mutation is the harness's fault, not tanzuji's
        return json.dumps(["skipped", f"{type(exc).__name__}: {exc}"[:200]])
    try:
        outcome, detail = fuzzlib.evaluate_case(path)
    except MemoryError:
        outcome, detail = "killed", "MemoryError (memory limit)"
    return json.dumps([outcome, detail])


def _start(kind: str, seed: int, template: Any, args: argparse.Namespace) -> Running:
    folder = Path(tempfile.mkdtemp(prefix="tzfuzz-"))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run one case, report one JSON line, exit without cleanup
        os.close(r)
        try:
            line = _child(kind, folder, seed, template, args.cpu, args.mem_mb << 20)
        except BaseException as exc:
            line = json.dumps(["crash", f"{type(exc).__name__}: {str(exc)[:200]}"])
        os.write(w, line.encode("utf-8", "replace") + b"\n")
        os._exit(0)
    os.close(w)
    return Running(pid, r, time.monotonic(), folder, kind)


def _finish(run: Running, hung: bool) -> tuple[str, str]:
    if hung:
        os.kill(run.pid, signal.SIGKILL)
    _, status = os.waitpid(run.pid, 0)
    data = b""
    while True:
        chunk = os.read(run.fd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(run.fd)
    if hung:
        return "hang", "wall-clock limit"
    if os.WIFSIGNALED(status):
        return "killed", f"signal {os.WTERMSIG(status)}"
    try:
        outcome, detail = json.loads(data.decode("utf-8", "replace"))
    except (ValueError, TypeError):
        return "killed", f"no report (exit {os.WEXITSTATUS(status)})"
    return str(outcome), str(detail)


def _warm_up() -> None:
    """Run one study and one workbook case in the parent, so no fork imports anything."""
    rng = random.Random(0)
    folder = Path(tempfile.mkdtemp(prefix="tzfuzz-warm-"))
    try:
        for suffix, text in fuzzlib.seeds():
            path = folder / f"seed{suffix}"
            path.write_text(text, encoding="utf-8")
            fuzzlib.evaluate_case(path)
        for book in fuzzlib.WORKBOOKS[:1]:
            fuzzlib.evaluate_case(book)
        fuzzlib.mutate(*fuzzlib.seeds()[0], rng)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--studies", type=int, default=100_000)
    ap.add_argument("--workbooks", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cpu", type=int, default=20, help="CPU seconds per case")
    ap.add_argument("--mem-mb", type=int, default=2048, help="address space per case")
    ap.add_argument("--timeout", type=float, default=60.0, help="wall-clock seconds per case")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--keep", type=Path, default=Path("fuzz-findings"))
    ap.add_argument("--out", type=Path, default=None, help="write the counts as JSON here")
    args = ap.parse_args(argv)

    # warm up in the parent so every fork starts with tanzuji, pint and the libraries loaded
    import tanzuji.jsonio
    import tanzuji.xlsx

    tanzuji.jsonio.builtin_libraries()
    fuzzlib.seeds()  # read and parse the seeds once; every fork inherits them
    _warm_up()  # import what a case imports lazily (the check view, scipy), once, here
    template: Any = b""
    if fuzzlib.WORKBOOKS:  # loaded once; every forked worker changes its own copy
        import io

        import openpyxl

        template = openpyxl.load_workbook(io.BytesIO(fuzzlib.WORKBOOKS[0].read_bytes()))
    jobs = [("study", args.seed + i) for i in range(args.studies)]
    jobs += [("workbook", args.seed + 10_000_000 + i) for i in range(args.workbooks)]
    random.Random(args.seed).shuffle(jobs)
    # every case is a fork: move what the parent holds out of the collector's reach, so a
    # child's garbage collection does not touch (and copy) every page of the parent's heap
    import gc

    gc.collect()
    gc.freeze()
    counts: dict[str, collections.Counter[str]] = {
        "study": collections.Counter(),
        "workbook": collections.Counter(),
    }
    examples: dict[str, int] = collections.Counter()
    running: list[Running] = []
    start = time.monotonic()
    done = 0
    stop: list[int] = []
    # SIGTERM/SIGINT: finish the cases running, then print the counts so far
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
    signal.signal(signal.SIGINT, lambda signum, frame: stop.append(signum))
    while (jobs and not stop) or running:
        while jobs and not stop and len(running) < args.workers:
            kind, seed = jobs.pop()
            running.append(_start(kind, seed, template, args))
        try:
            ready, _, _ = select.select([r.fd for r in running], [], [], 1.0)
        except InterruptedError:  # pragma: no cover - a signal during select
            ready = []
        now = time.monotonic()
        late = [r.fd for r in running if now - r.started > args.timeout and r.fd not in ready]
        if late:  # after a pause of this process (SIGSTOP), a finished case is not a hang
            ready = [*ready, *select.select(late, [], [], 0)[0]]
        for run in list(running):
            hung = now - run.started > args.timeout
            if run.fd in ready or hung:
                outcome, detail = _finish(run, hung and run.fd not in ready)
                running.remove(run)
                counts[run.kind][outcome] += 1
                if outcome in BAD and examples[outcome] < 20:
                    examples[outcome] += 1
                    dest = args.keep / f"{outcome}-{examples[outcome]}"
                    shutil.copytree(run.folder, dest, dirs_exist_ok=True)
                    (dest / "detail.txt").write_text(detail + "\n", encoding="utf-8")
                shutil.rmtree(run.folder, ignore_errors=True)
                done += 1
                if done % 1000 == 0:
                    rate = done / (time.monotonic() - start)
                    print(
                        f"{done} cases, {rate:.1f}/s: {dict(counts['study'])} "
                        f"{dict(counts['workbook'])}",
                        flush=True,
                    )
    elapsed = time.monotonic() - start
    summary = {
        "stopped_early": bool(stop),
        "cases": done,
        "seconds": round(elapsed),
        "limits": {"cpu_s": args.cpu, "mem_mb": args.mem_mb, "wall_s": args.timeout},
        "studies": dict(counts["study"]),
        "workbooks": dict(counts["workbook"]),
    }
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    bad = sum(c[k] for c in counts.values() for k in BAD)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
