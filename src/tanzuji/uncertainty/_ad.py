"""Reverse-mode automatic differentiation of a scalar Python/numpy model (private).

The model is called once with :class:`Tracer` objects in place of the input arrays.
Arithmetic operators and the common numpy ufuncs record their local derivatives on a
tape; one backward sweep per output then gives every sensitivity coefficient, in time
proportional to the number of operations (20 000 inputs cost about as much as one model
evaluation). Anything the tracer does not understand (``float(x)``, ``np.where``,
indexing, array-valued intermediates...) raises :class:`TraceError`, and the caller falls
back to finite differences. Unless the tape is ``exact`` (see :class:`Tape`), the caller
also cross-checks the traced derivatives against a central difference along a random
direction, so a model that escapes the tape silently is caught as well.

>>> tape = Tape()
>>> a, b = tape.variable(2.0), tape.variable(3.0)
>>> y = a * b + np.exp(a - 2.0)
>>> y.value, tape.gradient(y, 2)
(7.0, [4.0, 2.0])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

import numpy as np

__all__ = ["Tape", "TraceError", "Tracer"]


_SCALARS = frozenset({float, int, np.float64})
#: Operations whose recorded derivatives are exact everywhere they are finite.
_EXACT = frozenset({"add", "subtract", "multiply", "true_divide", "negative", "positive"})
#: The record of an independent variable (no parents).
_ROOT = (-1, 0.0, -1, 0.0)


class TraceError(TypeError):
    """The model did something the tracer cannot differentiate."""


def _const(x: Any) -> float | None:
    """A plain real scalar as float, or None if ``x`` is not one."""
    if isinstance(x, bool):
        return None
    if isinstance(x, numbers.Real):
        return float(x)
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "fiu":
        return float(x)
    return None


class Tape:
    """The record of one traced evaluation: ≤ 2 parents and local derivatives per node.

    Node j is ``rec[j] = (parent1, d/d parent1, parent2, d/d parent2)``, −1 for no parent.
    ``exact`` stays True while every node is a + − × ÷ or a negation of tracers and
    constants and nothing has compared a tracer or read its ``value``: the recorded
    derivatives are then exact by construction (see ``_jacobian``).
    """

    __slots__ = ("exact", "rec")

    def __init__(self) -> None:
        self.rec: list[tuple[int, float, int, float]] = []
        self.exact = True

    def variable(self, value: float) -> Tracer:
        """A new independent variable (inputs must be created first, in order)."""
        return Tracer(self, value, -1, 0.0, -1, 0.0)

    def variables(self, values: Iterable[float]) -> list[Tracer]:
        """One new independent variable per value, in order (a fast :meth:`variable`)."""
        rec, out = self.rec, []
        for v in values:
            r = _new(Tracer)
            r.tape, r.index, r._val = self, len(rec), v
            rec.append(_ROOT)
            out.append(r)
        return out

    def gradient(self, out: Tracer | float, n_inputs: int) -> list[float]:
        """d out / d input_i for the first ``n_inputs`` variables (one backward sweep)."""
        if not isinstance(out, Tracer):
            return [0.0] * n_inputs
        if out.tape is not self:
            raise TraceError("output traced on another tape")
        rec, top = self.rec, out.index
        adj = [0.0] * max(top + 1, n_inputs)
        adj[top] = 1.0
        # nodes top, top − 1, ..., n_inputs with their adjoints, read as the sweep reaches
        # them (a node's adjoint is complete then: its children all come after it)
        nodes = zip(islice(reversed(rec), len(rec) - 1 - top, None), reversed(adj), strict=True)
        for (p1, g1, p2, g2), a in islice(nodes, max(0, top + 1 - n_inputs)):
            if a:
                adj[p1] += a * g1
                if p2 >= 0:
                    adj[p2] += a * g2
        return adj[:n_inputs]


# name -> (value function, derivative as a function of (x, f(x)))
_UNARY: dict[str, tuple[Callable[[float], float], Callable[[float, float], float]]] = {
    "negative": (lambda x: -x, lambda x, y: -1.0),
    "positive": (lambda x: x, lambda x, y: 1.0),
    "exp": (math.exp, lambda x, y: y),
    "expm1": (math.expm1, lambda x, y: y + 1.0),
    "exp2": (lambda x: 2.0**x, lambda x, y: y * math.log(2.0)),
    "log": (lambda x: float(np.log(x)), lambda x, y: 1.0 / x),
    "log2": (lambda x: float(np.log2(x)), lambda x, y: 1.0 / (x * math.log(2.0))),
    "log10": (lambda x: float(np.log10(x)), lambda x, y: 1.0 / (x * math.log(10.0))),
    "log1p": (lambda x: float(np.log1p(x)), lambda x, y: 1.0 / (1.0 + x)),
    "sqrt": (lambda x: float(np.sqrt(x)), lambda x, y: 0.5 / y),
    "cbrt": (lambda x: float(np.cbrt(x)), lambda x, y: 1.0 / (3.0 * y * y)),
    "square": (lambda x: x * x, lambda x, y: 2.0 * x),
    "reciprocal": (lambda x: 1.0 / x, lambda x, y: -y * y),
    "absolute": (abs, lambda x, y: float(np.sign(x))),
    "fabs": (abs, lambda x, y: float(np.sign(x))),
    "sin": (math.sin, lambda x, y: math.cos(x)),
    "cos": (math.cos, lambda x, y: -math.sin(x)),
    "tan": (math.tan, lambda x, y: 1.0 + y * y),
    "arcsin": (math.asin, lambda x, y: 1.0 / math.sqrt(1.0 - x * x)),
    "arccos": (math.acos, lambda x, y: -1.0 / math.sqrt(1.0 - x * x)),
    "arctan": (math.atan, lambda x, y: 1.0 / (1.0 + x * x)),
    "sinh": (math.sinh, lambda x, y: math.cosh(x)),
    "cosh": (math.cosh, lambda x, y: math.sinh(x)),
    "tanh": (math.tanh, lambda x, y: 1.0 - y * y),
}


class Tracer:
    """A scalar value being traced (stands in for an input array during one evaluation).

    The hot operators (+ − × ÷ with a tracer or a plain number) build their result inline,
    without a constructor call: a traced operation costs a few tenths of a microsecond.
    """

    __slots__ = ("_val", "index", "tape")
    __array_priority__ = 1000.0
    shape: tuple[int, ...] = ()  # so that np.shape(x) and broadcasting helpers work
    ndim = 0
    size = 1
    _val: float
    index: int
    tape: Tape

    def __init__(self, tape: Tape, value: float, p1: int, g1: float, p2: int, g2: float) -> None:
        rec = tape.rec
        self.tape = tape
        self.index = len(rec)
        self._val = value
        rec.append((p1, g1, p2, g2))

    @property
    def value(self) -> float:
        """The value at the estimates (a model reading it escapes the tape: not exact)."""
        self.tape.exact = False
        return self._val

    # --- arithmetic -------------------------------------------------------------------
    def _bin(self, other: Any, op: str, reverse: bool = False) -> Tracer:
        if isinstance(other, Tracer):
            if other.tape is not self.tape:
                raise TraceError("tracers from different tapes")
            a, b = (other, self) if reverse else (self, other)
            return _binary(op, a._val, b._val, a.index, b.index, self.tape)
        c = _const(other)
        if c is None:
            raise TraceError(f"cannot trace {op} with {type(other).__name__}")
        if reverse:
            return _binary(op, c, self._val, None, self.index, self.tape)
        return _binary(op, self._val, c, self.index, None, self.tape)

    def __add__(self, o: Any) -> Tracer:
        t = self.tape
        if type(o) in _SCALARS:
            rec = t.rec
            r = _new(Tracer)
            r.tape, r.index, r._val = t, len(rec), self._val + o
            rec.append((self.index, 1.0, -1, 0.0))
            return r
        if type(o) is Tracer and o.tape is t:
            rec = t.rec
            r = _new(Tracer)
            r.tape, r.index, r._val = t, len(rec), self._val + o._val
            rec.append((self.index, 1.0, o.index, 1.0))
            return r
        return self._bin(o, "add")

    __radd__ = __add__

    def __sub__(self, o: Any) -> Tracer:
        t = self.tape
        if type(o) in _SCALARS:
            rec = t.rec
            r = _new(Tracer)
            r.tape, r.index, r._val = t, len(rec), self._val - o
            rec.append((self.index, 1.0, -1, 0.0))
            return r
        if type(o) is Tracer and o.tape is t:
            rec = t.rec
            r = _new(Tracer)
            r.tape, r.index, r._val = t, len(rec), self._val - o._val
            rec.append((self.index, 1.0, o.index, -1.0))
            return r
        return self._bin(o, "subtract")

    def __rsub__(self, o: Any) -> Tracer:
        if type(o) in _SCALARS:
            t = self.tape
            rec = t.rec
            r = _new(Tracer)
            r.tape, r.index, r._val = t, len(rec), o - self._val
            rec.append((self.index, -1.0, -1, 0.0))
            return r
        return self._bin(o, "subtract", True)

    def __mul__(self, o: Any) -> Tracer:
        t = self.tape
        if type(o) in _SCALARS:
            rec = t.rec
            r = _new(Tracer)
            r.tape, r.index, r._val = t, len(rec), self._val * o
            rec.append((self.index, o, -1, 0.0))  # o: float, int or np.float64
            return r
        if type(o) is Tracer and o.tape is t:
            rec = t.rec
            r = _new(Tracer)
            r.tape, r.index, r._val = t, len(rec), self._val * o._val
            rec.append((self.index, o._val, o.index, self._val))
            return r
        return self._bin(o, "multiply")

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Tracer:
        t = self.tape
        if type(o) in _SCALARS and o != 0:
            return Tracer(t, self._val / o, self.index, 1.0 / o, -1, 0.0)
        if type(o) is Tracer and o.tape is t and o._val != 0:
            y = self._val / o._val
            return Tracer(t, y, self.index, 1.0 / o._val, o.index, -y / o._val)
        return self._bin(o, "true_divide")

    def __rtruediv__(self, o: Any) -> Tracer:
        if type(o) in _SCALARS and self._val != 0:
            y = o / self._val
            return Tracer(self.tape, y, self.index, -y / self._val, -1, 0.0)
        return self._bin(o, "true_divide", True)

    def __pow__(self, o: Any) -> Tracer:
        return self._bin(o, "power")

    def __rpow__(self, o: Any) -> Tracer:
        return self._bin(o, "power", True)

    def __neg__(self) -> Tracer:
        return Tracer(self.tape, -self._val, self.index, -1.0, -1, 0.0)

    def __pos__(self) -> Tracer:
        return self

    def __abs__(self) -> Tracer:
        self.tape.exact = False  # a kink at 0
        return Tracer(self.tape, abs(self._val), self.index, float(np.sign(self._val)), -1, 0.0)

    # --- comparisons (branching on the estimate is allowed, but no longer exact) -------
    def _other(self, o: Any) -> float:
        self.tape.exact = False
        if isinstance(o, Tracer):
            return o._val
        c = _const(o)
        if c is None:
            raise TraceError(f"cannot compare with {type(o).__name__}")
        return c

    def __lt__(self, o: Any) -> bool:
        return self._val < self._other(o)

    def __le__(self, o: Any) -> bool:
        return self._val <= self._other(o)

    def __gt__(self, o: Any) -> bool:
        return self._val > self._other(o)

    def __ge__(self, o: Any) -> bool:
        return self._val >= self._other(o)

    def __eq__(self, o: object) -> bool:
        return self._val == self._other(o)

    def __ne__(self, o: object) -> bool:
        return self._val != self._other(o)

    __hash__ = object.__hash__

    # --- conversions that would lose the derivative -----------------------------------
    def __bool__(self) -> bool:
        raise TraceError("truth value of a traced input")

    def __float__(self) -> float:
        raise TraceError("float() of a traced input")

    def __int__(self) -> int:
        raise TraceError("int() of a traced input")

    def __index__(self) -> int:
        raise TraceError("index of a traced input")

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TraceError("conversion of a traced input to an array")

    # --- numpy ---------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__" or kwargs:
            return NotImplemented
        name = ufunc.__name__
        if len(inputs) == 1 and name in _UNARY:
            (x,) = inputs
            fn, dfn = _UNARY[name]
            if name not in _EXACT:
                self.tape.exact = False
            with np.errstate(all="ignore"):
                y = float(fn(x._val))
                try:
                    g = float(dfn(x._val, y))
                except (ZeroDivisionError, ValueError, OverflowError):
                    g = math.nan
            return Tracer(self.tape, y, x.index, g, -1, 0.0)
        if len(inputs) == 2 and name in _BINARY_NAMES:
            a, b = inputs
            if isinstance(a, Tracer):
                return a._bin(b, _BINARY_NAMES[name])
            return b._bin(a, _BINARY_NAMES[name], True)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Tracer({self.value!r})"


_new = object.__new__  # a Tracer without the constructor call (see the hot operators)

_BINARY_NAMES = {
    "add": "add",
    "subtract": "subtract",
    "multiply": "multiply",
    "divide": "true_divide",
    "true_divide": "true_divide",
    "power": "power",
    "float_power": "power",
    "maximum": "maximum",
    "minimum": "minimum",
    "fmax": "maximum",
    "fmin": "minimum",
    "hypot": "hypot",
    "arctan2": "arctan2",
}


def _binary(op: str, a: float, b: float, ia: int | None, ib: int | None, tape: Tape) -> Tracer:
    """Value and partial derivatives of ``a op b``; ``ia``/``ib`` are None for constants."""
    if op not in _EXACT:
        tape.exact = False
    with np.errstate(all="ignore"):
        if op == "add":
            y, ga, gb = a + b, 1.0, 1.0
        elif op == "subtract":
            y, ga, gb = a - b, 1.0, -1.0
        elif op == "multiply":
            y, ga, gb = a * b, b, a
        elif op == "true_divide":
            y = float(np.divide(a, b))
            ga, gb = float(np.divide(1.0, b)), float(np.divide(-y, b))
        elif op == "power":
            y = float(np.power(a, b))
            ga = b * float(np.power(a, b - 1.0)) if b != 0 else 0.0
            gb = (
                y * math.log(a) if (ib is not None and a > 0) else (0.0 if ib is None else math.nan)
            )
        elif op == "maximum":
            y = max(a, b)
            ga, gb = (1.0, 0.0) if a > b else ((0.0, 1.0) if b > a else (0.5, 0.5))
        elif op == "minimum":
            y = min(a, b)
            ga, gb = (1.0, 0.0) if a < b else ((0.0, 1.0) if b < a else (0.5, 0.5))
        elif op == "hypot":
            y = math.hypot(a, b)
            ga, gb = (a / y, b / y) if y else (math.nan, math.nan)
        elif op == "arctan2":
            y = math.atan2(a, b)
            r2 = a * a + b * b
            ga, gb = (b / r2, -a / r2) if r2 else (math.nan, math.nan)
        else:  # pragma: no cover - guarded by _BINARY_NAMES
            raise TraceError(op)
    if ia is None:
        assert ib is not None
        return Tracer(tape, float(y), ib, gb, -1, 0.0)
    if ib is None:
        return Tracer(tape, float(y), ia, ga, -1, 0.0)
    return Tracer(tape, float(y), ia, ga, ib, gb)
