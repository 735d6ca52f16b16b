"""The archival PDF: PDF/A-3b with metadata and associated files, still PAdES-verifiable.

Checked with pikepdf (XMP, output intent, attachments) and poppler's ``pdfsig``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf  # a dev dependency: a missing one fails, never skips
import pytest
from reporthelpers import ACCEPTED, FIXTURE, Keys, Report, needs_tools

from tanzuji.report import verify_pdf
from tanzuji.studyfiles import evaluate_file

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]
STUDY = FIXTURE / "study.yaml"


def _pdfsig(pdf: Path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig (poppler-utils) missing: run `make system-deps`")
    return subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout


def test_report_is_pdfa3b_with_document_metadata(report: Report) -> None:
    with pikepdf.open(report.pdf) as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("3", "B")
        number = str(pdf.docinfo["/Keywords"]).split(",")[0]
        assert number.startswith("TZJ-2025-METER-T1-")
        assert number in report.text  # the report's own number
        assert meta.get("dc:title") == f"电能表产品碳足迹计量评价报告 {number}"
        assert str(pdf.docinfo["/Title"]) == meta.get("dc:title")
        assert str(pdf.docinfo["/Author"]) == "张三"  # the signing certificate's subject
        subject = str(pdf.docinfo["/Subject"])
        assert "单相智能电能表 DDZY-T1" in subject and number in subject and "张三" in subject
        assert str(pdf.Root.Lang) == "zh-CN"
        assert str(pdf.docinfo["/tanzujireportnumber"]) == number
        assert str(pdf.docinfo["/tanzujilanguage"]) == "zh"
        assert str(pdf.docinfo["/tanzujistatus"]) == "signed"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and "/DestOutputProfile" in intent
        assert pdf.Root.MarkInfo.Marked  # tagged


def test_result_json_and_study_hash_are_associated_files(report: Report) -> None:
    _, result = evaluate_file(FIXTURE)
    with pikepdf.open(report.pdf) as pdf:
        files = {name: spec for name, spec in pdf.attachments.items()}
        assert set(files) == {"result.json", "study.sha256"}  # no study in the customer copy
        data = json.loads(files["result.json"].get_file().read_bytes())
        assert data["total"]["value"] == pytest.approx(result.total.value, rel=1e-12)
        digest = hashlib.sha256(STUDY.read_bytes()).hexdigest()
        assert files["study.sha256"].get_file().read_bytes() == f"{digest}  study.yaml\n".encode()
        relationships = {str(f.get("/AFRelationship")) for f in pdf.Root.AF}
        assert {"/Data", "/Supplement"} <= relationships


def test_pdfsig_validates_the_archival_report(report: Report) -> None:
    out = _pdfsig(report.pdf)
    assert "Signature is Valid" in out and "Total document signed" in out
    assert "Signer Certificate Common Name: 张三" in out


def test_embed_study_only_in_the_archival_copy(run_main: Run, keys: Keys, tmp_path: Path) -> None:
    pdf = tmp_path / "archive.pdf"
    args = ["report", str(FIXTURE), "--out", str(pdf), "--key", str(keys.key), "--cert",
            str(keys.cert), "--embed-study"]  # fmt: skip
    for finding_id, reason in ACCEPTED:
        args += ["--accept", finding_id, "--reason", reason]
    code, out = run_main(*args)
    assert code == 0, out
    with pikepdf.open(pdf) as doc:
        files = dict(doc.attachments.items())
        assert set(files) == {"result.json", "study.sha256", "study.yaml"}
        assert files["study.yaml"].get_file().read_bytes() == STUDY.read_bytes()
        assert str(files["study.yaml"].obj.get("/AFRelationship")) == "/Source"
    (check,) = verify_pdf(pdf.read_bytes(), (keys.cert,))
    assert check.ok and check.later == ()
    assert "Signature is Valid" in _pdfsig(pdf)
