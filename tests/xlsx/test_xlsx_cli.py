"""The commands: tanzuji template, tanzuji convert, tanzuji evaluate FILLED.xlsx."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from typer.testing import CliRunner
from xlsx_fixtures import rich_study, sheet, write_yaml

from tanzuji.cli import app


def _invoke(*args: str | Path) -> tuple[int, str]:
    """In-process run (fast) of a command that succeeds."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """A real process, to see the one-line error messages of ``main()``."""
    return subprocess.run(
        [sys.executable, "-m", "tanzuji.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_template_convert_evaluate(tmp_path: Path) -> None:
    assert _invoke("template", tmp_path / "t.xlsx", "--lang", "en")[0] == 0
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames[0] == "Instructions"

    src = write_yaml(tmp_path / "s.yaml", rich_study())
    assert _invoke("convert", src, tmp_path / "s.xlsx")[0] == 0
    a8 = sheet(openpyxl.load_workbook(tmp_path / "s.xlsx"), "A.8")
    total_row = next(r for r in a8.iter_rows(values_only=True) if r[0] == "总计")

    code, stdout = _invoke("evaluate", tmp_path / "s.xlsx", "--json")
    assert code == 0
    result = json.loads(stdout)
    assert result["study_id"] == "RT-1"
    assert total_row[1] == result["total"]["value"] and total_row[2] == result["total"]["u"]


def test_bad_workbook_gives_one_line_per_problem(tmp_path: Path) -> None:
    src = write_yaml(tmp_path / "s.yaml", rich_study())
    assert _invoke("convert", src, tmp_path / "s.xlsx")[0] == 0
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    ws = sheet(wb, "A.3")
    ws["E4"], ws["D4"] = "lots", "公斤斤"
    wb.save(tmp_path / "s.xlsx")
    done = _run("evaluate", tmp_path / "s.xlsx")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("错误:")]
    assert len(lines) == 2 and "Traceback" not in done.stderr
    assert all("工作表 'A.3 原材料获取': 第 4 行" in line for line in lines), lines
