"""Activities ↔ rows of the stage sheets A.3–A.7.

A plain activity datum is one row. A transport leg, an electricity split (Table A.4) and
an operation (power × time) are a head row followed by part rows, told apart by the
"entry type" column; this is how Tables A.4, A.5 and A.7 list their items. In A.3 a
material's inbound transport may also sit on the material's own row (the specification's
layout): by distance, the transported mass is the material's quantity.

>>> d = shorthand("铜", None, 0.1, "kg", None, {"t_mode": "road", "t_unit": "km",
...               "t_quantity": 500.0, "t_factor": "freight.road"})
>>> d["mass"], d["distance"]["quantity"], d["name"]
({'quantity': 0.1, 'unit': 'kg'}, 500.0, {'zh': '铜运输'})
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.model import (
    Stage,
)
from tanzuji.units import same_dimension
from tanzuji.xlsx.labels import CHOICES
from tanzuji.xlsx.rows import (
    UNC_FIELDS,
    Ctx,
    FieldPath,
    Row,
    Where,
    merge_extra,
    read_unc,
)

__all__ = ["BINDINGS", "ReadActivity", "order_activities", "read_stage_rows", "shorthand"]

_HEAD: dict[str, FieldPath] = {
    "process": ("process",),
    "name_zh": ("name", "zh"),
    "name_en": ("name", "en"),
    "data_type": ("data_type",),
    "source": ("source",),
    "id": ("id",),
    "note": ("note",),
}
_MEASURED: dict[str, FieldPath] = {
    "unit": ("unit",),
    "quantity": ("quantity",),
    "data_type": ("data_type",),
    "source": ("source",),
    "instrument": ("instrument",),
    "note": ("note",),
}
_SUPPLY: dict[str, FieldPath] = {
    "quantity": ("quantity",),
    "factor": ("factor",),
    "data_type": ("data_type",),
    "source": ("source",),
    "instrument": ("instrument",),
}
_ENERGY: dict[str, FieldPath] = {
    "name_zh": ("carrier",),
    "unit": ("unit",),
    "quantity": ("quantity",),
    "factor": ("factor",),
    "data_type": ("data_type",),
    "instrument": ("instrument",),
}

#: entry type → (column key → field path, has uncertainty columns)
BINDINGS: dict[str, tuple[dict[str, FieldPath], bool]] = {
    "flow": (
        {
            **_HEAD,
            "unit": ("unit",),
            "quantity": ("quantity",),
            "factor": ("factor",),
            "instrument": ("instrument",),
            "disposal": ("disposal_route",),
        },
        True,
    ),
    "transport": ({**_HEAD, "factor": ("factor",), "mode": ("mode",)}, False),
    "electricity": ({**_HEAD, "unit": ("unit",)}, False),
    "operation": ({**_HEAD, "factor": ("factor",)}, False),
    "transport_energy": (_ENERGY, True),
    "transport_mass": (_MEASURED, True),
    "transport_distance": (_MEASURED, True),
    "electricity_total": (_MEASURED, True),
    "electricity_grid": (_SUPPLY, True),
    "electricity_green": (_SUPPLY, True),
    "electricity_onsite": (_SUPPLY, True),
    "power": (_MEASURED, True),
    "duration": (_MEASURED, True),
}
#: part entry → (head entry, field of the head object)
PART_OF: dict[str, tuple[str, str]] = {
    "transport_energy": ("transport", "energy"),
    "transport_mass": ("transport", "mass"),
    "transport_distance": ("transport", "distance"),
    "electricity_total": ("electricity", "total"),
    "electricity_grid": ("electricity", "grid"),
    "electricity_green": ("electricity", "green_trading"),
    "electricity_onsite": ("electricity", "onsite"),
    "power": ("operation", "power"),
    "duration": ("operation", "duration"),
}
_PARTS = {
    head: [(e, f) for e, (h, f) in PART_OF.items() if h == head]
    for head in ("transport", "electricity", "operation")
}
_TEMPLATE_COLS = {"no", "process", "name_zh", "name_en", "entry", "unit"}
_UNC_MAIN = ("unc_form", "unc_value", "unc_k", "unc_min", "unc_max")
_UNC_MORE = ("unc_dist", "unc_dof", "unc_basis")
_T_COLS = (
    "t_mode",
    "t_unit",
    "t_quantity",
    "t_unc_form",
    "t_unc_value",
    "t_unc_k",
    "t_unc_min",
    "t_unc_max",
    "t_factor",
)


@dataclass
class ReadActivity:
    """One activity read from the sheets, with where its fields came from."""

    data: dict[str, Any]
    prov: dict[FieldPath, Where]
    order: float | None
    seq: tuple[int, int, int]
    parts: set[str] = field(default_factory=set)
    blank_head: bool = False


def _covered(binds: dict[str, FieldPath], unc: bool) -> set[FieldPath]:
    out = set(binds.values()) | {("name",)}
    if unc:
        out |= {("uncertainty", f) for f in UNC_FIELDS}
    return out


def _read_fields(
    row: Row,
    ctx: Ctx,
    entry: str,
    target: dict[str, Any],
    prov: dict[FieldPath, Where],
    base: FieldPath,
) -> None:
    binds, unc = BINDINGS[entry]
    ignored = {"no", "process", "name_zh", "name_en", "entry"} - set(binds)
    if entry == "transport_energy":
        ignored.add("name_en")
    allowed = set(binds) | ignored | {"extra"} | (set(_UNC_MAIN + _UNC_MORE) if unc else set())
    if entry == "flow":
        allowed |= set(_T_COLS)
    elif entry.startswith("electricity_") and entry != "electricity_total":
        allowed.add("unit")  # checked against the head's unit
    shown = CHOICES["entry"].display(entry, "zh")
    for key in row.filled(row.columns):
        if key not in allowed:
            ctx.error(
                tr(
                    f"此列不适用于类型为 {shown!r} 的行；请留空",
                    f"this column does not apply to a row of type {shown!r}; leave it empty",
                ),
                row.where(key),
                row.raw(key),
                has_got=True,
            )
    for key, path in binds.items():
        prov[(*base, *path)] = row.where(key)
        value = row.value(key, ctx)
        if entry == "transport_energy" and key == "name_zh" and value is None:
            value = row.value("name_en", ctx)
        if value is not None:
            node = target
            for part in path[:-1]:
                node = node.setdefault(str(part), {})
            node[str(path[-1])] = value
    prov[(*base, "name")] = row.where("name_zh")
    if unc:
        u = read_unc(row, ctx, "", (*base, "uncertainty"), prov)
        if u is not None:
            target["uncertainty"] = u
    merge_extra(row, ctx, target, prov, base)


def shorthand(
    zh: str | None,
    en: str | None,
    quantity: Any,
    unit: Any,
    unc: dict[str, Any] | None,
    t: dict[str, Any],
) -> dict[str, Any]:
    """The inbound transport leg given on a material's row of Table A.3."""
    name = {
        k: v
        for k, v in (("zh", f"{zh}运输" if zh else None), ("en", f"{en} transport" if en else None))
        if v
    }
    out: dict[str, Any] = {
        "kind": "transport",
        "stage": "raw_materials",
        "process": "inbound_transport",
        "name": name,
    }
    t_unit = t.get("t_unit")
    by_distance = False
    if t_unit is not None:
        try:
            by_distance = same_dimension(t_unit, "km")
        except InputError:
            by_distance = False
    leg: dict[str, Any] = {"quantity": t.get("t_quantity"), "unit": t_unit}
    if t.get("t_unc") is not None:
        leg["uncertainty"] = t["t_unc"]
    leg = {k: v for k, v in leg.items() if v is not None}
    if by_distance:
        mass = {"quantity": quantity, "unit": unit}
        if unc is not None:
            mass["uncertainty"] = unc
        out["mass"] = {k: v for k, v in mass.items() if v is not None}
        out["distance"] = leg
        if t.get("t_mode") is not None:
            out["mode"] = t["t_mode"]
        if t.get("t_factor") is not None:
            out["factor"] = t["t_factor"]
    else:
        use = {"carrier": t.get("t_mode"), **leg, "factor": t.get("t_factor")}
        out["energy"] = [{k: v for k, v in use.items() if v is not None}]
    return out


