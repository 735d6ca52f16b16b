"""Start-up: `--help` and `evaluate` must not import the heavy libraries (no timing here;
the timings are in benchmarks/bench_startup.py and docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from clihelpers import EXAMPLES

HEAVY = ("scipy.stats", "weasyprint", "matplotlib", "pyhanko", "openpyxl")

PROBE = """
import json, sys
sys.argv = ["tanzuji", *json.loads(sys.argv[1])]
from tanzuji.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print("\\nMODULES=" + json.dumps(sorted(m for m in sys.modules if not m.startswith("_"))))
"""


def _modules(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


@pytest.mark.parametrize("args", [("--help",), ("evaluate", "--help"), ("factors", "--help")])
def test_help_imports_nothing_heavy(args: tuple[str, ...]) -> None:
    mods = _modules(*args)
    assert "typer" in mods  # the probe really ran the CLI
    for heavy in (*HEAVY, "pint", "numpy", "yaml"):  # (typer itself imports pydantic)
        assert heavy not in mods, heavy


def test_evaluate_of_a_bundled_example_imports_no_report_or_scipy_stats() -> None:
    mods = _modules("evaluate", str(EXAMPLES / "single-phase-meter" / "study.yaml"), "--json")
    assert "tanzuji.calculation.jjf" in mods  # it evaluated
    for heavy in HEAVY:
        assert heavy not in mods, heavy


def test_a_signed_report_leaves_layout_and_charts_to_its_helpers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The report's own process imports neither WeasyPrint nor matplotlib (the render and
    chart workers do) nor the store (no database configured); the report is written."""
    from tanzuji.report.sign import keygen

    keygen(tmp_path, name="王五", organisation="示例计量检测研究院")  # the study's evaluator
    pdf = tmp_path / "r.pdf"
    mods = _modules(
        "report",
        str(EXAMPLES / "single-phase-meter" / "study.yaml"),
        "--out",
        str(pdf),
        "--key",
        str(tmp_path / "key.pem"),
        "--cert",
        str(tmp_path / "cert.pem"),
        "--quiet",
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "tanzuji.report.chartwork" in mods and "pyhanko.sign.signers" in mods  # it signed
    for heavy in ("weasyprint", "matplotlib", "sqlalchemy"):
        assert heavy not in mods, heavy


def test_the_console_script_exits_without_a_last_collection() -> None:
    """``tanzuji`` (and ``python -m tanzuji.cli``) is :func:`tanzuji.cli.run`: after the
    command, everything it made is frozen out of the collector's reach, so the
    interpreter's shutdown does not sweep it (about 0.3 s after a signed report);
    ``main`` itself, which tests and scripts call in-process, leaves the collector alone."""
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="tanzuji")
    assert script.value == "tanzuji.cli:run"
    probe = """
import atexit, gc, sys
sys.argv = ["tanzuji", "--version"]
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0))
from tanzuji.cli import {fn} as entry
try:
    entry()
except SystemExit:
    pass
"""
    for fn, frozen in (("run", True), ("main", False)):
        proc = subprocess.run(
            [sys.executable, "-c", probe.format(fn=fn)], capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert f"frozen {frozen}" in proc.stdout, (fn, proc.stdout)
    proc = subprocess.run(
        [sys.executable, "-m", "tanzuji.cli", "--version"], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0 and "tanzuji" in proc.stdout, proc.stderr
