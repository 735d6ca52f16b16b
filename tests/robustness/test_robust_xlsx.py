"""Excel messages name sheet, row and column in words, never an internal repr (issue 9)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tanzuji.errors import InputErrors
from tanzuji.studyfiles import load_study

EXAMPLE = Path(__file__).parents[2] / "examples" / "single-phase-meter" / "study.xlsx"


def test_a_formula_in_a_header_is_shown_as_written(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = next(w for w in wb.worksheets if w.title.startswith("A.3"))
    ws.cell(row=3, column=2).value = "=1/0"  # no cached value: the reader marks the cell bad
    path = tmp_path / "study.xlsx"
    wb.save(path)
    with pytest.raises(InputErrors) as info:
        load_study(path)
    text = "\n".join(str(e) for e in info.value.errors)
    assert "Bad(" not in text and "message=" not in text
    assert "sheet 'A.3" in text and "row 3" in text and "(B)" in text
