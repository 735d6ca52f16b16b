"""The uncertainty engine: distributions, GUM law of propagation, Monte Carlo, rounding.

Pure: no I/O, and nothing imported from tanzuji except :mod:`tanzuji.errors`.
See ``docs/uncertainty.md`` for the conventions.

>>> res = gum(lambda m, ef: m * ef, {"m": Normal(100.0, 2.0), "ef": Normal(0.6, 0.03)})
>>> str(res.round())
'60.0 ± 6.3'
>>> str(round_result(61.23, 17.6))
'61 ± 18'
"""

from __future__ import annotations

from tanzuji.uncertainty._base import Distribution, FloatArray, ParameterError
from tanzuji.uncertainty.bounded import (
    Arcsine,
    CurvilinearTrapezoid,
    Rectangular,
    Trapezoid,
    Triangular,
)
from tanzuji.uncertainty.correlation import Correlation, CorrelationBlock, correlation_block
from tanzuji.uncertainty.distributions import (
    Constant,
    LogNormal,
    Normal,
    StudentT,
    from_default_bounds,
    from_expanded,
)
from tanzuji.uncertainty.gum import (
    Budget,
    BudgetRow,
    GumMultiResult,
    GumResult,
    coverage_factor,
    gum,
    gum_multi,
)
from tanzuji.uncertainty.montecarlo import (
    MonteCarloMultiResult,
    MonteCarloResult,
    Progress,
    Validation,
    adaptive_run_length,
    monte_carlo,
    monte_carlo_multi,
    numerical_tolerance,
)
from tanzuji.uncertainty.rounding import (
    RoundedResult,
    RoundingError,
    RoundingMode,
    round_result,
    to_decimal,
)

__all__ = [
    "Arcsine",
    "Budget",
    "BudgetRow",
    "Constant",
    "Correlation",
    "CorrelationBlock",
    "CurvilinearTrapezoid",
    "Distribution",
    "FloatArray",
    "GumMultiResult",
    "GumResult",
    "LogNormal",
    "MonteCarloMultiResult",
    "MonteCarloResult",
    "Normal",
    "ParameterError",
    "Progress",
    "Rectangular",
    "RoundedResult",
    "RoundingError",
    "RoundingMode",
    "StudentT",
    "Trapezoid",
    "Triangular",
    "Validation",
    "adaptive_run_length",
    "correlation_block",
    "coverage_factor",
    "from_default_bounds",
    "from_expanded",
    "gum",
    "gum_multi",
    "monte_carlo",
    "monte_carlo_multi",
    "numerical_tolerance",
    "round_result",
    "to_decimal",
]
