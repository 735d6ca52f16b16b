"""The measurement model of a study: named inputs, emission terms and a vectorised function.

>>> m = MeasurementModel("S", (Stage.USE,), {"x": ModelInput("x", "x", "activity", 2.0, 0.1,
...     "kWh", "p")}, (Term("g", "g", Stage.USE, Process.OPERATION, 0.5, ("x",), "p"),))
>>> float(m(x=4.0)), m.evaluate({})["use"].item()
(2.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from tanzuji.model import DataType, DistributionName, EmissionFactor, Process, Stage, Uncertainty

__all__ = [
    "GLOBAL_PREFIXES",
    "SHARED_PREFIXES",
    "FloatArray",
    "MeasurementModel",
    "ModelInput",
    "Role",
    "Term",
]

Role = Literal["activity", "factor", "distance"]
SHARED_PREFIXES = ("EF:", "Q:")
"""Input-name prefixes of inputs shared by several terms: factors (``EF:<id>``) and a
study's declared quantities (``Q:<id>``)."""
GLOBAL_PREFIXES = ("EF:",)
"""Input-name prefixes that mean the same quantity in every study (a factor id);
:meth:`MeasurementModel.merged` keeps them as one input."""
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

    def label_en(self, name: str) -> str:
        """An input's English label: a factor's English name, else built from the study's
        English activity names (``Electricity in use · time``); unknown names unchanged."""
        inp = self.inputs.get(name)
        if inp is None:
            return name
        if inp.factor is not None:
            return str(inp.factor.name.pick("en"))
        if name in self.labels_en:
            return self.labels_en[name]
        group = next((t.group for t in self.terms if name in t.inputs), "")
        base = self.labels_en.get(group, inp.label)
        suffix = name.rsplit(".", 1)[-1]
        if suffix.startswith("energy["):
            return f"{base} · {inp.label.split(' · ', 1)[-1]}"
        extra = {"mass": "mass", "distance": "distance", "power": "power", "duration": "time"}
        return f"{base} · {extra[suffix]}" if suffix in extra else base

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

    # -- the correlated-input mechanism -----------------------------------------------
    #
    # Inputs are keyed by a stable name: ``EF:<factor id>`` for an emission factor,
    # ``Q:<quantity id>`` for a shared quantity, ``<activity key>.<field>`` for an
    # unshared activity datum. Every term that names an input uses the same random
    # variable, so the full GUM and Monte Carlo carry the correlation. Other modules add
    # correlated inputs through these three methods (see docs/calculation.md).

    def with_inputs(
        self, inputs: Iterable[ModelInput] = (), terms: Iterable[Term] = ()
    ) -> MeasurementModel:
        """A model with extra inputs and terms. An input whose name is already present must
        be the same quantity (estimate, u, unit): it stays ONE input.

        >>> m = MeasurementModel("S", (Stage.USE,), {}, ())
        >>> x = ModelInput("Q:x", "x", "activity", 2.0, 0.1, "kWh", "p")
        >>> m2 = m.with_inputs([x], [Term("g", "g", Stage.USE, Process.OPERATION, 0.5, ("Q:x",),
        ...     "p")]).with_inputs([x])
        >>> list(m2.inputs), float(m2(**m2.estimates()))
        (['Q:x'], 1.0)
        """
        merged = dict(self.inputs)
        for inp in inputs:
            old = merged.get(inp.name)
            if old is not None:
                if (old.estimate, old.u, old.unit) != (inp.estimate, inp.u, inp.unit):
                    raise ValueError(
                        f"input {inp.name!r} is already {old.estimate:g} ± {old.u:g} {old.unit}; "
                        f"got {inp.estimate:g} ± {inp.u:g} {inp.unit}"
                    )
                continue
            merged[inp.name] = inp
        new_terms = tuple(terms)
        missing = {n for t in new_terms for n in t.inputs} - set(merged)
        if missing:
            raise KeyError(f"terms name unknown inputs: {', '.join(sorted(missing))}")
        groups = dict(self.groups)
        for t in new_terms:
            groups.setdefault(t.group, (t.label, t.stage))
        return replace(self, inputs=merged, terms=self.terms + new_terms, groups=groups)

    def scaled_by(self, inp: ModelInput, groups: Iterable[str]) -> MeasurementModel:
        """Every term of the contribution ``groups`` multiplied by the dimensionless input
        ``inp`` (added, or reused when its name is present): e.g. one meter's systematic
        error δ as ``ModelInput("Q:EM-01.systematic", …, estimate=1.0, u=u_rel, unit="1")``
        over every activity the meter measured.

        >>> m = MeasurementModel("S", (Stage.USE,), {"a": ModelInput("a", "a", "activity",
        ...     10.0, 0.0, "kWh", "p"), "b": ModelInput("b", "b", "activity", 20.0, 0.0, "kWh",
        ...     "p")}, (Term("A", "A", Stage.USE, Process.OPERATION, 1.0, ("a",), "p"),
        ...     Term("B", "B", Stage.USE, Process.OPERATION, 1.0, ("b",), "p")))
        >>> d = ModelInput("Q:sys", "δ", "activity", 1.0, 0.01, "1", "meter")
        >>> s = m.scaled_by(d, ["A", "B"])
        >>> [t.inputs for t in s.terms], float(s(**{"Q:sys": 1.1}))
        ([('a', 'Q:sys'), ('b', 'Q:sys')], 33.0)
        """
        wanted = set(groups)
        unknown = wanted - {t.group for t in self.terms}
        if unknown:
            raise KeyError(f"not contribution groups of this model: {', '.join(sorted(unknown))}")
        base = self.with_inputs([inp])
        terms = tuple(
            replace(t, inputs=(*t.inputs, inp.name)) if t.group in wanted else t for t in base.terms
        )
        return replace(base, terms=terms)

    def merged(
        self,
        other: MeasurementModel,
        *,
        scale: float = 1.0,
        prefix: str,
        shared: Iterable[str] = (),
    ) -> MeasurementModel:
        """This model plus ``other`` (e.g. a component study) with its terms × ``scale``.

        Inputs named ``EF:…`` are the same factor in both models and stay one input (a
        factor shared by parent and component), and so do the names listed in ``shared``
        (e.g. a ``Q:<id>`` both studies take from one measurement). Other input names —
        a study's ``Q:<id>`` is local to that study — and the component's contribution
        groups get ``prefix`` so they stay apart.
        """
        keep = set(shared)

        def rename(name: str) -> str:
            return name if name.startswith(GLOBAL_PREFIXES) or name in keep else f"{prefix}{name}"

        inputs = [replace(i, name=rename(i.name)) for i in other.inputs.values()]
        terms = [
            replace(
                t,
                group=f"{prefix}{t.group}",
                constant=t.constant * scale,
                inputs=tuple(rename(n) for n in t.inputs),
            )
            for t in other.terms
        ]
        out = self.with_inputs(inputs, terms)
        labels = dict(out.labels_en)
        labels.update({f"{prefix}{k}": v for k, v in other.labels_en.items()})
        return replace(out, labels_en=labels)

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
