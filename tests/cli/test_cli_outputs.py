"""No silent overwrite: an existing output needs --force; a wrong suffix or a missing
directory is an error, checked before any work (nothing is written)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clihelpers import EXAMPLES

STUDY = EXAMPLES / "single-phase-meter" / "study.yaml"


def test_template_refuses_to_replace_a_filled_workbook(run, tmp_path: Path) -> None:
    book = tmp_path / "filled.xlsx"
    book.write_bytes(b"my filled workbook")
    res = run("template", book)
    assert res.code == 1
    assert "--force" in res.err and "错误:" in res.err
    assert book.read_bytes() == b"my filled workbook"
    assert run("template", book, "--force").code == 0
    assert book.read_bytes() != b"my filled workbook"


def test_convert_refuses_to_replace_without_force(run, tmp_path: Path) -> None:
    target = tmp_path / "s.xlsx"
    target.write_bytes(b"keep me")
    res = run("convert", STUDY, target)
    assert res.code == 1 and "--force" in res.err
    assert target.read_bytes() == b"keep me"
    assert run("convert", STUDY, target, "--force").code == 0
    assert target.read_bytes()[:2] == b"PK"  # an xlsx (zip) now


@pytest.mark.parametrize(
    "args",
    [
        ("evaluate", str(STUDY), "--json", "--out", "{dir}/r.txt"),  # JSON into .txt
        ("evaluate", str(STUDY), "--out", "{dir}/r.json"),  # text into .json
        ("evaluate", str(STUDY), "--report", "{dir}/r.docx"),  # a PDF as .docx
        ("report", str(STUDY), "--out", "{dir}/r.docx"),
        ("template", "{dir}/t.csv"),
        ("convert", str(STUDY), "{dir}/s.txt"),
        ("schema", "--out", "{dir}/s.yaml"),
    ],
)
def test_suffix_not_matching_the_format_is_an_error(run, tmp_path: Path, args) -> None:
    res = run(*(a.format(dir=tmp_path) for a in args))
    assert res.code == 1, res.err
    assert "扩展名" in res.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ("evaluate", str(STUDY), "--json", "--out", "{dir}/missing/r.json"),
        ("report", str(STUDY), "--out", "{dir}/missing/r.pdf"),
        ("template", "{dir}/missing/t.xlsx"),
        ("convert", str(STUDY), "{dir}/missing/s.json"),
        ("schema", "--out", "{dir}/missing/s.json"),
        ("demo", "--out", "{dir}/missing/demo"),
    ],
)
def test_missing_output_directory_is_an_error_not_created(run, tmp_path: Path, args) -> None:
    res = run(*(a.format(dir=tmp_path) for a in args))
    assert res.code == 1, res.err
    assert "目录不存在" in res.err
    assert not (tmp_path / "missing").exists()


def test_evaluate_out_needs_force_to_replace(run, tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old", encoding="utf-8")
    res = run("--lang", "en", "evaluate", STUDY, "--json", "--out", target)
    assert res.code == 1
    assert res.err.startswith("error:") and "add --force to replace it" in res.err
    assert target.read_text(encoding="utf-8") == "old"
    assert run("evaluate", STUDY, "--json", "--out", target, "--force").code == 0
    assert target.read_text(encoding="utf-8").startswith("{")


def test_report_needs_force_to_replace_and_checks_before_work(run, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF old")
    res = run("report", STUDY, "--out", pdf)
    assert res.code == 1 and "--force" in res.err
    assert pdf.read_bytes() == b"%PDF old"


def test_demo_needs_force_for_a_non_empty_directory(run, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    examples = tmp_path / "ex"
    shutil.copytree(EXAMPLES / "single-phase-meter", examples / "sp")
    res = run("demo", "--out", out, "--examples", examples)
    assert res.code == 1 and "--force" in res.err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_schema_to_a_new_file_in_an_existing_directory_works(run, tmp_path: Path) -> None:
    res = run("schema", "--out", tmp_path / "s.json")
    assert res.code == 0, res.err
    assert (tmp_path / "s.json").read_text(encoding="utf-8").startswith("{")
