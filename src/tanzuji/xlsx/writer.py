"""Writing the record workbook: the empty template, or a study with its A.8 results.

>>> wb = build_workbook(None, "en")
>>> wb.sheetnames[:3]
['Instructions', 'A.1 Basic info', 'A.2 Instruments']
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tanzuji.calculation import FootprintResult
from tanzuji.errors import InputError
from tanzuji.model import Stage, Study
from tanzuji.uncertainty import round_result
from tanzuji.xlsx.cells import column_letter
from tanzuji.xlsx.labels import BOM_ROWS, CHOICES, MODES, UNITS
from tanzuji.xlsx.layout import (
    A1_FIELDS,
    A1_ROWS,
    FIRST_ROW,
    GROUP_ROW,
    HEADER_ROW,
    SHEETS,
    STAGE_COLUMNS,
    STAGE_SHEET,
    TITLES,
    Col,
    header_text,
)
from tanzuji.xlsx.readme import README
from tanzuji.xlsx.rows import FieldPath, cell_value, extra_text, get_path
from tanzuji.xlsx.stages import activity_rows
from tanzuji.xlsx.tables import TABLES, object_cells

__all__ = ["build_workbook", "sheet_name"]

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_GROUP_FILL = PatternFill("solid", fgColor="BDD7EE")
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_SPARE_ROWS = 1000
MAX_TEXT = 32_767


def sheet_name(key: str, lang: str) -> str:
    """The name of a sheet in the workbook's language."""
    _, zh, en = SHEETS[key]
    return zh if lang == "zh" else en


def _put(ws: Worksheet, row: int, col: int, value: Any, where: str = "") -> Cell:
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


# --------------------------------------------------------------------------- drop-down lists


class _Lists:
    """The hidden sheet of drop-down lists; one column per list."""

    def __init__(self, wb: Workbook, lang: str, units: set[str]) -> None:
        self.ws = wb.create_sheet(sheet_name("lists", lang))
        self.ws.sheet_state = "hidden"
        self.refs: dict[str, str] = {}
        lists: dict[str, list[str]] = {k: c.displays(lang) for k, c in CHOICES.items()}
        lists["yes_no"] = ["Y", "N"]
        lists["units"] = list(UNITS) + sorted(units - set(UNITS))
        lists["modes"] = MODES.displays(lang)
        for stage in Stage:
            lists[f"process.{stage.value}"] = [
                CHOICES["process"].display(p.value, lang) for p in _processes(stage)
            ]
        for i, (name, values) in enumerate(lists.items(), start=1):
            _put(self.ws, 1, i, name)
            for j, v in enumerate(values, start=2):
                _put(self.ws, j, i, v)
            letter = column_letter(i)
            self.refs[name] = f"'{self.ws.title}'!${letter}$2:${letter}${len(values) + 1}"

    def validate(self, ws: Worksheet, ref: str, cells: str, *, strict: bool) -> None:
        """Attach a drop-down list to a range of cells."""
        dv = DataValidation(
            type="list",
            formula1=f"={ref}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
        )
        dv.add(cells)
        ws.add_data_validation(dv)


def _processes(stage: Stage) -> list[Any]:
    from tanzuji.model import PROCESS_STAGE

    return [p for p, s in PROCESS_STAGE.items() if s is stage]


# --------------------------------------------------------------------------- sheets


def _title(ws: Worksheet, key: str, lang: str, ncols: int) -> None:
    zh, en = TITLES[key]
    _put(ws, 1, 1, f"{zh}  {en}" if lang == "zh" else f"{en}  {zh}").font = Font(bold=True, size=13)
    if ncols > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(ncols, 12))


