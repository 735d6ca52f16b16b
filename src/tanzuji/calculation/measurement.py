"""The measurement model of a study: named inputs, emission terms and a vectorised function.

>>> m = MeasurementModel("S", (Stage.USE,), {"x": ModelInput("x", "x", "activity", 2.0, 0.1,
...     "kWh", "p")}, (Term("g", "g", Stage.USE, Process.OPERATION, 0.5, ("x",), "p"),))
>>> float(m(x=4.0)), m.evaluate({})["use"].item()
(2.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from tanzuji.model import DataType, DistributionName, EmissionFactor, Process, Stage, Uncertainty

if TYPE_CHECKING:
    pass

__all__ = ["FloatArray", "MeasurementModel", "ModelInput", "Role", "Term"]

Role = Literal["activity", "factor", "distance"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ModelInput:
    """One input quantity of the measurement model, in its own unit.

    ``role`` says what it is: ``activity`` data (propagated by the specification's
    formulas), an emission ``factor`` (EF or mode factor T), or a transport ``distance``.
    """

    name: str
    label: str
    role: Role
    estimate: float
    u: float
    unit: str
    path: str
    sampling: DistributionName = "normal"
    dof: float = math.inf
    data_type: DataType | None = None
    instrument: str | None = None
    factor: EmissionFactor | None = None
    uncertainty: Uncertainty | None = None
    u_source: str | None = None
    """Where u came from: ``explicit`` (given), ``instrument`` (class, certificate),
    ``calculated`` (measurement model), ``allocation``; ``None`` when there is none.
    An explicit uncertainty always wins (see docs/governance.md)."""
    u_basis: str | None = None
    """How a derived u was obtained, e.g. ``class 0.5S: MPE ±0.5 %; u = MPE/√3``."""
    used_by: tuple[str, ...] = ()
    """For a shared input (``Q:<id>``): the field paths of every activity site using it."""

    @property
    def half_width(self) -> float:
        """Half-width of a rectangular distribution with this standard uncertainty."""
        return self.u * math.sqrt(3.0)


@dataclass(frozen=True)
class Term:
    """One emission term: ``constant × Π inputs`` in kgCO2e, belonging to a stage."""

    group: str
    label: str
    stage: Stage
    process: Process
    constant: float
    inputs: tuple[str, ...]
    path: str
    share: float = 1.0
    """The allocated fraction already contained in ``constant`` (1 without allocation)."""


@dataclass(frozen=True)
class MeasurementModel:
    """The study as a measurement model: E_stage = Σ terms, E_total = Σ E_stage (kgCO2e)."""

    study_id: str
    boundary: tuple[Stage, ...]
    inputs: Mapping[str, ModelInput]
    terms: tuple[Term, ...]
    groups: Mapping[str, tuple[str, Stage]] = field(default_factory=dict)
    """Contribution group key → (label, stage), in study order."""
    labels_en: Mapping[str, str] = field(default_factory=dict)
    """Contribution group key → English label (falls back to the Chinese one)."""

    def estimates(self) -> dict[str, float]:
        """The estimate of every input."""
        return {name: inp.estimate for name, inp in self.inputs.items()}

    def evaluate(self, values: Mapping[str, Any]) -> dict[str, FloatArray]:
        """Stage values and ``"total"`` for the given input values (arrays broadcast).

        Inputs missing from ``values`` take their estimates. Stages outside the boundary
        are absent from the result.
        """
        unknown = set(values) - set(self.inputs)
        if unknown:
            raise KeyError(f"not inputs of this model: {', '.join(sorted(unknown))}")
        get: Callable[[str], Any] = lambda n: (  # noqa: E731
            values[n] if n in values else self.inputs[n].estimate
        )
        # Plain arithmetic on whatever the values are: numpy arrays broadcast, and the
        # uncertainty engine's tracer objects pass through (exact derivatives).
        acc: dict[str, Any] = {s.value: 0.0 for s in self.boundary}
        for term in self.terms:
            product: Any = term.constant
            for name in term.inputs:
                product = product * get(name)
            acc[term.stage.value] = acc[term.stage.value] + product
        total: Any = 0.0
        for s in self.boundary:
            total = total + acc[s.value]
        acc["total"] = total
        if all(isinstance(v, int | float | np.ndarray | np.generic) for v in acc.values()):
            shape = np.broadcast_shapes(*(np.shape(v) for v in values.values()))
            return {k: _full(v, shape) for k, v in acc.items()}
        return acc

    def __call__(self, **values: Any) -> FloatArray:
        """The total footprint E_total (kgCO2e) for the given input values."""
        return self.evaluate(values)["total"]

    def stage_vector(self, **values: Any) -> FloatArray:
        """Stage values stacked on the first axis, in boundary order (for multi-output GUM)."""
        res = self.evaluate(values)
        return np.stack([res[s.value] for s in self.boundary])

    def group_values(self, values: Mapping[str, float] | None = None) -> dict[str, float]:
        """Each contribution group's value at the estimates (or at ``values``)."""
        est = self.estimates() | dict(values or {})
        out = dict.fromkeys(self.groups, 0.0)
        for term in self.terms:
            out[term.group] += term.constant * math.prod(est[n] for n in term.inputs)
        return out


def _full(value: Any, shape: tuple[int, ...]) -> FloatArray:
    """A writable float array of ``shape`` (a stage without terms is a scalar 0)."""
    arr = np.asarray(value, dtype=float)
    return arr if arr.shape == shape else np.broadcast_to(arr, shape).copy()
