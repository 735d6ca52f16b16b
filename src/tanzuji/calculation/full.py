"""The full GUM evaluation of a study (JJF 1059.1): every input, shared factors correlated.

The specification propagates only activity-data uncertainty. Here every input of the
compiled measurement model — activity data, emission factors, distances, mode factors —
carries its uncertainty; a factor used in several places is one input, so the stages it
appears in are correlated and the total's u includes the covariance terms.

>>> from tanzuji.model import EmissionFactor, Study
>>> from tanzuji.factors import FactorLibrary
>>> from tanzuji.calculation import compile_study
>>> lib = FactorLibrary.from_factors([EmissionFactor(id="g", name="电网", value=0.5,
...     unit="kgCO2e/kWh", factor_type="national_database", source="s",
...     uncertainty={"standard": 0.05})], id="t")
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "activities": [
...       {"stage": "manufacturing", "name": "电", "quantity": 100, "unit": "kWh", "factor": "g"},
...       {"stage": "use", "name": "用电", "quantity": 100, "unit": "kWh", "factor": "g"}]})
>>> full = evaluate_full(compile_study(study, lib))
>>> round(full.total.u, 9), round(full.u_rss_stages, 9)   # 200·0.05 vs √2·5
(10.0, 7.071067812)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tanzuji.calculation.compile import MeasurementModel, ModelInput
from tanzuji.calculation.jjf import StageResult
from tanzuji.model import Stage
from tanzuji.uncertainty import (
    Arcsine,
    Distribution,
    GumMultiResult,
    GumResult,
    Normal,
    Rectangular,
    StudentT,
    Triangular,
    gum_multi,
)

__all__ = ["BudgetLine", "FullResult", "FullTotal", "evaluate_full", "input_distribution"]


def input_distribution(inp: ModelInput) -> Distribution | float:
    """The probability distribution of one model input (a plain number when u = 0).

    Bounds (Appendix C) become a rectangular distribution centred on the estimate with
    half-width a = u·√3; a triangular one has a = u·√6, an arcsine one a = u·√2.

    >>> from tanzuji.calculation.compile import ModelInput
    >>> d = input_distribution(ModelInput("x", "x", "factor", 60.0, 90 / 3**0.5, "kg", "f",
    ...                                   sampling="rectangular"))
    >>> round(d.low, 9), round(d.high, 9)
    (-30.0, 150.0)
    """
    x, u = inp.estimate, inp.u
    if u <= 0:
        return x
    if inp.sampling == "rectangular":
        a = u * math.sqrt(3.0)
        return Rectangular(x - a, x + a, dof=inp.dof)
    if inp.sampling == "triangular":
        a = u * math.sqrt(6.0)
        return Triangular(x - a, x + a, dof=inp.dof)
    if inp.sampling == "arcsine":
        a = u * math.sqrt(2.0)
        return Arcsine(x - a, x + a, dof=inp.dof)
    if inp.sampling == "student_t":
        if not math.isfinite(inp.dof):
            return Normal(x, u)
        return StudentT(x, u, inp.dof)
    return Normal(x, u, dof=inp.dof)


@dataclass(frozen=True)
class BudgetLine:
    """One input's line in the budget of the total footprint."""

    name: str
    label: str
    role: str
    estimate: float
    unit: str
    u: float
    sensitivity: float
    contribution: float
    share: float
    dof: float


@dataclass(frozen=True)
class FullTotal:
    """The total footprint by the full GUM: u, ν_eff, k = t_p(ν_eff), U, interval."""

    value: float
    u: float
    dof: float
    k: float
    p: float
    U: float
    U_rel_percent: float | None
    interval: tuple[float, float]
    U_k2: float


@dataclass(frozen=True)
class FullResult:
    """Per-stage and total results of the full GUM evaluation, with the full budget."""

    stages: dict[Stage, StageResult | None]
    stage_order: tuple[Stage, ...]
    stage_correlation: tuple[tuple[float, ...], ...]
    total: FullTotal
    u_rss_stages: float
    """√Σ u²(E_stage) of the full stage uncertainties: formula (2) ignoring covariance."""
    budget: tuple[BudgetLine, ...]
    """Every input with u > 0, by decreasing share of u²(E_total)."""
    gum: GumMultiResult


def evaluate_full(model: MeasurementModel, p: float = 0.95) -> FullResult:
    """Evaluate a compiled study by the law of propagation of uncertainty, all inputs."""
    inputs = {name: input_distribution(inp) for name, inp in model.inputs.items()}
    multi = gum_multi(lambda **x: model.evaluate(x), inputs, p=p)
    stages: dict[Stage, StageResult | None] = {}
    for stage in Stage:
        if stage in model.boundary:
            r = multi[stage.value]
            stages[stage] = StageResult(r.value, r.u)
        else:
            stages[stage] = None
    tot: GumResult = multi["total"]
    order = model.boundary
    idx = [multi.names.index(s.value) for s in order]
    corr = multi.correlation
    stage_corr = tuple(tuple(float(corr[i, j]) for j in idx) for i in idx)
    lo, hi = tot.interval
    total = FullTotal(
        value=tot.value,
        u=tot.u,
        dof=tot.dof,
        k=tot.k,
        p=p,
        U=tot.U,
        U_rel_percent=100.0 * tot.U / abs(tot.value) if tot.value else None,
        interval=(lo, hi),
        U_k2=2.0 * tot.u,
    )
    lines = [
        BudgetLine(
            name=row.name,
            label=model.inputs[row.name].label,
            role=model.inputs[row.name].role,
            estimate=row.estimate,
            unit=model.inputs[row.name].unit,
            u=row.u,
            sensitivity=row.sensitivity,
            contribution=row.contribution,
            share=row.share,
            dof=row.dof,
        )
        for row in tot.budget
        if row.u > 0
    ]
    lines.sort(key=lambda b: -abs(b.share))
    u_rss = math.sqrt(math.fsum(r.u**2 for r in stages.values() if r is not None))
    return FullResult(
        stages=stages,
        stage_order=order,
        stage_correlation=stage_corr,
        total=total,
        u_rss_stages=u_rss,
        budget=tuple(lines),
        gum=multi,
    )