def read_stage_rows(
    rows: Sequence[Row], stage: Stage, sheet_index: int, ctx: Ctx
) -> list[ReadActivity]:
    """The activities of one stage sheet, in row order."""
    out: list[ReadActivity] = []
    head: ReadActivity | None = None
    head_entry = ""
    for row in rows:
        entry = "flow"
        if row.raw("entry") is not None:
            entry = row.value("entry", ctx)
            if entry is None:
                continue  # an unknown entry type, reported
        if entry in PART_OF:
            data_cols = set(row.filled(row.columns)) - _TEMPLATE_COLS
            if not data_cols:
                continue  # unused template row
            want, fld = PART_OF[entry]
            if head is None or head_entry != want:
                ctx.error(
                    f"a {CHOICES['entry'].display(entry, 'zh')!r} row must follow a "
                    f"{CHOICES['entry'].display(want, 'zh')!r} row (or its other parts)",
                    row.where("entry"),
                )
                continue
            _read_part(row, ctx, entry, fld, head)
            continue
        if head is not None and not (head.blank_head and not head.parts):
            out.append(head)
        head = None
        order = row.value("no", ctx)
        act = ReadActivity(
            {"kind": entry, "stage": stage.value},
            {(): row.where()},
            None if order is None else float(order),
            (sheet_index, row.number, 0),
        )
        filled = set(row.filled(row.columns)) - _TEMPLATE_COLS
        if entry == "flow" and not filled:
            continue  # unused template row
        _read_fields(row, ctx, entry, act.data, act.prov, ())
        if entry != "flow":
            head, head_entry = act, entry
            act.blank_head = not filled
            continue
        out.append(act)
        if stage is Stage.RAW_MATERIALS and row.filled(_T_COLS):
            out.append(_read_shorthand(row, ctx, act))
    if head is not None and not (head.blank_head and not head.parts):
        out.append(head)
    return out


