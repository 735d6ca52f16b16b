"""GUM framework: JCGM 100:2008 H.1 and H.2, plus second-method and property checks.

Expected numbers come from the publication (its printed rounding sets the tolerance) or
from an independent closed-form computation written in the test.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from tanzuji.errors import DistributionError, ModelEvaluationError
from tanzuji.uncertainty import (
    Normal,
    ParameterError,
    Rectangular,
    StudentT,
    coverage_factor,
    gum,
    gum_multi,
)

# --------------------------------------------------------------------------------------
# JCGM 100:2008 H.1 — calibration of an end gauge (lengths in nm, temperatures in °C)
# l = l_s + d − l_s (δα·θ + α_s·δθ)   (first-order model used for Table H.1)
# --------------------------------------------------------------------------------------

H1_INPUTS = {
    "l_s": Normal(50_000_623.0, 25.0, dof=18),  # certificate: U = 0.075 µm, k = 3
    "d_bar": Normal(215.0, 5.8, dof=24),  # mean of 5 readings, pooled s = 13 nm
    "d_1": Normal(0.0, 3.9, dof=5),  # random effects of the comparator
    "d_2": Normal(0.0, 6.7, dof=8),  # systematic effects of the comparator
    "alpha_s": Rectangular(9.5e-6, 13.5e-6),  # 11.5e-6 ± 2e-6 /°C, u = 1.2e-6
    "theta": Normal(-0.1, 0.41),  # θ̄ = −0.1 °C; u from 0.2 °C and the cyclic ±0.5 °C
    "delta_alpha": Rectangular(-1e-6, 1e-6, dof=50),  # u = 0.58e-6 /°C, 10 % reliable
    "delta_theta": Rectangular(-0.05, 0.05, dof=2),  # u = 0.029 °C, 50 % reliable
}


def h1_model(**x: Any) -> Any:
    d = x["d_bar"] + x["d_1"] + x["d_2"]
    return (
        x["l_s"] + d - x["l_s"] * (x["delta_alpha"] * x["theta"] + x["alpha_s"] * x["delta_theta"])
    )


def test_h1_end_gauge() -> None:
    res = gum(h1_model, H1_INPUTS, p=0.99)
    # H.1.5: l = l_s + d = 50.000 838 mm
    assert res.value == pytest.approx(50_000_838.0, abs=0.5)
    # H.1.5: u_c(l) = 32 nm (31.7 before rounding)
    assert res.u == pytest.approx(31.7, abs=0.05)
    # H.1.6: ν_eff = 16.7, taken as 16; t_99(16) = 2.92; U99 = 2.92 × 32 nm = 93 nm
    assert res.dof == pytest.approx(16.7, abs=0.15)
    assert res.k == pytest.approx(2.92, abs=0.005)
    assert res.k * round(res.u) == pytest.approx(93.0, abs=0.5)  # the GUM multiplies u = 32
    expanded = res.U
    assert expanded == pytest.approx(92.6, abs=0.2)  # 2.92 × 31.7


def test_h1_budget_table() -> None:
    res = gum(h1_model, H1_INPUTS, p=0.99)
    rows = {row.name: row for row in res.budget}
    # Table H.1: c_i and |c_i|·u(x_i) in nm
    expected = {
        "l_s": (1.0, 25.0),
        "d_bar": (1.0, 5.8),
        "d_1": (1.0, 3.9),
        "d_2": (1.0, 6.7),
        "alpha_s": (0.0, 0.0),
        "theta": (0.0, 0.0),
        "delta_alpha": (5.0e6, 2.9),  # −l_s·θ = 5 mm·°C (in nm·°C)
        "delta_theta": (-575.0, 16.6),  # −l_s·α_s = −0.57 mm·°C⁻¹... in nm/°C
    }
    for name, (c, contribution) in expected.items():
        assert rows[name].sensitivity == pytest.approx(c, rel=1e-3, abs=1e-9), name
        assert abs(rows[name].contribution) == pytest.approx(contribution, abs=0.06), name
    assert sum(row.share for row in res.budget) == pytest.approx(1.0)
    assert rows["l_s"].dof == 18


# --------------------------------------------------------------------------------------
# JCGM 100:2008 H.2 — simultaneous resistance and reactance (5 sets of V, I, φ)
# --------------------------------------------------------------------------------------

H2_V = np.array([5.007, 4.994, 5.005, 4.990, 4.999])  # V
H2_I = np.array([19.663, 19.639, 19.640, 19.685, 19.678]) * 1e-3  # A
H2_PHI = np.array([1.0456, 1.0438, 1.0468, 1.0428, 1.0433])  # rad


def h2_model(V: np.ndarray, I: np.ndarray, phi: np.ndarray) -> dict[str, np.ndarray]:  # noqa: E741
    z = V / I
    return {"R": z * np.cos(phi), "X": z * np.sin(phi), "Z": z}


def h2_inputs() -> tuple[dict[str, StudentT], dict[tuple[str, str], float]]:
    data = {"V": H2_V, "I": H2_I, "phi": H2_PHI}
    inputs = {k: StudentT.from_observations(v) for k, v in data.items()}
    r = np.corrcoef(np.stack([H2_V, H2_I, H2_PHI]))
    corr = {("V", "I"): r[0, 1], ("V", "phi"): r[0, 2], ("I", "phi"): r[1, 2]}
    return inputs, corr


def test_h2_input_statistics() -> None:
    inputs, corr = h2_inputs()
    # Table H.2
    assert inputs["V"].mean == pytest.approx(4.9990, abs=5e-5)
    assert inputs["I"].mean == pytest.approx(19.6610e-3, abs=5e-8)
    assert inputs["phi"].mean == pytest.approx(1.04446, abs=5e-6)
    assert inputs["V"].u == pytest.approx(0.0032, abs=5e-5)
    assert inputs["I"].u == pytest.approx(0.0095e-3, abs=5e-8)
    assert inputs["phi"].u == pytest.approx(0.00075, abs=5e-6)
    assert corr[("V", "I")] == pytest.approx(-0.36, abs=0.005)
    assert corr[("V", "phi")] == pytest.approx(0.86, abs=0.005)
    assert corr[("I", "phi")] == pytest.approx(-0.65, abs=0.005)


def test_h2_resistance_reactance() -> None:
    inputs, corr = h2_inputs()
    res = gum_multi(h2_model, inputs, corr)
    # Table H.3 (approach 1): values and standard uncertainties in Ω
    assert res["R"].value == pytest.approx(127.732, abs=0.0005)
    assert res["X"].value == pytest.approx(219.847, abs=0.0005)
    assert res["Z"].value == pytest.approx(254.260, abs=0.0005)
    assert res["R"].u == pytest.approx(0.071, abs=0.0005)
    # 0.2956 by approach 1 from the raw readings; the printed 0.295 is approach 2's 0.29549
    # (H.2.4), so allow one unit of the last printed digit here
    assert res["X"].u == pytest.approx(0.295, abs=0.001)
    assert res["Z"].u == pytest.approx(0.236, abs=0.0005)
    # correlation coefficients of the outputs
    assert res.r("R", "X") == pytest.approx(-0.588, abs=0.0005)
    assert res.r("R", "Z") == pytest.approx(-0.485, abs=0.0005)
    assert res.r("X", "Z") == pytest.approx(0.993, abs=0.0005)
    # with correlation, shares still sum to 1
    for name in res:
        assert float(np.sum(res[name].budget.shares)) == pytest.approx(1.0)
        assert res[name].correlated


def test_h2_approach_2_agrees() -> None:
    """GUM H.2.4 approach 2: statistics of the five computed (R, X, Z) give the same u."""
    out = h2_model(H2_V, H2_I, H2_PHI)
    inputs, corr = h2_inputs()
    res = gum_multi(h2_model, inputs, corr)
    for name in ("R", "X", "Z"):
        u2 = np.std(out[name], ddof=1) / math.sqrt(5)
        assert res[name].u == pytest.approx(u2, rel=0.02)


# --------------------------------------------------------------------------------------
# second method and properties
# --------------------------------------------------------------------------------------


def test_linear_model_matches_matrix_formula() -> None:
    rng = np.random.default_rng(1)
    n = 40
    coef = rng.normal(size=n)
    names = [f"factor:cn.x{i}" for i in range(n)]
    inputs = {
        nm: Normal(float(m), float(s))
        for nm, m, s in zip(names, rng.normal(size=n), rng.uniform(0.1, 2, n), strict=True)
    }
    corr = {(names[0], names[1]): 0.5, (names[2], names[5]): -0.3, (names[1], names[5]): 0.2}

    def model(**x: Any) -> Any:
        return sum(c * x[nm] for c, nm in zip(coef, names, strict=True)) + 3.0

    u = np.array([inputs[nm].u for nm in names])
    cov = np.diag(u**2)
    for (a, b), r in corr.items():
        i, j = names.index(a), names.index(b)
        cov[i, j] = cov[j, i] = r * u[i] * u[j]
    expected = math.sqrt(coef @ cov @ coef)
    for method in ("auto", "fd"):
        res = gum(model, inputs, corr, sensitivity=method)
        assert res.u == pytest.approx(expected, rel=1e-9)
        np.testing.assert_allclose(res.budget.sensitivities, coef, rtol=1e-9)


def test_nonlinear_sensitivities_ad_vs_fd() -> None:
    inputs = {"a": Normal(2.0, 0.1), "b": Normal(0.5, 0.05), "c": Rectangular(1.0, 3.0)}

    def model(a: Any, b: Any, c: Any) -> Any:
        return np.exp(a * b) / np.sqrt(c) + np.sin(b) ** 2 - np.log(c) * a**1.5

    ad = gum(model, inputs, sensitivity="ad")
    fd = gum(model, inputs, sensitivity="fd")
    assert ad.method == "automatic differentiation"
    assert fd.method == "central differences"
    np.testing.assert_allclose(ad.budget.sensitivities, fd.budget.sensitivities, rtol=1e-6)
    # analytic derivative with respect to a
    a, b, c = 2.0, 0.5, 2.0
    assert ad.budget["a"].sensitivity == pytest.approx(
        b * math.exp(a * b) / math.sqrt(c) - 1.5 * math.log(c) * math.sqrt(a), rel=1e-12
    )


def test_untraceable_model_falls_back_to_finite_differences() -> None:
    def model(a: Any, b: Any) -> Any:
        arr = np.asarray(a, dtype=float)  # escapes the tracer
        return np.where(arr > 0, arr * b, -arr * b)

    res = gum(model, {"a": Normal(2.0, 0.1), "b": Normal(3.0, 0.2)})
    assert res.method == "central differences"
    np.testing.assert_allclose(res.budget.sensitivities, [3.0, 2.0], rtol=1e-9)
    with pytest.raises(ModelEvaluationError, match="automatically"):
        gum(model, {"a": Normal(2.0, 0.1), "b": Normal(3.0, 0.2)}, sensitivity="ad")


def test_welch_satterthwaite_and_k() -> None:
    res = gum(lambda a, b: a + b, {"a": Normal(0, 1.0, dof=4), "b": Normal(0, 1.0, dof=4)})
    assert res.dof == pytest.approx(8.0)
    assert res.k == pytest.approx(stats.t.ppf(0.975, 8))
    frac = gum(lambda a, b: a + 2 * b, {"a": Normal(0, 1.0, dof=3), "b": Normal(0, 1.0, dof=7)})
    nu = 25.0 / (1.0 / 3 + 16.0 / 7)
    assert frac.dof == pytest.approx(nu)
    assert frac.k == pytest.approx(stats.t.ppf(0.975, math.floor(nu)))
    untr = gum(
        lambda a, b: a + 2 * b,
        {"a": Normal(0, 1.0, dof=3), "b": Normal(0, 1.0, dof=7)},
        truncate_dof=False,
    )
    assert untr.k == pytest.approx(stats.t.ppf(0.975, nu))
    given = gum(lambda a: 2 * a, {"a": Normal(1.0, 0.5, dof=3)}, k=2)
    assert (given.k, given.U, given.interval) == (2.0, 2.0, (0.0, 4.0))


def test_constant_inputs_and_zero_uncertainty() -> None:
    res = gum(lambda a, b: a * b, {"a": 2.0, "b": 3.0})
    assert (res.value, res.u, res.dof) == (6.0, 0.0, math.inf)
    assert list(res.budget.shares) == [0.0, 0.0]
    assert [r.sensitivity for r in res.budget] == pytest.approx([3.0, 2.0])


def test_shared_factor_correlates_stages() -> None:
    """A grid factor used by two stages: the total is not the root-sum-square of stages."""

    def model(ef: np.ndarray, m1: np.ndarray, m2: np.ndarray) -> dict[str, np.ndarray]:
        return {"use": m1 * ef, "mfg": m2 * ef, "total": (m1 + m2) * ef}

    inputs = {"ef": Normal(0.58, 0.058), "m1": Normal(1000.0, 10.0), "m2": Normal(200.0, 4.0)}
    res = gum_multi(model, inputs)
    cov = res.covariance
    total_u = math.sqrt(cov[0, 0] + cov[1, 1] + 2 * cov[0, 1])
    assert res["total"].u == pytest.approx(total_u, rel=1e-12)
    assert res["total"].u > math.hypot(res["use"].u, res["mfg"].u)
    assert cov[0, 1] == pytest.approx(1000.0 * 200.0 * 0.058**2)


def test_many_inputs_linear_fast_path() -> None:
    n = 20_000
    names = [f"x{i}" for i in range(n)]
    inputs = {nm: Normal(1.0, 0.1) for nm in names}
    coef = np.linspace(0.5, 1.5, n)

    def model(**x: Any) -> Any:
        total: Any = 0.0
        for c, nm in zip(coef, names, strict=True):
            total = total + c * x[nm]
        return total

    res = gum(model, inputs)
    assert res.method == "automatic differentiation"
    assert res.u == pytest.approx(0.1 * math.sqrt(float(coef @ coef)), rel=1e-12)
    assert len(res.budget) == n
    assert res.budget["x7"].sensitivity == pytest.approx(coef[7])


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------


def test_bad_model_output() -> None:
    inputs = {"a": Normal(1.0, 0.1), "b": Normal(0.0, 0.1)}
    with pytest.raises(ModelEvaluationError, match=r"'y' is (nan|inf)"):
        gum(lambda a, b: a / b, inputs)
    with pytest.raises(ModelEvaluationError, match="shape"):
        gum(lambda a, b: np.stack([a, b, a]).ravel(), inputs, sensitivity="fd")
    with pytest.raises(ModelEvaluationError, match="use gum_multi"):
        gum(lambda a, b: {"s1": a, "s2": b}, inputs)
    with pytest.raises(ModelEvaluationError, match="KeyError"):
        gum(lambda **x: x["c"], inputs)


def test_nan_near_the_estimate_names_the_input() -> None:
    # sqrt(b) is finite at b = 0 but not at 0 − h
    inputs = {"a": Normal(1.0, 0.1), "b": Normal(0.0, 0.1)}
    with pytest.raises(ModelEvaluationError, match="input 'b' moved by −h"):
        gum(lambda a, b: a + np.sqrt(b), inputs)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"p": 1.5}, ParameterError, "p must lie"),
        ({"k": -1.0}, ParameterError, "k must be"),
        ({"correlation": {("a", "zz"): 0.5}}, DistributionError, "unknown input 'zz'"),
        ({"correlation": {("a", "b"): 1.5}}, DistributionError, r"\('a', 'b'\).*\[−1, 1\]"),
        (
            {"correlation": {("a", "b"): 0.9, ("b", "c"): 0.9, ("a", "c"): -0.9}},
            DistributionError,
            "not positive semi-definite.*'a'.*'b'.*'c'|not positive semi-definite",
        ),
        ({"correlation": {("a", "b"): 0.5, ("b", "a"): 0.4}}, DistributionError, "given twice"),
        ({"correlation": {("a", "a"): 0.5}}, DistributionError, "itself"),
        ({"correlation": {"ab": 0.5}}, DistributionError, "pair of input names"),
        ({"sensitivity": "magic"}, ParameterError, "sensitivity"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], fragment: str) -> None:
    inputs = {"a": Normal(1.0, 0.1), "b": Normal(2.0, 0.1), "c": Normal(3.0, 0.1)}
    with pytest.raises(error, match=fragment):
        gum(lambda a, b, c: a + b + c, inputs, **kwargs)  # type: ignore[arg-type]


def test_bad_inputs_mapping() -> None:
    with pytest.raises(DistributionError, match="non-empty"):
        gum(lambda: 1.0, {})
    with pytest.raises(DistributionError, match="input 'a'"):
        gum(lambda a: a, {"a": "ten"})  # type: ignore[dict-item]
    with pytest.raises(DistributionError, match="input 'a'"):
        gum(lambda a: a, {"a": math.nan})


def test_coverage_factor_table() -> None:
    # JJF 1059.1 normal k_p table
    for p, k in [(0.90, 1.645), (0.95, 1.960), (0.99, 2.576), (0.9973, 3.0)]:
        assert coverage_factor(p) == pytest.approx(k, abs=0.001)
    with pytest.raises(ParameterError):
        coverage_factor(0.95, 0.0)


def test_silent_escape_from_tracer_is_caught() -> None:
    def model(a: Any, b: Any) -> Any:
        b_plain = getattr(b, "value", b)  # a traced b is read as a plain number here
        return a * b_plain

    res = gum(model, {"a": Normal(2.0, 0.1), "b": Normal(3.0, 0.2)})
    assert res.method == "central differences"
    np.testing.assert_allclose(res.budget.sensitivities, [3.0, 2.0], rtol=1e-9)


def test_multi_output_as_2d_array_and_constant_output() -> None:
    def model(a: Any, b: Any) -> Any:
        return np.stack([a + b, a - b, np.zeros_like(a)])

    res = gum_multi(model, {"a": Normal(1.0, 0.3), "b": Normal(2.0, 0.4)})
    assert res.names == ("y0", "y1", "y2")
    assert res["y0"].u == pytest.approx(0.5) and res["y2"].u == 0.0
    assert res.r("y0", "y1") == pytest.approx((0.09 - 0.16) / 0.25)
    assert res.correlation[2, 2] == 0.0
    scalar = gum(lambda a: 5.0, {"a": Normal(1.0, 0.3)})
    assert (scalar.value, scalar.u) == (5.0, 0.0)


def test_second_order_needs_independent_inputs() -> None:
    inputs = {"a": Normal(1.0, 0.3), "b": Normal(2.0, 0.4)}
    with pytest.raises(ParameterError, match="independent"):
        gum(lambda a, b: a * b, inputs, {("a", "b"): 0.5}, order=2)
    with pytest.raises(ParameterError, match="order"):
        gum(lambda a, b: a * b, inputs, order=3)  # type: ignore[arg-type]
    # y = a·b with independent normals: u² = b²u_a² + a²u_b² + u_a²u_b² exactly
    res = gum(lambda a, b: a * b, inputs, order=2)
    assert res.u**2 == pytest.approx(4 * 0.09 + 0.16 + 0.09 * 0.16, rel=1e-9)
    assert res.second_order_variance == pytest.approx(0.09 * 0.16, rel=1e-6)


def test_budget_access_and_rounding() -> None:
    res = gum(lambda m, ef: m * ef, {"m": Normal(100.0, 2.0), "ef": Normal(0.6, 0.03)}, p=0.95)
    assert res.budget["ef"] == res.budget[1] == res.budget[-1]
    assert [r.name for r in res.budget.largest(1)] == ["ef"]
    assert len(res.budget[0:2]) == 2
    assert str(res.round()) == "60.0 ± 6.3"
    assert str(res) == "y = 60.0 ± 6.3 (k = 1.96)"
    assert res.relative_u == pytest.approx(res.u / 60.0)
