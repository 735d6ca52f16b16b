"""Propagation of distributions by Monte Carlo (JCGM 101:2008, JJF 1059.2-2012).

* ``trials=M`` runs M trials; ``trials=None`` runs the **adaptive procedure** of JCGM 101
  7.9: runs of M = max(⌈100/(1 − p)⌉, 10⁴) trials until twice the standard deviation of
  the run averages of y, u(y), y_low and y_high are all ≤ δ, the numerical tolerance of
  u(y) for ``ndig`` significant digits (δ = ½·10^ℓ, u(y) = c·10^ℓ, c an ndig-digit
  integer); all h·M values then give the results. The rule is applied from run
  ``min_runs`` on (default 10; ``min_runs=2`` is the literal JCGM 101 procedure): with two
  or three runs the standard deviations of the run averages are themselves so uncertain
  that the literal rule often stops after 2·10⁴ trials with intervals off by more than δ.
  ``max_trials`` bounds the procedure (``converged`` is False if it stopped there).
  To validate a GUM result to ``ndig`` digits, run the adaptive procedure with
  ``ndig + 1`` (or ≥ 10⁶ trials) so that the Monte Carlo noise is well below δ.
* y is the mean and u(y) the standard deviation (divisor M − 1) of the model values;
  ``interval`` is the shortest and ``symmetric_interval`` the probabilistically symmetric
  100p % coverage interval (JCGM 101 7.7).
* The model is called on chunks of ``chunk_size`` trials (vectorised, float64). Draws are
  reproducible from ``seed`` whatever the chunk size (see ``_sampling``); with
  ``seed=None`` a fresh seed is drawn and reported in ``result.seed``.
* Memory: one chunk of input draws (chunk × inputs) at a time, plus the output values
  (8 bytes per trial and output), which exact coverage intervals need. A result keeps a
  histogram and, only if ``keep`` > 0, the first ``keep`` output values.

>>> from tanzuji.uncertainty import Normal
>>> res = monte_carlo(lambda a, b: a + b, {"a": Normal(0, 1), "b": Normal(0, 1)},
...                   trials=200_000, seed=1)
>>> round(res.u, 1), [round(x, 1) for x in res.interval]  # exact: √2, ±2.77
(1.4, [-2.7, 2.8])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np
import numpy.typing as npt

from tanzuji.errors import ModelEvaluationError
from tanzuji.uncertainty._base import Distribution, FloatArray, ParameterError
from tanzuji.uncertainty._model import Model, Prepared, evaluate, prepare_inputs
from tanzuji.uncertainty._sampling import (
    Sampler,
    coverage_index,
    shortest_interval,
    symmetric_interval,
)
from tanzuji.uncertainty.correlation import Correlation, correlation_from_covariance
from tanzuji.uncertainty.gum import GumResult
from tanzuji.uncertainty.rounding import round_result

__all__ = [
    "MonteCarloMultiResult",
    "MonteCarloResult",
    "Progress",
    "Validation",
    "adaptive_run_length",
    "monte_carlo",
    "monte_carlo_multi",
    "numerical_tolerance",
]

Progress = Callable[[int, int | None], None]

#: Default bound on the adaptive procedure (80 MB of output values per output).
MAX_TRIALS = 10_000_000
#: Default first run at which the adaptive stopping rule is applied.
MIN_RUNS = 10


def numerical_tolerance(u: float, ndig: int = 2) -> float:
    """δ = ½·10^ℓ where u = c·10^ℓ with c an ``ndig``-digit integer (JCGM 101 7.9.2).

    >>> numerical_tolerance(0.0539), numerical_tolerance(2.0), numerical_tolerance(2.0, 1)
    (0.0005, 0.05, 0.5)
    """
    if not (math.isfinite(u) and u >= 0):
        raise ParameterError(f"u must be finite and ≥ 0, got {u!r}")
    if u == 0:
        return 0.0
    return 0.5 * 10.0 ** round_result(0, u, ndig=ndig).exponent


def adaptive_run_length(p: float) -> int:
    """M = max(J, 10⁴), J the smallest integer ≥ 100/(1 − p) (JCGM 101 7.9.4 b).

    >>> adaptive_run_length(0.95), adaptive_run_length(0.999)
    (10000, 100000)
    """
    return max(math.ceil(100.0 / (1.0 - p) - 1e-9), 10_000)


@dataclass(frozen=True)
class Validation:
    """Comparison of a GUM interval with a Monte Carlo one (JCGM 101 8.1).

    >>> Validation(0.04, 0.04, 0.05, 2, (-3.92, 3.92), (-3.88, 3.88), True).validated
    True
    """

    d_low: float
    d_high: float
    delta: float
    ndig: int
    gum_interval: tuple[float, float]
    mc_interval: tuple[float, float]
    validated: bool  # both d_low and d_high ≤ δ


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Monte Carlo result for one output (see the module docstring).

    >>> from tanzuji.uncertainty import Rectangular
    >>> r = monte_carlo(lambda x: 2 * x, {"x": Rectangular(0, 1)}, trials=10_000, seed=1)
    >>> r.trials, [round(v, 1) for v in r.symmetric_interval], round(r.delta, 3)
    (10000, [0.1, 2.0], 0.005)
    """

    name: str
    value: float
    u: float
    p: float
    interval: tuple[float, float]
    symmetric_interval: tuple[float, float]
    trials: int
    runs: int | None
    converged: bool
    ndig: int
    seed: int
    histogram: tuple[npt.NDArray[np.intp], FloatArray]
    draws: FloatArray | None

    @property
    def delta(self) -> float:
        """The numerical tolerance of u(y) for ``ndig`` digits."""
        return numerical_tolerance(self.u, self.ndig)

    def validate(
        self,
        gum_result: GumResult,
        ndig: int = 2,
        interval: Literal["shortest", "symmetric"] = "shortest",
    ) -> Validation:
        """Is the GUM result validated by this one (JCGM 101 8.1, JJF 1059.2)?

        d_low = |y − U_p − y_low|, d_high = |y + U_p − y_high|; validated when both are
        ≤ δ, the numerical tolerance of the GUM u(y) for ``ndig`` significant digits.
        """
        if not math.isclose(gum_result.p, self.p):
            raise ParameterError(
                f"coverage probabilities differ: GUM p = {gum_result.p}, Monte Carlo p = {self.p}"
            )
        if interval not in ("shortest", "symmetric"):
            raise ParameterError(f"interval must be 'shortest' or 'symmetric', got {interval!r}")
        lo, hi = gum_result.interval
        ylo, yhi = self.interval if interval == "shortest" else self.symmetric_interval
        delta = numerical_tolerance(gum_result.u, ndig)
        d_low, d_high = abs(lo - ylo), abs(hi - yhi)
        ok = d_low <= delta and d_high <= delta
        return Validation(d_low, d_high, delta, ndig, (lo, hi), (ylo, yhi), ok)


