"""Report benchmark: a bundled example from its study file to a signed PDF (goal < 3 s).

Two measurements:

* **cold** — ``tanzuji report STUDY --out … --key … --cert …`` in a fresh process: interpreter
  start, imports, font and matplotlib caches already built (as on any second run);
* **warm** — the same chain inside one process after a first run, median of ``--repeat``
  runs, split into phases: load (YAML, factor libraries), calculation (compile, JJF, full
  GUM), governance check, context and charts, HTML, HTML → PDF (WeasyPrint), signature field,
  signing (pyHanko).

Usage: ``.venv/bin/python benchmarks/report_bench.py [STUDY] [--repeat N] [--monte-carlo]``.
Prints a Markdown table for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STUDY = ROOT / "examples" / "single-phase-meter"
GOAL_S = 3.0


CPU = " (cpu)"


def _timed(phases: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn``, adding its wall time to ``phases[name]`` and CPU time to ``name (cpu)``."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    phases[name] = phases.get(name, 0.0) + time.perf_counter() - t0
    phases[name + CPU] = phases.get(name + CPU, 0.0) + time.process_time() - c0
    return out


def run_once(study: Path, keys: Path, monte_carlo: bool) -> tuple[dict[str, float], int]:
    """One file → signed PDF run, timed by phase; returns the phases and the page count."""
    from tanzuji.calculation import compile_study, evaluate_full, evaluate_jjf
    from tanzuji.governance import check_study
    from tanzuji.report import ReportInput, build_context, gum_view, render_html, sign_pdf
    from tanzuji.report.prepare import run_monte_carlo
    from tanzuji.report.render import add_signature_field, html_to_pdf, write_atomic
    from tanzuji.studyfiles import load_study

    ph: dict[str, float] = {}
    loaded = _timed(ph, "load", lambda: load_study(study))
    model = _timed(ph, "calculation", lambda: compile_study(loaded.study, loaded.factors))
    result = _timed(ph, "calculation", lambda: evaluate_jjf(model))
    full = _timed(ph, "calculation", lambda: evaluate_full(model))
    mc = None
    if monte_carlo:
        mc = _timed(ph, "monte carlo", lambda: run_monte_carlo(model, full, 200_000, 1))
    findings = _timed(
        ph, "governance", lambda: list(check_study(loaded.study, loaded.factors).findings)
    )
    inp = ReportInput(
        loaded.study, model, result, study, findings, gum_view(full), mc, loaded.study.period.end
    )
    ctx = _timed(ph, "context + charts", lambda: build_context(inp, "zh"))
    html = _timed(ph, "HTML", lambda: render_html(ctx))
    pdf, pages, stamp = _timed(ph, "HTML → PDF", lambda: html_to_pdf(html))
    assert stamp is not None
    pdf = _timed(ph, "signature field", lambda: add_signature_field(pdf, *stamp))
    signed = _timed(
        ph, "sign", lambda: sign_pdf(pdf, keys / "key.pem", keys / "cert.pem", issuer="bench")
    )
    out = keys / "bench.pdf"
    _timed(ph, "write", lambda: write_atomic(out, signed))
    return ph, pages


def cold_run(study: Path, keys: Path, monte_carlo: bool) -> tuple[float, float]:
    """Wall and CPU (user + system) time of the CLI in a fresh process."""
    exe = Path(sys.executable).with_name("tanzuji")
    cmd = [str(exe), "report", str(study), "--out", str(keys / "cold.pdf")]
    cmd += ["--key", str(keys / "key.pem"), "--cert", str(keys / "cert.pem")]
    if monte_carlo:
        cmd.append("--monte-carlo")
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("study", nargs="?", type=Path, default=DEFAULT_STUDY)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--monte-carlo", action="store_true")
    args = ap.parse_args()
    study: Path = args.study
    if not study.exists():
        study = ROOT / "tests" / "report" / "fixtures" / "meter"

    from tanzuji.report import keygen

    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp)
        keygen(keys, name="bench")
        first, pages = run_once(study, keys, args.monte_carlo)  # builds caches, imports
        runs = [run_once(study, keys, args.monte_carlo)[0] for _ in range(args.repeat)]
        colds = [cold_run(study, keys, args.monte_carlo) for _ in range(2)]

    names = [n for n in runs[0] if not n.endswith(CPU)]
    med = {n: statistics.median(r[n] for r in runs) for n in runs[0]}
    warm = statistics.median(sum(r[n] for n in names) for r in runs)
    warm_cpu = statistics.median(sum(r[n + CPU] for n in names) for r in runs)
    first_wall = sum(first[n] for n in names)
    first_cpu = sum(first[n + CPU] for n in names)
    cold, cold_cpu = min(colds)
    where = study.relative_to(ROOT) if study.is_relative_to(ROOT) else study
    mc = "200 000 trials" if args.monte_carlo else "no"
    print(f"study: {where}, {pages} pages, Monte Carlo: {mc}")
    py = platform.python_version()
    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {py}, load {load:.1f}\n")
    print("| phase | wall, median (s) | CPU, median (s) |")
    print("|---|---:|---:|")
    for n in names:
        print(f"| {n} | {med[n]:.3f} | {med[n + CPU]:.3f} |")
    print(f"| **total, in process (warm)** | **{warm:.2f}** | **{warm_cpu:.2f}** |")
    print(f"| first run in the process (imports, fonts) | {first_wall:.2f} | {first_cpu:.2f} |")
    print(f"| **`tanzuji report … --key … --cert …`, fresh process** | **{cold:.2f}** | "
          f"**{cold_cpu:.2f}** |")  # fmt: skip
    for label, value in (("fresh process", cold_cpu), ("warm, in process", warm_cpu)):
        verdict = "meets" if value < GOAL_S else "misses"
        print(f"\nGoal < {GOAL_S:g} s (CPU time, load-independent), {label}: {verdict} it.")


if __name__ == "__main__":
    main()
