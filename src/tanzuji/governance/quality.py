"""Share of primary data and grade distribution of a compiled study, overall and per stage.

Every emission term of the compiled model (the JJF contributions, term by term) is
classified by its activity data and by its factor:

- the term counts as **primary** only if every activity-data input of it (M, and D for
  transport by distance; P and t for the use stage) is primary data (Table 2) — the
  conservative reading of PACT's ``primaryDataShare``;
- its **activity-data grade** is the worst grade among those inputs (Tables 2, 4);
- its **factor grade** is the grade of its emission factor (Table 5).

Shares are fractions of the footprint (overall: of E_total; per stage: of E_stage);
``None`` when that footprint is zero.

>>> from tanzuji.model import EmissionFactor, Study
>>> from tanzuji.factors import FactorLibrary
>>> from tanzuji.calculation import compile_study
>>> lib = FactorLibrary.from_factors([EmissionFactor(id="g", name="电", value=1,
...     unit="kgCO2e/kWh", factor_type="national_database", source="s")], id="t")
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "boundary": "cradle-to-gate", "activities": [
...     {"stage": "manufacturing", "name": "a", "quantity": 3, "unit": "kWh", "factor": "g"},
...     {"stage": "raw_materials", "name": "b", "quantity": 1, "unit": "kWh", "factor": "g",
...      "data_type": "literature"}]})
>>> q = data_quality(compile_study(study, lib))
>>> q.overall.primary_share, q.overall.activity_grades["low"]
(0.75, 0.25)
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tanzuji.calculation import MeasurementModel
from tanzuji.model import DataType, Grade, Stage

__all__ = ["DataQuality", "QualitySummary", "data_quality"]


@dataclass(frozen=True)
class QualitySummary:
    """Footprint (kgCO2e), primary share and grade shares (fractions) of a part of a study."""

    value: float
    primary_share: float | None
    activity_grades: dict[str, float | None]
    factor_grades: dict[str, float | None]
    data_types: dict[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "value": self.value,
            "primary_share": self.primary_share,
            "activity_grades": dict(self.activity_grades),
            "factor_grades": dict(self.factor_grades),
            "data_types": dict(self.data_types),
        }


@dataclass(frozen=True)
class DataQuality:
    """Data quality overall and per stage (stages outside the boundary are ``None``)."""

    overall: QualitySummary
    stages: dict[Stage, QualitySummary | None]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (also the ``data_quality`` of the evaluate contract)."""
        out = self.overall.to_dict()
        out["stages"] = {
            s.value: (None if q is None else q.to_dict()) for s, q in self.stages.items()
        }
        return out


_ACTIVITY_ROLES = ("activity", "distance")


class _Acc:
    def __init__(self) -> None:
        self.values: list[float] = []
        self.primary: list[float] = []
        self.act: dict[str, list[float]] = defaultdict(list)
        self.fac: dict[str, list[float]] = defaultdict(list)
        self.types: dict[str, list[float]] = defaultdict(list)

    def summary(self) -> QualitySummary:
        total = math.fsum(self.values)

        def share(parts: list[float]) -> float | None:
            return math.fsum(parts) / total if total else None

        return QualitySummary(
            value=total,
            primary_share=share(self.primary),
            activity_grades={g.value: share(self.act[g.value]) for g in Grade},
            factor_grades={g.value: share(self.fac[g.value]) for g in Grade},
            data_types={t.value: share(self.types[t.value]) for t in DataType},
        )


def data_quality(model: MeasurementModel) -> DataQuality:
    """Primary-data share and grade distributions of a compiled study."""
    est = model.estimates()
    overall = _Acc()
    per_stage: dict[Stage, _Acc] = {s: _Acc() for s in model.boundary}
    for term in model.terms:
        value = term.constant * math.prod(est[n] for n in term.inputs)
        inputs = [model.inputs[n] for n in term.inputs]
        acts = [i for i in inputs if i.role in _ACTIVITY_ROLES]
        types = [i.data_type for i in acts]
        primary = bool(types) and all(t is not None and t.primary for t in types)
        worst = max(
            (t for t in types if t is not None),
            key=lambda t: (t.grade.rank, list(DataType).index(t)),
            default=None,
        )
        factors = [i.factor for i in inputs if i.role == "factor" and i.factor is not None]
        fgrade = max((f.grade for f in factors), key=lambda g: g.rank, default=None)
        for acc in (overall, per_stage[term.stage]):
            acc.values.append(value)
            if primary:
                acc.primary.append(value)
            if worst is not None:
                acc.act[worst.grade.value].append(value)
                acc.types[worst.value].append(value)
            if fgrade is not None:
                acc.fac[fgrade.value].append(value)
    return DataQuality(
        overall=overall.summary(),
        stages={s: (per_stage[s].summary() if s in per_stage else None) for s in Stage},
    )
