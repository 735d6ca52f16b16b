"""(a) Monte Carlo draws/s against raw numpy generation; (c) adaptive Monte Carlo wall time.

A *draw* is one Monte Carlo trial: one value of every input of the meter model and (for our
engine) the model value E_total. The baseline generates the same draws — same
distributions, same number of trials, one plain ``numpy.random.Generator`` call per input
and chunk — and does nothing with them: no model evaluation, no statistics.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from common import Meter, Timing, eprint, fmt_rate, fmt_s, md_table, timed

from tanzuji.uncertainty import (
    Arcsine,
    Distribution,
    LogNormal,
    Normal,
    Rectangular,
    StudentT,
    Triangular,
    monte_carlo,
)

GOAL_RATIO = 0.5
GOAL_ADAPTIVE_S = 2.0
RAW_CHUNK = 1 << 16
"""Trials per chunk of the raw baseline (larger chunks only make the baseline faster)."""

Draw = Callable[[np.random.Generator, int], np.ndarray]


def raw_generator(dist: Distribution) -> Draw:
    """The plain numpy Generator call that draws from ``dist``."""
    if isinstance(dist, Normal):
        m, s = dist.mean, dist.sd
        return lambda rng, n: rng.normal(m, s, n)
    if isinstance(dist, Rectangular):
        lo, hi = dist.low, dist.high
        return lambda rng, n: rng.uniform(lo, hi, n)
    if isinstance(dist, Triangular):
        lo, c, hi = dist.low, dist.mode, dist.high
        return lambda rng, n: rng.triangular(lo, c, hi, n)
    if isinstance(dist, LogNormal):
        mu, sigma = dist.mu, dist.sigma
        return lambda rng, n: rng.lognormal(mu, sigma, n)
    if isinstance(dist, StudentT):
        loc, scale, nu = dist.location, dist.scale, dist.dof
        return lambda rng, n: loc + scale * rng.standard_t(nu, n)
    if isinstance(dist, Arcsine):
        lo, w = dist.low, dist.high - dist.low
        return lambda rng, n: lo + w * rng.beta(0.5, 0.5, n)
    return dist.sample  # trapezoids: no single Generator call exists


def raw_draws(meter: Meter, trials: int, seed: int) -> float:
    """Generate ``trials`` draws of every uncertain input with plain numpy; wall time (s)."""
    calls = [raw_generator(d) for d in meter.inputs.values() if isinstance(d, Distribution)]
    rng = np.random.default_rng(seed)

    def run() -> None:
        for start in range(0, trials, RAW_CHUNK):
            n = min(RAW_CHUNK, trials - start)
            for call in calls:
                call(rng, n)

    return timed(run)[0]


def model_only(meter: Meter, trials: int) -> float:
    """Wall time of evaluating the model alone on ``trials`` draws (one block reused)."""
    rng = np.random.default_rng(0)
    block = min(trials, 1 << 14)
    cols = {
        n: (d.sample(rng, block) if isinstance(d, Distribution) else np.full(block, d))
        for n, d in meter.inputs.items()
    }
    model = meter.model

    def run() -> None:
        for _ in range(math.ceil(trials / block)):
            model(**cols)

    return timed(run)[0]


@dataclass(frozen=True)
class DrawsResult:
    """(a): our Monte Carlo against raw numpy generation of the same draws."""

    trials: int
    inputs: int
    uncertain: int
    ours: Timing
    raw: Timing
    model_eval_s: float
    value: float
    u: float
    interval: tuple[float, float]

    @property
    def ours_rate(self) -> float:
        return self.trials / self.ours.median

    @property
    def raw_rate(self) -> float:
        return self.trials / self.raw.median

    @property
    def ratio(self) -> float:
        return self.ours_rate / self.raw_rate

    @property
    def met(self) -> bool:
        return self.ratio >= GOAL_RATIO

    def markdown(self) -> str:
        lo, hi = self.interval
        rows = [
            [
                "tanzuji `monte_carlo` (sampling + model + statistics)",
                self.ours.spread(),
                fmt_rate(self.ours_rate),
            ],
            [
                "raw numpy generation of the same draws",
                self.raw.spread(),
                fmt_rate(self.raw_rate),
            ],
            [
                "model evaluation alone (`MeasurementModel.__call__`)",
                fmt_s(self.model_eval_s),
                fmt_rate(self.trials / self.model_eval_s),
            ],
        ]
        verdict = "met" if self.met else "**missed**"
        return "\n".join(
            [
                "## (a) Monte Carlo draws/s against raw numpy generation",
                "",
                f"Meter model: {self.inputs} inputs ({self.uncertain} sampled), "
                f"{self.trials:,} trials per run, median of {len(self.ours.times)} runs "
                "(interleaved with the baseline). A draw is one trial: a value of every input "
                "(and, for tanzuji, of E_total). The baseline makes one plain "
                f"`numpy.random.Generator` call per input and chunk of {RAW_CHUNK:,} trials "
                "(`normal`, `uniform`, ...) and discards the values; tanzuji also evaluates the "
                "model, sorts the values for the shortest interval and builds a histogram.",
                "",
                md_table(["what", "wall time, median (min–max)", "draws/s"], rows),
                "",
                f"**Ratio tanzuji / raw = {self.ratio:.2f}** (goal ≥ {GOAL_RATIO}: {verdict}).",
                f"Result: E_total = {self.value:.4f} kgCO2e, u = {self.u:.4f} kgCO2e, "
                f"95 % shortest interval [{lo:.3f}, {hi:.3f}] kgCO2e.",
            ]
        )


def bench_draws(meter: Meter, trials: int, repeats: int) -> DrawsResult:
    """Time ``repeats`` runs of ours and of the baseline, interleaved."""
    model = meter.model
    ours, raw = [], []
    res = None
    monte_carlo(model, meter.inputs, trials=max(2_000, trials // 100), seed=0)  # warm-up
    for rep in range(repeats):
        raw.append(raw_draws(meter, trials, seed=rep + 1))
        t, res = timed(
            lambda rep=rep: monte_carlo(model, meter.inputs, trials=trials, seed=rep + 1)
        )
        ours.append(t)
        eprint(f"  (a) run {rep + 1}/{repeats}: ours {fmt_s(t)}, raw {fmt_s(raw[-1])}")
    assert res is not None
    return DrawsResult(
        trials=trials,
        inputs=len(meter.inputs),
        uncertain=meter.uncertain,
        ours=Timing(tuple(ours)),
        raw=Timing(tuple(raw)),
        model_eval_s=model_only(meter, trials),
        value=res.value,
        u=res.u,
        interval=res.interval,
    )


@dataclass(frozen=True)
class AdaptiveResult:
    """(c): adaptive Monte Carlo (JCGM 101 7.9, ndig = 2) wall time."""

    ndig: int
    timing: Timing
    raw: tuple[float, ...]
    """Raw numpy generation of the same number of draws, right after each run."""
    trials: tuple[int, ...]
    runs: tuple[int, ...]
    converged: tuple[bool, ...]
    value: float
    u: float

    @property
    def met(self) -> bool:
        return self.timing.median < GOAL_ADAPTIVE_S

    def markdown(self) -> str:
        rows = [
            [str(i + 1), fmt_s(t), f"{m:,}", str(r), "yes" if c else "no", fmt_s(w), f"{t / w:.2f}"]
            for i, (t, m, r, c, w) in enumerate(
                zip(
                    self.timing.times,
                    self.trials,
                    self.runs,
                    self.converged,
                    self.raw,
                    strict=True,
                )
            )
        ]
        pairs = zip(self.timing.times, self.raw, strict=True)
        overhead = statistics.median(t / w for t, w in pairs)
        verdict = "met" if self.met else "**missed**"
        return "\n".join(
            [
                "## (c) Adaptive Monte Carlo on the meter model",
                "",
                f"`monte_carlo(model, inputs, trials=None, ndig={self.ndig}, seed=s)`: runs of "
                "10⁴ trials until the run averages of y, u(y) and the interval ends are stable "
                f"to {self.ndig} significant digits of u(y) (JCGM 101 §7.9); a different seed "
                "per run.",
                "",
                md_table(
                    [
                        "run",
                        "wall time",
                        "trials",
                        "runs of 10⁴",
                        "converged",
                        "raw numpy draws of as many trials",
                        "ratio",
                    ],
                    rows,
                ),
                "",
                f"**Median {fmt_s(self.timing.median)}** (goal < {GOAL_ADAPTIVE_S:g} s: "
                f"{verdict}); E_total = {self.value:.3f} kgCO2e, u = {self.u:.3f} kgCO2e. "
                "The last columns time the raw numpy generation of the same number of draws "
                "right after each run: the adaptive run costs a median "
                f"{overhead:.2f} × the bare generation of its random numbers.",
            ]
        )


def bench_adaptive(meter: Meter, repeats: int, ndig: int = 2) -> AdaptiveResult:
    """Time ``repeats`` adaptive runs with different seeds."""
    times, raw, trials, runs, conv = [], [], [], [], []
    res = None
    for rep in range(repeats):
        t, res = timed(
            lambda rep=rep: monte_carlo(
                meter.model, meter.inputs, trials=None, ndig=ndig, seed=100 + rep
            )
        )
        times.append(t)
        raw.append(raw_draws(meter, res.trials, seed=200 + rep))
        trials.append(res.trials)
        runs.append(res.runs or 0)
        conv.append(res.converged)
        eprint(
            f"  (c) run {rep + 1}/{repeats}: {fmt_s(t)}, {res.trials:,} trials "
            f"(raw draws {fmt_s(raw[-1])})"
        )
    assert res is not None
    return AdaptiveResult(
        ndig,
        Timing(tuple(times)),
        tuple(raw),
        tuple(trials),
        tuple(runs),
        tuple(conv),
        res.value,
        res.u,
    )
