"""Cell styles and the safe way to put a value into a cell.

>>> from openpyxl import Workbook
>>> ws = Workbook().active
>>> put(ws, 1, 1, "=1+1").data_type   # text, never a formula
's'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

from tanzuji.errors import InputError
from tanzuji.xlsx.layout import SHEETS, TITLES

__all__ = [
    "BOLD",
    "BOX",
    "GROUP_FILL",
    "HEAD_FILL",
    "LABEL_FILL",
    "WRAP",
    "put",
    "sheet_name",
    "title",
]

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
GROUP_FILL = PatternFill("solid", fgColor="BDD7EE")
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="999999")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
MAX_TEXT = 32_767


def sheet_name(key: str, lang: str) -> str:
    """The name of a sheet in the workbook's language."""
    _, zh, en = SHEETS[key]
    return zh if lang == "zh" else en


def put(ws: Worksheet, row: int, col: int, value: Any, where: str = "") -> Cell:
    """Write ``value``: text stays text, dates get a date format, bad text is an InputError."""
    cell = ws.cell(row=row, column=col)
    assert isinstance(cell, Cell)
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise InputError(
            f"text longer than Excel's {MAX_TEXT} characters per cell",
            sheet=ws.title,
            row=row,
            path=where or None,
        )
    try:
        cell.value = value
    except IllegalCharacterError:
        raise InputError(
            "text with control characters cannot be stored in a workbook",
            sheet=ws.title,
            row=row,
            path=where or None,
            got=value,
        ) from None
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, even if the text starts with "="
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def title(ws: Worksheet, key: str, lang: str, ncols: int) -> None:
    """The sheet's title in row 1."""
    zh, en = TITLES[key]
    put(ws, 1, 1, f"{zh}  {en}" if lang == "zh" else f"{en}  {zh}").font = Font(bold=True, size=13)
    if ncols > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(ncols, 12))
