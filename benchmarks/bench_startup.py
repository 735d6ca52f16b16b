"""Start-up of the command line as fresh processes (issue 8, point 1).

    .venv/bin/python benchmarks/bench_startup.py            # 7 runs each, updates the docs
    .venv/bin/python benchmarks/bench_startup.py --repeat 3 --no-docs

Runs the real commands — ``tanzuji --help``, ``tanzuji evaluate`` of a bundled example and
a signed ``tanzuji report`` — several times each as fresh processes, takes the median wall
time and the median CPU time of the child (user + system; the fairer figure on a shared
machine), and writes them with the top ``python -X importtime`` entries into the
``startup`` section of docs/performance.md. Goals: --help < 0.3 s, evaluate < 0.8 s,
signed report < 3 s. Exit status 0 even when a goal is missed (the table says so).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, eprint, machine_info, md_table, update_sections

TANZUJI = Path(sys.executable).parent / "tanzuji"
STUDY = ROOT / "examples" / "single-phase-meter" / "study.yaml"
GOALS = {"help": 0.3, "evaluate": 0.8, "report": 3.0}


# An installed tanzuji has its bytecode compiled (pip does it); with
# PYTHONDONTWRITEBYTECODE set and an editable checkout without __pycache__, every run would
# compile tanzuji's modules again (a signed report: 119 modules, about a tenth of its CPU
# time). The warm-up run writes them.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh process; fails loudly if the command fails."""
    cpu0, t0 = _child_cpu(), time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, env=CHILD_ENV)
    wall, cpu = time.perf_counter() - t0, _child_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr}")
    return wall, cpu


def importtime(args: list[str], top: int = 8) -> list[tuple[str, float]]:
    """The modules with the largest cumulative import time (top-level imports only)."""
    code = (
        "import sys; sys.argv = ['tanzuji', *sys.argv[1:]]\n"
        "from tanzuji.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        env=CHILD_ENV,
    )
    rows: list[tuple[str, float]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|", 2)
        name = name.removeprefix(" ")
        if cumulative.strip().isdigit() and not name.startswith(" "):  # top level only
            rows.append((name.strip(), int(cumulative) / 1e6))
    rows.sort(key=lambda r: -r[1])
    return rows[:top]


def yardstick() -> float:
    """Seconds of a pure-Python loop of 10**7 additions (best of 3): how fast this machine
    runs Python today, to compare runs on different days or machines by."""
    best = float("inf")
    for _ in range(3):
        t0, total = time.perf_counter(), 0
        for i in range(10**7):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-docs", action="store_true", help="print only, leave the docs alone")
    opts = ap.parse_args()
    info = machine_info()
    speed = yardstick()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env_keys = work / "keys"
        subprocess.run(
            [
                str(TANZUJI),
                "keygen",
                str(env_keys),
                "--name",
                "王五",
                "--organisation",
                "示例计量检测研究院",
            ],  # the example study's evaluator (the signer check)
            check=True,
            capture_output=True,
        )
        commands = {
            "help": [str(TANZUJI), "--help"],
            "evaluate": [str(TANZUJI), "evaluate", str(STUDY)],
            "report": [
                str(TANZUJI),
                "report",
                str(STUDY),
                "--out",
                "r.pdf",
                "--force",
                "--key",
                str(env_keys / "key.pem"),
                "--cert",
                str(env_keys / "cert.pem"),
            ],
        }
        results: dict[str, tuple[float, float, float]] = {}
        for name, args in commands.items():
            n = max(1, opts.repeat)
            run_timed(args, work)  # warm the file-system cache
            walls, cpus = zip(*(run_timed(args, work) for _ in range(n)), strict=True)
            results[name] = (statistics.median(walls), statistics.median(cpus), min(walls))
            eprint(f"{name}: median wall {results[name][0]:.3f} s, CPU {results[name][1]:.3f} s")
        top = {
            "help": importtime(["--help"]),
            "evaluate": importtime(["evaluate", str(STUDY)]),
        }
    rows = []
    for name, (wall, cpu, best) in results.items():
        ok = "met" if min(wall, cpu) < GOALS[name] else "missed"
        label = {
            "help": "`tanzuji --help`",
            "evaluate": "`tanzuji evaluate` (bundled single-phase example)",
            "report": "`tanzuji report … --key … --cert …` (signed, 14 pages)",
        }[name]
        rows.append([label, f"{wall:.2f} s", f"{cpu:.2f} s", f"{best:.2f} s",
                     f"< {GOALS[name]:g} s", ok])  # fmt: skip
    table = md_table(["command (fresh process)", "median wall", "median CPU", "best wall",
                      "goal", "goal"], rows)  # fmt: skip
    imports = []
    for name, entries in top.items():
        listing = ", ".join(f"`{mod}` {sec * 1000:.0f} ms" for mod, sec in entries)
        imports.append(f"- `{name}`: {listing}")
    body = "\n".join(
        [
            "## Start-up of the command line",
            "",
            "`benchmarks/bench_startup.py` (issue 8) runs each command as a fresh process",
            f"({opts.repeat} runs each) on this machine: {info['nproc']} CPUs,",
            f"{info['cpu']}, Python {info['python']}, {info['date']}, load average",
            f"{info['load average (1, 5, 15 min) at start']} at start (other jobs share the",
            "machine, so CPU time of the child is the fairer figure; the goal counts as met",
            "when either median is below it). Yardstick of this machine's Python speed: a",
            f"loop of 10⁷ additions took {speed:.2f} s (best of 3); times scale with it.",
            "",
            table,
            "",
            "Largest top-level imports (`python -X importtime`, cumulative, one run):",
            "",
            *imports,
        ]
    )
    print(body)
    if not opts.no_docs:
        update_sections({"startup": body})
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TANZUJI_LANG", "zh")
    sys.exit(main())
