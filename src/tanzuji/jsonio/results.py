"""The JSON result contract of ``tanzuji evaluate --json`` and its optional sections."""

from __future__ import annotations

from typing import Any

from tanzuji.calculation import FootprintResult, FullResult, MonteCarloStudy
from tanzuji.factors import FactorLibrary
from tanzuji.model import Stage, Study
from tanzuji.units import EMISSION_UNIT

__all__ = ["full_to_dict", "monte_carlo_to_dict", "result_to_dict"]

# --------------------------------------------------------------------------- results


def result_to_dict(
    result: FootprintResult, study: Study, factors: FactorLibrary | None = None
) -> dict[str, Any]:
    """The stable JSON contract of ``tanzuji evaluate --json`` (numbers unrounded, kgCO2e).

    With the study's ``factors``, ``data_quality`` (primary-data share and grade
    distributions, overall and per stage; see docs/governance.md) is added.
    """
    stages: dict[str, Any] = {}
    for stage in Stage:
        r = result.stages[stage]
        stages[stage.value] = None if r is None else {"value": r.value, "u": r.u}
    t = result.total
    return {
        "study_id": result.study_id,
        "product": study.product.model_dump(mode="json"),
        "unit": EMISSION_UNIT,
        "method": result.method,
        "stages": stages,
        "total": {"value": t.value, "u": t.u, "k": t.k, "U": t.U, "U_rel_percent": t.U_rel_percent},
        "contributions": [
            {
                "activity": c.activity,
                "id": c.key,
                "stage": c.stage.value,
                "value": c.value,
                "share": c.share,
                "u": c.u,
            }
            for c in result.contributions
        ],
    } | (_data_quality(study, factors) if factors is not None else {})


def _data_quality(study: Study, factors: FactorLibrary) -> dict[str, Any]:
    from tanzuji.calculation import compile_study
    from tanzuji.governance import data_quality

    return {"data_quality": data_quality(compile_study(study, factors)).to_dict()}


def full_to_dict(full: FullResult) -> dict[str, Any]:
    """The ``"full"`` section: the full GUM evaluation (all inputs, shared factors correlated)."""
    t = full.total
    return {
        "method": "gum",
        "p": t.p,
        "stages": {
            s.value: (None if r is None else {"value": r.value, "u": r.u})
            for s, r in full.stages.items()
        },
        "stage_order": [s.value for s in full.stage_order],
        "stage_correlation": [list(row) for row in full.stage_correlation],
        "total": {
            "value": t.value,
            "u": t.u,
            "dof": _finite(t.dof),
            "k": t.k,
            "U": t.U,
            "U_rel_percent": t.U_rel_percent,
            "interval": list(t.interval),
            "U_k2": t.U_k2,
        },
        "u_rss_stages": full.u_rss_stages,
        "budget": [
            {
                "input": b.name,
                "label": b.label,
                "role": b.role,
                "estimate": b.estimate,
                "unit": b.unit,
                "u": b.u,
                "sensitivity": b.sensitivity,
                "contribution": b.contribution,
                "share": b.share,
                "dof": _finite(b.dof),
            }
            for b in full.budget
        ],
    }


def monte_carlo_to_dict(mc: MonteCarloStudy) -> dict[str, Any]:
    """The ``"monte_carlo"`` section: adaptive Monte Carlo and the GUM validation."""
    r, v = mc.result, mc.validation
    counts, edges = r.histogram
    return {
        "method": "monte_carlo",
        "p": mc.p,
        "ndig": mc.ndig,
        "trials": r.trials,
        "runs": r.runs,
        "converged": r.converged,
        "seed": r.seed,
        "value": r.value,
        "u": r.u,
        "interval": list(r.interval),
        "symmetric_interval": list(r.symmetric_interval),
        "histogram": {"counts": [int(c) for c in counts], "edges": [float(e) for e in edges]},
        "validation": {
            "d_low": v.d_low,
            "d_high": v.d_high,
            "delta": v.delta,
            "validated": v.validated,
            "gum_interval": list(v.gum_interval),
        },
    }


def _finite(x: float) -> float | None:
    """JSON has no infinity: infinite degrees of freedom are written as null."""
    return x if x == x and abs(x) != float("inf") else None
