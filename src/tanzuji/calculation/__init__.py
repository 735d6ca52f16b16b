"""Footprint calculation: compile a study into a measurement model, evaluate it.

>>> from tanzuji.calculation import compile_study, evaluate_jjf
"""

from tanzuji.calculation.compile import MeasurementModel, ModelInput, Role, Term, compile_study
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
