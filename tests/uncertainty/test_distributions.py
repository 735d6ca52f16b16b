"""Distributions: analytic moments against samples, quantile functions, bad parameters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from tanzuji.errors import DistributionError
from tanzuji.uncertainty import (
    Arcsine,
    Constant,
    CurvilinearTrapezoid,
    Distribution,
    LogNormal,
    Normal,
    Rectangular,
    StudentT,
    Trapezoid,
    Triangular,
    from_default_bounds,
    from_expanded,
)

N = 400_000

CASES: list[Distribution] = [
    Normal(3.0, 0.5),
    Rectangular(-1.0, 3.0),
    Triangular(0.0, 6.0),
    Triangular(0.0, 6.0, mode=1.0),
    Arcsine(2.0, 4.0),
    Trapezoid(-2.0, 2.0, 0.5),
    Trapezoid(-2.0, 2.0, 0.0),
    Trapezoid(-2.0, 2.0, 1.0),
    CurvilinearTrapezoid(-1.0, 1.0, 0.3),
    CurvilinearTrapezoid(-1.0, 1.0, 0.0),
    LogNormal(2.0, 0.6),
    StudentT(5.0, 0.2, 8),
    Constant(7.0),
]


@pytest.mark.parametrize("dist", CASES, ids=repr)
def test_sample_moments_match(dist: Distribution) -> None:
    x = dist.sample(np.random.default_rng(123), N)
    assert x.shape == (N,) and x.dtype == np.float64
    sd = dist.sd
    # 5 standard errors; the variance estimate's error depends on the kurtosis
    assert float(np.mean(x)) == pytest.approx(dist.mean, abs=5 * sd / math.sqrt(N) + 1e-12)
    kurt = float(stats.kurtosis(x, fisher=False)) if sd > 0 else 1.0
    se_sd = sd * math.sqrt(max(kurt - 1.0, 0.0) / (4 * N))
    assert float(np.std(x, ddof=1)) == pytest.approx(sd, abs=5 * se_sd + 1e-12)


@pytest.mark.parametrize("dist", CASES, ids=repr)
def test_quantile_and_copula_maps_agree_with_sampling(dist: Distribution) -> None:
    z = np.random.default_rng(7).standard_normal(N)
    x = dist.from_standard_normal(z)
    y = dist.sample(np.random.default_rng(8), N)
    qs = [0.01, 0.1, 0.5, 0.9, 0.99]
    spread = max(dist.sd, 1e-12)
    np.testing.assert_allclose(np.quantile(x, qs), np.quantile(y, qs), atol=0.03 * spread)
    np.testing.assert_allclose(np.quantile(x, qs), dist.ppf(np.array(qs)), atol=0.03 * spread)


def test_gum_uncertainties() -> None:
    assert Rectangular(-1.0, 1.0).u == pytest.approx(1 / math.sqrt(3))
    assert Triangular(-1.0, 1.0).u == pytest.approx(1 / math.sqrt(6))
    assert Arcsine(-1.0, 1.0).u == pytest.approx(1 / math.sqrt(2))
    assert Trapezoid(-1.0, 1.0, 0.71).u == pytest.approx(math.sqrt((1 + 0.71**2) / 6))
    # JCGM 101 6.4.3.3: u² = (b − a)²/12 + d²/9
    assert CurvilinearTrapezoid(-1.0, 1.0, 0.5).u == pytest.approx(math.sqrt(1 / 3 + 0.25 / 9))
    t = StudentT(0.0, 2.0, 3)
    assert (t.u, t.dof) == (2.0, 3.0)
    assert t.sd == pytest.approx(2.0 * math.sqrt(3.0))
    assert StudentT(0.0, 2.0, 2).sd == math.inf
    assert Normal.from_expanded(1.0, 0.6, k=2, dof=9) == Normal(1.0, 0.3, dof=9)
    assert from_expanded(1.0, 0.6, k=3).u == pytest.approx(0.2)


def test_lognormal_parameters() -> None:
    d = LogNormal(2.0, 0.6)
    assert d.estimate == d.mean == 2.0  # the estimate is the mean, not the median
    assert d.u == 0.6
    assert d.median < d.mean
    assert d.sigma == pytest.approx(math.sqrt(math.log(1 + 0.09)))
    assert d.mean == pytest.approx(math.exp(d.mu + d.sigma**2 / 2))
    g = LogNormal.from_median_gsd(3.0, 1.5)
    assert g.median == pytest.approx(3.0) and g.gsd == pytest.approx(1.5)
    assert g.mean == pytest.approx(3.0 * math.exp(math.log(1.5) ** 2 / 2))


def test_appendix_c_bounds() -> None:
    # u = max(|max − x|, |x − min|)/√3, centred on the default value
    d = from_default_bounds(10.0, 8.0, 11.0)
    assert isinstance(d, Rectangular)
    assert (d.low, d.high, d.mean) == (8.0, 12.0, 10.0)
    assert d.u == pytest.approx(2.0 / math.sqrt(3))
    assert from_default_bounds(5.0, 5.0, 5.0) == Constant(5.0)


def test_student_t_from_observations() -> None:
    obs = [10.1, 10.3, 9.9, 10.0, 10.2, 10.4]
    t = StudentT.from_observations(obs)
    assert t.mean == pytest.approx(np.mean(obs))
    assert t.u == pytest.approx(np.std(obs, ddof=1) / math.sqrt(6))
    assert t.dof == 5


@pytest.mark.parametrize(
    ("factory", "fragment"),
    [
        (lambda: Normal(1.0, 0.0), "Normal: sd must be > 0"),
        (lambda: Normal(1.0, -1.0), "sd must be > 0"),
        (lambda: Normal(math.nan, 1.0), "Normal: mean must be finite"),
        (lambda: Normal(1.0, 1.0, dof=0), "Normal: dof must be > 0"),
        (lambda: Normal("1", 1.0), "real number"),  # type: ignore[arg-type]
        (lambda: Normal(True, 1.0), "real number"),
        (lambda: Rectangular(2.0, 1.0), "Rectangular: low must be < high"),
        (lambda: Rectangular(1.0, 1.0), "low must be < high"),
        (lambda: Rectangular(0.0, math.inf), "high must be finite"),
        (lambda: Rectangular.centred(1.0, 0.0), "half_width must be > 0"),
        (lambda: Triangular(0.0, 1.0, mode=2.0), "Triangular: mode must lie"),
        (lambda: Arcsine(1.0, 0.0), "Arcsine: low must be < high"),
        (lambda: Trapezoid(0.0, 1.0, 1.5), r"Trapezoid: beta must lie in \[0, 1\]"),
        (lambda: Trapezoid(0.0, 1.0, -0.1), "beta"),
        (lambda: CurvilinearTrapezoid(0.0, 1.0, 0.6), "CurvilinearTrapezoid: d must lie"),
        (lambda: CurvilinearTrapezoid(0.0, 1.0, -0.1), "d must lie"),
        (lambda: StudentT(0.0, 1.0, 0), "StudentT: dof must be > 0"),
        (lambda: StudentT(0.0, -1.0, 3), "scale must be > 0"),
        (lambda: StudentT.from_observations([1.0]), "at least 2"),
        (lambda: StudentT.from_observations([1.0, 1.0]), "all observations are equal"),
        (lambda: LogNormal(-1.0, 0.1), "LogNormal: mean must be > 0"),
        (lambda: LogNormal(1.0, 0.0), "sd must be > 0"),
        (lambda: LogNormal.from_median_gsd(1.0, 1.0), "gsd must be > 1"),
        (lambda: Constant(math.inf), "Constant: value must be finite"),
        (lambda: Normal.from_expanded(1.0, 0.5, k=0), "k must be > 0"),
        (lambda: from_default_bounds(12.0, 8.0, 11.0), "must lie within"),
    ],
)
def test_bad_parameters(factory: Any, fragment: str) -> None:
    with pytest.raises(DistributionError, match=fragment):
        factory()


def test_distributions_are_frozen_and_comparable() -> None:
    d = Rectangular(0.0, 1.0)
    with pytest.raises(AttributeError):
        d.low = 5.0  # type: ignore[misc]
    assert d == Rectangular(0.0, 1.0)
    assert hash(d) == hash(Rectangular(0.0, 1.0))
    assert d.moments == (0.5, d.u, math.inf)
