"""Base class and parameter checks of the input distributions (see ``distributions``)."""

from __future__ import annotations

import gc
import math
import numbers
import struct
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from tanzuji.errors import DistributionError, UncertaintyError

__all__ = ["Distribution", "FloatArray", "ParameterError", "gc_paused"]

FloatArray = npt.NDArray[np.float64]


class ParameterError(UncertaintyError, ValueError):
    """An impossible argument to an engine function (p outside (0, 1), k ≤ 0, trials < 2...).

    >>> isinstance(ParameterError("p must lie in (0, 1)"), ValueError)
    True
    """


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    Tens of thousands of new objects (tracers, budget rows) would otherwise trigger dozens
    of collections, and a full one traverses every object of the process.

    >>> with gc_paused():
    ...     rows = [(i, float(i)) for i in range(10_000)]
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _real(owner: str, name: str, value: Any, *, allow_inf: bool = False) -> float:
    """``value`` as a float, refusing bools, non-numbers, NaN and (unless allowed) ±inf."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DistributionError(f"{owner}: {name} must be a real number, got {value!r}")
    x = float(value)
    if math.isnan(x) or (math.isinf(x) and not allow_inf):
        raise DistributionError(f"{owner}: {name} must be finite, got {value!r}")
    return x


def _dof(owner: str, value: Any) -> float:
    x = _real(owner, "dof", value, allow_inf=True)
    if not x > 0:
        raise DistributionError(f"{owner}: dof must be > 0, got {value!r}")
    return x


def _limits(owner: str, low: Any, high: Any) -> tuple[float, float]:
    lo, hi = _real(owner, "low", low), _real(owner, "high", high)
    if not lo < hi:
        raise DistributionError(f"{owner}: low must be < high, got low={lo!r}, high={hi!r}")
    return lo, hi


def _f64(x: Any) -> FloatArray:
    """``x`` as a float64 array (also narrows the ``Any`` that scipy returns)."""
    return np.asarray(x, dtype=np.float64)


def _q(q: npt.ArrayLike) -> FloatArray:
    return np.asarray(q, dtype=np.float64)


class Distribution(ABC):
    """Base class of the input distributions (see ``tanzuji.uncertainty.distributions``).

    >>> from tanzuji.uncertainty import Normal
    >>> d = Normal(1.0, 0.5)
    >>> isinstance(d, Distribution), d.estimate, d.moments
    (True, 1.0, (1.0, 0.5, inf))
    """

    kind: ClassVar[str] = "distribution"
    dof: float

    @property
    @abstractmethod
    def mean(self) -> float:
        """The expectation (the location for a :class:`StudentT` with dof ≤ 1)."""

    @cached_property
    def moments(self) -> tuple[float, float, float]:
        """(estimate, u, dof), computed once per instance."""
        return (self.mean, self.u, self.dof)

    @cached_property
    def _packed_moments(self) -> bytes:
        """:attr:`moments` as three native doubles (10⁴ inputs are read in one numpy call)."""
        return struct.pack("=3d", *self.moments)

    @property
    def estimate(self) -> float:
        """The GUM estimate x of the quantity: its expectation."""
        return self.mean

    @property
    @abstractmethod
    def u(self) -> float:
        """The standard uncertainty u(x) used by the GUM framework."""

    @property
    def sd(self) -> float:
        """The standard deviation of the distribution."""
        return self.u

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` independent draws."""

    def _sample_into(self, rng: np.random.Generator, out: FloatArray) -> None:
        """Write the draws of ``sample(rng, out.size)`` into the 1-D ``out``.

        Subclasses generate in place where numpy allows it, bit for bit the same draws.

        >>> from tanzuji.uncertainty import Normal
        >>> row = np.empty(3)
        >>> Normal(1.0, 2.0)._sample_into(np.random.default_rng(5), row)
        >>> bool(np.array_equal(row, Normal(1.0, 2.0).sample(np.random.default_rng(5), 3)))
        True
        """
        out[...] = self.sample(rng, out.shape[0])

    @abstractmethod
    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        """The quantile function (inverse distribution function) at probabilities ``q``."""

    def from_standard_normal(self, z: FloatArray) -> FloatArray:
        """Draws of this distribution from standard normal draws ``z`` (same shape)."""
        from scipy.special import ndtr  # lazy: scipy costs start-up time

        return self.ppf(ndtr(z))