def _table(
    ws: Worksheet,
    key: str,
    cols: list[Col],
    rows: list[dict[str, Any]],
    lang: str,
    lists: _Lists,
    *,
    stage: Stage | None = None,
    a2_name: str = "",
) -> None:
    _title(ws, key, lang, len(cols))
    groups: list[tuple[str, int, int]] = []
    for i, c in enumerate(cols, start=1):
        cell = _put(ws, HEADER_ROW, i, header_text(c, lang))
        cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEAD_FILL, _WRAP, _BOX
        text = c.help_zh if lang == "zh" else c.help_en
        if text:
            cell.comment = Comment(text, "tanzuji", width=260, height=90)
        ws.column_dimensions[column_letter(i)].width = c.width
        if c.group and groups and groups[-1][0] == c.group and groups[-1][2] == i - 1:
            groups[-1] = (c.group, groups[-1][1], i)
        elif c.group:
            groups.append((c.group, i, i))
    for name, first, last in groups:
        zh, _, en = name.partition(" ")
        cell = _put(ws, GROUP_ROW, first, zh if lang == "zh" else en or zh)
        cell.font, cell.fill = _BOLD, _GROUP_FILL
        cell.alignment = Alignment(horizontal="center")
        if last > first:
            ws.merge_cells(
                start_row=GROUP_ROW, start_column=first, end_row=GROUP_ROW, end_column=last
            )
    ws.row_dimensions[HEADER_ROW].height = 32
    index = {c.key: i for i, c in enumerate(cols, start=1)}
    for r, cells in enumerate(rows, start=FIRST_ROW):
        for k, v in cells.items():
            if v is None or k not in index:
                continue
            cell = _put(ws, r, index[k], v, f"{ws.title} {k}")
            if k.endswith("unc_value") and str(cells.get(k[:-5] + "form", "")).startswith(
                ("相对", "Relative")
            ):
                cell.number_format = "0.00##%"
    last = FIRST_ROW + len(rows) + _SPARE_ROWS
    for c in cols:
        if not c.choices:
            continue
        ref_key = c.choices
        if c.key == "process" and stage is not None:
            ref_key = f"process.{stage.value}"
        i = index[c.key]
        rng = f"{column_letter(i)}{FIRST_ROW}:{column_letter(i)}{last}"
        if ref_key == "instrument_ids":
            a2_col = column_letter(TABLES["a2"][0].index(_a2_id()) + 1)
            ref = f"'{a2_name}'!${a2_col}${FIRST_ROW}:${a2_col}${last}"
            lists.validate(ws, ref, rng, strict=False)
        else:
            strict = ref_key not in ("units", "modes")
            lists.validate(ws, lists.refs[ref_key], rng, strict=strict)
    ws.freeze_panes = _FREEZE.get(key, "A4")


_FREEZE = {
    "a2": "D4",
    "a3": "D4",
    "a4": "E4",
    "a5": "E4",
    "a6": "E4",
    "a7": "E4",
    "factors": "B4",
    "excluded": "C4",
}


def _a2_id() -> Col:
    return next(c for c in TABLES["a2"][0] if c.key == "id")


def _a1(ws: Worksheet, study: Study | None, lang: str, lists: _Lists) -> None:
    _title(ws, "a1", lang, 4)
    for letter, width in zip("ABCD", (26, 40, 26, 40), strict=True):
        ws.column_dimensions[letter].width = width
    r = HEADER_ROW
    for spec in A1_ROWS:
        if spec[0].startswith("#"):
            zh, _, en = spec[0][1:].partition(" ")
            _put(ws, r, 1, zh if lang == "zh" else en).font = Font(bold=True, size=12)
            r += 1
            continue
        for j, key in enumerate(spec):
            field = A1_FIELDS[key]
            label = _put(ws, r, 1 + 2 * j, header_text(field, lang).replace("\n", " "))
            label.font, label.fill, label.border, label.alignment = (
                _BOLD,
                _LABEL_FILL,
                _BOX,
                _WRAP,
            )
            text = field.help_zh if lang == "zh" else field.help_en
            if text:
                label.comment = Comment(text, "tanzuji", width=240, height=70)
            value = _a1_value(study, key, lang)
            cell = _put(ws, r, 2 + 2 * j, value, key)
            cell.border, cell.alignment = _BOX, _WRAP
            if field.choices:
                ref = lists.refs["yes_no" if field.kind == "bool" else field.choices]
                lists.validate(ws, ref, cell.coordinate, strict=field.choices != "units")
        r += 1
    ws.freeze_panes = "A3"


_TEMPLATE_A1: dict[str, Any] = {
    **{f"boundary.{s.value}": "Y" for s in Stage},
    "specification": Study.model_fields["specification"].default,
    "product.functional_unit": "1 台",
}


