"""Monte Carlo evaluation of a study (JJF 1059.2 = JCGM 101) and GUM validation.

The compiled measurement model is propagated by adaptive Monte Carlo (trials chosen by the
JCGM 101 §7.9 procedure for ``ndig`` significant digits of u) and the full GUM result for
the total is validated against it (JCGM 101 §8).

>>> from tanzuji.model import EmissionFactor, Study
>>> from tanzuji.factors import FactorLibrary
>>> from tanzuji.calculation import compile_study, evaluate_full
>>> lib = FactorLibrary.from_factors([EmissionFactor(id="g", name="电网", value=0.5,
...     unit="kgCO2e/kWh", factor_type="national_database", source="s",
...     uncertainty={"standard": 0.05})], id="t")
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "activities": [{"stage": "use", "name": "电", "quantity": 100, "unit": "kWh",
...                     "factor": "g", "uncertainty": {"relative": 0.02}}]})
>>> model = compile_study(study, lib)
>>> mc = evaluate_monte_carlo(model, evaluate_full(model), trials=200_000, seed=1)
>>> round(mc.result.u, 1), mc.validation.validated
(5.1, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tanzuji.calculation.compile import MeasurementModel
from tanzuji.calculation.full import FullResult, input_distribution
from tanzuji.uncertainty import MonteCarloResult, Validation, monte_carlo

__all__ = ["MonteCarloStudy", "evaluate_monte_carlo"]


@dataclass(frozen=True)
class MonteCarloStudy:
    """Monte Carlo result for the total footprint and the validation of the GUM result."""

    result: MonteCarloResult
    validation: Validation
    p: float
    ndig: int


def evaluate_monte_carlo(
    model: MeasurementModel,
    full: FullResult,
    *,
    p: float = 0.95,
    ndig: int = 2,
    trials: int | None = None,
    seed: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    keep: int = 0,
) -> MonteCarloStudy:
    """Propagate the study by Monte Carlo (adaptive when ``trials`` is None) and validate."""
    inputs = {name: input_distribution(inp) for name, inp in model.inputs.items()}
    res = monte_carlo(
        model, inputs, p=p, trials=trials, ndig=ndig, seed=seed, progress=progress, keep=keep
    )
    validation = res.validate(full.gum["total"], ndig=ndig)
    return MonteCarloStudy(result=res, validation=validation, p=p, ndig=ndig)
