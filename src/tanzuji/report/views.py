"""What the report shows of an uncertainty evaluation: budgets, the full GUM, Monte Carlo.

The report does not evaluate anything itself beyond the specification's budget; the complete
GUM and Monte Carlo evaluations come from :mod:`tanzuji.calculation` and are turned into
these small views by :func:`gum_view` and :func:`monte_carlo_view`, which read the result
objects by attribute name so the report does not depend on their exact classes.

>>> from tanzuji.calculation import compile_study, evaluate_jjf
>>> from tanzuji.factors import FactorLibrary
>>> from tanzuji.model import EmissionFactor, Study
>>> lib = FactorLibrary.from_factors([EmissionFactor(id="g", name="电网", value=0.5,
...     unit="kgCO2e/kWh", factor_type="national_database", source="s")], id="t")
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "boundary": ["manufacturing"], "activities": [{"id": "e", "stage": "manufacturing",
...     "name": "电", "quantity": 100, "unit": "kWh", "factor": "g",
...     "uncertainty": {"standard": 2}}]})
>>> model = compile_study(study, lib)
>>> [(b.name, b.c_u, b.share) for b in spec_budget(model)]
[('e.quantity', 1.0, 1.0)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tanzuji.calculation import MeasurementModel
from tanzuji.i18n import clause_text
from tanzuji.model import Stage

__all__ = [
    "BudgetLine",
    "GumView",
    "MonteCarloView",
    "finding_rows",
    "gum_view",
    "input_label",
    "input_stages",
    "monte_carlo_view",
    "spec_budget",
]


@dataclass(frozen=True)
class BudgetLine:
    """One input's part of the combined uncertainty: |c·u| in kgCO2e and its variance share."""

    name: str
    c_u: float
    share: float


@dataclass(frozen=True)
class GumView:
    """The complete GUM evaluation of the total footprint (JJF 1059.1)."""

    value: float
    u: float
    k: float
    p: float | None
    dof: float | None
    budget: tuple[BudgetLine, ...]
    interval: tuple[float, float] | None = None

    @property
    def U(self) -> float:
        """Expanded uncertainty U = k·u."""
        return self.k * self.u


@dataclass(frozen=True)
class MonteCarloView:
    """A Monte Carlo evaluation (JJF 1059.2) of the total footprint."""

    trials: int
    mean: float
    u: float
    p: float
    low: float
    high: float
    samples: npt.NDArray[np.float64] | None = None
    histogram: tuple[npt.NDArray[Any], npt.NDArray[np.float64]] | None = None
    """(counts, bin edges), when the values themselves were not kept."""
    validated: bool | None = None
    delta: float | None = None
    d_low: float | None = None
    d_high: float | None = None


def input_stages(model: MeasurementModel) -> dict[str, Stage]:
    """The stage each input belongs to (the stage of the first term using it)."""
    out: dict[str, Stage] = {}
    for term in model.terms:
        for name in term.inputs:
            out.setdefault(name, term.stage)
    return out


def input_label(model: MeasurementModel, name: str, lang: str = "zh") -> str:
    """A readable label of an input in ``lang`` (English labels built from the study's names).

    Unknown names are returned unchanged.
    """
    inp = model.inputs.get(name)
    if inp is None:
        return name
    if inp.factor is not None:
        return f"因子·{inp.label}" if lang == "zh" else f"EF · {model.label_en(name)}"
    return inp.label if lang == "zh" else model.label_en(name)


def spec_budget(model: MeasurementModel) -> list[BudgetLine]:
    """The specification's budget: activity inputs only, |c·u| and (c·u)²/u²(E_total).

    The sensitivity of the total to an input is the sum over the terms using it of the
    constant times the other inputs' estimates; sorted by share, largest first.
    """
    est = model.estimates()
    sens: dict[str, float] = {}
    for term in model.terms:
        vals = [est[n] for n in term.inputs]
        for j, name in enumerate(term.inputs):
            if model.inputs[name].role != "activity":
                continue
            c = term.constant * math.prod(vals[:j] + vals[j + 1 :])
            sens[name] = sens.get(name, 0.0) + c
    contrib = {n: abs(c * model.inputs[n].u) for n, c in sens.items()}
    var = math.fsum(x * x for x in contrib.values())
    lines = [BudgetLine(n, cu, (cu * cu / var) if var > 0 else 0.0) for n, cu in contrib.items()]
    return sorted(lines, key=lambda b: (-b.share, -b.c_u, b.name))


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return default


