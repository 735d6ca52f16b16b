"""Distributions bounded to [low, high]: rectangular, triangular, arcsine, trapezoids.

>>> Rectangular(-1.0, 1.0).mean
0.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from tanzuji.errors import DistributionError
from tanzuji.uncertainty._base import Distribution, FloatArray, _dof, _f64, _limits, _q, _real

__all__ = [
    "Arcsine",
    "CurvilinearTrapezoid",
    "Rectangular",
    "Trapezoid",
    "Triangular",
]


@dataclass(frozen=True, init=False)
class Rectangular(Distribution):
    """Uniform on [low, high]: u = (high − low)/√12 (MPE ±a gives u = a/√3).

    >>> round(Rectangular.centred(1.0, 0.02).u, 6)  # class 2 meter, MPE ±2 %
    0.011547
    """

    kind: ClassVar[str] = "rectangular"
    low: float
    high: float
    dof: float = math.inf

    def __init__(self, low: float, high: float, dof: float = math.inf) -> None:
        lo, hi = _limits("Rectangular", low, high)
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)
        object.__setattr__(self, "dof", _dof("Rectangular", dof))

    @classmethod
    def centred(cls, value: float, half_width: float, dof: float = math.inf) -> Rectangular:
        """Uniform on value ± half_width (half_width > 0), e.g. from an MPE."""
        x = _real("Rectangular.centred", "value", value)
        a = _real("Rectangular.centred", "half_width", half_width)
        if not a > 0:
            raise DistributionError(f"Rectangular.centred: half_width must be > 0, got {a!r}")
        return cls(x - a, x + a, dof)

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def u(self) -> float:
        return (self.high - self.low) / math.sqrt(12.0)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.uniform(self.low, self.high, size)

    def _sample_into(self, rng: np.random.Generator, out: FloatArray) -> None:
        # numpy's uniform is low + (high − low)·r over the same stream as random()
        rng.random(out=out)
        out *= self.high - self.low
        out += self.low

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return self.low + (self.high - self.low) * _q(q)


@dataclass(frozen=True, init=False)
class Triangular(Distribution):
    """Triangular on [low, high] with peak at ``mode`` (None: the midpoint).

    >>> round(Triangular(-1.0, 1.0).u, 6)  # a/√6
    0.408248
    """

    kind: ClassVar[str] = "triangular"
    low: float
    high: float
    mode: float
    dof: float = math.inf

    def __init__(
        self, low: float, high: float, mode: float | None = None, dof: float = math.inf
    ) -> None:
        lo, hi = _limits("Triangular", low, high)
        c = 0.5 * (lo + hi) if mode is None else _real("Triangular", "mode", mode)
        if not lo <= c <= hi:
            raise DistributionError(
                f"Triangular: mode must lie in [low, high] = [{lo!r}, {hi!r}], got {c!r}"
            )
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)
        object.__setattr__(self, "mode", c)
        object.__setattr__(self, "dof", _dof("Triangular", dof))

    @property
    def mean(self) -> float:
        return (self.low + self.high + self.mode) / 3.0

    @property
    def u(self) -> float:
        a, b, c = self.low, self.high, self.mode
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return self.ppf(rng.random(size))

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        p = _q(q)
        a, b, c = self.low, self.high, self.mode
        fc = (c - a) / (b - a)
        left = a + np.sqrt(p * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - p) * (b - a) * (b - c))
        return np.where(p < fc, left, right)


@dataclass(frozen=True, init=False)
class Arcsine(Distribution):
    """Arcsine (U-shaped) on [low, high]: u = (high − low)/(2√2), e.g. a cyclic variation.

    >>> round(Arcsine(-1.0, 1.0).u, 6)
    0.707107
    """

    kind: ClassVar[str] = "arcsine"
    low: float
    high: float
    dof: float = math.inf

    def __init__(self, low: float, high: float, dof: float = math.inf) -> None:
        lo, hi = _limits("Arcsine", low, high)
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)
        object.__setattr__(self, "dof", _dof("Arcsine", dof))

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def u(self) -> float:
        return (self.high - self.low) / (2.0 * math.sqrt(2.0))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return self.ppf(rng.random(size))

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return self.mean - 0.5 * (self.high - self.low) * np.cos(np.pi * _q(q))


@dataclass(frozen=True, init=False)
class Trapezoid(Distribution):
    """Symmetric trapezoid on [low, high] (JCGM 101 6.4.4); ``beta`` = top width / base width.

    beta = 0 is triangular and beta = 1 rectangular; u² = (b − a)²(1 + β²)/24.

    >>> round(Trapezoid(-1.0, 1.0, 0.71).u, 4)  # JJF 1059.1: a/k with k ≈ 2
    0.5007
    """

    kind: ClassVar[str] = "trapezoid"
    low: float
    high: float
    beta: float
    dof: float = math.inf

    def __init__(self, low: float, high: float, beta: float, dof: float = math.inf) -> None:
        lo, hi = _limits("Trapezoid", low, high)
        bt = _real("Trapezoid", "beta", beta)
        if not 0.0 <= bt <= 1.0:
            raise DistributionError(f"Trapezoid: beta must lie in [0, 1], got {beta!r}")
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)
        object.__setattr__(self, "beta", bt)
        object.__setattr__(self, "dof", _dof("Trapezoid", dof))

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def u(self) -> float:
        return (self.high - self.low) * math.sqrt((1.0 + self.beta**2) / 24.0)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        # JCGM 101 6.4.4.4: a + (b − a)/2 · ((1 + β) r1 + (1 − β) r2)
        r1, r2 = rng.random(size), rng.random(size)
        return self.low + 0.5 * (self.high - self.low) * (
            (1.0 + self.beta) * r1 + (1.0 - self.beta) * r2
        )

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        p = _q(q)
        s = 0.5 * (1.0 - self.beta)  # ramp width on the unit interval
        h = 2.0 / (1.0 + self.beta)  # height of the top
        q1 = 0.5 * h * s  # probability under one ramp
        with np.errstate(divide="ignore", invalid="ignore"):
            ramp_lo = np.sqrt(2.0 * s * p / h)
            ramp_hi = 1.0 - np.sqrt(2.0 * s * (1.0 - p) / h)
        mid = s + (p - q1) / h
        t = np.where(p <= q1, ramp_lo, np.where(p >= 1.0 - q1, ramp_hi, mid))
        return self.low + (self.high - self.low) * t


@dataclass(frozen=True, init=False)
class CurvilinearTrapezoid(Distribution):
    """Rectangular on [low, high] whose limits are only known to ±d (JCGM 101 6.4.3).

    The midpoint is exact; the half-width is uniform on w ± d with w = (high − low)/2,
    0 ≤ d ≤ w. u² = (high − low)²/12 + d²/9 (JCGM 101 6.4.3.3).

    >>> round(CurvilinearTrapezoid(-1.0, 1.0, 0.1).u, 6)
    0.578312
    """

    kind: ClassVar[str] = "curvilinear trapezoid"
    low: float
    high: float
    d: float
    dof: float = math.inf

    def __init__(self, low: float, high: float, d: float, dof: float = math.inf) -> None:
        lo, hi = _limits("CurvilinearTrapezoid", low, high)
        dd = _real("CurvilinearTrapezoid", "d", d)
        if not 0.0 <= dd <= 0.5 * (hi - lo):
            raise DistributionError(
                f"CurvilinearTrapezoid: d must lie in [0, (high − low)/2] = "
                f"[0, {0.5 * (hi - lo)!r}], got {d!r}"
            )
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)
        object.__setattr__(self, "d", dd)
        object.__setattr__(self, "dof", _dof("CurvilinearTrapezoid", dof))

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def u(self) -> float:
        return math.sqrt((self.high - self.low) ** 2 / 12.0 + self.d**2 / 9.0)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        # JCGM 101 6.4.3.4: a_s = (a − d) + 2d r1, b_s = (a + b) − a_s, ξ = a_s + (b_s − a_s) r2
        r1, r2 = rng.random(size), rng.random(size)
        a_s = (self.low - self.d) + 2.0 * self.d * r1
        b_s = (self.low + self.high) - a_s
        return a_s + (b_s - a_s) * r2

    def cdf(self, x: npt.ArrayLike) -> FloatArray:
        """The distribution function (closed form)."""
        w, d = 0.5 * (self.high - self.low), self.d
        t = np.abs(_q(x) - self.mean)
        if d == 0.0:
            half = np.minimum(t, w) / (2.0 * w)
        else:
            lo, hi = w - d, w + d
            flat = np.log(hi / lo) / (4.0 * d) if lo > 0 else 0.0
            s = np.clip(t, lo, hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                slnx = np.where(s > 0, s * np.log(np.where(s > 0, s, 1.0)), 0.0)
                lo_ln = lo * math.log(lo) if lo > 0 else 0.0
            tail = (math.log(hi) * (s - lo) - (slnx - s) + (lo_ln - lo)) / (4.0 * d)
            half = np.where(t <= lo, t * flat, lo * flat + tail)
        return np.clip(0.5 + np.sign(_q(x) - self.mean) * half, 0.0, 1.0)

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        p = _q(q)
        if self.d == 0.0:
            return self.low + (self.high - self.low) * p
        span = 0.5 * (self.high - self.low) + self.d
        lo = np.full(p.shape, self.mean - span)
        hi = np.full(p.shape, self.mean + span)
        for _ in range(60):  # bisection: 2^-60 of the support, below float resolution
            mid = 0.5 * (lo + hi)
            below = self.cdf(mid) < p
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return _f64(0.5 * (lo + hi))
