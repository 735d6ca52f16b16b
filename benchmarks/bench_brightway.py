"""(b) The meter model in Brightway 2.5 (bw2data + bw2calc), iterations/s of ``next(lca)``.

The study's terms are rebuilt as a Brightway technosphere: every term ``c·x₁·…·xₙ`` (xₙ the
emission factor) becomes a chain of activities whose exchanges carry the inputs' own
distributions (stats_arrays), so that the LCA score c·B·A⁻¹·f is exactly our E_total:

* root activity "meter" → one exchange of amount 1 to each term's activity;
* term activity → next activity with amount c·x₁ (x₁'s distribution scaled by c);
* each further activity of the chain → next with amount xⱼ;
* the factor activity (one per emission factor, shared by every term that uses it) → one
  biosphere exchange "CO2e" of amount EF; the LCIA method has CF 1 for CO2e.

A factor used by several terms is one exchange, sampled once per iteration, exactly like
our single input. See ``MAPPING`` for the distributions and ``NOT_EXACT`` for what
Brightway cannot represent.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import math
import os
import pstats
import shutil
import statistics
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from common import Meter, eprint, fmt_rate, fmt_s, md_table, timed

from tanzuji.calculation import MeasurementModel
from tanzuji.uncertainty import (
    Arcsine,
    Constant,
    Distribution,
    LogNormal,
    Normal,
    Rectangular,
    StudentT,
    Triangular,
)

GOAL_FACTOR = 500.0
FLOAT32_RTOL = 4 * 2.0**-24
"""Bound on the relative error of a product of ≤ 3 amounts stored as float32 (Brightway)."""
BIO_DB = "tanzuji-biosphere"
TECH_DB = "tanzuji-meter"
METHOD = ("tanzuji-bench", "climate change", "CO2e")

MAPPING = [
    ["`Normal(mean, sd)`", "normal (3): loc = c·mean, scale = c·sd"],
    ["`Rectangular(low, high)`", "uniform (4): minimum = c·low, maximum = c·high"],
    ["`Triangular(low, high, mode)`", "triangular (5): loc = c·mode, minimum, maximum"],
    ["`LogNormal(mean, sd)`", "lognormal (2): loc = μ + ln c, scale = σ (of ln X)"],
    ["`StudentT(mean, scale, ν)`", "Student's t (12): loc, scale = c·scale, shape = ν"],
    ["`Arcsine(low, high)`", "beta (10): α = β = ½ on [c·low, c·high]"],
    ["plain number / `Constant`", "no uncertainty (0): amount only"],
    ["`Trapezoid`, `CurvilinearTrapezoid`", "no stats_arrays type: not representable"],
]

NOT_EXACT = (
    "Brightway samples every exchange independently. A term's product of several uncertain "
    "inputs is exact only because each input gets its own exchange in a chain of artificial "
    "activities (one per term, plus one more per M·D·T or P·t·EF term), and a shared input "
    "is exact only when it "
    "is the last link of every chain it appears in (the biosphere exchange of a shared factor "
    "activity). An uncertain quantity that enters two terms anywhere else (say a mass used by "
    "a material term and by its transport leg), or twice in one term (x², x/y with shared x), "
    "becomes several independently sampled exchanges: the correlation is lost and the "
    "Brightway distribution differs from the measurement model's. bw2calc's `next(lca)` "
    "re-samples only the exchanges' own distributions; bw2data's parameter formulas are not "
    "re-evaluated per iteration, so they do not help. Brightway also has no trapezoidal "
    "distributions, no degrees of freedom, no GUM budget and no adaptive stopping rule."
)


class NotRepresentable(ValueError):
    """A distribution without a stats_arrays equivalent."""


def exchange_amount(dist: Distribution | float, scale: float) -> dict[str, Any]:
    """Amount and stats_arrays uncertainty of an exchange equal to ``scale`` × the input.

    >>> exchange_amount(Rectangular(1.0, 3.0), 0.5)["maximum"]
    1.5
    """
    if not scale > 0:
        raise NotRepresentable(f"conversion constant must be > 0, got {scale!r}")
    if not isinstance(dist, Distribution):
        return {"amount": scale * float(dist), "uncertainty type": 0}
    amount = scale * dist.mean
    if isinstance(dist, Constant):
        return {"amount": amount, "uncertainty type": 0}
    if isinstance(dist, Normal):
        return {"amount": amount, "uncertainty type": 3, "loc": amount, "scale": scale * dist.sd}
    if isinstance(dist, Rectangular):
        return {
            "amount": amount,
            "uncertainty type": 4,
            "loc": amount,
            "minimum": scale * dist.low,
            "maximum": scale * dist.high,
        }
    if isinstance(dist, Triangular):
        return {
            "amount": amount,
            "uncertainty type": 5,
            "loc": scale * dist.mode,
            "minimum": scale * dist.low,
            "maximum": scale * dist.high,
        }
    if isinstance(dist, LogNormal):
        return {
            "amount": amount,
            "uncertainty type": 2,
            "loc": dist.mu + math.log(scale),
            "scale": dist.sigma,
        }
    if isinstance(dist, StudentT):
        return {
            "amount": amount,
            "uncertainty type": 12,
            "loc": amount,
            "scale": scale * dist.scale,
            "shape": dist.dof,
        }
    if isinstance(dist, Arcsine):
        return {
            "amount": amount,
            "uncertainty type": 10,
            "loc": 0.5,
            "shape": 0.5,
            "minimum": scale * dist.low,
            "maximum": scale * dist.high,
        }
    raise NotRepresentable(f"{type(dist).__name__} has no stats_arrays equivalent")


@dataclass(frozen=True)
class Inventory:
    """The Brightway databases mirroring the measurement model."""

    activities: dict[tuple[str, str], dict[str, Any]]
    chains: tuple[tuple[float, ...], ...]
    """Per term, the amounts along its chain (the last is the CO2e exchange)."""
    chain_lengths: Counter[int]
    duplicated: tuple[str, ...]
    """Uncertain inputs that became several independently sampled exchanges."""


def build_inventory(meter: Meter) -> Inventory:
    """Activities of the technosphere database (see the module docstring)."""
    model: MeasurementModel = meter.model
    acts: dict[tuple[str, str], dict[str, Any]] = {}

    def activity(code: str, name: str, unit: str) -> dict[str, Any]:
        act = {
            "name": name,
            "unit": unit,
            "location": "GLO",
            "exchanges": [{"input": (TECH_DB, code), "amount": 1.0, "type": "production"}],
        }
        acts[(TECH_DB, code)] = act
        return act

    root = activity("meter", f"{model.study_id}: 1 meter", "unit")
    chains: list[tuple[float, ...]] = []
    uses: Counter[str] = Counter()
    last: set[str] = set()
    for k, term in enumerate(model.terms):
        names = term.inputs
        factor = names[-1]
        last.add(factor)
        uses.update(names[:-1])
        fcode = factor
        if (TECH_DB, fcode) not in acts:
            fact = activity(fcode, model.inputs[factor].label, model.inputs[factor].unit)
            ef = exchange_amount(meter.inputs[factor], 1.0)
            fact["exchanges"].append({"input": (BIO_DB, "CO2e"), "type": "biosphere", **ef})
        tcode = f"term[{k}] {term.group}"
        current = activity(tcode, term.label, "unit")
        root["exchanges"].append({"input": (TECH_DB, tcode), "amount": 1.0, "type": "technosphere"})
        if len(names) < 2:
            raise NotRepresentable(f"term {term.group!r} has no emission factor")
        scale = term.constant
        amounts = []
        for j, name in enumerate(names[:-1]):
            if j == len(names) - 2:
                target = fcode
            else:
                target = f"{tcode} / per {name}"
                activity(target, f"{term.label}: 1 {model.inputs[name].unit}", "unit")
            exc = exchange_amount(meter.inputs[name], scale)
            current["exchanges"].append({"input": (TECH_DB, target), "type": "technosphere", **exc})
            amounts.append(exc["amount"])
            current = acts[(TECH_DB, target)]
            scale = 1.0
        chains.append((*amounts, exchange_amount(meter.inputs[factor], 1.0)["amount"]))
    duplicated = tuple(
        sorted(
            n
            for n in meter.inputs
            if isinstance(meter.inputs[n], Distribution)
            and (uses[n] > 1 or (uses[n] and n in last))
        )
    )
    lengths = Counter(len(t.inputs) for t in model.terms)
    return Inventory(acts, tuple(chains), lengths, duplicated)


def float32_score(inv: Inventory) -> float:
    """The score Brightway should give: every amount rounded to float32 as it stores them."""
    return math.fsum(math.prod(float(np.float32(a)) for a in chain) for chain in inv.chains)


@dataclass(frozen=True)
class BrightwayResult:
    """(b): Brightway iterations/s against our draws/s."""

    activities: int
    chain_lengths: Counter[int]
    duplicated: tuple[str, ...]
    score: float
    e_total: float
    score_f32: float
    setup_s: float
    iterations: int
    loop_s: float
    mean: float
    sd: float
    ours_s: float
    repeats: int
    ours_value: float
    ours_u: float
    ours_trials: int
    profile: dict[str, float]

    @property
    def rate(self) -> float:
        return self.iterations / self.loop_s

    @property
    def ours_rate(self) -> float:
        return self.repeats * self.ours_trials / self.ours_s

    @property
    def factor(self) -> float:
        return self.ours_rate / self.rate

    @property
    def met(self) -> bool:
        return self.factor >= GOAL_FACTOR

    @property
    def agreement(self) -> tuple[float, float]:
        """z-scores of the Brightway mean and sd against ours (Brightway's sampling error)."""
        n = self.iterations
        z_mean = (self.mean - self.ours_value) / (self.sd / math.sqrt(n))
        z_sd = (self.sd - self.ours_u) / (self.sd / math.sqrt(2 * (n - 1)))
        return z_mean, z_sd

    def markdown(self) -> str:
        z_mean, z_sd = self.agreement
        rel = abs(self.score - self.e_total) / abs(self.e_total)
        rel32 = abs(self.score - self.score_f32) / abs(self.score_f32)
        kinds = ", ".join(f"{n} terms of {k} inputs" for k, n in sorted(self.chain_lengths.items()))
        dup = (
            "none: every shared input is a factor, the last link of its chains"
            if not self.duplicated
            else ", ".join(f"`{d}`" for d in self.duplicated)
        )
        rows = [
            ["deterministic score (`lci()`, `lcia()`)", f"{self.score:.12g}", "kgCO2e"],
            ["tanzuji E_total at the estimates", f"{self.e_total:.12g}", "kgCO2e"],
            [
                "relative difference",
                f"{rel:.1e}",
                f"asserted ≤ {FLOAT32_RTOL:.1e} (float32 storage)",
            ],
            [
                "tanzuji model at Brightway's float32-rounded amounts",
                f"{self.score_f32:.12g}",
                f"relative difference {rel32:.1e}, asserted ≤ 1e-9",
            ],
            [
                "setup (`LCA(..., use_distributions=True)`, `lci()`, `lcia()`)",
                fmt_s(self.setup_s),
                "",
            ],
            [f"{self.iterations:,} × `next(lca)`", fmt_s(self.loop_s), fmt_rate(self.rate)],
            [
                f"{self.repeats} × tanzuji `monte_carlo`, {self.ours_trials:,} trials each",
                fmt_s(self.ours_s),
                fmt_rate(self.ours_rate),
            ],
            [
                "Brightway mean, sd",
                f"{self.mean:.3f}, {self.sd:.3f}",
                f"z = {z_mean:+.1f}, {z_sd:+.1f}",
            ],
            [
                f"tanzuji mean, u ({self.ours_trials:,} trials)",
                f"{self.ours_value:.3f}, {self.ours_u:.3f}",
                "",
            ],
        ]
        prof = ", ".join(f"{k} {v:.0%}" for k, v in self.profile.items())
        verdict = "met" if self.met else "**missed**"
        return "\n".join(
            [
                "## (b) The same model in Brightway",
                "",
                "Brightway 2.5 (`bw2data` project in a temporary `BRIGHTWAY2_DIR`, `bw2calc`, "
                "default SciPy sparse solver; pypardiso is not installed, and for a matrix "
                "this small the solve is not where the time goes): a biosphere flow "
                f"`CO2e`, a technosphere database of {self.activities} activities mirroring the "
                f"study's {sum(self.chain_lengths.values())} terms ({kinds}) and an LCIA "
                "method with CF 1 for CO2e. Monte Carlo: "
                "`bc.LCA({meter: 1}, method, use_distributions=True, seed_override=s)`, "
                "`lci()`, `lcia()`, then `next(lca)` and `lca.score` per iteration. The "
                f"iterations run in {self.repeats} segments, each right after one run of "
                "tanzuji's `monte_carlo` on the same model, so both rates see the same load.",
                "",
                "How the terms are mapped (c is the term's unit-conversion constant, put on the "
                "first exchange of the chain):",
                "",
                md_table(
                    ["tanzuji term", "Brightway activities and exchanges", "exact?"],
                    [
                        [
                            "M·EF (flow, energy carrier, electricity part)",
                            "term → factor activity: technosphere c·M; factor → CO2e: EF",
                            "yes: A⁻¹ multiplies along the chain",
                        ],
                        [
                            "M·D·T (transport by distance)",
                            "term → leg activity: c·M (t); leg → factor activity: D "
                            "(t·km per t); "
                            "factor → CO2e: T",
                            "yes",
                        ],
                        [
                            "P·t·EF (use stage)",
                            "term → use activity: c·P; use → electricity factor: t (constant); "
                            "factor → CO2e: EF",
                            "yes",
                        ],
                        [
                            "a factor used by several terms (one input)",
                            "one factor activity, one CO2e exchange: one draw per iteration",
                            "yes, same correlation",
                        ],
                    ],
                ),
                "",
                md_table(["tanzuji distribution", "stats_arrays uncertainty type"], MAPPING),
                "",
                f"Inputs that Brightway samples more than once per iteration: {dup}. "
                "Brightway (bw_processing) stores every amount and distribution parameter as "
                "float32, so its deterministic score can only match E_total to about 1e-7; "
                "it matches our model evaluated at those float32-rounded amounts to 1e-9.",
                "",
                NOT_EXACT,
                "",
                md_table(["measure", "value", ""], rows),
                "",
                f"Where Brightway's iteration time goes (cProfile of 200 iterations): {prof}.",
                "",
                f"**tanzuji draws/s ÷ Brightway iterations/s = {self.factor:,.0f}** "
                f"({fmt_rate(self.ours_rate)} against {fmt_rate(self.rate)}; "
                f"goal ≥ {GOAL_FACTOR:g}: {verdict}). z-scores are the differences of mean and "
                "sd from tanzuji's in units of Brightway's sampling standard error.",
            ]
        )


def _profile_split(lca: Any, n: int) -> dict[str, float]:
    """Share of ``next(lca)`` time spent re-sampling matrices, solving, characterising."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        next(lca)
    prof.disable()
    stats = pstats.Stats(prof)
    cum: dict[str, float] = {}
    total = 0.0
    for (file, _line, func), row in stats.stats.items():  # type: ignore[attr-defined]
        ct = row[3]
        if func == "__next__" and file.endswith("bw2calc/lca.py"):
            total = ct
        key = {
            "lci_calculation": "solve (lci_calculation)",
            "lcia_calculation": "characterise (lcia_calculation)",
        }.get(func)
        if key is None and func == "__next__" and "matrix_utils" in file:
            key = "re-sampling and rebuilding matrices (matrix_utils)"
        if key:
            cum[key] = cum.get(key, 0.0) + ct
    if total <= 0:
        return {}
    out = {k: v / total for k, v in cum.items()}
    out["other"] = max(0.0, 1.0 - sum(out.values()))
    return out


def bench_brightway(
    meter: Meter,
    iterations: int,
    ours: Callable[[], tuple[float, float, float]],
    ours_trials: int,
    repeats: int = 4,
    seed: int = 42,
) -> BrightwayResult:
    """Build the project, check the score, time ``next(lca)`` against ``ours``.

    ``ours()`` runs our Monte Carlo on ``ours_trials`` trials and returns (wall time, mean,
    u). The ``iterations`` are split into ``repeats`` segments, each run right after one
    call of ``ours()``, so both rates are measured under the same machine load.
    """
    bw_dir = tempfile.mkdtemp(prefix="tanzuji-bw-")
    os.environ["BRIGHTWAY2_DIR"] = bw_dir  # before bw2data is imported
    try:
        # bw2data logs to stdout through structlog; its logger binds to the stdout it
        # sees first, so importing it under a redirection silences its chatter.
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            import bw2calc as bc
            import bw2data as bd

            bd.projects.set_current("tanzuji-bench")
        bd.Database(BIO_DB).write(
            {(BIO_DB, "CO2e"): {"name": "CO2e", "unit": "kilogram", "type": "emission"}}
        )
        inv = build_inventory(meter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bd.Database(TECH_DB).write(inv.activities)
        method = bd.Method(METHOD)
        method.register(unit="kgCO2e")
        method.write([((BIO_DB, "CO2e"), 1.0)])
        root = bd.get_node(database=TECH_DB, code="meter")

        lca = bc.LCA({root: 1}, method=METHOD)
        lca.lci()
        lca.lcia()
        score = float(lca.score)
        e_total = meter.estimate()
        e32 = float32_score(inv)
        print(
            f"  (b) Brightway deterministic score {score:.12g}; tanzuji E_total {e_total:.12g}, "
            f"at float32-rounded amounts {e32:.12g}"
        )
        # Brightway stores amounts as float32 (bw_processing): the mapping is exact to 1e-9
        # against our model at those rounded amounts, and to float32 precision against ours.
        assert abs(score - e32) <= 1e-9 * abs(e32), (score, e32)
        assert abs(score - e_total) <= FLOAT32_RTOL * abs(e_total), (score, e_total)

        def setup() -> Any:
            mc = bc.LCA({root: 1}, method=METHOD, use_distributions=True, seed_override=seed)
            mc.lci()
            mc.lcia()
            return mc

        setup_s, mc = timed(setup)
        scores = np.empty(iterations)
        bounds = np.linspace(0, iterations, repeats + 1).round().astype(int).tolist()

        def loop(lo: int, hi: int) -> None:
            for i in range(lo, hi):
                next(mc)
                scores[i] = mc.score

        loop_s, ours_s = 0.0, 0.0
        ours_value = ours_u = math.nan
        for r in range(repeats):
            t, ours_value, ours_u = ours()
            ours_s += t
            seg = timed(lambda r=r: loop(bounds[r], bounds[r + 1]))[0]
            loop_s += seg
            eprint(
                f"  (b) segment {r + 1}/{repeats}: tanzuji {fmt_s(t)}, "
                f"{bounds[r + 1] - bounds[r]} × next(lca) {fmt_s(seg)}"
            )
        profile = _profile_split(mc, 200)
        return BrightwayResult(
            activities=len(inv.activities),
            chain_lengths=inv.chain_lengths,
            duplicated=inv.duplicated,
            score=score,
            e_total=e_total,
            score_f32=e32,
            setup_s=setup_s,
            iterations=iterations,
            loop_s=loop_s,
            mean=float(statistics.fmean(scores)),
            sd=float(np.std(scores, ddof=1)),
            ours_s=ours_s,
            repeats=repeats,
            ours_value=ours_value,
            ours_u=ours_u,
            ours_trials=ours_trials,
            profile=profile,
        )
    finally:
        shutil.rmtree(bw_dir, ignore_errors=True)
