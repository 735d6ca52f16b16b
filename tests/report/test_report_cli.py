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
    assert "M = 20 000 trials" in re.sub(r"\s+", " ", text)
    assert [p.name for p in pdf.parent.iterdir()] == ["r.pdf"]  # no temporary files left


EXAMPLES = Path(__file__).parents[2] / "examples"


def test_demo_writes_signed_reports_whose_stamp_and_verify_agree(
    run_main: Run, tmp_path: Path
) -> None:
    out_dir = tmp_path / "demo"
    code, out = run_main("demo", "--out", str(out_dir), "--examples", str(EXAMPLES))
    assert code == 0, out
    for name in ("single-phase-meter", "three-phase-meter"):
        pdf = out_dir / name / "report.pdf"
        (check,) = verify_pdf(pdf.read_bytes(), [out_dir / "keys" / "cert.pem"])
        assert check.ok and check.trusted
        # one identity: the examples' evaluator 王五 of 示例计量检测研究院 (examples/*/study.yaml)
        assert (check.signer, check.organisation) == ("王五", "示例计量检测研究院")
        page1 = pdftotext(pdf, "-l", "1")
        assert "签发人 Issuer：王五" in page1 and "王五（示例计量检测研究院）" in page1
        assert "DRAFT" not in pdftotext(pdf)
    assert (out_dir / "keys" / "key.pem").stat().st_mode & 0o777 == 0o600


def test_demo_refuses_a_study_with_check_errors(run_main: Run, tmp_path: Path) -> None:
    code, out = run_main("demo", "--out", str(tmp_path / "d"), "--examples", str(FIXTURE.parent))
    assert code == 1 and "拒绝签发" in out and "--accept" in out


def test_report_errors_are_one_line(run_main: Run, tmp_path: Path) -> None:
    code, out = run_main("report", str(FIXTURE), "--out", str(tmp_path / "r.pdf"), "--key", "k.pem")
    assert code == 1
    expected = "错误: 签名需要同时给出 --key 和 --cert（或 PKCS#12 文件 --key x.p12），或都不给"
    assert out.strip() == expected
    assert not (tmp_path / "r.pdf").exists()


def test_report_quiet_prints_only_the_errors(run_main: Run, tmp_path: Path) -> None:
    """docs/cli.md: ``--quiet`` — no status lines or warnings; errors are still printed.
    The fixture has a blocking check error (an expired certificate) and warnings."""
    code, loud = run_main("report", str(FIXTURE), "--out", str(tmp_path / "a.pdf"))
    assert code == 0, loud
    assert "警告:" in loud and "已写入" in loud and "错误:" in loud
    code, out = run_main("report", str(FIXTURE), "--out", str(tmp_path / "b.pdf"), "--quiet")
    assert code == 0, out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("错误:") for ln in lines), out
    assert (tmp_path / "b.pdf").stat().st_size > 0