def _a1_covered() -> set[FieldPath]:
    out: set[FieldPath] = {
        ("boundary",),
        ("instruments",),
        ("excluded",),
        ("factors",),
        ("activities",),
    }
    for key in A1_FIELDS:
        if not key.startswith(("boundary.", "extra")):
            out.add(tuple(key.split(".")))
    return out


def _a1_value(study: Study | None, key: str, lang: str) -> Any:
    if study is None:
        return _TEMPLATE_A1.get(key)
    field = A1_FIELDS[key]
    if key.startswith("boundary."):
        return "Y" if Stage(key.split(".")[1]) in study.boundary else "N"
    if key == "extra":
        return extra_text(study, _a1_covered())
    value = get_path(study, tuple(key.split(".")))
    spec = Col(key, field.zh, field.en, field.kind, choices=field.choices)
    return cell_value(value, spec, lang)


def _a8(ws: Worksheet, result: FootprintResult | None, lang: str, note: str | None) -> None:
    _title(ws, "a8", lang, 4)
    heads = [
        ("生命周期阶段", "Life-cycle stage"),
        ("碳足迹（kgCO2e）", "Footprint (kgCO2e)"),
        ("标准不确定度（kgCO2e）", "Standard uncertainty (kgCO2e)"),
        ("报告值", "Reported (JJF 1059.1 rounding)"),
    ]
    for i, (zh, en) in enumerate(heads, start=1):
        cell = _put(ws, HEADER_ROW, i, f"{zh}\n{en}" if lang == "zh" else f"{en}\n{zh}")
        cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEAD_FILL, _WRAP, _BOX
        ws.column_dimensions[column_letter(i)].width = (22, 18, 22, 26)[i - 1]
    r = FIRST_ROW
    for stage in Stage:
        _put(ws, r, 1, stage.zh if lang == "zh" else stage.en).border = _BOX
        sr = None if result is None else result.stages[stage]
        if sr is not None:
            _put(ws, r, 2, sr.value)
            _put(ws, r, 3, sr.u)
            _put(ws, r, 4, _reported(sr.value, sr.u))
        elif result is not None:
            _put(ws, r, 2, "不在系统边界内" if lang == "zh" else "outside the boundary")
        r += 1
    _put(ws, r, 1, "总计" if lang == "zh" else "Total").font = _BOLD
    if result is not None:
        t = result.total
        _put(ws, r, 2, t.value)
        _put(ws, r, 3, t.u)
        _put(ws, r, 4, _reported(t.value, t.u))
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
            _put(ws, r, 1, zh if lang == "zh" else en).font = _BOLD
            _put(ws, r, 2, value)
    r += 2
    text = note or (
        "由 tanzuji 评价后填写，输入时不读取本表。"
        if lang == "zh"
        else "Filled in by tanzuji after evaluation; ignored when reading."
    )
    _put(ws, r, 1, text).font = Font(italic=True)
    ws.protection.sheet = True


def _reported(value: float, u: float) -> str:
    if u > 0:
        r = round_result(value, u)
        return f"{r.value} ± {r.U}"
    return f"{value:.4g}"


# --------------------------------------------------------------------------- workbook


