"""Inputs and model evaluation shared by the GUM and Monte Carlo engines (private).

A model is a callable taking the inputs as keyword arguments (``model(**values)``, so
names need not be identifiers) and returning either

* one output: a scalar or an array of the inputs' shape ``(L,)``, or
* several outputs: a mapping ``{name: array}``, or a 2-D array ``(m, L)`` whose first axis
  indexes the outputs (named ``"y0"``, ``"y1"``, ...). A list or tuple of scalars or
  arrays counts as several outputs too.

>>> from tanzuji.uncertainty.distributions import Normal
>>> prep = prepare_inputs({"a": 1.0, "b": Normal(2.0, 0.1)}, None)
>>> prep.names, prep.x.tolist(), prep.u.tolist()
(('a', 'b'), [1.0, 2.0], [0.0, 0.1])
>>> evaluate(lambda a, b: a + b, prep.names, np.array([[1.0, 2.0], [3.0, 4.0]]))[1].tolist()
[[4.0, 6.0]]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np

from tanzuji.errors import DistributionError, ModelEvaluationError, UncertaintyError
from tanzuji.uncertainty._base import Distribution, FloatArray
from tanzuji.uncertainty.correlation import Correlation, CorrelationBlock, correlation_block
from tanzuji.uncertainty.distributions import Constant

__all__ = [
    "Model",
    "Prepared",
    "call_model",
    "default_names",
    "evaluate",
    "prepare_inputs",
    "split_outputs",
    "what_at",
]

Model = Callable[..., Any]

#: Distribution classes already seen (a cheap isinstance for 10⁴ inputs).
_DIST_TYPES: set[type] = set()
_PACKED_MOMENTS = attrgetter("_packed_moments")


@dataclass(frozen=True)
class Prepared:
    """Validated inputs: names, distributions, estimates, uncertainties, dof, correlation."""

    names: tuple[str, ...]
    dists: tuple[Distribution, ...]
    x: FloatArray
    u: FloatArray
    dof: FloatArray
    block: CorrelationBlock | None


def prepare_inputs(
    inputs: Mapping[str, Distribution | float], correlation: Correlation | None
) -> Prepared:
    """Check the inputs (a plain number is a :class:`Constant`) and the correlation."""
    if not isinstance(inputs, Mapping) or not inputs:
        raise DistributionError("inputs must be a non-empty mapping of names to distributions")
    names: list[str] = list(inputs.keys())
    values: list[Any] = list(inputs.values())
    if not _DIST_TYPES.issuperset(map(type, values)):  # else: all known distribution types
        for pos, (name, dist) in enumerate(zip(names, values, strict=True)):
            if type(dist) in _DIST_TYPES:
                continue
            if isinstance(dist, Distribution):
                _DIST_TYPES.add(type(dist))
            elif isinstance(dist, numbers.Real) and not isinstance(dist, bool):
                if not math.isfinite(float(dist)):
                    raise DistributionError(f"input {name!r}: value must be finite, got {dist!r}")
                values[pos] = Constant(float(dist))
            else:
                raise DistributionError(
                    f"input {name!r}: expected a distribution or a number, got "
                    f"{type(dist).__name__}"
                )
    dists: list[Distribution] = values
    if not (set(map(type, names)) == {str} and "" not in inputs):
        for name in names:
            if not isinstance(name, str) or not name:
                raise DistributionError(f"input names must be non-empty strings, got {name!r}")
    # (estimate, u, dof) of every input in one numpy call (cached bytes of three doubles)
    packed = b"".join(map(_PACKED_MOMENTS, dists))
    x, u, dof = np.frombuffer(packed, np.float64).reshape(-1, 3).T.copy()
    return Prepared(tuple(names), tuple(dists), x, u, dof, correlation_block(correlation, names))


def call_model(model: Model, values: Mapping[str, Any]) -> Any:
    """``model(**values)``; an exception from the model becomes a ModelEvaluationError."""
    try:
        with np.errstate(all="ignore"):  # non-finite results are reported by the caller
            return model(**values)
    except UncertaintyError:
        raise
    except Exception as exc:
        raise ModelEvaluationError(f"the model raised {type(exc).__name__}: {exc}") from exc


def split_outputs(out: Any) -> tuple[tuple[str, ...] | None, list[Any]]:
    """Output names (None: unnamed) and the list of per-output values of a model result."""
    if isinstance(out, Mapping):
        names = tuple(out.keys())
        for n in names:
            if not isinstance(n, str):
                raise ModelEvaluationError(f"output names must be strings, got {n!r}")
        return names, list(out.values())
    if isinstance(out, list | tuple):
        return None, list(out)
    if isinstance(out, np.ndarray) and out.ndim == 2:
        return None, list(out)
    return None, [out]


def default_names(m: int) -> tuple[str, ...]:
    """``("y",)`` for one unnamed output, ``("y0", "y1", ...)`` for several."""
    return ("y",) if m == 1 else tuple(f"y{i}" for i in range(m))


def evaluate(
    model: Model,
    names: Sequence[str],
    columns: FloatArray,
    *,
    what: str | Callable[[int], str] = "the inputs",
) -> tuple[tuple[str, ...], FloatArray]:
    """Evaluate ``model`` on the columns of ``columns`` (n_inputs × L) in one call.

    Returns the output names and a finite (m × L) array; raises ModelEvaluationError on a
    wrong shape or a non-finite value (naming the first offending column via ``what``).
    """
    length = columns.shape[1]
    out = call_model(model, {name: columns[i] for i, name in enumerate(names)})
    out_names, parts = split_outputs(out)
    if not parts:
        raise ModelEvaluationError("the model returned no output")
    rows = np.empty((len(parts), length), dtype=np.float64)
    labels = out_names or default_names(len(parts))
    for k, part in enumerate(parts):
        try:
            arr = np.asarray(part, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ModelEvaluationError(
                f"output {labels[k]!r} is not numeric ({type(part).__name__})"
            ) from exc
        if arr.shape not in ((), (1,), (length,)):
            raise ModelEvaluationError(
                f"output {labels[k]!r} has shape {arr.shape}, expected ({length},) like the "
                "inputs (or a scalar)"
            )
        rows[k] = arr
    bad = ~np.isfinite(rows)
    if bad.any():
        k, col = (int(v[0]) for v in np.nonzero(bad))
        raise ModelEvaluationError(
            f"output {labels[k]!r} is {rows[k, col]} at {what_at(what, col, names, columns)}"
        )
    return labels, rows


def what_at(what: str | Callable[[int], str], col: int, names: Sequence[str], cols: Any) -> str:
    """Describe column ``col``: a caller-given callable, or the input values there."""
    if callable(what):
        return what(col)
    shown = ", ".join(f"{n}={cols[i, col]:.6g}" for i, n in enumerate(names[:8]))
    more = ", ..." if len(names) > 8 else ""
    return f"{what} ({shown}{more})"
