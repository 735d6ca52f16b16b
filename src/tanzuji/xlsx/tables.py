"""Plain table sheets, one object per row: A.2 instruments, factors, excluded processes.

>>> from tanzuji.model import ExcludedProcess
>>> cells = object_cells(ExcludedProcess(name="办公用电", stage="manufacturing", estimate=0.05),
...                      "excluded", "en")
>>> cells["stage"], cells["estimate"]
('Manufacturing / 生产制造阶段', 0.05)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tanzuji.xlsx.layout import EXCLUDED_COLUMNS, FACTOR_COLUMNS, INSTRUMENT_COLUMNS, Col
from tanzuji.xlsx.rows import (
    UNC_FIELDS,
    Ctx,
    FieldPath,
    Row,
    Where,
    cell_value,
    extra_text,
    get_path,
    merge_extra,
    read_unc,
    unc_cells,
)

__all__ = ["TABLES", "object_cells", "read_object"]

_C = "certificate"
_S = "source"
#: sheet key → (columns, column key → field path, has uncertainty columns)
TABLES: dict[str, tuple[list[Col], dict[str, FieldPath], bool]] = {
    "a2": (
        INSTRUMENT_COLUMNS,
        {
            **{
                k: (k,)
                for k in (
                    "id",
                    "name",
                    "kind",
                    "model",
                    "manufacturer",
                    "serial",
                    "accuracy_class",
                    "measuring_range",
                    "max_capacity",
                    "scale_interval",
                    "capacity_unit",
                    "ct_ratio",
                    "pt_ratio",
                    "ct_class",
                    "pt_class",
                    "location",
                    "purpose",
                    "in_service",
                    "note",
                )
            },
            "cert_number": (_C, "number"),
            "cert_issuer": (_C, "issuer"),
            "cert_type": (_C, "type"),
            "cert_date": (_C, "date"),
            "cert_valid_until": (_C, "valid_until"),
            "cert_U": (_C, "expanded_uncertainty"),
            "cert_k": (_C, "k"),
        },
        True,
    ),
    "factors": (
        FACTOR_COLUMNS,
        {
            **{
                k: (k,)
                for k in (
                    "id",
                    "value",
                    "unit",
                    "gas",
                    "factor_type",
                    "scope",
                    "region",
                    "year",
                    "verification",
                    "tags",
                    "note",
                    "library",
                )
            },
            "name_zh": ("name", "zh"),
            "name_en": ("name", "en"),
            "citation": (_S, "citation"),
            "publisher": (_S, "publisher"),
            "url": (_S, "url"),
            "published": (_S, "published"),
            "locator": (_S, "locator"),
        },
        True,
    ),
    "excluded": (
        EXCLUDED_COLUMNS,
        {k: (k,) for k in ("name", "stage", "estimate", "basis")},
        False,
    ),
}


def read_object(row: Row, ctx: Ctx, table: str) -> tuple[dict[str, Any], dict[FieldPath, Where]]:
    """The dict (for pydantic) of one table row and where its fields came from."""
    _, binds, unc = TABLES[table]
    data: dict[str, Any] = {}
    prov: dict[FieldPath, Where] = {(): row.where()}
    for key, path in binds.items():
        prov[path] = row.where(key)
        value = row.value(key, ctx)
        if value is not None:
            node = data
            for part in path[:-1]:
                prov[path[:-1]] = row.where(key)
                node = node.setdefault(str(part), {})
            node[str(path[-1])] = value
    if table == "factors":
        prov[("name",)] = row.where("name_zh")
        prov[("source",)] = row.where("citation")
    if unc:
        u = read_unc(row, ctx, "", ("uncertainty",), prov)
        if u is not None:
            data["uncertainty"] = u
    merge_extra(row, ctx, data, prov)
    return data, prov


def object_cells(obj: BaseModel, table: str, lang: str) -> dict[str, Any]:
    """The cells of one object's row."""
    cols, binds, unc = TABLES[table]
    specs = {c.key: c for c in cols}
    out: dict[str, Any] = {}
    for key, path in binds.items():
        out[key] = cell_value(get_path(obj, path), specs.get(key), lang)
    covered = set(binds.values())
    if unc:
        out.update(unc_cells(getattr(obj, "uncertainty", None), "", lang))
        covered |= {("uncertainty", f) for f in UNC_FIELDS}
    out["extra"] = extra_text(obj, covered)
    return out
