"""Sensitivity coefficients of a model at the input estimates (private).

Two methods:

* ``"ad"`` — reverse-mode automatic differentiation (:mod:`tanzuji.uncertainty._ad`):
  exact derivatives in one traced call and one backward sweep per output, so the cost
  grows linearly with the number of inputs. Unless the trace is exact (only + − × ÷ of
  tracers and numbers, nothing compared or read, no zero sensitivity: see ``_traced``), the
  traced derivatives are then cross-checked against a central difference along a random
  ±u direction (two more model calls); a mismatch means the model escaped the tracer, and
  the finite-difference method is used.
* ``"fd"`` — central differences c_i = [f(x + h_i e_i) − f(x − h_i e_i)] / 2h_i with
  h_i = 10⁻³·u(x_i) (10⁻⁶·|x_i| for an input with u = 0), all perturbations stacked into
  the columns of one vectorised call (chunked so the stacked inputs stay below about
  32 MB). Exact for a model that is linear in x_i; the truncation error of a nonlinear
  model is of order h² times its third derivative. Cost grows with n².

``"auto"`` tries ``"ad"`` and falls back to ``"fd"``.

>>> from tanzuji.uncertainty._model import prepare_inputs
>>> from tanzuji.uncertainty.distributions import Normal
>>> prep = prepare_inputs({"a": Normal(2.0, 0.1), "b": Normal(3.0, 0.1)}, None)
>>> names, y, jac, method = jacobian(lambda a, b: a * b, prep, "auto")
>>> names, y.tolist(), jac.tolist(), method
(('y',), [6.0], [[3.0, 2.0]], 'automatic differentiation')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from tanzuji.errors import ModelEvaluationError
from tanzuji.uncertainty._ad import Tape, Tracer
from tanzuji.uncertainty._base import FloatArray, ParameterError, gc_paused
from tanzuji.uncertainty._model import (
    Model,
    Prepared,
    default_names,
    evaluate,
    split_outputs,
)

__all__ = ["AD", "FD", "SensitivityMethod", "jacobian"]

SensitivityMethod = Literal["auto", "ad", "fd"]
AD = "automatic differentiation"
FD = "central differences"

#: Relative step of the central differences, in standard uncertainties.
FD_STEP = 1e-3
#: Relative step for an input with u = 0 (in units of |x|).
FD_STEP_EXACT = 1e-6
#: Bound on the number of stacked input values per model call (8 bytes each).
FD_CELLS = 1 << 22
#: Step of the directional cross-check of traced derivatives, in standard uncertainties.
CHECK_STEP = 1e-3
#: Relative tolerance of that cross-check.
CHECK_RTOL = 1e-4

Jacobian = tuple[tuple[str, ...], FloatArray, FloatArray, str]


def jacobian(model: Model, prep: Prepared, method: SensitivityMethod = "auto") -> Jacobian:
    """Output names, values y (m,), Jacobian (m × n) and the method used."""
    if method not in ("auto", "ad", "fd"):
        raise ParameterError(f"sensitivity must be 'auto', 'ad' or 'fd', got {method!r}")
    if method != "fd":
        with gc_paused():  # the tape allocates many acyclic objects: spare the collector
            traced = _traced(model, prep)
        if traced is not None:
            names, y, jac, exact = traced
            if exact or _agrees(model, prep, names, y, jac):
                return names, y, jac, AD
        if method == "ad":
            raise ModelEvaluationError(
                "the model cannot be differentiated automatically (it converts, indexes or "
                "branches on its inputs in a way the tracer does not follow); use "
                "sensitivity='fd' or 'auto'"
            )
    return (*_finite_differences(model, prep), FD)


def _traced(
    model: Model, prep: Prepared
) -> tuple[tuple[str, ...], FloatArray, FloatArray, bool] | None:
    """Names, values, Jacobian and whether the derivatives need no cross-check.

    They need none when the tape is exact (only + − × ÷ of tracers and constants, no
    tracer compared or read: nothing can have escaped the tape), every output is traced
    and every input has a non-zero derivative (an input read around the tape would
    show up with a zero one).
    """
    tape = Tape()
    n = len(prep.names)
    tracers = dict(zip(prep.names, tape.variables(prep.x.tolist()), strict=True))
    try:
        with np.errstate(all="ignore"):
            out = model(**tracers)
        exact = tape.exact
        names, parts = split_outputs(out)
    except Exception:
        return None
    if not parts:
        return None
    y = np.empty(len(parts))
    jac = np.zeros((len(parts), n))
    for k, part in enumerate(parts):
        item: Any = part
        if isinstance(item, np.ndarray):
            if item.ndim != 0:
                return None
            item = item.item() if item.dtype == object else float(item)
        if isinstance(item, Tracer):
            if item.tape is not tape:
                return None
            y[k] = item.value
            jac[k] = tape.gradient(item, n)
        elif isinstance(item, int | float | np.floating | np.integer) and not isinstance(
            item, bool
        ):
            y[k] = float(item)
            exact = False
        else:
            return None
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(jac))):
        return None
    exact = exact and bool(np.all(jac != 0.0))
    return names or default_names(len(parts)), y, jac, exact


def _point_values(model: Model, prep: Prepared, points: FloatArray) -> FloatArray | None:
    """Model outputs (m × P) at the columns of ``points`` — plain floats first, else arrays."""
    cols = []
    try:
        for column in points.T.tolist():
            with np.errstate(all="ignore"):
                out = model(**dict(zip(prep.names, column, strict=True)))
            _, parts = split_outputs(out)
            cols.append([float(np.asarray(p, dtype=np.float64)) for p in parts])
        res = np.array(cols, dtype=np.float64).T
    except Exception:
        try:
            _, res = evaluate(model, prep.names, points, what="the cross-check points")
        except ModelEvaluationError:
            return None
    return res if np.all(np.isfinite(res)) else None


def _agrees(
    model: Model, prep: Prepared, names: tuple[str, ...], y: FloatArray, jac: FloatArray
) -> bool:
    """Do the traced derivatives match a central difference along a random direction?"""
    rng = np.random.default_rng(20080101)
    signs = rng.choice(np.array([-1.0, 1.0]), size=len(prep.names))
    scale = np.where(prep.u > 0, prep.u, FD_STEP_EXACT * np.abs(prep.x))
    xp = prep.x + CHECK_STEP * scale * signs
    xm = prep.x - CHECK_STEP * scale * signs
    f = _point_values(model, prep, np.stack([xp, xm], axis=1))
    if f is None or f.shape != (len(names), 2):
        return False
    predicted = jac @ (xp - xm)
    observed = f[:, 0] - f[:, 1]
    size = np.abs(jac) @ np.abs(xp - xm)
    magnitude = np.abs(y) + np.abs(jac) @ np.abs(prep.x)
    tol = CHECK_RTOL * size + 64.0 * np.finfo(float).eps * magnitude
    return bool(np.all(np.abs(observed - predicted) <= tol))


def _finite_differences(
    model: Model, prep: Prepared
) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
    x, n = prep.x, len(prep.names)
    h = np.where(prep.u > 0, FD_STEP * prep.u, FD_STEP_EXACT * np.abs(x))
    h = np.where(h > 0, h, FD_STEP_EXACT)
    xp, xm = x + h, x - h
    pairs = max(1, min(n, FD_CELLS // (2 * n)))
    names: tuple[str, ...] | None = None
    y = np.empty(0)
    jac = np.empty((0, n))
    for i0 in range(0, n, pairs):
        rows = np.arange(i0, min(n, i0 + pairs))
        first = 1 if i0 == 0 else 0  # column 0 of the first call is the estimate itself
        cols = np.empty((n, first + 2 * rows.size))
        cols[:] = x[:, None]
        cols[rows, first + 2 * (rows - i0)] = xp[rows]
        cols[rows, first + 2 * (rows - i0) + 1] = xm[rows]
        labels, f = evaluate(model, prep.names, cols, what=_describe(prep, rows, i0, first))
        if names is None:
            names, y, jac = labels, f[:, 0], np.zeros((f.shape[0], n))
        elif labels != names or f.shape[0] != len(names):
            raise ModelEvaluationError("the model returned different outputs on different calls")
        fp = f[:, first + 2 * (rows - i0)]
        fm = f[:, first + 2 * (rows - i0) + 1]
        jac[:, rows] = (fp - fm) / (xp[rows] - xm[rows])
    assert names is not None
    return names, y, jac


def _describe(prep: Prepared, rows: Any, i0: int, first: int) -> Callable[[int], str]:
    def what(col: int) -> str:
        if first and col == 0:
            return "the input estimates"
        j = (col - first) // 2
        sign = "+" if (col - first) % 2 == 0 else "−"
        name = prep.names[int(rows[j])]
        return f"the estimates with input {name!r} moved by {sign}h (finite differences)"

    return what