@dataclass(frozen=True, eq=False)
class MonteCarloMultiResult(Mapping[str, MonteCarloResult]):
    """Monte Carlo results of several outputs of one model, with their covariance.

    >>> from tanzuji.uncertainty import Normal
    >>> r = monte_carlo_multi(lambda a: {"y": a, "z": -a}, {"a": Normal(0, 1)}, trials=1000)
    >>> list(r), round(r.r("y", "z"), 12)
    (['y', 'z'], -1.0)
    """

    names: tuple[str, ...]
    results: tuple[MonteCarloResult, ...]
    covariance: FloatArray

    def __getitem__(self, name: str) -> MonteCarloResult:
        return self.results[self.names.index(name)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    @property
    def correlation(self) -> FloatArray:
        """The correlation matrix of the outputs (0 where an output has u = 0)."""
        return correlation_from_covariance(self.covariance)

    def r(self, a: str, b: str) -> float:
        """The correlation coefficient between outputs ``a`` and ``b``."""
        return float(self.correlation[self.names.index(a), self.names.index(b)])


class _Engine:
    """Evaluates the model on consecutive trials, chunk by chunk."""

    def __init__(
        self,
        model: Model,
        prep: Prepared,
        sampler: Sampler,
        chunk: int,
        progress: Progress | None,
        total: int | None,
    ) -> None:
        self.model, self.prep, self.sampler = model, prep, sampler
        self.chunk, self.progress, self.total = chunk, progress, total
        self.done = 0
        self.names: tuple[str, ...] | None = None

    def run(self, count: int) -> FloatArray:
        """Model values (outputs × count) of the next ``count`` trials."""
        out: FloatArray | None = None
        for s in range(0, count, self.chunk):
            e = min(count, s + self.chunk)
            first = self.done
            cols = self.sampler.draws(first, first + e - s)
            labels, f = evaluate(
                self.model, self.prep.names, cols, what=partial(_trial, first, self.prep, cols)
            )
            if self.names is None:
                self.names = labels
            elif labels != self.names:
                raise ModelEvaluationError(
                    "the model returned different outputs on different calls"
                )
            if out is None:
                out = np.empty((len(labels), count))
            out[:, s:e] = f
            self.done += e - s
            if self.progress is not None:
                self.progress(self.done, self.total)
        assert out is not None
        return out


def _trial(first: int, prep: Prepared, cols: FloatArray, col: int) -> str:
    index = first + col
    shown = ", ".join(f"{n}={cols[i, col]:.6g}" for i, n in enumerate(prep.names[:8]))
    more = ", ..." if len(prep.names) > 8 else ""
    return f"Monte Carlo trial {index} ({shown}{more})"


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ParameterError(f"{name} must be an integer ≥ {minimum}, got {value!r}")


def _run_stats(values: FloatArray, p: float) -> FloatArray:
    """Per output: mean, u, shortest y_low, y_high of one run (outputs × 4)."""
    stats = np.empty((values.shape[0], 4))
    for k, v in enumerate(values):
        srt = np.sort(v)
        stats[k] = (srt.mean(), srt.std(ddof=1), *shortest_interval(srt, p))
    return stats


def monte_carlo_multi(
    model: Model,
    inputs: Mapping[str, Distribution | float],
    correlation: Correlation | None = None,
    p: float = 0.95,
    trials: int | None = None,
    ndig: int = 2,
    seed: int | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
    *,
    keep: int = 0,
    bins: int = 100,
    max_trials: int = MAX_TRIALS,
    min_runs: int = MIN_RUNS,
) -> MonteCarloMultiResult:
    """Monte Carlo for every output of ``model`` (the adaptive rule applies to all).

    >>> from tanzuji.uncertainty import Normal
    >>> res = monte_carlo_multi(lambda ef, m: {"s1": m * ef, "s2": 2 * m * ef},
    ...                         {"ef": Normal(1.0, 0.1), "m": 10.0}, trials=10_000, seed=3)
    >>> round(res.r("s1", "s2"), 12)
    1.0
    """
    if not 0.0 < p < 1.0:
        raise ParameterError(f"p must lie in (0, 1), got {p!r}")
    if isinstance(ndig, bool) or not isinstance(ndig, int) or ndig < 1:
        raise ParameterError(f"ndig must be a positive integer, got {ndig!r}")
    _check_int("keep", keep, 0)
    _check_int("bins", bins, 1)
    _check_int("max_trials", max_trials, 2)
    _check_int("min_runs", min_runs, 2)
    if trials is not None:
        _check_int("trials", trials, 2)
        if trials - coverage_index(trials, p) < 1:
            raise ParameterError(f"{trials} trials are too few for a {100 * p:g} % interval")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
    ):
        raise ParameterError(f"seed must be a non-negative integer or None, got {seed!r}")
    prep = prepare_inputs(inputs, correlation)
    entropy = int(np.random.SeedSequence(None if seed is None else int(seed)).entropy)  # type: ignore[arg-type]
    sampler = Sampler(prep, entropy)
    if chunk_size is None:
        chunk = sampler.block
    else:
        _check_int("chunk_size", chunk_size, 1)
        chunk = int(chunk_size)
    engine = _Engine(model, prep, sampler, chunk, progress, trials)

    runs: int | None = None
    converged = True
    if trials is not None:
        values = engine.run(int(trials))
    else:
        run_len = adaptive_run_length(p)
        parts: list[FloatArray] = []
        run_stats: list[FloatArray] = []
        count, mean, m2 = 0, None, None
        converged = False
        while True:
            v = engine.run(run_len)
            parts.append(v)
            run_stats.append(_run_stats(v, p))
            # pooled mean and sum of squared deviations (Chan et al.)
            rm, rm2 = v.mean(axis=1), ((v - v.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
            if mean is None or m2 is None:
                mean, m2 = rm, rm2
            else:
                d = rm - mean
                mean = mean + d * run_len / (count + run_len)
                m2 = m2 + rm2 + d * d * count * run_len / (count + run_len)
            count += run_len
            h = len(parts)
            if h >= min_runs:
                s = np.std(np.stack(run_stats), axis=0, ddof=1) / math.sqrt(h)  # outputs × 4
                u_all = np.sqrt(m2 / (count - 1))
                delta = np.array([numerical_tolerance(float(u), ndig) for u in u_all])
                if np.all(2.0 * s <= delta[:, None]):
                    converged = True
                    break
            if count + run_len > max_trials:
                break
        runs = len(parts)
        values = np.concatenate(parts, axis=1)
    assert engine.names is not None
    results = []
    for k, name in enumerate(engine.names):
        v = values[k]
        srt = np.sort(v)
        counts, edges = np.histogram(srt, bins=bins)
        results.append(
            MonteCarloResult(
                name=name,
                value=float(np.mean(v)),
                u=float(np.std(v, ddof=1)),
                p=p,
                interval=shortest_interval(srt, p),
                symmetric_interval=symmetric_interval(srt, p),
                trials=v.size,
                runs=runs,
                converged=converged,
                ndig=ndig,
                seed=entropy,
                histogram=(counts, edges),
                draws=v[:keep].copy() if keep else None,
            )
        )
    cov = np.atleast_2d(np.cov(values, ddof=1))
    return MonteCarloMultiResult(engine.names, tuple(results), cov)


def monte_carlo(
    model: Model,
    inputs: Mapping[str, Distribution | float],
    correlation: Correlation | None = None,
    p: float = 0.95,
    trials: int | None = None,
    ndig: int = 2,
    seed: int | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
    *,
    keep: int = 0,
    bins: int = 100,
    max_trials: int = MAX_TRIALS,
    min_runs: int = MIN_RUNS,
) -> MonteCarloResult:
    """Monte Carlo for a single-output model (see the module docstring).

    >>> from tanzuji.uncertainty import Rectangular
    >>> res = monte_carlo(lambda x: x, {"x": Rectangular(0.0, 1.0)}, seed=7)
    >>> res.converged, res.runs is not None, res.trials % 10_000
    (True, True, 0)
    """
    multi = monte_carlo_multi(
        model,
        inputs,
        correlation,
        p,
        trials,
        ndig,
        seed,
        chunk_size,
        progress,
        keep=keep,
        bins=bins,
        max_trials=max_trials,
        min_runs=min_runs,
    )
    if len(multi) != 1:
        raise ModelEvaluationError(
            f"the model returns {len(multi)} outputs ({', '.join(multi.names)}); "
            "use monte_carlo_multi for several outputs"
        )
    return multi.results[0]