def _read_part(row: Row, ctx: Ctx, entry: str, fld: str, head: ReadActivity) -> None:
    if fld == "energy":
        uses = head.data.setdefault("energy", [])
        base: FieldPath = ("energy", len(uses))
        uses.append({})
        target = uses[-1]
    elif fld in head.parts:
        ctx.error(
            tr(
                f"同一主行下有第二个 {CHOICES['entry'].display(entry, 'zh')!r} 行；应只有一个",
                f"a second {CHOICES['entry'].display(entry, 'zh')!r} row for the same head "
                "row; expected one",
            ),
            row.where("entry"),
        )
        return
    else:
        base = (fld,)
        target = head.data.setdefault(fld, {})
    head.parts.add(fld)
    head.prov[base] = row.where()
    _read_fields(row, ctx, entry, target, head.prov, base)
    if entry in ("electricity_grid", "electricity_green", "electricity_onsite"):
        unit = row.value("unit", ctx)
        head_unit = head.data.get("unit", "kWh")
        if unit is not None and unit != head_unit:
            ctx.error(
                tr(
                    f"电力拆分的各部分与主行使用同一单位（{head_unit}）；应为 {head_unit}",
                    f"the parts of an electricity split share the unit of its head row "
                    f"({head_unit}); expected {head_unit}",
                ),
                row.where("unit"),
                unit,
                has_got=True,
            )


def _read_shorthand(row: Row, ctx: Ctx, material: ReadActivity) -> ReadActivity:
    t: dict[str, Any] = {
        k: row.value(k, ctx) for k in ("t_mode", "t_unit", "t_quantity", "t_factor")
    }
    prov: dict[FieldPath, Where] = {(): row.where("t_mode")}
    t["t_unc"] = read_unc(row, ctx, "t_", ("distance", "uncertainty"), prov, more=False)
    mat = material.data
    name = mat.get("name", {})
    data = shorthand(
        name.get("zh"),
        name.get("en"),
        mat.get("quantity"),
        mat.get("unit"),
        mat.get("uncertainty"),
        t,
    )
    if "mass" in data:
        for key, path in (("quantity", "quantity"), ("unit", "unit"), ("unc_form", "uncertainty")):
            prov[("mass", path)] = row.where(key)
        for key, path in (("t_quantity", "quantity"), ("t_unit", "unit")):
            prov[("distance", path)] = row.where(key)
        prov[("factor",)] = row.where("t_factor")
        prov[("mode",)] = row.where("t_mode")
    else:
        for key, path in (
            ("t_mode", "carrier"),
            ("t_quantity", "quantity"),
            ("t_unit", "unit"),
            ("t_factor", "factor"),
            ("t_unc_form", "uncertainty"),
        ):
            prov[("energy", 0, path)] = row.where(key)
    order = None if material.order is None else material.order + 0.5
    return ReadActivity(data, prov, order, (material.seq[0], material.seq[1], 1))


def order_activities(acts: list[ReadActivity]) -> list[ReadActivity]:
    """By the "No." column when every activity has a distinct one, else by sheet and row."""
    orders = [a.order for a in acts]
    if acts and None not in orders and len(set(orders)) == len(orders):
        return sorted(acts, key=lambda a: (a.order, a.seq))
    return sorted(acts, key=lambda a: a.seq)
