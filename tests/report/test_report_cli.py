"""``tanzuji evaluate --report`` and ``tanzuji demo`` write (signed) reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from reporthelpers import FIXTURE, needs_tools, pdftotext

from tanzuji.report import verify_pdf

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]


def test_evaluate_writes_the_report(run_main: Run, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()  # an output directory is never created (docs/cli.md)
    pdf = tmp_path / "out" / "r.pdf"
    code, out = run_main("evaluate", str(FIXTURE), "--report", str(pdf), "--lang", "en",
                         "--mc", "--trials", "20000", "--seed", "2")  # fmt: skip
    assert code == 0, out
    assert "E = (59.7 ± 5.2) kgCO2e" in out  # the summary is still printed
    text = pdftotext(pdf)
    assert "Electricity Meter Product Carbon Footprint Metrological Evaluation Report" in text
    assert "Page 1 of" in text
    # the Monte Carlo run of `evaluate --mc` is the one shown in the report
    assert "Monte Carlo validation (JJF 1059.2)" in text
    assert "M = 20,000 trials" in re.sub(r"\s+", " ", text)
    assert [p.name for p in pdf.parent.iterdir()] == ["r.pdf"]  # no temporary files left


def test_demo_writes_signed_reports(run_main: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "demo"
    code, out = run_main("demo", "--out", str(out_dir), "--examples", str(FIXTURE.parent))
    assert code == 0, out
    pdf = out_dir / "meter" / "report.pdf"
    (check,) = verify_pdf(pdf.read_bytes(), [out_dir / "keys" / "cert.pem"])
    assert check.ok and check.trusted
    assert (out_dir / "keys" / "key.pem").stat().st_mode & 0o777 == 0o600


def test_report_errors_are_one_line(run_main: Run, tmp_path: Path) -> None:
    code, out = run_main("report", str(FIXTURE), "--out", str(tmp_path / "r.pdf"), "--key", "k.pem")
    assert code == 1
    assert out.strip() == "错误: give both --key and --cert to sign, or neither"
    assert not (tmp_path / "r.pdf").exists()
