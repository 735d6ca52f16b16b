"""(d) ``gum`` with the full budget on a synthetic linear model of 20,000 inputs.

y = Σ cᵢ·xᵢ over n inputs, a third each Normal (finite dof), Rectangular and Triangular,
written the way a user would (a Python sum over the keyword arguments). The result is
checked against the closed form y = Σ cᵢ·μᵢ, u² = Σ cᵢ²·u²(xᵢ), then timed: the first (cold)
call and the median of the following (warm) calls, each call including the evaluation of
every budget row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from common import Timing, eprint, fmt_s, md_table, timed

from tanzuji.uncertainty import Distribution, Normal, Rectangular, Triangular, gum

GOAL_S = 0.050


@dataclass(frozen=True)
class Synthetic:
    """The synthetic linear model and its closed-form result."""

    model: Callable[..., Any]
    inputs: dict[str, Distribution]
    value: float
    u: float
    dof: float


def synthetic(n: int, seed: int = 2026) -> Synthetic:
    """y = Σ cᵢ xᵢ with mixed input distributions (see the module docstring)."""
    rng = np.random.default_rng(seed)
    coef = rng.uniform(0.1, 2.0, n)
    mu = rng.uniform(1.0, 100.0, n)
    rel = rng.uniform(0.005, 0.05, n)
    inputs: dict[str, Distribution] = {}
    for i in range(n):
        name = f"x{i}"
        a = float(mu[i] * rel[i])
        if i % 3 == 0:
            inputs[name] = Normal(float(mu[i]), a, dof=float(5 + i % 50))
        elif i % 3 == 1:
            inputs[name] = Rectangular(float(mu[i]) - a, float(mu[i]) + a)
        else:
            inputs[name] = Triangular(float(mu[i]) - a, float(mu[i]) + a)
    pairs = list(zip(coef.tolist(), inputs, strict=True))

    def model(**x: Any) -> Any:
        return sum(c * x[name] for c, name in pairs)

    u_i = np.array([d.u for d in inputs.values()])
    nu = np.array([d.dof for d in inputs.values()])
    contrib = coef * u_i
    u2 = float(np.sum(contrib**2))
    finite = np.isfinite(nu)
    dof = u2 * u2 / float(np.sum(contrib[finite] ** 4 / nu[finite]))
    return Synthetic(model, inputs, float(coef @ mu), math.sqrt(u2), dof)


@dataclass(frozen=True)
class GumBenchResult:
    """(d): timings of ``gum`` + full budget."""

    n: int
    timing: Timing
    gum_only: Timing
    method: str
    value: float
    u: float
    dof: float
    expected: tuple[float, float, float]

    @property
    def warm(self) -> Timing:
        return Timing(self.timing.times[1:])

    @property
    def met(self) -> bool:
        return self.warm.median < GOAL_S

    def markdown(self) -> str:
        ev, eu, edof = self.expected
        rows = [
            ["first (cold) call, gum + budget", fmt_s(self.timing.first)],
            [
                f"warm: median (min–max) of {len(self.warm.times)} calls, gum + budget",
                self.warm.spread(),
            ],
            [
                f"warm: `gum(...)` alone, median (min–max) of {len(self.gum_only.times)}",
                self.gum_only.spread(),
            ],
        ]
        verdict = "met" if self.met else "**missed**"
        return "\n".join(
            [
                f"## (d) `gum` with full budget, {self.n:,} inputs",
                "",
                f"Synthetic linear model y = Σ cᵢ·xᵢ of {self.n:,} inputs (a third each Normal "
                "with finite dof, Rectangular, Triangular), written as a Python `sum` over the "
                "keyword arguments. One call = `gum(model, inputs)` plus reading every budget "
                "row (`list(result.budget)`). Sensitivities by "
                f"{self.method}. Checked against the closed form: y = {self.value:.6f} "
                f"(expected {ev:.6f}), u = {self.u:.6f} ({eu:.6f}), ν_eff = {self.dof:.1f} "
                f"({edof:.1f}).",
                "",
                md_table(["what", "wall time"], rows),
                "",
                f"**Warm median {fmt_s(self.warm.median)}** (goal < {GOAL_S * 1e3:g} ms: "
                f"{verdict}).",
            ]
        )


def bench_gum(n: int, repeats: int) -> GumBenchResult:
    """Check, then time ``repeats`` calls (the first one is the cold call)."""
    syn = synthetic(n)

    def call() -> Any:
        res = gum(syn.model, syn.inputs)
        rows = list(res.budget)
        assert len(rows) == n
        return res

    times = []
    res = None
    for rep in range(repeats):
        t, res = timed(call)
        times.append(t)
        eprint(f"  (d) call {rep + 1}/{repeats}: {fmt_s(t)}")
    assert res is not None
    assert math.isclose(res.value, syn.value, rel_tol=1e-12), (res.value, syn.value)
    assert math.isclose(res.u, syn.u, rel_tol=1e-9), (res.u, syn.u)
    assert math.isclose(res.dof, syn.dof, rel_tol=1e-9), (res.dof, syn.dof)
    gum_only = [timed(lambda: gum(syn.model, syn.inputs))[0] for _ in range(max(3, repeats - 1))]
    return GumBenchResult(
        n=n,
        timing=Timing(tuple(times)),
        gum_only=Timing(tuple(gum_only)),
        method=res.method,
        value=res.value,
        u=res.u,
        dof=res.dof,
        expected=(syn.value, syn.u, syn.dof),
    )
