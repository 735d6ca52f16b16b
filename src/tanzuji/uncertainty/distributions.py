"""Probability distributions of input quantities (JCGM 101 §6.4, JJF 1059.1 Type B).

Every distribution is a frozen dataclass with

* ``mean``, ``estimate`` — the expectation, used as the GUM estimate x;
* ``u`` — the standard uncertainty used by the GUM framework (``gum``);
* ``sd`` — the standard deviation of the distribution (equal to ``u`` except for
  :class:`StudentT`, whose ``u`` is its scale);
* ``dof`` — the degrees of freedom of ``u`` (``inf`` unless given), used only by the
  Welch–Satterthwaite formula; Monte Carlo samples the distribution as stated;
* ``sample(rng, size)`` and ``ppf(q)``; ``from_standard_normal(z)`` maps standard normal
  draws to draws of this distribution (exact for :class:`Normal` and :class:`LogNormal`,
  through the quantile function otherwise), which is how correlated inputs are sampled
  (Gaussian copula).

>>> Rectangular(9.0, 11.0).u  # (b − a)/√12
0.5773502691896258
>>> from_default_bounds(10.0, 8.0, 11.0)  # JJF Appendix C: half-width max(|11−10|, |10−8|)
Rectangular(low=8.0, high=12.0, dof=inf)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from tanzuji.errors import DistributionError
from tanzuji.uncertainty._base import Distribution, FloatArray, _dof, _f64, _q, _real
from tanzuji.uncertainty.bounded import (
    Arcsine,
    CurvilinearTrapezoid,
    Rectangular,
    Trapezoid,
    Triangular,
)

__all__ = [
    "Arcsine",
    "Constant",
    "CurvilinearTrapezoid",
    "Distribution",
    "FloatArray",
    "LogNormal",
    "Normal",
    "Rectangular",
    "StudentT",
    "Trapezoid",
    "Triangular",
    "from_default_bounds",
    "from_expanded",
]


def _ndtri(q: FloatArray) -> FloatArray:
    """The standard normal quantile (scipy imported on first use: start-up time)."""
    from scipy.special import ndtri

    return _f64(ndtri(q))


def _t_ppf(q: FloatArray, dof: float) -> FloatArray:
    """The Student t quantile (scipy.stats imported on first use: start-up time)."""
    from scipy import stats

    return _f64(stats.t.ppf(q, dof))


@dataclass(frozen=True, init=False)
class Normal(Distribution):
    """Gaussian N(mean, sd²); ``dof`` are those of ``sd`` (e.g. n − 1 for a Type A mean).

    >>> Normal(10.0, 0.2).u
    0.2
    >>> Normal.from_expanded(10.0, 0.5, k=2).sd
    0.25
    """

    kind: ClassVar[str] = "normal"
    mean_: float
    sd_: float
    dof: float = math.inf

    def __init__(self, mean: float, sd: float, dof: float = math.inf) -> None:
        object.__setattr__(self, "mean_", _real("Normal", "mean", mean))
        s = _real("Normal", "sd", sd)
        if not s > 0:
            raise DistributionError(f"Normal: sd must be > 0, got {sd!r}")
        object.__setattr__(self, "sd_", s)
        object.__setattr__(self, "dof", _dof("Normal", dof))

    def __repr__(self) -> str:
        return f"Normal(mean={self.mean_!r}, sd={self.sd_!r}, dof={self.dof!r})"

    @classmethod
    def from_expanded(cls, value: float, U: float, k: float = 2.0, dof: float = math.inf) -> Normal:
        """From an expanded uncertainty ``U`` with coverage factor ``k``: sd = U/k."""
        kk = _real("Normal.from_expanded", "k", k)
        if not kk > 0:
            raise DistributionError(f"Normal.from_expanded: k must be > 0, got {k!r}")
        return cls(value, _real("Normal.from_expanded", "U", U) / kk, dof)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def u(self) -> float:
        return self.sd_

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.normal(self.mean_, self.sd_, size)

    def _sample_into(self, rng: np.random.Generator, out: FloatArray) -> None:
        # numpy's normal is loc + scale·z over the same standard normal stream
        rng.standard_normal(out=out)
        out *= self.sd_
        out += self.mean_

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return _f64(self.mean_ + self.sd_ * _ndtri(_q(q)))

    def from_standard_normal(self, z: FloatArray) -> FloatArray:
        return self.mean_ + self.sd_ * z


@dataclass(frozen=True, init=False)
class StudentT(Distribution):
    """Scaled and shifted t: mean + scale·t_dof (JCGM 101 6.4.9, a Type A evaluation).

    In the GUM framework its standard uncertainty is ``scale`` with ``dof`` degrees of
    freedom; Monte Carlo samples the t distribution, whose standard deviation ``sd`` is
    scale·√(ν/(ν − 2)) (infinite for ν ≤ 2).

    >>> t = StudentT.from_observations([10.1, 10.3, 9.9, 10.0, 10.2])
    >>> round(t.mean, 6), round(t.u, 6), t.dof
    (10.1, 0.070711, 4.0)
    """

    kind: ClassVar[str] = "student-t"
    location: float
    scale: float
    dof: float

    def __init__(self, mean: float, scale: float, dof: float) -> None:
        object.__setattr__(self, "location", _real("StudentT", "mean", mean))
        s = _real("StudentT", "scale", scale)
        if not s > 0:
            raise DistributionError(f"StudentT: scale must be > 0, got {scale!r}")
        object.__setattr__(self, "scale", s)
        object.__setattr__(self, "dof", _dof("StudentT", dof))

    def __repr__(self) -> str:
        return f"StudentT(mean={self.location!r}, scale={self.scale!r}, dof={self.dof!r})"

    @classmethod
    def from_observations(cls, values: Sequence[float] | FloatArray) -> StudentT:
        """Type A: mean of n ≥ 2 observations, scale s/√n, dof n − 1."""
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
            raise DistributionError(
                "StudentT.from_observations: need at least 2 finite observations"
            )
        s = float(np.std(x, ddof=1))
        if not s > 0:
            raise DistributionError("StudentT.from_observations: all observations are equal")
        return cls(float(np.mean(x)), s / math.sqrt(x.size), x.size - 1)

    @property
    def mean(self) -> float:
        return self.location

    @property
    def u(self) -> float:
        return self.scale

    @property
    def sd(self) -> float:
        if self.dof <= 2:
            return math.inf
        return self.scale * math.sqrt(self.dof / (self.dof - 2.0))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        if math.isinf(self.dof):
            return rng.normal(self.location, self.scale, size)
        return self.location + self.scale * rng.standard_t(self.dof, size)

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        if math.isinf(self.dof):
            return _f64(self.location + self.scale * _ndtri(_q(q)))
        return _f64(self.location + self.scale * _t_ppf(_q(q), self.dof))


@dataclass(frozen=True, init=False)
class LogNormal(Distribution):
    """Log-normal given by its **mean** (expectation) and **standard deviation** ``sd``.

    The GUM estimate is the mean and u = sd, so GUM and Monte Carlo use the same first two
    moments. ln X ~ N(μ, σ²) with σ² = ln(1 + (sd/mean)²) and μ = ln(mean) − σ²/2; the
    median exp(μ) is below the mean. To start from a median and a geometric standard
    deviation (as in IPCC/ecoinvent pedigree data) use :meth:`from_median_gsd`.

    >>> ln = LogNormal.from_median_gsd(1.0, math.e)
    >>> round(ln.mean, 6), round(ln.median, 6)
    (1.648721, 1.0)
    """

    kind: ClassVar[str] = "log-normal"
    mean_: float
    sd_: float
    dof: float = math.inf

    def __init__(self, mean: float, sd: float, dof: float = math.inf) -> None:
        m = _real("LogNormal", "mean", mean)
        s = _real("LogNormal", "sd", sd)
        if not m > 0:
            raise DistributionError(f"LogNormal: mean must be > 0, got {mean!r}")
        if not s > 0:
            raise DistributionError(f"LogNormal: sd must be > 0, got {sd!r}")
        object.__setattr__(self, "mean_", m)
        object.__setattr__(self, "sd_", s)
        object.__setattr__(self, "dof", _dof("LogNormal", dof))

    def __repr__(self) -> str:
        return f"LogNormal(mean={self.mean_!r}, sd={self.sd_!r}, dof={self.dof!r})"

    @classmethod
    def from_median_gsd(cls, median: float, gsd: float, dof: float = math.inf) -> LogNormal:
        """From the median exp(μ) and the geometric standard deviation exp(σ) > 1."""
        md = _real("LogNormal.from_median_gsd", "median", median)
        g = _real("LogNormal.from_median_gsd", "gsd", gsd)
        if not md > 0:
            raise DistributionError(f"LogNormal.from_median_gsd: median must be > 0, got {md!r}")
        if not g > 1:
            raise DistributionError(f"LogNormal.from_median_gsd: gsd must be > 1, got {g!r}")
        s2 = math.log(g) ** 2
        mean = md * math.exp(0.5 * s2)
        return cls(mean, mean * math.sqrt(math.expm1(s2)), dof)

    @property
    def sigma(self) -> float:
        """σ, the standard deviation of ln X."""
        return math.sqrt(math.log1p((self.sd_ / self.mean_) ** 2))

    @property
    def mu(self) -> float:
        """μ, the mean of ln X."""
        return math.log(self.mean_) - 0.5 * self.sigma**2

    @property
    def median(self) -> float:
        return math.exp(self.mu)

    @property
    def gsd(self) -> float:
        """The geometric standard deviation exp(σ)."""
        return math.exp(self.sigma)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def u(self) -> float:
        return self.sd_

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.lognormal(self.mu, self.sigma, size)

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return _f64(np.exp(self.mu + self.sigma * _ndtri(_q(q))))

    def from_standard_normal(self, z: FloatArray) -> FloatArray:
        return np.exp(self.mu + self.sigma * z)


@dataclass(frozen=True, init=False)
class Constant(Distribution):
    """An exactly known value (u = 0).

    >>> Constant(3.0).u
    0.0
    """

    kind: ClassVar[str] = "constant"
    value: float
    dof: float = math.inf

    def __init__(self, value: float) -> None:
        object.__setattr__(self, "value", _real("Constant", "value", value))
        object.__setattr__(self, "dof", math.inf)

    def __repr__(self) -> str:
        return f"Constant({self.value!r})"

    @property
    def mean(self) -> float:
        return self.value

    @property
    def u(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return np.full(size, self.value)

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return np.full(np.shape(q), self.value)

    def from_standard_normal(self, z: FloatArray) -> FloatArray:
        return np.full(z.shape, self.value)


def from_expanded(value: float, U: float, k: float = 2.0, dof: float = math.inf) -> Normal:
    """Normal from a certificate's expanded uncertainty ``U`` and coverage factor ``k``.

    >>> round(from_expanded(100.0, 0.6, k=3).u, 12)
    0.2
    """
    return Normal.from_expanded(value, U, k, dof)


def from_default_bounds(
    value: float, minimum: float, maximum: float, dof: float = math.inf
) -> Rectangular | Constant:
    """A secondary (default) value with plausible bounds (JJF draft, Appendix C, C.1).

    Rectangular centred on ``value`` with the conservative half-width
    a = max(|maximum − value|, |value − minimum|), so u = a/√3. Bounds equal to the value
    give a :class:`Constant`. The value must lie within the bounds.

    >>> round(from_default_bounds(0.58, 0.50, 0.62).u, 6)  # a = 0.08
    0.046188
    """
    x = _real("from_default_bounds", "value", value)
    lo = _real("from_default_bounds", "minimum", minimum)
    hi = _real("from_default_bounds", "maximum", maximum)
    if not lo <= x <= hi:
        raise DistributionError(
            f"from_default_bounds: value {x!r} must lie within [minimum, maximum] = "
            f"[{lo!r}, {hi!r}]"
        )
    a = max(abs(hi - x), abs(x - lo))
    if a == 0:
        return Constant(x)
    return Rectangular.centred(x, a, dof)
