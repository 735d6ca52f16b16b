"""Which parts of a study use supplier primary data (supplier footprints, e.g. from PACT).

>>> from tanzuji.model import Study
>>> from tanzuji.factors import FactorLibrary
>>> s = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "factors": [{"id": "mb", "name": "主板", "value": 4.2, "unit": "kgCO2e/piece",
...                  "factor_type": "supplier_pcf", "source": "PCBA Ltd"}],
...     "activities": [{"stage": "raw_materials", "name": "主板", "quantity": 1,
...                     "unit": "piece", "factor": "mb"}]})
>>> lib = FactorLibrary.from_factors(s.factors, id="s")
>>> [(p.path, p.factor, p.supplier) for p in supplier_parts(s, lib)]
[('activities[0]', 'mb', 'PCBA Ltd')]
"""

from __future__ import annotations

from dataclasses import dataclass

from tanzuji.factors import FactorLibrary
from tanzuji.model import FactorType, Study

__all__ = ["SupplierPart", "supplier_parts"]


@dataclass(frozen=True)
class SupplierPart:
    """A BOM line whose factor is a supplier's own footprint."""

    path: str
    name: str
    factor: str
    supplier: str
    verified: bool


def supplier_parts(study: Study, factors: FactorLibrary) -> list[SupplierPart]:
    """Every activity of the study whose factor is of type ``supplier_pcf``."""
    own = {ef.id: ef for ef in study.factors}
    parts = []
    for i, act in enumerate(study.activities):
        ref = getattr(act, "factor", None)
        if not isinstance(ref, str):
            continue
        ef = own.get(ref) or (factors.get(ref) if ref in factors else None)
        if ef is None or ef.factor_type is not FactorType.SUPPLIER_PCF:
            continue
        parts.append(
            SupplierPart(
                path=f"activities[{i}]",
                name=str(act.name),
                factor=ef.id,
                supplier=ef.source.publisher or ef.source.citation,
                verified=ef.verification == "verified",
            )
        )
    return parts
