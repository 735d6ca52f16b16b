"""Binding table rows to model objects, both ways.

A binding says which column fills which field path of a row's object. Reading parses the
cells, builds a plain dict for pydantic and remembers where each field came from (sheet,
row, column) so that validation errors point at cells. Writing formats an object's fields
as cells; whatever no column holds goes into the "other fields (YAML)" cell, so that
nothing is lost.

>>> from tanzuji.model import Uncertainty
>>> unc_cells(Uncertainty(expanded=0.02, k=2), "", "en")["unc_form"]
'Expanded / 扩展不确定度'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import yaml
from pydantic import BaseModel

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.model import Uncertainty
from tanzuji.xlsx.cells import Bad, column_letter, is_blank, parse_cell
from tanzuji.xlsx.labels import CHOICES, MODES
from tanzuji.xlsx.layout import Col

__all__ = [
    "UNC_FIELDS",
    "Bad",
    "Ctx",
    "FieldPath",
    "Row",
    "Where",
    "cell_value",
    "extra_text",
    "get_path",
    "merge_extra",
    "model_leftover",
    "read_unc",
    "set_path",
    "unc_cells",
    "unc_fits",
]

FieldPath = tuple[str | int, ...]
UNC_FIELDS = ("standard", "relative", "expanded", "k", "min", "max", "distribution", "dof", "basis")


@dataclass(frozen=True)
class Where:
    """A cell (or a row, when ``column`` is None) of a sheet."""

    sheet: str
    row: int | None = None
    column: str | None = None


@dataclass
class Ctx:
    """Reading state: the file, the problems found so far, where each field came from."""

    file: str
    problems: list[InputError] = field(default_factory=list)

    def error(self, message: str, where: Where, got: Any = None, *, has_got: bool = False) -> None:
        """Record one problem at ``where``."""
        kwargs: dict[str, Any] = {"got": got} if has_got else {}
        self.problems.append(
            InputError(
                message,
                file=self.file,
                sheet=where.sheet,
                row=where.row,
                column=where.column,
                **kwargs,
            )
        )

    def add(self, exc: InputError, where: Where) -> None:
        """Record a problem raised without a location, at ``where``."""
        self.problems.append(
            exc.with_location(file=self.file, sheet=where.sheet, row=where.row, column=where.column)
        )


@dataclass
class Row:
    """One data row of a table sheet, with its columns found by header."""

    sheet: str
    number: int
    values: tuple[Any, ...]
    columns: Mapping[str, tuple[int, str]]  # key → (1-based index, header as shown)
    specs: Mapping[str, Col]

    def raw(self, key: str) -> Any:
        """The raw cell value of column ``key`` (``None`` if blank or no such column)."""
        if key not in self.columns:
            return None
        idx = self.columns[key][0]
        value = self.values[idx - 1] if idx <= len(self.values) else None
        return None if is_blank(value) else value

    def where(self, key: str | None = None) -> Where:
        """The location of a cell of this row (or of the row)."""
        if key is None or key not in self.columns:
            return Where(self.sheet, self.number)
        idx, label = self.columns[key]
        return Where(self.sheet, self.number, f"{label} ({column_letter(idx)})")

    def value(self, key: str, ctx: Ctx) -> Any:
        """The parsed value of column ``key``, ``None`` if blank; problems go to ``ctx``."""
        raw = self.raw(key)
        if raw is None:
            return None
        spec = self.specs[key]
        try:
            return parse_cell(raw, spec.kind, spec.choices)
        except InputError as exc:
            ctx.add(exc, self.where(key))
            return None

    def filled(self, keys: Iterable[str]) -> list[str]:
        """Which of ``keys`` hold something."""
        return [k for k in keys if self.raw(k) is not None]


def set_path(target: dict[str, Any], path: FieldPath, value: Any) -> None:
    """Set ``value`` at ``path`` in nested dicts/lists, creating dicts as needed."""
    node: Any = target
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[path[-1]] = value


def get_path(obj: Any, path: FieldPath) -> Any:
    """Follow attributes (or mapping keys) of a model object; ``None`` when absent."""
    for part in path:
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, Mapping) else getattr(obj, str(part), None)
    return obj


# --------------------------------------------------------------------------- uncertainty


def read_unc(
    row: Row,
    ctx: Ctx,
    prefix: str,
    path: FieldPath,
    prov: dict[FieldPath, Where],
    *,
    more: bool = True,
) -> dict[str, Any] | None:
    """The uncertainty of the columns ``{prefix}unc_*``, as a dict for pydantic."""
    p = prefix
    form = row.value(f"{p}unc_form", ctx)
    value_raw = row.raw(f"{p}unc_value")
    k = row.value(f"{p}unc_k", ctx)
    lo = row.value(f"{p}unc_min", ctx)
    hi = row.value(f"{p}unc_max", ctx)
    extra = {"distribution": "unc_dist", "dof": "unc_dof", "basis": "unc_basis"} if more else {}
    others = {name: row.value(key, ctx) for name, key in extra.items()}
    prov[(*path,)] = row.where(f"{p}unc_form")
    for name, key in (
        ("k", "unc_k"),
        ("min", "unc_min"),
        ("max", "unc_max"),
        ("standard", "unc_value"),
        ("relative", "unc_value"),
        ("expanded", "unc_value"),
    ):
        prov[(*path, name)] = row.where(p + key)
    for name, key in extra.items():
        prov[(*path, name)] = row.where(key)
    given = [x for x in (form, value_raw, k, lo, hi, *others.values()) if x is not None]
    if not given:
        return None
    if form is None and row.raw(f"{p}unc_form") is not None:
        return None  # an unknown form, reported
    if form is None:
        if value_raw is None and (lo is not None or hi is not None):
            form = "bounds"
        elif value_raw is not None and k is not None:
            form = "expanded"
        else:
            ctx.error(
                tr(
                    "请选择不确定度形式（标准、相对、扩展、最小-最大）",
                    "choose the uncertainty form (standard, relative, expanded, min-max)",
                ),
                row.where(f"{p}unc_form"),
            )
            return None
    out: dict[str, Any] = {}
    if value_raw is not None:
        value = _unc_value(row, ctx, f"{p}unc_value", value_raw, form)
        if value is not None:
            out[
                "expanded"
                if form == "expanded"
                else "relative"
                if form == "relative"
                else "standard"
            ] = value
    elif form != "bounds":
        ctx.error(
            tr("缺少不确定度数值", "the uncertainty value is missing"), row.where(f"{p}unc_value")
        )
        return None
    for name, x in (("k", k), ("min", lo), ("max", hi), *others.items()):
        if x is not None:
            out[name] = x
    return out


def _unc_value(row: Row, ctx: Ctx, key: str, raw: Any, form: str) -> Any:
    if isinstance(raw, str) and raw.strip().endswith("%"):
        if form != "relative":
            ctx.error(
                tr(
                    "百分数只用于相对不确定度",
                    "a percentage is only meaningful for a relative uncertainty",
                ),
                row.where(key),
                raw,
                has_got=True,
            )
            return None
        text = raw.strip()[:-1]
        try:
            return parse_cell(text, "number") / 100.0
        except InputError:
            ctx.error(
                tr("应为百分数，如 0.5 %", "expected a percentage such as 0.5 %"),
                row.where(key),
                raw,
                has_got=True,
            )
            return None
    if form == "bounds":
        ctx.error(
            tr(
                "最小-最大形式不填数值；请使用“最小”和“最大”两列",
                "the min-max form takes no value; use the Min and Max columns",
            ),
            row.where(key),
            raw,
            has_got=True,
        )
        return None
    return row.value(key, ctx)


def unc_cells(
    unc: Uncertainty | None, prefix: str, lang: str, *, more: bool = True
) -> dict[str, Any]:
    """The cells of an uncertainty (keys ``{prefix}unc_*``)."""
    if unc is None:
        return {}
    p = prefix
    out: dict[str, Any] = {f"{p}unc_form": CHOICES["unc_form"].display(unc.form, lang)}
    value = (
        unc.standard
        if unc.standard is not None
        else (unc.relative if unc.relative is not None else unc.expanded)
    )
    out[f"{p}unc_value"] = value
    out[f"{p}unc_k"] = unc.k
    out[f"{p}unc_min"] = unc.min
    out[f"{p}unc_max"] = unc.max
    if more:
        if unc.distribution is not None:
            out["unc_dist"] = CHOICES["distribution"].display(unc.distribution, lang)
        out["unc_dof"] = unc.dof
        out["unc_basis"] = unc.basis
    return out


def unc_fits(unc: Uncertainty | None, *, more: bool) -> bool:
    """Whether the uncertainty fits the columns (without the distribution/dof/basis ones)."""
    return (
        unc is None or more or (unc.distribution is None and unc.dof is None and unc.basis is None)
    )


# --------------------------------------------------------------------------- writing


def cell_value(value: Any, spec: Col | None, lang: str) -> Any:
    """A model value as it is written into a cell of kind ``spec.kind``."""
    if value is None:
        return None
    kind = spec.kind if spec else "text"
    if isinstance(value, Enum):
        value = value.value
    if kind in ("choice",) and spec is not None and spec.choices:
        return CHOICES[spec.choices].display(str(value), lang)
    if kind == "bool":
        return "Y" if value else "N"
    if kind == "mode":
        return MODES.display(value, lang) if value in MODES.codes else value
    if kind == "list":
        items = [str(v) for v in value]
        if not items:
            return None
        if any(";" in i or i != i.strip() or not i for i in items):
            raise InputError(
                "a list entry contains ';' or surrounding spaces; it cannot be written to one cell",
                got=items,
            )
        return "; ".join(items)
    if isinstance(value, dt.datetime | dt.date | float | int):
        return value
    return str(value)


def model_leftover(
    obj: BaseModel, covered: set[FieldPath], prefix: FieldPath = ()
) -> dict[str, Any]:
    """The fields of ``obj`` that no column covers and that differ from their defaults.

    A field left over is dumped whole (a discriminator such as ``model`` stays in it).

    >>> from tanzuji.model import Instrument
    >>> inst = Instrument(id="T", name="t", kind="other", combination="linear")
    >>> model_leftover(inst, {("id",), ("name",), ("kind",)})
    {'combination': 'linear'}
    """
    out: dict[str, Any] = {}
    for name, info in type(obj).model_fields.items():
        p = (*prefix, name)
        value = getattr(obj, name)
        if p in covered or value is None or value in ((), []):
            continue
        if isinstance(value, BaseModel) and any(c[: len(p)] == p for c in covered):
            sub = model_leftover(value, covered, p)
            if sub:
                out[name] = sub
            continue
        if not info.is_required() and info.get_default(call_default_factory=True) == value:
            continue
        out[name] = obj.model_dump(mode="json", include={name}, exclude_none=True)[name]
    return out


def extra_text(obj: BaseModel, covered: set[FieldPath]) -> str | None:
    """The "other fields (YAML)" cell for what the columns do not hold."""
    rest = model_leftover(obj, covered)
    if not rest:
        return None
    return str(
        yaml.safe_dump(
            rest, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1_000_000
        )
    ).strip()


def merge_extra(
    row: Row, ctx: Ctx, target: dict[str, Any], prov: dict[FieldPath, Where], base: FieldPath = ()
) -> None:
    """Merge the row's "other fields (YAML)" cell into ``target``."""
    extra = row.value("extra", ctx)
    if not extra:
        return
    where = row.where("extra")

    def merge(dst: dict[str, Any], src: Mapping[str, Any], path: FieldPath) -> None:
        for key, value in src.items():
            p = (*path, key)
            if key in dst and isinstance(dst[key], dict) and isinstance(value, Mapping):
                merge(dst[key], value, p)
            elif key in dst:
                ctx.error(
                    tr(
                        f"字段 {'.'.join(map(str, p))!r} 既在某一列中又在此单元格中给出；"
                        "应只给出一次",
                        f"field {'.'.join(map(str, p))!r} is given both in a column and in "
                        "this cell; expected it once",
                    ),
                    where,
                )
            else:
                dst[key] = value
                prov.setdefault((*base, *p), where)

    merge(target, extra, ())
