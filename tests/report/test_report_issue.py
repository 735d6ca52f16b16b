"""The issuance gate, one identity and drafts (issue 11, points 1–3).

The fixture study has four blocking findings (two certificate gaps, secondary data in
manufacturing, a cut-off process over 1 %) and names 张三 as its evaluator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from reporthelpers import ACCEPTED, FIXTURE, Keys, Report, needs_tools, pdf_pages, pdftotext

from tanzuji.i18n import use_lang
from tanzuji.report import keygen, verify_pdf

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]
BLOCKING = [finding_id for finding_id, _ in ACCEPTED]


def _accepts(pairs: tuple[tuple[str, str], ...] = ACCEPTED) -> list[str]:
    args: list[str] = []
    for finding_id, reason in pairs:
        args += ["--accept", finding_id, "--reason", reason]
    return args


def _signed(keys: Keys, out: Path, *extra: str) -> list[str]:
    return ["report", str(FIXTURE), "--out", str(out), "--key", str(keys.key), "--cert",
            str(keys.cert), *extra]  # fmt: skip


def test_signed_report_is_refused_while_check_has_errors(
    run_main: Run, keys: Keys, tmp_path: Path
) -> None:
    pdf = tmp_path / "r.pdf"
    code, out = run_main(*_signed(keys, pdf))
    assert code == 1
    assert "拒绝签发" in out and all(i in out for i in BLOCKING), out
    assert "--accept" in out
    assert not pdf.exists()


def test_every_blocking_finding_must_be_accepted(run_main: Run, keys: Keys, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    code, out = run_main(*_signed(keys, pdf, *_accepts(ACCEPTED[:3]), "--lang", "en"))
    assert code == 1 and "check has 1 error(s)" in out and BLOCKING[3] in out, out
    assert BLOCKING[0] not in out.split("error(s):")[1]
    assert not pdf.exists()


def test_acceptance_needs_a_known_id_and_a_reason(
    run_main: Run, keys: Keys, tmp_path: Path
) -> None:
    pdf = tmp_path / "r.pdf"
    code, out = run_main(*_signed(keys, pdf, *_accepts(), "--accept", "CERTIFICATE_EXPIRED:X",
                                  "--reason", "typo", "--lang", "en"))  # fmt: skip
    assert code == 1 and "--accept CERTIFICATE_EXPIRED:X: no blocking finding has this id" in out
    code, out = run_main(*_signed(keys, pdf, "--accept", BLOCKING[0], "--lang", "en"))
    assert code == 1 and "every --accept needs its own non-empty --reason" in out
    assert not pdf.exists()


def test_accepted_deviations_are_printed_and_listed_in_the_report(report: Report) -> None:
    for finding_id, reason in ACCEPTED:
        assert f"（编号 {finding_id}）；理由：" in report.output and reason in report.output
        assert finding_id in report.dense and reason.replace(" ", "") in report.dense
    assert report.dense.count("签发人明确接受此项") == 4
    # warnings are printed at issue time, in the user's language (zh by default)
    # (a warning needs no --accept: its message, not its internal code)
    assert "警告: 未给出用户类别" in report.output and "SITE_CATEGORY_UNKNOWN" not in report.output
    assert "warning:" not in report.output


def test_stamp_signature_block_and_verify_show_the_certificate_subject(
    report: Report, keys: Keys
) -> None:
    (check,) = verify_pdf(report.pdf.read_bytes(), (keys.cert,))
    assert check.ok and check.signer == "张三"
    cover = report.pages[0]
    assert "签发人 Issuer：张三" in cover  # the stamp
    assert re.search(r"评价人（签发人）\s+张三", cover)  # the signature block
    assert "签名人自称" in cover  # no timestamp: the signing time is a claim
    assert "草稿" not in report.text and "DRAFT" not in report.text


def test_a_signer_other_than_the_evaluator_needs_an_override(run_main: Run, tmp_path: Path) -> None:
    key, cert = keygen(tmp_path / "k", name="李四", organisation="另一检测所")
    pdf = tmp_path / "r.pdf"
    args = ["report", str(FIXTURE), "--out", str(pdf), "--key", str(key), "--cert", str(cert),
            *_accepts()]  # fmt: skip
    code, out = run_main(*args)
    assert code == 1 and "李四 / 另一检测所" in out and "张三 / 某省计量科学研究院" in out, out
    assert "--signer-override" in out and not pdf.exists()
    code, out = run_main(*args, "--signer-override", "张三休假，由李四代签")
    assert code == 0, out
    assert "签发人不是评价人: 李四 / 另一检测所；理由：张三休假，由李四代签" in out
    with use_lang("en"):
        (check,) = verify_pdf(pdf.read_bytes(), (cert,))
    assert check.ok and (check.signer, check.organisation) == ("李四", "另一检测所")
    cover = pdf_pages(pdf)[0]
    assert "签发人 Issuer：李四" in cover and "另一检测所" in cover
    dense = re.sub(r"\s+", "", pdftotext(pdf))
    assert "与研究中记载的评价人张三/某省计量科学研究院不同" in dense
    assert "理由：张三休假，由李四代签" in dense


def test_unsigned_report_is_a_marked_draft(run_main: Run, tmp_path: Path) -> None:
    pdf = tmp_path / "draft.pdf"
    code, out = run_main("report", str(FIXTURE), "--out", str(pdf), "--lang", "en")
    assert code == 0, out
    assert (
        "(draft, not signed)" in out and "(id CERTIFICATE_EXPIRED:JD2024-077, for --accept)" in out
    )
    pages = pdf_pages(pdf)
    assert len(pages) > 3
    for page in pages:
        assert "草稿 / DRAFT — 未签名 not signed" in page
    text = re.sub(r"\s+", " ", "\n".join(pages))
    assert "PAdES" not in text and "issued with" not in text and "signature" not in text.lower()
    assert "unsigned draft" in text
    from tanzuji.report import SignatureError

    try:
        verify_pdf(pdf.read_bytes())
    except SignatureError:
        pass
    else:
        raise AssertionError("a draft carries no signature and no signature field")
