"""Footprint calculation: compile a study into a measurement model, evaluate it.

The names are loaded on first use (module ``__getattr__``), so that importing
:func:`compile_study` and :func:`evaluate_jjf` does not import the full GUM and Monte
Carlo machinery (and scipy): ``tanzuji evaluate`` starts faster.

>>> from tanzuji.calculation import compile_study, evaluate_jjf
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tanzuji.lazy import lazy_exports

if TYPE_CHECKING:
    from tanzuji.calculation.compile import (
        MeasurementModel,
        ModelInput,
        Role,
        Term,
        compile_study,
    )
    from tanzuji.calculation.full import (
        BudgetLine,
        FullResult,
        FullTotal,
        evaluate_full,
        input_distribution,
    )
    from tanzuji.calculation.jjf import (
        K_SPEC,
        Contribution,
        FootprintResult,
        StageResult,
        TotalResult,
        evaluate_jjf,
    )
    from tanzuji.calculation.mc import MonteCarloStudy, evaluate_monte_carlo

_WHERE = {
    "compile": ("MeasurementModel", "ModelInput", "Role", "Term", "compile_study"),
    "full": ("BudgetLine", "FullResult", "FullTotal", "evaluate_full", "input_distribution"),
    "jjf": (
        "K_SPEC",
        "Contribution",
        "FootprintResult",
        "StageResult",
        "TotalResult",
        "evaluate_jjf",
    ),
    "mc": ("MonteCarloStudy", "evaluate_monte_carlo"),
}

__all__ = [
    "K_SPEC",
    "BudgetLine",
    "Contribution",
    "FootprintResult",
    "FullResult",
    "FullTotal",
    "MeasurementModel",
    "ModelInput",
    "MonteCarloStudy",
    "Role",
    "StageResult",
    "Term",
    "TotalResult",
    "compile_study",
    "evaluate_full",
    "evaluate_jjf",
    "evaluate_monte_carlo",
    "input_distribution",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
