"""Reproducible, chunk-independent sampling of the inputs and coverage intervals (private).

Draws are generated in fixed **blocks** of trials. Block b uses its own generator,
``PCG64(SeedSequence(entropy, spawn_key=(b,)))``, and fills the correlated inputs first
(correlated standard normals z·Lᵀ mapped through each input's quantile function — exact
multivariate normal for :class:`Normal` inputs, a Gaussian copula otherwise), then each
independent input in input order. The block length depends only on the number of inputs
(about 2²¹ draws per block, 256 to 65 536 trials), never on the chunk size the caller
asks for, so a seed gives the same trials whatever the chunking.

>>> from tanzuji.uncertainty._model import prepare_inputs
>>> from tanzuji.uncertainty.distributions import Normal
>>> s = Sampler(prepare_inputs({"a": Normal(0.0, 1.0)}, None), entropy=1)
>>> bool(np.array_equal(s.draws(0, 10), np.hstack([s.draws(0, 3), s.draws(3, 10)])))
True
"""

from __future__ import annotations

import math

import numpy as np

from tanzuji.uncertainty._base import FloatArray
from tanzuji.uncertainty._model import Prepared

__all__ = ["Sampler", "block_trials", "coverage_index", "shortest_interval", "symmetric_interval"]

#: Target number of draws (inputs × trials) held by one block.
BLOCK_CELLS = 1 << 21


def block_trials(n_inputs: int) -> int:
    """Trials per block: a power of two, 256 ≤ B ≤ 65 536, B·n_inputs ≈ 2²¹."""
    per = max(1, BLOCK_CELLS // max(1, n_inputs))
    return 1 << max(8, min(16, int(math.log2(per))))


class Sampler:
    """Draws of all inputs for any range of trial indices (see the module docstring)."""

    def __init__(self, prep: Prepared, entropy: int) -> None:
        self.prep = prep
        self.entropy = entropy
        self.block = block_trials(len(prep.names))
        blk = prep.block
        correlated = set() if blk is None else {int(i) for i in blk.index}
        self._independent = [i for i in range(len(prep.names)) if i not in correlated]
        self._cache: tuple[int, FloatArray] | None = None

    def _make(self, b: int) -> FloatArray:
        if self._cache is not None and self._cache[0] == b:
            return self._cache[1]
        seq = np.random.SeedSequence(self.entropy, spawn_key=(b,))
        rng = np.random.Generator(np.random.PCG64(seq))
        size, dists = self.block, self.prep.dists
        out = np.empty((len(dists), size))
        blk = self.prep.block
        if blk is not None:
            z = rng.standard_normal((size, len(blk.names))) @ blk.factor.T
            for j, i in enumerate(blk.index):
                out[i] = dists[i].from_standard_normal(z[:, j])
        for i in self._independent:
            dists[i]._sample_into(rng, out[i])  # in place where possible, same draws
        self._cache = (b, out)
        return out

    def draws(self, start: int, stop: int) -> FloatArray:
        """Input draws (n_inputs × (stop − start)) of trials start, ..., stop − 1."""
        size = self.block
        parts = []
        for b in range(start // size, (stop - 1) // size + 1):
            lo = max(start, b * size) - b * size
            hi = min(stop, (b + 1) * size) - b * size
            parts.append(self._make(b)[:, lo:hi])
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)


def coverage_index(trials: int, p: float) -> int:
    """q = pM if pM is an integer, else ⌊pM + ½⌋ (JCGM 101 7.7.1)."""
    pm = p * trials
    return round(pm) if abs(pm - round(pm)) < 1e-9 else math.floor(pm + 0.5)


def symmetric_interval(sorted_values: FloatArray, p: float) -> tuple[float, float]:
    """Probabilistically symmetric interval [ỹ_(r), ỹ_(r+q)] (JCGM 101 7.7.1).

    r = (M − q)/2 if that is an integer, otherwise ⌊(M − q + 1)/2⌋ (1-based).

    >>> symmetric_interval(np.arange(1.0, 101.0), 0.9)
    (5.0, 95.0)
    """
    m = sorted_values.size
    q = coverage_index(m, p)
    r = (m - q) // 2 if (m - q) % 2 == 0 else (m - q + 1) // 2
    r = max(r, 1)
    return float(sorted_values[r - 1]), float(sorted_values[min(r - 1 + q, m - 1)])


def shortest_interval(sorted_values: FloatArray, p: float) -> tuple[float, float]:
    """Shortest interval [ỹ_(r*), ỹ_(r*+q)], r* minimising the length (JCGM 101 7.7.2).

    >>> shortest_interval(np.array([0.0, 1.0, 1.1, 1.2, 1.3, 5.0]), 0.5)
    (1.0, 1.3)
    """
    m = sorted_values.size
    q = coverage_index(m, p)
    widths = sorted_values[q:] - sorted_values[: m - q]
    r = int(np.argmin(widths))
    return float(sorted_values[r]), float(sorted_values[r + q])
