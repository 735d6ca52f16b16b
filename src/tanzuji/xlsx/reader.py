"""Reading a filled record workbook into a :class:`~tanzuji.model.Study`.

Every problem names the file, sheet, row and column header and what was expected; the
model's validation errors are mapped back to the cells they came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tanzuji.errors import InputError, InputErrors
from tanzuji.i18n import tr
from tanzuji.jsonio import Document, LoadedStudy, resolve_libraries
from tanzuji.model import Stage, Study
from tanzuji.model.validation import clean_loc, error_message
from tanzuji.xlsx.cells import Bad, RawSheet, column_letter, is_blank, read_raw
from tanzuji.xlsx.labels import normalise
from tanzuji.xlsx.layout import (
    A1_FIELDS,
    A1_ROWS,
    HEADER_ROW,
    SHEETS,
    STAGE_COLUMNS,
    STAGE_SHEET,
    Col,
)
from tanzuji.xlsx.rows import Ctx, FieldPath, Row, Where, merge_extra, set_path
from tanzuji.xlsx.stages import ReadActivity, order_activities, read_stage_rows
from tanzuji.xlsx.tables import TABLES, read_object

__all__ = ["WorkbookStudy", "load_workbook_study", "locate_errors", "read_workbook"]

_NEEDED = ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "factors", "excluded")
_KEY_COLUMNS = {
    "a2": ("id", "name", "kind"),
    "factors": ("id", "value", "unit", "factor_type", "citation"),
    "excluded": ("name", "stage", "estimate"),
    "stage": ("name_zh", "unit", "quantity", "factor"),
}


@dataclass(frozen=True)
class WorkbookStudy(LoadedStudy):
    """A study read from a workbook, remembering the cell of every field."""

    cells: Mapping[FieldPath, Where] = field(default_factory=dict)

    def locate(self, exc: InputErrors) -> InputErrors:
        """Errors found after reading (compile, libraries) pointed at their cells."""
        return locate_errors(exc, self)


def _find_sheets(raw: Mapping[str, RawSheet], file: str) -> dict[str, RawSheet]:
    found: dict[str, RawSheet] = {}
    problems = []
    for key in _NEEDED:
        code, zh, en = SHEETS[key]
        names = {normalise(zh), normalise(en)}
        match = [s for t, s in raw.items() if normalise(t) in names]
        if not match and code:
            match = [
                s
                for t, s in raw.items()
                if normalise(t) == normalise(code)
                or (
                    normalise(t).startswith(normalise(code))
                    and not normalise(t)[len(normalise(code)) :][:1].isdigit()
                )
            ]
        if len(match) == 1:
            found[key] = match[0]
        elif not match:
            problems.append(
                InputError(
                    tr(
                        f"缺少工作表 {zh!r}；现有 {'、'.join(map(repr, raw)) or '无'}；"
                        "应为 `tanzuji template` 生成的工作簿中的工作表",
                        f"missing sheet {zh!r} ({en}); "
                        f"found {', '.join(map(repr, raw)) or 'none'}; "
                        "expected the sheets of a workbook made by `tanzuji template`",
                    ),
                    file=file,
                )
            )
        else:
            problems.append(
                InputError(
                    tr(
                        f"有多个工作表对应 {zh!r}：{'、'.join(s.title for s in match)}；应只有一个",
                        f"several sheets match {zh!r}: "
                        f"{', '.join(s.title for s in match)}; expected one",
                    ),
                    file=file,
                )
            )
    if problems:
        raise InputErrors(problems)
    return found


def _columns(
    sheet: RawSheet, cols: list[Col], required: tuple[str, ...], ctx: Ctx
) -> dict[str, tuple[int, str]]:
    lookup: dict[str, str] = {}
    for c in cols:
        for text in (c.zh, c.en, c.zh + c.en, c.en + c.zh):
            lookup.setdefault(normalise(text), c.key)
    out: dict[str, tuple[int, str]] = {}
    header = sheet.rows.get(HEADER_ROW, ())
    for i, value in enumerate(header, start=1):
        if is_blank(value):
            continue
        # a header cell with an Excel error shows its value, never the internal Bad(...) repr
        text = str(value.got) if isinstance(value, Bad) else str(value)
        key = lookup.get(normalise(text))
        if key is None:
            key = next(
                (
                    lookup[normalise(line)]
                    for line in text.splitlines()
                    if normalise(line) in lookup
                ),
                None,
            )
        where = Where(sheet.title, HEADER_ROW, f"{text.splitlines()[0]} ({column_letter(i)})")
        if key is None:
            ctx.error(
                tr(
                    "未知的列标题；应为 `tanzuji template` 的列标题（中文或英文）",
                    "unknown column header; expected the headers of `tanzuji template` "
                    "(Chinese or English)",
                ),
                where,
                text,
                has_got=True,
            )
        elif key in out:
            ctx.error(
                tr(
                    "此列标题出现了两次；应只出现一次",
                    "this column header appears twice; expected it once",
                ),
                where,
            )
        else:
            out[key] = (i, text.splitlines()[0].strip())
    spec = {c.key: c for c in cols}
    for key in required:
        if key not in out:
            c = spec[key]
            ctx.error(
                tr(
                    f"第 {HEADER_ROW} 行缺少列 {c.zh!r}；应为 `tanzuji template` 的列标题",
                    f"missing column {c.zh!r} ({c.en}) in row {HEADER_ROW}; expected the "
                    "headers of `tanzuji template`",
                ),
                Where(sheet.title),
            )
    return out


def _rows(sheet: RawSheet, cols: list[Col], required: tuple[str, ...], ctx: Ctx) -> list[Row]:
    columns = _columns(sheet, cols, required, ctx)
    used = {i for i, _ in columns.values()}
    specs = {c.key: c for c in cols}
    out = []
    for r, values in sheet.data_rows():
        for i, v in enumerate(values, start=1):
            if i not in used and not is_blank(v):
                ctx.error(
                    tr(
                        f"没有列标题的列中有数值；数据应只填在第 {HEADER_ROW} 行列标题之下",
                        "a value in a column without a header; expected data only under "
                        f"the headers of row {HEADER_ROW}",
                    ),
                    Where(sheet.title, r, column_letter(i)),
                    v,
                    has_got=True,
                )
        out.append(Row(sheet.title, r, values, columns, specs))
    return out


def _read_a1(sheet: RawSheet, ctx: Ctx, data: dict[str, Any], prov: dict[FieldPath, Where]) -> None:
    lookup: dict[str, str] = {}
    for key, f in A1_FIELDS.items():
        for text in (f.zh, f.en, f.zh + f.en, f.en + f.zh):
            lookup.setdefault(normalise(text), key)
    sections = {normalise(s[0][1:]) for s in A1_ROWS if s[0].startswith("#")}
    for s in A1_ROWS:
        if s[0].startswith("#"):
            zh, _, en = s[0][1:].partition(" ")
            sections |= {normalise(zh), normalise(en)}
    boundary: dict[str, bool] = {}
    for r in sorted(sheet.rows):
        if r < 2:
            continue
        for label_col in (1, 3):
            label = sheet.cell(r, label_col)
            value = sheet.cell(r, label_col + 1)
            if is_blank(label):
                if not is_blank(value):
                    ctx.error(
                        tr(
                            "有数值而没有标签；应为“标签 | 数值”成对填写",
                            "a value without a label; expected label | value pairs",
                        ),
                        Where(sheet.title, r, column_letter(label_col + 1)),
                        value,
                        has_got=True,
                    )
                continue
            text = str(label).strip()
            if normalise(text) in sections:
                continue
            found = lookup.get(normalise(text))
            if found is None:
                ctx.error(
                    tr(
                        "未知的字段标签；应为 `tanzuji template` 中的标签",
                        "unknown field label; expected a label of `tanzuji template`",
                    ),
                    Where(sheet.title, r, column_letter(label_col)),
                    text,
                    has_got=True,
                )
                continue
            key = found
            f = A1_FIELDS[key]
            spec = Col(key, f.zh, f.en, f.kind, choices=f.choices)
            row = Row(
                sheet.title,
                r,
                (None,) * label_col + (value,),
                {key: (label_col + 1, text)},
                {key: spec},
            )
            path: FieldPath = tuple(key.split("."))
            if key.startswith("boundary."):
                prov.setdefault(("boundary",), row.where(key))
                flag = row.value(key, ctx)
                if flag is not None:
                    boundary[key.split(".")[1]] = flag
                continue
            if key == "extra":
                merge_extra(
                    Row(
                        sheet.title,
                        r,
                        row.values,
                        {"extra": (label_col + 1, text)},
                        {"extra": spec},
                    ),
                    ctx,
                    data,
                    prov,
                )
                continue
            prov[path] = row.where(key)
            prov.setdefault(path[:-1], row.where(key))
            parsed = row.value(key, ctx)
            if parsed is not None:
                set_path(data, path, parsed)
    if boundary:
        data["boundary"] = [s.value for s in Stage if boundary.get(s.value)]


def _duplicates(items: list[tuple[Any, Where]], what: str, ctx: Ctx) -> None:
    seen: dict[Any, Where] = {}
    for value, where in items:
        if value is None:
            continue
        if value in seen:
            first = seen[value]
            ctx.error(
                f"{what} {value!r} repeats the one in sheet {first.sheet!r} row "
                f"{first.row}; expected unique ids",
                where,
            )
        else:
            seen[value] = where


def read_workbook(path: str | Path) -> tuple[Study, dict[FieldPath, Where]]:
    """Read and validate a record workbook; returns the study and each field's cell.

    >>> import pathlib, tempfile
    >>> from tanzuji.xlsx import write_template
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> write_template(path)
    >>> read_workbook(path)
    Traceback (most recent call last):
    ...
    tanzuji.errors.InputErrors: 输入中有 1 个问题：
      - .../t.xlsx: 工作表 'A.3 原材料获取': 没有活动数据；...
    """
    p = Path(path)
    file = str(p)
    sheets = _find_sheets(read_raw(p), file)
    ctx = Ctx(file)
    data: dict[str, Any] = {}
    prov: dict[FieldPath, Where] = {}
    _read_a1(sheets["a1"], ctx, data, prov)
    lists = {"a2": "instruments", "factors": "factors", "excluded": "excluded"}
    for key, name in lists.items():
        items: list[dict[str, Any]] = []
        for row in _rows(sheets[key], TABLES[key][0], _KEY_COLUMNS[key], ctx):
            obj, where = read_object(row, ctx, key)
            if not obj:
                continue  # only a row number
            for sub, w in where.items():
                prov[(name, len(items), *sub)] = w
            items.append(obj)
        if items:
            data[name] = items
        if key != "excluded":
            _duplicates(
                [(o.get("id"), prov[(name, i, "id")]) for i, o in enumerate(items)], "id", ctx
            )
    acts: list[ReadActivity] = []
    for n, (stage, key) in enumerate(STAGE_SHEET.items()):
        rows = _rows(sheets[key], STAGE_COLUMNS[stage], _KEY_COLUMNS["stage"], ctx)
        acts.extend(read_stage_rows(rows, stage, n, ctx))
    ordered = order_activities(acts)
    for i, act in enumerate(ordered):
        for sub, w in act.prov.items():
            prov[("activities", i, *sub)] = w
    data["activities"] = [a.data for a in ordered]
    _duplicates(
        [(a.data.get("id"), a.prov.get(("id",), a.prov[()])) for a in ordered], "activity id", ctx
    )
    if not ordered:
        ctx.error(
            tr(
                "没有活动数据；工作表 A.3–A.7 中至少应填写一行",
                "no activity data; expected at least one filled row in sheets A.3–A.7",
            ),
            Where(sheets["a3"].title),
        )
    if ctx.problems:
        raise InputErrors(ctx.problems)
    return _validate(data, prov, file), prov


def lookup(prov: Mapping[FieldPath, Where], loc: FieldPath) -> tuple[Where | None, FieldPath]:
    """The cell of the longest known prefix of ``loc``."""
    for n in range(len(loc), -1, -1):
        where = prov.get(tuple(loc[:n]))
        if where is not None:
            return where, tuple(loc[n:])
    return None, tuple(loc)


def _validate(data: dict[str, Any], prov: Mapping[FieldPath, Where], file: str) -> Study:
    try:
        return Study.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(clean_loc(err["loc"]))
            where, rest = lookup(prov, loc)
            message = error_message(err, Study, list(loc))
            if rest:
                message = f"{'.'.join(map(str, rest))}: {message}"
            kwargs: dict[str, Any] = {}
            got = err.get("input")
            if err["type"] != "missing" and not isinstance(got, dict | list):
                kwargs["got"] = got
            if where is None:
                problems.append(InputError(message, file=file, **kwargs))
            else:
                problems.append(
                    InputError(
                        message,
                        file=file,
                        sheet=where.sheet,
                        row=where.row,
                        column=where.column,
                        **kwargs,
                    )
                )
        raise InputErrors(problems) from None


def _parse_path(path: str) -> FieldPath:
    out: list[str | int] = []
    for chunk in path.split("."):
        name, _, rest = chunk.partition("[")
        if name:
            out.append(name)
        for idx in rest.replace("]", "").split("["):
            if idx.isdigit():
                out.append(int(idx))
    return tuple(out)


def locate_errors(exc: InputErrors, loaded: LoadedStudy) -> InputErrors:
    """Errors found after reading (compile, libraries) pointed at their cells."""
    cells = loaded.cells if isinstance(loaded, WorkbookStudy) else {}
    out = []
    for e in exc.errors:
        where, _ = lookup(cells, _parse_path(e.location.path)) if e.location.path else (None, ())
        if where is None or e.location.sheet:
            out.append(e.with_location(file=str(loaded.path)))
        else:
            out.append(
                type(e)(
                    e.message,
                    file=str(loaded.path),
                    sheet=where.sheet,
                    row=where.row,
                    column=where.column,
                    got=e.got,
                )
            )
    return InputErrors(out)


def load_workbook_study(path: str | Path) -> WorkbookStudy:
    """Read a workbook and resolve its factor libraries, like ``load_text_study`` for YAML.

    >>> load_workbook_study("no-such.xlsx")
    Traceback (most recent call last):
    ...
    tanzuji.errors.InputError: no-such.xlsx: 文件不存在
    """
    p = Path(path)
    study, prov = read_workbook(p)
    doc = Document(p, study.model_dump(mode="json"), None)
    base = WorkbookStudy(study=study, factors=_empty(), path=p, document=doc, cells=prov)
    try:
        factors = resolve_libraries(study, p.parent, doc)
    except InputErrors as exc:
        raise locate_errors(exc, base) from None
    return WorkbookStudy(study=study, factors=factors, path=p, document=doc, cells=prov)


def _empty() -> Any:
    from tanzuji.factors import FactorLibrary

    return FactorLibrary()
