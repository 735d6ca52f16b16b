"""The uncertainty engine: distributions, GUM law of propagation, Monte Carlo, rounding.

Pure: no I/O, and nothing imported from tanzuji except :mod:`tanzuji.errors`.
See ``docs/uncertainty.md`` for the conventions.

>>> str(round_result(61.23, 17.6))
'61 ± 18'
"""

from __future__ import annotations

from tanzuji.uncertainty.rounding import RoundedResult, RoundingError, round_result, to_decimal

__all__ = [
    "RoundedResult",
    "RoundingError",
    "round_result",
    "to_decimal",
]
