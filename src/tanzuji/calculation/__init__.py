"""Footprint calculation: compile a study into a measurement model, evaluate it.

>>> from tanzuji.calculation import compile_study, evaluate_jjf
"""

from tanzuji.calculation.compile import MeasurementModel, ModelInput, Role, Term, compile_study
from tanzuji.calculation.jjf import (
    K_SPEC,
    Contribution,
    FootprintResult,
    StageResult,
    TotalResult,
    evaluate_jjf,
)

__all__ = [
    "K_SPEC",
    "Contribution",
    "FootprintResult",
    "MeasurementModel",
    "ModelInput",
    "Role",
    "StageResult",
    "Term",
    "TotalResult",
    "compile_study",
    "evaluate_jjf",
]
