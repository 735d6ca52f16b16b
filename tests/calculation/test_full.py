"""The full GUM evaluation of studies, against the law of propagation worked by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tanzuji.calculation import compile_study, evaluate_full, evaluate_jjf
from tanzuji.factors import FactorLibrary
from tanzuji.model import EmissionFactor, Stage, Study


def _lib(*factors: dict[str, Any]) -> FactorLibrary:
    return FactorLibrary.from_factors(
        [
            EmissionFactor.model_validate(
                {"name": f["id"], "factor_type": "literature", "source": "test", **f}
            )
            for f in factors
        ],
        id="test",
    )


def _study(activities: list[dict[str, Any]], **extra: Any) -> Study:
    return Study.model_validate(
        {"id": "T", "product": {"name": "表"}, "period": 2025, "activities": activities, **extra}
    )


def test_shared_factor_correlates_stages() -> None:
    # E1 = M1·EF (manufacturing), E2 = M2·EF (use); one EF input shared by both stages.
    m1, u1, m2, u2, ef, u_ef = 120.0, 1.5, 80.0, 4.0, 0.6205, 0.05
    lib = _lib({"id": "grid", "value": ef, "unit": "kgCO2e/kWh", "uncertainty": {"standard": u_ef}})
    study = _study(
        [
            {
                "stage": "manufacturing",
                "name": "a",
                "quantity": m1,
                "unit": "kWh",
                "factor": "grid",
                "uncertainty": {"standard": u1},
            },
            {
                "stage": "use",
                "name": "b",
                "quantity": m2,
                "unit": "kWh",
                "factor": "grid",
                "uncertainty": {"standard": u2},
            },
        ],
        boundary=["manufacturing", "use"],
    )
    full = evaluate_full(compile_study(study, lib))
    u_e1 = math.sqrt((ef * u1) ** 2 + (m1 * u_ef) ** 2)
    u_e2 = math.sqrt((ef * u2) ** 2 + (m2 * u_ef) ** 2)
    u_tot = math.sqrt(ef**2 * (u1**2 + u2**2) + (m1 + m2) ** 2 * u_ef**2)
    r12 = m1 * m2 * u_ef**2 / (u_e1 * u_e2)
    mfg, use = full.stages[Stage.MANUFACTURING], full.stages[Stage.USE]
    assert mfg is not None and use is not None
    assert mfg.u == pytest.approx(u_e1, rel=1e-9)
    assert use.u == pytest.approx(u_e2, rel=1e-9)
    assert full.total.u == pytest.approx(u_tot, rel=1e-9)
    assert full.stage_correlation[0][1] == pytest.approx(r12, rel=1e-9)
    # formula (2) on the full stage u's misses the covariance term
    assert full.u_rss_stages == pytest.approx(math.hypot(u_e1, u_e2), rel=1e-9)
    assert full.u_rss_stages < full.total.u
    # the specification's figure is the activity-only part
    spec = evaluate_jjf(compile_study(study, lib))
    assert spec.total.u == pytest.approx(ef * math.hypot(u1, u2), rel=1e-12)
    # the budget: EF's share of variance is (ΣM·u_EF)²/u²
    shares = {b.name: b.share for b in full.budget}
    assert shares["EF:grid"] == pytest.approx(((m1 + m2) * u_ef) ** 2 / u_tot**2, rel=1e-9)
    assert sum(shares.values()) == pytest.approx(1.0, rel=1e-12)
    assert full.stages[Stage.RAW_MATERIALS] is None


def test_transport_by_distance_all_inputs() -> None:
    # E = M·D·T with M in kg, D in km, T in kgCO2e/(t·km): E = M/1000·D·T
    m, u_m, d, d_min, d_max, t, t_min, t_max = 750.0, 2.0, 1200.0, 1000.0, 1500.0, 0.085, 0.06, 0.15
    lib = _lib(
        {
            "id": "road",
            "value": t,
            "unit": "kgCO2e/(t*km)",
            "uncertainty": {"min": t_min, "max": t_max},
        }
    )
    study = _study(
        [
            {
                "stage": "distribution",
                "name": "road",
                "mass": {"quantity": m, "unit": "kg", "uncertainty": {"standard": u_m}},
                "distance": {
                    "quantity": d,
                    "unit": "km",
                    "uncertainty": {"min": d_min, "max": d_max},
                },
                "factor": "road",
            }
        ],
        boundary=["distribution"],
    )
    full = evaluate_full(compile_study(study, lib))
    u_d = max(d_max - d, d - d_min) / math.sqrt(3)
    u_t = max(t_max - t, t - t_min) / math.sqrt(3)
    mt = m / 1000.0
    expected = math.sqrt((d * t * u_m / 1000) ** 2 + (mt * t * u_d) ** 2 + (mt * d * u_t) ** 2)
    assert full.total.value == pytest.approx(mt * d * t, rel=1e-12)
    assert full.total.u == pytest.approx(expected, rel=1e-9)
    assert full.total.k == pytest.approx(1.959963984540054, rel=1e-9)  # ν_eff = ∞, p = 95 %
    assert full.total.U_k2 == pytest.approx(2 * expected, rel=1e-9)


def test_welch_satterthwaite_and_student_k() -> None:
    # two activities with finite dof → ν_eff by Welch–Satterthwaite, k = t_95(⌊ν_eff⌋)
    lib = _lib({"id": "f", "value": 2.0, "unit": "kgCO2e/kg"})
    study = _study(
        [
            {
                "stage": "raw_materials",
                "name": "a",
                "quantity": 10.0,
                "unit": "kg",
                "factor": "f",
                "uncertainty": {"standard": 0.3, "dof": 4},
            },
            {
                "stage": "raw_materials",
                "name": "b",
                "quantity": 5.0,
                "unit": "kg",
                "factor": "f",
                "uncertainty": {"standard": 0.4, "dof": 9},
            },
        ],
        boundary=["raw_materials"],
    )
    full = evaluate_full(compile_study(study, lib))
    ca, cb = 2.0 * 0.3, 2.0 * 0.4
    u = math.hypot(ca, cb)
    nu = u**4 / (ca**4 / 4 + cb**4 / 9)
    assert full.total.u == pytest.approx(u, rel=1e-9)
    assert full.total.dof == pytest.approx(nu, rel=1e-9)
    # ν_eff = 1/(0.6⁴/4 + 0.8⁴/9) = 12.835… → 12; t_0.975(12) = 2.178812829667 (tables)
    assert math.floor(nu) == 12
    assert full.total.k == pytest.approx(2.178812829667, rel=1e-9)


def test_monte_carlo_agrees_with_gum_for_normal_linear_study() -> None:
    # A study linear in each input with normal inputs: MC u must match the GUM u
    # (second method), and the GUM interval must be validated.
    from tanzuji.calculation import evaluate_monte_carlo

    lib = _lib({"id": "f", "value": 2.0, "unit": "kgCO2e/kg", "uncertainty": {"standard": 0.01}})
    study = _study(
        [
            {
                "stage": "raw_materials",
                "name": "a",
                "quantity": 10.0,
                "unit": "kg",
                "factor": "f",
                "uncertainty": {"standard": 0.3},
            },
            {
                "stage": "raw_materials",
                "name": "b",
                "quantity": 5.0,
                "unit": "kg",
                "factor": "f",
                "uncertainty": {"standard": 0.4},
            },
        ],
        boundary=["raw_materials"],
    )
    model = compile_study(study, lib)
    full = evaluate_full(model)
    # by hand: u² = (2·0.3)² + (2·0.4)² + (15·0.01)² (the product term M·EF is bilinear; its
    # second-order contribution u(M)²u(EF)² is ~1e-5 of u² and irrelevant at ndig = 2)
    u_hand = math.sqrt(0.6**2 + 0.8**2 + 0.15**2)
    assert full.total.u == pytest.approx(u_hand, rel=1e-9)
    mc = evaluate_monte_carlo(model, full, trials=400_000, seed=11)
    assert mc.result.value == pytest.approx(30.0, abs=4 * u_hand / math.sqrt(400_000))
    assert mc.result.u == pytest.approx(u_hand, rel=0.01)
    lo, hi = mc.result.interval
    assert lo == pytest.approx(30.0 - 1.96 * u_hand, abs=0.02)
    assert hi == pytest.approx(30.0 + 1.96 * u_hand, abs=0.02)
    assert mc.validation.validated


def test_cli_json_gains_full_and_monte_carlo_sections(tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from tanzuji.cli import app

    (tmp_path / "study.yaml").write_text(
        """
id: MC
product: {name: 表}
period: 2025
boundary: [use]
factors:
  - {id: g, name: 电网, value: 0.6, unit: kgCO2e/kWh, factor_type: national_database,
     source: s, uncertainty: {min: 0.5, max: 0.7}}
activities:
  - {stage: use, name: 运行, quantity: 100, unit: kWh, factor: g, uncertainty: {relative: 0.01}}
""",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        app, ["evaluate", str(tmp_path), "--mc", "--trials", "20000", "--seed", "3", "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["method"] == "jjf" and data["total"]["u"] == pytest.approx(0.6, rel=1e-12)
    # full: u² = (0.6·1)² + (100·0.1/√3)²
    u_full = math.sqrt(0.6**2 + (100 * 0.1 / math.sqrt(3)) ** 2)
    assert data["full"]["total"]["u"] == pytest.approx(u_full, rel=1e-9)
    assert data["full"]["stages"]["raw_materials"] is None
    mc = data["monte_carlo"]
    assert mc["trials"] == 20000 and mc["seed"] == 3
    assert mc["u"] == pytest.approx(u_full, rel=0.05)
    assert set(mc["validation"]) >= {"d_low", "d_high", "delta", "validated"}
