"""Table A.8: footprint and standard uncertainty per stage, total, U and U_rel (k = 2).

Filled in by tanzuji after evaluation; the sheet is protected and never read.

>>> from openpyxl import Workbook
>>> ws = Workbook().active
>>> write_a8(ws, None, "zh", None)
>>> ws.protection.sheet
True
"""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from tanzuji.calculation import FootprintResult
from tanzuji.model import Stage
from tanzuji.uncertainty import round_result
from tanzuji.xlsx.cells import column_letter
from tanzuji.xlsx.layout import FIRST_ROW, HEADER_ROW
from tanzuji.xlsx.style import BOLD, BOX, HEAD_FILL, WRAP, put, title

__all__ = ["write_a8"]


def write_a8(ws: Worksheet, result: FootprintResult | None, lang: str, note: str | None) -> None:
    """Write Table A.8 (empty without a result)."""
    title(ws, "a8", lang, 4)
    heads = [
        ("生命周期阶段", "Life-cycle stage"),
        ("碳足迹（kgCO2e）", "Footprint (kgCO2e)"),
        ("标准不确定度（kgCO2e）", "Standard uncertainty (kgCO2e)"),
        ("报告值", "Reported (JJF 1059.1 rounding)"),
    ]
    for i, (zh, en) in enumerate(heads, start=1):
        cell = put(ws, HEADER_ROW, i, f"{zh}\n{en}" if lang == "zh" else f"{en}\n{zh}")
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEAD_FILL, WRAP, BOX
        ws.column_dimensions[column_letter(i)].width = (22, 18, 22, 26)[i - 1]
    r = FIRST_ROW
    for stage in Stage:
        put(ws, r, 1, stage.zh if lang == "zh" else stage.en).border = BOX
        sr = None if result is None else result.stages[stage]
        if sr is not None:
            put(ws, r, 2, sr.value)
            put(ws, r, 3, sr.u)
            put(ws, r, 4, _reported(sr.value, sr.u))
        elif result is not None:
            put(ws, r, 2, "不在系统边界内" if lang == "zh" else "outside the boundary")
        r += 1
    put(ws, r, 1, "总计" if lang == "zh" else "Total").font = BOLD
    if result is not None:
        t = result.total
        put(ws, r, 2, t.value)
        put(ws, r, 3, t.u)
        put(ws, r, 4, _reported(t.value, t.u))
        rows = [
            (
                f"扩展不确定度（k={t.k:g}）/ kgCO2e",
                f"Expanded uncertainty (k={t.k:g}) / kgCO2e",
                t.U,
            ),
            (
                f"相对扩展不确定度（k={t.k:g}）/ %",
                f"Relative expanded uncertainty (k={t.k:g}) / %",
                t.U_rel_percent,
            ),
            (
                "产品碳足迹 / kgCO2e",
                "Product carbon footprint / kgCO2e",
                _reported(t.value, t.U) + f" (k = {t.k:g})",
            ),
        ]
        for zh, en, value in rows:
            r += 1
            put(ws, r, 1, zh if lang == "zh" else en).font = BOLD
            put(ws, r, 2, value)
    r += 2
    text = note or (
        "由 tanzuji 评价后填写，输入时不读取本表。"
        if lang == "zh"
        else "Filled in by tanzuji after evaluation; ignored when reading."
    )
    put(ws, r, 1, text).font = Font(italic=True)
    ws.protection.sheet = True


def _reported(value: float, u: float) -> str:
    if u > 0:
        r = round_result(value, u)
        return f"{r.value} ± {r.U}"
    return f"{value:.4g}"