def _opt_float(x: Any) -> float | None:
    return None if x is None else float(x)


def gum_view(result: Any) -> GumView:
    """A :class:`GumView` from a GUM result of the total (``value``, ``u``, ``k``, ``budget``).

    Accepts :class:`tanzuji.calculation.FullResult` (whose numbers sit in ``total``) or any
    object or mapping with those fields; budget rows are read by ``name``,
    ``contribution`` (c·u) and ``share``.

    >>> v = gum_view({"value": 10.0, "u": 1.0, "k": 2.0, "budget": [
    ...     {"name": "a", "contribution": -0.6, "share": 0.36}]})
    >>> v.U, v.budget[0].c_u
    (2.0, 0.6)
    """
    rows: Sequence[Any] = _get(result, "budget", default=()) or ()
    head = _get(result, "total", default=None)
    if head is None or isinstance(head, int | float):
        head = result
    interval = _get(head, "interval")
    budget = tuple(
        BudgetLine(
            str(_get(r, "name")),
            abs(float(_get(r, "contribution", "c_u", default=0.0))),
            float(_get(r, "share", default=0.0)),
        )
        for r in rows
    )
    return GumView(
        value=float(_get(head, "value")),
        u=float(_get(head, "u")),
        k=float(_get(head, "k", default=2.0)),
        p=_opt_float(_get(head, "p")),
        dof=_opt_float(_get(head, "dof")),
        budget=tuple(sorted(budget, key=lambda b: (-b.share, b.name))),
        interval=None if interval is None else (float(interval[0]), float(interval[1])),
    )


def monte_carlo_view(result: Any, validation: Any = None) -> MonteCarloView:
    """A :class:`MonteCarloView` from a Monte Carlo result of the total.

    Reads ``trials``/``M``, ``value``/``mean``, ``u``, ``p``, ``low``/``high`` (or
    ``interval``), optional ``samples``/``draws`` or ``histogram`` (counts, edges), and the
    validation fields (``validated``, ``delta``, ``d_low``, ``d_high``) from ``validation``
    (e.g. :meth:`tanzuji.uncertainty.MonteCarloResult.validate`), else from the result or
    its ``validation`` attribute.

    >>> v = monte_carlo_view({"M": 1000, "value": 5.0, "u": 0.5, "p": 0.95,
    ...     "interval": (4.0, 6.0)})
    >>> v.trials, v.low, v.high, v.validated
    (1000, 4.0, 6.0, None)
    """
    low = _get(result, "low")
    high = _get(result, "high")
    if low is None or high is None:
        interval = _get(result, "interval", "coverage_interval")
        low, high = _get(interval, "low", default=None), _get(interval, "high", default=None)
        if low is None and interval is not None:
            low, high = interval[0], interval[1]
    samples = _get(result, "samples", "draws", "values")
    hist = _get(result, "histogram")
    val = validation or _get(result, "validation", default=None) or result
    return MonteCarloView(
        trials=int(_get(result, "trials", "M", "n", default=0)),
        mean=float(_get(result, "value", "mean")),
        u=float(_get(result, "u")),
        p=float(_get(result, "p", default=0.95)),
        low=float(low),
        high=float(high),
        samples=None if samples is None else np.asarray(samples, dtype=float).ravel(),
        histogram=None if hist is None else (np.asarray(hist[0]), np.asarray(hist[1], dtype=float)),
        validated=_get(val, "validated", "passed", "ok"),
        delta=_opt_float(_get(val, "delta", "tolerance")),
        d_low=_opt_float(_get(val, "d_low")),
        d_high=_opt_float(_get(val, "d_high")),
    )


def finding_rows(findings: Sequence[Any] | None, lang: str) -> list[dict[str, str]] | None:
    """The rows of the report's findings table (``None``: the study was not checked)."""
    if findings is None:
        return None
    rows = []
    for f in findings:
        level = getattr(f, "level", "")
        msg = f.message(lang) if callable(getattr(f, "message", None)) else str(f)
        rows.append(
            {
                "level": getattr(level, "zh", str(level)) if lang == "zh" else str(level),
                "severity": str(level),
                "code": str(getattr(f, "code", "")),
                "clause": clause_text(str(getattr(f, "clause", "")), lang),
                "message": msg,
                "path": str(getattr(f, "path", "")),
            }
        )
    return rows
