"""Writing activities as rows of the stage sheets A.3–A.7 (the inverse of :mod:`.stages`).

>>> from tanzuji.model import Activity
>>> a = Activity(stage="use", name="运行能耗", quantity=84.1, unit="kWh", factor="f")
>>> rows, folded = activity_rows(a, 1, "zh", {})
>>> rows[0]["quantity"], rows[0]["no"], folded
(84.1, 1, False)
"""

from __future__ import annotations

from typing import Any

from tanzuji.model import Activity, ElectricitySupply, EnergyUse, Stage, Transport
from tanzuji.xlsx.labels import CHOICES, MODES
from tanzuji.xlsx.rows import cell_value, extra_text, get_path, unc_cells, unc_fits
from tanzuji.xlsx.stages import _PARTS, BINDINGS, _covered, shorthand

__all__ = ["activity_rows"]

Cells = dict[str, Any]


def _cells(obj: Any, entry: str, lang: str, specs: dict[str, Any]) -> Cells:
    binds, unc = BINDINGS[entry]
    out: Cells = {}
    for key, path in binds.items():
        out[key] = cell_value(get_path(obj, path), specs.get(key), lang)
    if unc:
        out.update(unc_cells(getattr(obj, "uncertainty", None), "", lang))
    covered = _covered(binds, unc) | {("kind",), ("stage",)}
    if entry in _PARTS:
        covered |= {(f,) for _, f in _PARTS[entry]}
    out["extra"] = extra_text(obj, covered)
    if entry != "flow":
        out["entry"] = CHOICES["entry"].display(entry, lang)
    return out


def _label(entry: str, lang: str) -> Cells:
    _, zh, en = next(o for o in CHOICES["entry"].options if o[0] == entry)
    return {"name_zh": zh, "name_en": en}


def activity_rows(
    act: Any, no: int, lang: str, specs: dict[str, Any], following: Any = None
) -> tuple[list[Cells], bool]:
    """The rows of one activity, and whether ``following`` was folded into them (A.3)."""
    if isinstance(act, Activity):
        row = {**_cells(act, "flow", lang, specs), "no": no}
        folded = _fold(act, following, lang, specs)
        if folded is not None:
            row.update(folded)
        return [row], folded is not None
    entry = (
        "transport"
        if isinstance(act, Transport)
        else "electricity"
        if isinstance(act, ElectricitySupply)
        else "operation"
    )
    rows = [{**_cells(act, entry, lang, specs), "no": no}]
    for part_entry, fld in _PARTS[entry]:
        value = getattr(act, fld)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if item is None:
                continue
            cells = {**_label(part_entry, lang), **_cells(item, part_entry, lang, specs)}
            if isinstance(act, ElectricitySupply) and part_entry != "electricity_total":
                cells["unit"] = act.unit
            if isinstance(item, EnergyUse):
                cells["name_en"] = None
            rows.append(cells)
    return rows, False


def _fold(material: Activity, leg: Any, lang: str, specs: dict[str, Any]) -> Cells | None:
    """Cells that put ``leg`` on the material's A.3 row, if reading them gives ``leg`` back."""
    if material.stage is not Stage.RAW_MATERIALS or not isinstance(leg, Transport):
        return None
    if leg.form == "distance":
        assert leg.distance is not None
        part: Any = leg.distance
        t: dict[str, Any] = {"t_mode": leg.mode, "t_factor": leg.factor}
    elif leg.energy is not None and len(leg.energy) == 1:
        part = leg.energy[0]
        t = {"t_mode": part.carrier, "t_factor": part.factor}
    else:
        return None
    if not unc_fits(part.uncertainty, more=False):
        return None
    t.update(
        {
            "t_unit": part.unit,
            "t_quantity": part.quantity,
            "t_unc": None
            if part.uncertainty is None
            else part.uncertainty.model_dump(exclude_none=True),
        }
    )
    unc = (
        None if material.uncertainty is None else material.uncertainty.model_dump(exclude_none=True)
    )
    try:
        again = Transport.model_validate(
            shorthand(material.name.zh, material.name.en, material.quantity, material.unit, unc, t)
        )
    except Exception:
        return None
    if again != leg:
        return None
    mode = t["t_mode"]
    cells: Cells = {
        "t_mode": cell_value(mode, specs["t_mode"], lang) if leg.form == "distance" else mode,
        "t_unit": part.unit,
        "t_quantity": part.quantity,
        "t_factor": t["t_factor"],
    }
    if leg.form == "energy" and MODES.exact_code(str(mode)) is not None:
        return None  # a carrier that reads back as a mode
    cells.update(unc_cells(part.uncertainty, "t_", lang, more=False))
    return cells
