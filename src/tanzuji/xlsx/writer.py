"""Writing the record workbook: the empty template, or a study with its A.8 results.

>>> wb = build_workbook(None, "en")
>>> wb.sheetnames[:3]
['Instructions', 'A.1 Basic info', 'A.2 Instruments']
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tanzuji.calculation import FootprintResult
from tanzuji.model import Stage, Study
from tanzuji.xlsx.a8 import write_a8
from tanzuji.xlsx.cells import column_letter
from tanzuji.xlsx.labels import CHOICES, MODES, UNITS
from tanzuji.xlsx.layout import (
    A1_FIELDS,
    A1_ROWS,
    FIRST_ROW,
    GROUP_ROW,
    HEADER_ROW,
    STAGE_COLUMNS,
    STAGE_SHEET,
    Col,
    header_text,
)
from tanzuji.xlsx.prefill import template_rows
from tanzuji.xlsx.readme import README
from tanzuji.xlsx.rows import FieldPath, cell_value, extra_text, get_path
from tanzuji.xlsx.stagewrite import activity_rows
from tanzuji.xlsx.style import (
    BOLD,
    BOX,
    GROUP_FILL,
    HEAD_FILL,
    LABEL_FILL,
    WRAP,
    put,
    sheet_name,
    title,
)
from tanzuji.xlsx.tables import TABLES, object_cells

__all__ = ["build_workbook", "sheet_name"]

# --------------------------------------------------------------------------- drop-down lists


_SPARE_ROWS = 1000


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
            put(self.ws, 1, i, name)
            for j, v in enumerate(values, start=2):
                put(self.ws, j, i, v)
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
    title(ws, key, lang, len(cols))
    groups: list[tuple[str, int, int]] = []
    for i, c in enumerate(cols, start=1):
        cell = put(ws, HEADER_ROW, i, header_text(c, lang))
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEAD_FILL, WRAP, BOX
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
        cell = put(ws, GROUP_ROW, first, zh if lang == "zh" else en or zh)
        cell.font, cell.fill = BOLD, GROUP_FILL
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
            cell = put(ws, r, index[k], v, f"{ws.title} {k}")
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
    title(ws, "a1", lang, 4)
    for letter, width in zip("ABCD", (26, 40, 26, 40), strict=True):
        ws.column_dimensions[letter].width = width
    r = HEADER_ROW
    for spec in A1_ROWS:
        if spec[0].startswith("#"):
            zh, _, en = spec[0][1:].partition(" ")
            put(ws, r, 1, zh if lang == "zh" else en).font = Font(bold=True, size=12)
            r += 1
            continue
        for j, key in enumerate(spec):
            field = A1_FIELDS[key]
            label = put(ws, r, 1 + 2 * j, header_text(field, lang).replace("\n", " "))
            label.font, label.fill, label.border, label.alignment = (
                BOLD,
                LABEL_FILL,
                BOX,
                WRAP,
            )
            text = field.help_zh if lang == "zh" else field.help_en
            if text:
                label.comment = Comment(text, "tanzuji", width=240, height=70)
            value = _a1_value(study, key, lang)
            cell = put(ws, r, 2 + 2 * j, value, key)
            cell.border, cell.alignment = BOX, WRAP
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


# --------------------------------------------------------------------------- workbook


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
        put(readme, r, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    readme.column_dimensions["A"].width = 120
    put(readme, 1, 1, README[lang][0]).font = Font(bold=True, size=14)
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
        rows = template_rows(stage, lang) if study is None else _stage_rows(study, stage, lang)
        _table(
            sheets[key], key, STAGE_COLUMNS[stage], rows, lang, lists, stage=stage, a2_name=a2_name
        )
    write_a8(sheets["a8"], result, lang, note)
    return wb
