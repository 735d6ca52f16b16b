"""Monte Carlo: JCGM 101:2008 §9.2 (additive model) and §9.3 (mass calibration).

Monte Carlo digits are never asserted exactly: results are compared with the published
values within their printed rounding plus the sampling error, and with exact reference
values computed here by an independent method (convolution / numerical integration).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from tanzuji.errors import DistributionError, ModelEvaluationError
from tanzuji.uncertainty import (
    Normal,
    ParameterError,
    Rectangular,
    adaptive_run_length,
    gum,
    monte_carlo,
    monte_carlo_multi,
    numerical_tolerance,
)

S3 = math.sqrt(3.0)


def additive(x1: Any, x2: Any, x3: Any, x4: Any) -> Any:
    return x1 + x2 + x3 + x4


def irwin_hall_pdf(n: int, x: float) -> float:
    """Density of the sum of n independent U(0, 1)."""
    if x <= 0 or x >= n:
        return 0.0
    terms = [(-1) ** k * math.comb(n, k) * (x - k) ** (n - 1) for k in range(math.floor(x) + 1)]
    return float(sum(terms)) / math.factorial(n - 1)


def sum_of_rectangles_quantile(widths: tuple[float, ...], big: float, prob: float) -> float:
    """Quantile of S + B, S a sum of 3 U(−a, a) with a = widths[0], B ~ U(−big, big)."""
    a = widths[0]

    def cdf(y: float) -> float:
        # S = 2a·IH3 − 3a with IH3 Irwin–Hall(3); P(S + B ≤ y) = E_S[F_B(y − S)]
        def integrand(t: float) -> float:
            s = 2 * a * t - 3 * a
            fb = min(max((y - s + big) / (2 * big), 0.0), 1.0)
            return irwin_hall_pdf(3, t) * fb

        return float(integrate.quad(integrand, 0, 3, points=[1, 2], limit=200)[0])

    return float(optimize.brentq(lambda y: cdf(y) - prob, -4 * (a + big), 4 * (a + big)))


# --------------------------------------------------------------------------------------
# JCGM 101 9.2.2 — four standard normal inputs
# --------------------------------------------------------------------------------------


def test_9_2_2_normal_inputs() -> None:
    inputs = {f"x{i}": Normal(0.0, 1.0) for i in range(1, 5)}
    g = gum(additive, inputs)
    # Table 2, GUF: y = 0.00, u = 2.00, [−3.92, 3.92]
    assert g.u == pytest.approx(2.00, abs=0.005)
    assert g.interval == pytest.approx((-3.92, 3.92), abs=0.005)
    mc = monte_carlo(additive, inputs, trials=1_000_000, seed=20080922)
    # Table 2, MCM (M = 10⁶): 0.00, 2.00, [−3.92, 3.92]
    assert mc.value == pytest.approx(0.0, abs=0.01)
    assert mc.u == pytest.approx(2.00, abs=0.005)
    assert mc.symmetric_interval == pytest.approx((-3.92, 3.92), abs=0.02)
    assert mc.interval == pytest.approx((-3.92, 3.92), abs=0.04)  # shortest: noisier
    assert mc.validate(g, ndig=2, interval="symmetric").validated


# --------------------------------------------------------------------------------------
# JCGM 101 9.2.3 — four rectangular inputs with u = 1
# --------------------------------------------------------------------------------------


def test_9_2_3_rectangular_inputs() -> None:
    inputs = {f"x{i}": Rectangular(-S3, S3) for i in range(1, 5)}
    g = gum(additive, inputs)
    assert g.u == pytest.approx(2.00, abs=0.005)
    assert g.interval == pytest.approx((-3.92, 3.92), abs=0.005)
    # exact endpoint (Irwin–Hall convolution): 3.88 to 3 significant digits, as published
    exact = sum_of_rectangles_quantile((S3,), S3, 0.975)
    assert exact == pytest.approx(3.88, abs=0.005)
    mc = monte_carlo(additive, inputs, trials=4_000_000, seed=20080923)
    # Table 3, MCM: 0.00, 2.00, [−3.88, 3.88]
    assert mc.u == pytest.approx(2.00, abs=0.005)
    sigma = math.sqrt(0.025 * 0.975 / mc.trials) / 0.0287  # endpoint sampling sd
    assert mc.symmetric_interval == pytest.approx((-exact, exact), abs=4 * sigma)
    assert mc.symmetric_interval == pytest.approx((-3.88, 3.88), abs=0.005 + 4 * sigma)
    # Validation: d ≈ 3.92 − 3.88 = 0.04. δ(ndig = 1) = 0.5 and δ(ndig = 2) = 0.05, so
    # the GUF is validated for both; it would fail only for ndig = 3 (δ = 0.005).
    assert numerical_tolerance(g.u, 1) == 0.5
    assert numerical_tolerance(g.u, 2) == 0.05
    d_exact = g.interval[1] - exact
    assert 0.005 < d_exact < 0.05
    v1 = mc.validate(g, ndig=1, interval="symmetric")
    v2 = mc.validate(g, ndig=2, interval="symmetric")
    v3 = mc.validate(g, ndig=3, interval="symmetric")
    assert v1.validated and v2.validated and not v3.validated
    assert v2.d_high == pytest.approx(d_exact, abs=4 * sigma)


# --------------------------------------------------------------------------------------
# JCGM 101 9.2.4 — X4 rectangular with ten times the standard deviation of the others
# --------------------------------------------------------------------------------------


def test_9_2_4_dominant_rectangular_input() -> None:
    inputs = {
        "x1": Rectangular(-S3, S3),
        "x2": Rectangular(-S3, S3),
        "x3": Rectangular(-S3, S3),
        "x4": Rectangular(-10 * S3, 10 * S3),
    }
    g = gum(additive, inputs)
    # Table 4, GUF: u = 10.1, [−19.9, 19.9]
    assert g.u == pytest.approx(10.1, abs=0.05)
    assert g.interval == pytest.approx((-19.9, 19.9), abs=0.05)
    exact = sum_of_rectangles_quantile((S3,), 10 * S3, 0.975)
    assert exact == pytest.approx(17.0, abs=0.05)  # published MCM: [−17.0, 17.0]
    mc = monte_carlo(additive, inputs, trials=1_000_000, seed=20080924)
    assert mc.u == pytest.approx(10.1, abs=0.05)
    assert mc.symmetric_interval == pytest.approx((-exact, exact), abs=0.02)
    assert mc.interval == pytest.approx((-17.0, 17.0), abs=0.1)
    # d ≈ 19.9 − 17.0 = 2.9: not validated for ndig = 2 (u = 10 = 10·10⁰, δ = 0.5), but
    # validated for ndig = 1 (u = 1·10¹, δ = 5)
    v = mc.validate(g, ndig=2)
    assert v.delta == 0.5
    assert v.d_low == pytest.approx(2.9, abs=0.1) and not v.validated
    v1 = mc.validate(g, ndig=1)
    assert v1.delta == 5.0 and v1.validated


# --------------------------------------------------------------------------------------
# JCGM 101 9.3 — mass calibration
# --------------------------------------------------------------------------------------

MASS_INPUTS = {
    "m_R,c": Normal(100_000.000, 0.050),  # mg
    "dm_R,c": Normal(1.234, 0.020),  # mg
    "rho_a": Rectangular(1.10, 1.30),  # kg/m³
    "rho_W": Rectangular(7_000.0, 9_000.0),
    "rho_R": Rectangular(7_950.0, 8_050.0),
}


def mass_model(**x: Any) -> Any:
    factor = 1 + (x["rho_a"] - 1.2) * (1 / x["rho_W"] - 1 / x["rho_R"])
    return (x["m_R,c"] + x["dm_R,c"]) * factor - 100_000.0


def mass_exact() -> tuple[float, float, float]:
    """Mean, u and the 95 % endpoints of δm by numerical integration (midpoint grids).

    Given ρ_a, ρ_W and ρ_R, δm is normal with mean μ(1 + AD) − m_nom and standard deviation
    σ(1 + AD), A = ρ_a − ρ_a0, D = 1/ρ_W − 1/ρ_R; the distribution is symmetric about
    its mean, so the shortest and symmetric intervals coincide.
    """
    n_a, n_w, n_r = 240, 240, 12
    a = -0.1 + 0.2 * (np.arange(n_a) + 0.5) / n_a
    w = 7000.0 + 2000.0 * (np.arange(n_w) + 0.5) / n_w
    r = 7950.0 + 100.0 * (np.arange(n_r) + 0.5) / n_r
    ad = (a[:, None] * (1 / w[:, None] - 1 / r[None, :]).ravel()[None, :]).ravel()
    mu, sg = 100_001.234, math.hypot(0.050, 0.020)
    centre, spread = mu * (1 + ad) - 100_000.0, sg * (1 + ad)
    mean = float(centre.mean())
    u = math.sqrt(float((spread**2 + centre**2).mean()) - mean**2)

    def cdf(y: float) -> float:
        return float(special.ndtr((y - centre) / spread).mean())

    high = float(optimize.brentq(lambda y: cdf(y) - 0.975, 1.2, 1.6, xtol=1e-9))
    return mean, u, high


def test_9_3_mass_calibration_gum() -> None:
    g = gum(mass_model, MASS_INPUTS)
    # Table 6, GUF: δm = 1.2340 mg, u = 0.0539 mg, [1.1285, 1.3395] mg
    assert g.value == pytest.approx(1.2340, abs=5e-5)
    assert g.u == pytest.approx(0.0539, abs=5e-5)
    assert g.interval == pytest.approx((1.1285, 1.3395), abs=5e-5)
    # only the two masses contribute to first order
    assert [round(r.share, 6) for r in g.budget][2:] == [0.0, 0.0, 0.0]
    # second-order GUF: u = 0.0750 mg, [1.0870, 1.3810] mg
    g2 = gum(mass_model, MASS_INPUTS, order=2)
    assert g2.u == pytest.approx(0.0750, abs=5e-5)
    assert g2.interval == pytest.approx((1.0870, 1.3810), abs=1.5e-4)  # printed from u rounded


def test_9_3_mass_calibration_monte_carlo() -> None:
    mean, u, high = mass_exact()
    low = 2 * mean - high
    mc = monte_carlo(mass_model, MASS_INPUTS, trials=2_000_000, seed=2008093)
    # exact reference (independent numerical integration)
    assert mean == pytest.approx(1.2340, abs=5e-5)
    assert u == pytest.approx(0.0755, abs=5e-5)
    assert mc.value == pytest.approx(mean, abs=2e-4)
    assert mc.u == pytest.approx(u, abs=2e-4)
    assert mc.symmetric_interval == pytest.approx((low, high), abs=6e-4)
    # The shortest interval of a near-symmetric distribution is a noisy estimator: its
    # width is stable, its position wanders by ~10⁻³ at M = 2·10⁶.
    width = mc.interval[1] - mc.interval[0]
    assert width == pytest.approx(high - low, abs=6e-4)
    assert mc.interval == pytest.approx((low, high), abs=2.5e-3)
    # Table 6, MCM (M = 10⁶): 1.2341, 0.0754, shortest [1.0834, 1.3825]; the published
    # endpoints carry the same kind of noise
    assert mc.u == pytest.approx(0.0754, abs=2e-4)
    assert width == pytest.approx(1.3825 - 1.0834, abs=1e-3)
    assert mc.interval == pytest.approx((1.0834, 1.3825), abs=3.5e-3)
    # the first-order GUF is not validated (published d_low = 0.0451, d_high = 0.0430)
    v = mc.validate(gum(mass_model, MASS_INPUTS), ndig=2)
    assert v.delta == 0.0005
    assert v.d_low == pytest.approx(0.0451, abs=0.0035)
    assert v.d_high == pytest.approx(0.0430, abs=0.0035)
    assert not v.validated
    # nor is the second-order GUF (published d_low = 0.0036, d_high = 0.0015 > δ)
    v2 = mc.validate(gum(mass_model, MASS_INPUTS, order=2), ndig=2, interval="symmetric")
    assert not v2.validated


# --------------------------------------------------------------------------------------
# second method, reproducibility, adaptive procedure
# --------------------------------------------------------------------------------------


def test_mc_agrees_with_gum_for_linear_normal_model() -> None:
    inputs = {"a": Normal(1.0, 0.3), "b": Normal(2.0, 0.4), "c": Normal(-1.0, 0.2)}
    corr = {("a", "b"): 0.6, ("b", "c"): -0.3}

    def model(a: Any, b: Any, c: Any) -> Any:
        return 2 * a - b + 3 * c

    g = gum(model, inputs, corr)
    trials = 400_000
    mc = monte_carlo(model, inputs, corr, trials=trials, seed=5)
    se_u = g.u / math.sqrt(2 * (trials - 1))
    assert mc.u == pytest.approx(g.u, abs=4 * se_u)
    assert mc.value == pytest.approx(g.value, abs=4 * g.u / math.sqrt(trials))


def test_correlated_inputs_are_multivariate_normal() -> None:
    inputs = {"a": Normal(0.0, 1.0), "b": Normal(5.0, 2.0), "c": Normal(1.0, 0.5)}
    corr = {("a", "b"): 0.8, ("a", "c"): -0.5}
    res = monte_carlo_multi(
        lambda a, b, c: {"a": a, "b": b, "c": c}, inputs, corr, trials=200_000, seed=11
    )
    assert res.r("a", "b") == pytest.approx(0.8, abs=0.01)
    assert res.r("a", "c") == pytest.approx(-0.5, abs=0.01)
    assert res.r("b", "c") == pytest.approx(0.0, abs=0.01)
    assert res["b"].u == pytest.approx(2.0, rel=0.01)


def test_gaussian_copula_for_rectangular_inputs() -> None:
    inputs = {"a": Rectangular(0.0, 1.0), "b": Rectangular(0.0, 1.0)}
    res = monte_carlo_multi(
        lambda a, b: {"a": a, "b": b}, inputs, {("a", "b"): 0.7}, trials=200_000, seed=2
    )
    # Gaussian copula: Pearson r of the uniforms = (6/π)·arcsin(r/2)
    assert res.r("a", "b") == pytest.approx(6 / math.pi * math.asin(0.35), abs=0.01)
    assert res["a"].u == pytest.approx(1 / math.sqrt(12), rel=0.01)


@pytest.mark.parametrize("chunk", [1_000, 7_777, 65_536, 300_000])
def test_same_seed_same_result_whatever_the_chunking(chunk: int) -> None:
    inputs = {"a": Normal(1.0, 0.1), "b": Rectangular(0.0, 2.0), "c": Normal(0.0, 1.0)}
    corr = {("a", "c"): 0.5}

    def model(a: Any, b: Any, c: Any) -> Any:
        return a * b + c

    ref = monte_carlo(model, inputs, corr, trials=150_000, seed=42, keep=150_000)
    res = monte_carlo(model, inputs, corr, trials=150_000, seed=42, chunk_size=chunk, keep=150_000)
    assert res.draws is not None and ref.draws is not None
    assert np.array_equal(res.draws, ref.draws)
    assert (res.value, res.u, res.interval) == (ref.value, ref.u, ref.interval)
    other = monte_carlo(model, inputs, corr, trials=150_000, seed=43)
    assert other.value != ref.value


def test_adaptive_procedure_stops_and_reports() -> None:
    calls: list[tuple[int, int | None]] = []
    res = monte_carlo(
        lambda a, b: a * b,
        {"a": Normal(10.0, 0.5), "b": Rectangular(1.0, 3.0)},
        ndig=2,
        seed=9,
        progress=lambda done, total: calls.append((done, total)),
    )
    m = adaptive_run_length(0.95)
    assert m == 10_000
    assert res.converged and res.runs is not None and res.runs >= 10
    assert res.trials == res.runs * m
    assert calls[-1] == (res.trials, None)
    assert res.draws is None and int(res.histogram[0].sum()) == res.trials
    literal = monte_carlo(
        lambda a, b: a * b,
        {"a": Normal(10.0, 0.5), "b": Rectangular(1.0, 3.0)},
        seed=9,
        min_runs=2,
    )
    assert literal.converged and literal.trials <= res.trials
    capped = monte_carlo(
        lambda a, b: a * b,
        {"a": Normal(10.0, 0.5), "b": Rectangular(1.0, 3.0)},
        ndig=4,
        seed=9,
        max_trials=30_000,
    )
    assert not capped.converged and capped.trials == 30_000


def test_fixed_trials_progress() -> None:
    calls: list[tuple[int, int | None]] = []
    monte_carlo(
        lambda a: a,
        {"a": Normal(0.0, 1.0)},
        trials=25_000,
        chunk_size=10_000,
        seed=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(10_000, 25_000), (20_000, 25_000), (25_000, 25_000)]


def test_lognormal_output_is_asymmetric() -> None:
    from tanzuji.uncertainty import LogNormal

    d = LogNormal.from_median_gsd(1.0, 2.0)
    res = monte_carlo(lambda x: x, {"x": d}, trials=400_000, seed=4)
    lo, hi = res.symmetric_interval
    assert lo == pytest.approx(math.exp(math.log(2.0) * stats.norm.ppf(0.025)), rel=0.01)
    assert hi == pytest.approx(math.exp(math.log(2.0) * stats.norm.ppf(0.975)), rel=0.01)
    assert res.interval[1] - res.interval[0] < hi - lo  # shortest is shorter when skewed


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------


def test_model_nan_names_trial_and_inputs() -> None:
    with pytest.raises(ModelEvaluationError, match=r"trial \d+ \(a=-?\d"):
        monte_carlo(lambda a: np.sqrt(a), {"a": Normal(0.0, 1.0)}, trials=1000, seed=1)
    with pytest.raises(ModelEvaluationError, match="use monte_carlo_multi"):
        monte_carlo(lambda a: {"x": a, "y": a}, {"a": Normal(0.0, 1.0)}, trials=1000, seed=1)
    with pytest.raises(ModelEvaluationError, match="shape"):
        monte_carlo(lambda a: a[:10], {"a": Normal(0.0, 1.0)}, trials=1000, seed=1)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"trials": 1}, "trials"),
        ({"trials": 10}, "too few"),
        ({"p": 0.0}, "p must"),
        ({"ndig": 0}, "ndig"),
        ({"seed": -1}, "seed"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"trials": 100, "keep": -1}, "keep"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ParameterError, match=fragment):
        monte_carlo(lambda a: a, {"a": Normal(0.0, 1.0)}, **kwargs)


def test_bad_correlation_is_refused() -> None:
    inputs = {"a": Normal(0.0, 1.0), "b": Normal(0.0, 1.0), "c": Normal(0.0, 1.0)}
    bad = {("a", "b"): 0.99, ("b", "c"): 0.99, ("a", "c"): -0.99}
    with pytest.raises(DistributionError, match="positive semi-definite"):
        monte_carlo(lambda a, b, c: a + b + c, inputs, bad, trials=1000)
