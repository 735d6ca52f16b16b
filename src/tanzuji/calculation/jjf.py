"""The specification's method: formulas (1)–(18) of the JJF draft.

Each stage's standard uncertainty propagates only the activity-data uncertainties, first
order and uncorrelated, with the sensitivity coefficient of each activity datum (EF for
M·EF, D·T for M·D·T); stages combine by root-sum-square (formula (2)); U = k·u with k = 2.

>>> from tanzuji.model import EmissionFactor, Study
>>> from tanzuji.factors import FactorLibrary
>>> from tanzuji.calculation import compile_study
>>> lib = FactorLibrary.from_factors([EmissionFactor(id="g", name="电网", value=0.5,
...     unit="kgCO2e/kWh", factor_type="national_database", source="s")], id="t")
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "boundary": "cradle-to-gate", "activities": [{"stage": "manufacturing", "name": "电",
...     "quantity": 100, "unit": "kWh", "factor": "g", "uncertainty": {"standard": 2}}]})
>>> r = evaluate_jjf(compile_study(study, lib))
>>> r.total.value, r.total.u, r.total.U, r.total.U_rel_percent
(50.0, 1.0, 2.0, 4.0)
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from tanzuji.calculation.compile import MeasurementModel
from tanzuji.model import Stage

__all__ = ["Contribution", "FootprintResult", "StageResult", "TotalResult", "evaluate_jjf"]

K_SPEC = 2.0
"""Coverage factor fixed by the specification (Table A.8)."""


@dataclass(frozen=True)
class StageResult:
    """A stage's footprint and standard uncertainty, kgCO2e."""

    value: float
    u: float


@dataclass(frozen=True)
class TotalResult:
    """The product footprint with u, k, U = k·u and U_rel = U/|E| in percent."""

    value: float
    u: float
    k: float
    U: float
    U_rel_percent: float | None


@dataclass(frozen=True)
class Contribution:
    """One activity's share of the footprint (an electricity supply gives one per part)."""

    key: str
    activity: str
    stage: Stage
    value: float
    share: float | None
    u: float
    activity_en: str = ""


@dataclass(frozen=True)
class FootprintResult:
    """The result of the specification's method for one study."""

    study_id: str
    boundary: tuple[Stage, ...]
    stages: dict[Stage, StageResult | None]
    total: TotalResult
    contributions: tuple[Contribution, ...]
    method: str = "jjf"

    def stage(self, stage: Stage | str) -> StageResult | None:
        """The result of one stage (``None`` outside the boundary)."""
        return self.stages[Stage(stage)]


def evaluate_jjf(model: MeasurementModel, k: float = K_SPEC) -> FootprintResult:
    """Evaluate a compiled study by the specification's formulas (1)–(18)."""
    est = model.estimates()
    stage_value: dict[Stage, float] = dict.fromkeys(model.boundary, 0.0)
    stage_sens: dict[Stage, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    group_value: dict[str, float] = dict.fromkeys(model.groups, 0.0)
    group_sens: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    for term in model.terms:
        vals = [est[n] for n in term.inputs]
        value = term.constant * math.prod(vals)
        stage_value[term.stage] += value
        group_value[term.group] += value
        for j, name in enumerate(term.inputs):
            if model.inputs[name].role != "activity":
                continue
            c = term.constant * math.prod(vals[:j] + vals[j + 1 :])
            stage_sens[term.stage][name] += c
            group_sens[term.group][name] += c

    def rss(sens: dict[str, float]) -> float:
        return math.sqrt(math.fsum((c * model.inputs[n].u) ** 2 for n, c in sens.items()))

    stages: dict[Stage, StageResult | None] = {}
    for stage in Stage:
        if stage in model.boundary:
            stages[stage] = StageResult(stage_value[stage], rss(stage_sens[stage]))
        else:
            stages[stage] = None

    total_value = math.fsum(stage_value.values())
    total_u = math.sqrt(math.fsum(r.u**2 for r in stages.values() if r is not None))
    U = k * total_u
    total = TotalResult(
        value=total_value,
        u=total_u,
        k=k,
        U=U,
        U_rel_percent=100.0 * U / abs(total_value) if total_value else None,
    )
    contributions = sorted(
        (
            Contribution(
                key=g,
                activity=label,
                stage=stage,
                value=group_value[g],
                share=group_value[g] / total_value if total_value else None,
                u=rss(group_sens[g]),
                activity_en=model.labels_en.get(g, label),
            )
            for g, (label, stage) in model.groups.items()
        ),
        key=lambda c: -abs(c.value),
    )
    return FootprintResult(
        study_id=model.study_id,
        boundary=model.boundary,
        stages=stages,
        total=total,
        contributions=tuple(contributions),
    )