def _template_rows(stage: Stage, lang: str) -> list[dict[str, Any]]:
    def label(entry: str) -> dict[str, Any]:
        _, zh, en = next(o for o in CHOICES["entry"].options if o[0] == entry)
        return {"name_zh": zh, "name_en": en, "entry": CHOICES["entry"].display(entry, lang)}

    def proc(p: str) -> str:
        return CHOICES["process"].display(p, lang)

    def flow(zh: str, en: str, unit: str, **more: Any) -> dict[str, Any]:
        return {"name_zh": zh, "name_en": en, "unit": unit, **more}

    def energy(zh: str, en: str, unit: str) -> dict[str, Any]:
        return {**label("transport_energy"), "name_zh": zh, "name_en": en, "unit": unit}

    def leg(
        name_zh: str, name_en: str, process: str, fuels: list[tuple[str, str, str]]
    ) -> list[dict[str, Any]]:
        return [
            {
                **label("transport"),
                "name_zh": name_zh,
                "name_en": name_en,
                "process": proc(process),
            },
            *(energy(*f) for f in fuels),
            {**label("transport_mass"), "unit": "t"},
            {**label("transport_distance"), "unit": "km"},
        ]

    fuels = [("电力", "Electricity", "kWh"), ("汽油", "Gasoline", "kg"), ("柴油", "Diesel", "kg")]
    if stage is Stage.RAW_MATERIALS:
        return [
            {"no": i, "name_zh": zh, "name_en": en, "unit": "kg"}
            for i, (zh, en) in enumerate(BOM_ROWS, start=1)
        ]
    if stage is Stage.MANUFACTURING:
        parts = [
            {**label(e), "unit": "kWh"}
            for e in (
                "electricity_total",
                "electricity_grid",
                "electricity_green",
                "electricity_onsite",
            )
        ]
        return [
            {**label("electricity"), "unit": "kWh"},
            *parts,
            flow("天然气（标准状态）", "Natural gas (standard state)", "m³"),
            flow("汽油", "Gasoline", "kg"),
            flow("柴油", "Diesel", "kg"),
        ]
    if stage is Stage.DISTRIBUTION:
        return leg("产品出厂运输", "Product distribution", "outbound_transport", fuels)
    if stage is Stage.USE:
        return [
            flow("运行能耗", "Operating energy", "kWh"),
            {
                **label("operation"),
                "name_zh": "运行能耗（功率×时长）",
                "name_en": "Operating energy (power × time)",
            },
            {**label("power"), "unit": "W"},
            {**label("duration"), "unit": "h"},
        ]
    sorting = proc("sorting_disposal")
    return [
        flow("电力消耗量", "Electricity", "kWh", process=sorting),
        flow("柴油消耗量", "Diesel", "kg", process=sorting),
        flow("废料处置量", "Waste disposed", "kg", process=sorting),
        *leg(
            "拆回运输",
            "Removal transport",
            "removal_transport",
            [fuels[0], ("天然气", "Natural gas", "m³"), *fuels[1:]],
        ),
    ]


def _stage_rows(study: Study, stage: Stage, lang: str) -> list[dict[str, Any]]:
    specs = {c.key: c for c in STAGE_COLUMNS[stage]}
    acts = list(study.activities)
    rows: list[dict[str, Any]] = []
    skip = False
    for i, act in enumerate(acts):
        if skip:
            skip = False
            continue
        if act.stage is not stage:
            continue
        nxt = acts[i + 1] if i + 1 < len(acts) else None
        more, skip = activity_rows(act, i + 1, lang, specs, nxt)
        rows.extend(more)
    return rows


def _units(study: Study | None) -> set[str]:
    if study is None:
        return set()
    found: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "unit" and isinstance(v, str):
                    found.add(v)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(study.model_dump(mode="json")["activities"])
    return found


def build_workbook(
    study: Study | None,
    lang: str = "zh",
    result: FootprintResult | None = None,
    note: str | None = None,
) -> Workbook:
    """The record workbook: the empty template (``study=None``) or a filled one."""
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = sheet_name("readme", lang)
    for r, line in enumerate(README[lang], start=1):
        _put(readme, r, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    readme.column_dimensions["A"].width = 120
    _put(readme, 1, 1, README[lang][0]).font = Font(bold=True, size=14)
    sheets = {
        k: wb.create_sheet(sheet_name(k, lang))
        for k in ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "factors", "excluded")
    }
    lists = _Lists(wb, lang, _units(study))
    _a1(sheets["a1"], study, lang, lists)
    a2_name = sheets["a2"].title
    for key in ("a2", "factors", "excluded"):
        cols = TABLES[key][0]
        objs: tuple[Any, ...] = (
            ()
            if study is None
            else {"a2": study.instruments, "factors": study.factors, "excluded": study.excluded}[
                key
            ]
        )
        rows = [object_cells(o, key, lang) for o in objs]
        for i, row in enumerate(rows, start=1):
            if "no" in {c.key for c in cols}:
                row["no"] = i
        _table(sheets[key], key, cols, rows, lang, lists, a2_name=a2_name)
    for stage, key in STAGE_SHEET.items():
        rows = _template_rows(stage, lang) if study is None else _stage_rows(study, stage, lang)
        _table(
            sheets[key], key, STAGE_COLUMNS[stage], rows, lang, lists, stage=stage, a2_name=a2_name
        )
    _a8(sheets["a8"], result, lang, note)
    return wb
