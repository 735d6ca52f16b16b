"""Hand-worked studies, stage by stage and together (spec formulas (1)–(18)).

Each expected value is the formula written out in plain arithmetic with the factor values
of ``conftest.EF`` (grid 0.6205 kgCO2e/kWh, copper 4.2 kgCO2e/kg, road 0.0847
kgCO2e/(t·km), …).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.errors import InputErrors
from tanzuji.jsonio import result_to_dict
from tanzuji.model import Stage
from tanzuji.studyfiles import load_study

REL = 1e-12
G = 0.6205  # grid, kgCO2e/kWh


def approx(x: float) -> Any:
    return pytest.approx(x, rel=REL, abs=1e-15)


def flow(stage: str, name: str, q: float, unit: str, factor: str, **kw: Any) -> dict[str, Any]:
    return {"stage": stage, "name": name, "quantity": q, "unit": unit, "factor": factor, **kw}


# --------------------------------------------------------------------------- raw materials


def test_raw_material_flows_formula_3_and_4(calc):
    res = calc(
        [
            flow("raw_materials", "铜", 0.35, "kg", "copper", uncertainty={"standard": 0.002}),
            flow("raw_materials", "PCB", 0.1, "kg", "pcb", uncertainty={"relative": 0.01}),
        ],
        boundary=["raw_materials"],
    )
    expected_e = 0.35 * 4.2 + 0.1 * 60.0  # Σ M_i·EF_i = 1.47 + 6
    expected_u = math.sqrt((0.002 * 4.2) ** 2 + (0.01 * 0.1 * 60.0) ** 2)
    raw = res.stage("raw_materials")
    assert raw is not None
    assert raw.value == approx(expected_e)
    assert raw.u == approx(expected_u)
    assert expected_e == pytest.approx(7.47)  # sanity of the hand arithmetic itself
    for s in ("manufacturing", "distribution", "use", "end_of_life"):
        assert res.stage(s) is None


def test_inbound_transport_by_energy_two_carriers_formulas_5_6(calc):
    leg = {
        "stage": "raw_materials",
        "name": "原材料运输",
        "energy": [
            {
                "carrier": "diesel",
                "quantity": 0.012,
                "unit": "kg",
                "factor": "diesel",
                "uncertainty": {"standard": 0.0005},
            },
            {
                "carrier": "electricity",
                "quantity": 0.05,
                "unit": "kWh",
                "factor": "grid",
                "uncertainty": {"standard": 0.001},
            },
        ],
    }
    res = calc([leg], boundary=["raw_materials"])
    raw = res.stage("raw_materials")
    assert raw is not None
    assert raw.value == approx(0.012 * 3.16 + 0.05 * G)
    assert raw.u == approx(math.sqrt((0.0005 * 3.16) ** 2 + (0.001 * G) ** 2))
    # one contribution for the leg, carrying both carriers
    (c,) = res.contributions
    assert c.value == approx(0.012 * 3.16 + 0.05 * G)


def test_raw_materials_flows_plus_transport_formula_4(calc):
    res = calc(
        [
            flow("raw_materials", "铜", 0.35, "kg", "copper", uncertainty={"standard": 0.002}),
            {
                "stage": "raw_materials",
                "name": "运输",
                "mass": {"quantity": 0.35, "unit": "kg", "uncertainty": {"standard": 0.002}},
                "distance": {"quantity": 300, "unit": "km"},
                "factor": "road",
            },
        ],
        boundary=["raw_materials"],
    )
    # the same mass appears twice but as two separate activity data (spec: uncorrelated)
    e_flow, u_flow = 0.35 * 4.2, 0.002 * 4.2
    e_tr, u_tr = 0.35 * 300 * 0.0847 / 1000, 0.002 * 300 * 0.0847 / 1000
    raw = res.stage("raw_materials")
    assert raw is not None
    assert raw.value == approx(e_flow + e_tr)
    assert raw.u == approx(math.sqrt(u_flow**2 + u_tr**2))


# --------------------------------------------------------------------------- distance


def _leg(mass_u: dict[str, Any] | None, dist_u: dict[str, Any] | None, **kw: Any) -> dict:
    mass: dict[str, Any] = {"quantity": 0.8, "unit": "kg"}
    dist: dict[str, Any] = {"quantity": 1200, "unit": "km"}
    if mass_u:
        mass["uncertainty"] = mass_u
    if dist_u:
        dist["uncertainty"] = dist_u
    return {
        "stage": "distribution",
        "name": "出厂运输",
        "mass": mass,
        "distance": dist,
        "factor": "road",
        **kw,
    }


def test_transport_by_distance_formulas_7_8(calc):
    res = calc([_leg({"standard": 0.02}, {"standard": 100})])
    d = res.stage("distribution")
    assert d is not None
    # E = M·D·T with kg·km·kgCO2e/(t·km) = 0.001 kgCO2e
    assert d.value == approx(0.8 * 1200 * 0.0847 / 1000)
    # u = u(M)·D·T — the distance uncertainty (100 km) and the factor's 30 % do not enter
    assert d.u == approx(0.02 * 1200 * 0.0847 / 1000)
    assert d.u == approx(0.002_032_8)  # 0.02·1200·0.0847/1000 by hand


@pytest.mark.parametrize(
    "dist_u", [None, {"standard": 100}, {"relative": 0.5}, {"min": 0, "max": 5000}]
)
def test_distance_uncertainty_never_enters_the_spec_method(calc, dist_u):
    res = calc([_leg({"standard": 0.02}, dist_u)])
    d = res.stage("distribution")
    assert d is not None
    assert d.u == approx(0.02 * 1200 * 0.0847 / 1000)
    assert res.total.u == approx(0.02 * 1200 * 0.0847 / 1000)


def test_transport_by_distance_without_mass_uncertainty_has_zero_u(calc):
    res = calc([_leg(None, {"standard": 100})])
    d = res.stage("distribution")
    assert d is not None
    assert d.value == approx(0.8 * 1200 * 0.0847 / 1000)
    assert d.u == 0.0


def test_two_distribution_legs_road_and_rail(calc):
    rail = {
        "stage": "distribution",
        "name": "铁路",
        "mass": {"quantity": 2, "unit": "t", "uncertainty": {"standard": 0.05}},
        "distance": {"quantity": 800, "unit": "km"},
        "factor": "rail",
    }
    res = calc([_leg({"standard": 0.02}, None), rail])
    e_road, u_road = 0.8 * 1200 * 0.0847 / 1000, 0.02 * 1200 * 0.0847 / 1000
    e_rail, u_rail = 2 * 800 * 0.0089, 0.05 * 800 * 0.0089  # t·km·kgCO2e/(t·km): ×1
    d = res.stage("distribution")
    assert d is not None
    assert d.value == approx(e_road + e_rail)
    assert d.u == approx(math.sqrt(u_road**2 + u_rail**2))


def test_distribution_by_energy_formulas_11_12(calc):
    leg = {
        "stage": "distribution",
        "name": "出厂运输",
        "energy": [
            {"carrier": "gasoline", "quantity": 0.04, "unit": "kg", "factor": "gasoline",
             "uncertainty": {"relative": 0.05}},
            {"carrier": "diesel", "quantity": 0.1, "unit": "kg", "factor": "diesel",
             "uncertainty": {"standard": 0.003}},
        ],
    }  # fmt: skip
    res = calc([leg])
    d = res.stage("distribution")
    assert d is not None
    assert d.value == approx(0.04 * 2.98 + 0.1 * 3.16)
    assert d.u == approx(math.sqrt((0.05 * 0.04 * 2.98) ** 2 + (0.003 * 3.16) ** 2))


# --------------------------------------------------------------------------- manufacturing


def _supply(total: float | None = 2.0, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "stage": "manufacturing",
        "name": "生产用电",
        "grid": {"quantity": 1.2, "factor": "grid", "uncertainty": {"standard": 0.01}},
        "green_trading": {"quantity": 0.5, "factor": "green", "uncertainty": {"standard": 0.005}},
        "onsite": {"quantity": 0.3, "factor": "pv", "uncertainty": {"standard": 0.004}},
        **kw,
    }
    if total is not None:
        out["total"] = {"quantity": total, "unit": "kWh", "uncertainty": {"standard": 0.02}}
    return out


E_SUPPLY = 1.2 * 0.6205 + 0.5 * 0.0212 + 0.3 * 0.045
U_SUPPLY = math.sqrt((0.01 * 0.6205) ** 2 + (0.005 * 0.0212) ** 2 + (0.004 * 0.045) ** 2)
#: allowed |Σparts − total| = 2·sqrt(u_total² + Σ u_part²) = 2·sqrt(0.000541) ≈ 0.04652 kWh
TOL_SUPPLY = 2 * math.sqrt(0.02**2 + 0.01**2 + 0.005**2 + 0.004**2)


@pytest.mark.parametrize("total", [None, 2.0, 2.04, 1.96])
def test_electricity_split_each_part_its_own_factor(calc, total):
    res = calc([_supply(total)], boundary="cradle-to-gate")
    m = res.stage("manufacturing")
    assert m is not None
    assert m.value == approx(E_SUPPLY)
    assert m.u == approx(U_SUPPLY)
    # one contribution per part, each M·EF of its own factor
    by_id = {c.key: c.value for c in res.contributions}
    assert by_id == {
        "activities[0]/grid": approx(1.2 * 0.6205),
        "activities[0]/green_trading": approx(0.5 * 0.0212),
        "activities[0]/onsite": approx(0.3 * 0.045),
    }


def test_tolerance_hand_value():
    tol = TOL_SUPPLY
    assert tol == pytest.approx(0.046518813, rel=1e-8)


@pytest.mark.parametrize("total", [2.5, 2.05, 1.95, 0.0])
def test_electricity_metered_total_that_disagrees_is_an_error(calc, total):
    # 2.05 and 1.95 differ from 2.0 by 0.05 kWh > 0.0465 kWh (k = 2)
    with pytest.raises(InputErrors) as exc:
        calc(
            [flow("raw_materials", "铜", 1, "kg", "copper"), _supply(total)],
            boundary="cradle-to-gate",
        )
    (err,) = exc.value.errors
    assert err.location.path == "activities[1].total.quantity"
    assert "2 kWh" in err.message  # the sum of the parts is named
    assert "k = 2" in err.message


def test_electricity_total_in_mwh_compared_after_conversion(calc):
    sup = _supply(None, unit="MWh")
    for part, q in (("grid", 0.0012), ("green_trading", 0.0005), ("onsite", 0.0003)):
        sup[part] = {**sup[part], "quantity": q, "uncertainty": {"standard": 0.00001}}
    sup["total"] = {"quantity": 2.0, "unit": "kWh", "uncertainty": {"standard": 0.02}}
    res = calc([sup], boundary=["manufacturing"])
    m = res.stage("manufacturing")
    assert m is not None
    # MWh × kgCO2e/kWh → ×1000
    assert m.value == approx(1000 * (0.0012 * 0.6205 + 0.0005 * 0.0212 + 0.0003 * 0.045))
    assert m.u == approx(1000 * 0.00001 * math.sqrt(0.6205**2 + 0.0212**2 + 0.045**2))


def test_manufacturing_energy_carriers_formulas_9_10(calc):
    res = calc(
        [
            _supply(None),
            flow("manufacturing", "天然气", 0.02, "m³", "natgas", uncertainty={"standard": 0.001}),
            flow("manufacturing", "柴油", 0.005, "kg", "diesel", uncertainty={"relative": "2 %"}),
        ],
        boundary=["manufacturing"],
    )
    m = res.stage("manufacturing")
    assert m is not None
    assert m.value == approx(E_SUPPLY + 0.02 * 2.16 + 0.005 * 3.16)
    assert m.u == approx(math.sqrt(U_SUPPLY**2 + (0.001 * 2.16) ** 2 + (0.02 * 0.005 * 3.16) ** 2))


# --------------------------------------------------------------------------- use


def test_use_stage_by_operation_formulas_15_16(calc):
    op = {
        "stage": "use",
        "name": "运行",
        "power": {"quantity": 1.2, "unit": "W", "uncertainty": {"relative": 0.02}},
        "duration": {"quantity": 87600, "unit": "h", "uncertainty": {"standard": 876}},
        "factor": "grid",
    }
    res = calc([op])
    P, uP, t, ut = 1.2, 0.02 * 1.2, 87600.0, 876.0
    m_use = P * t / 1000  # Wh → kWh: 105.12 kWh
    u_m_use = math.sqrt((t * uP) ** 2 + (P * ut) ** 2) / 1000  # first order
    u = res.stage("use")
    assert u is not None
    assert m_use == pytest.approx(105.12)
    assert u.value == approx(m_use * G)
    assert u.u == approx(u_m_use * G)


def test_use_stage_by_metered_flow(calc):
    res = calc([flow("use", "运行能耗", 84.1, "kWh", "grid", uncertainty={"standard": 0.5})])
    u = res.stage("use")
    assert u is not None
    assert u.value == approx(84.1 * G)
    assert u.u == approx(0.5 * G)


# --------------------------------------------------------------------------- end of life


def test_end_of_life_disposal_sorting_and_removal_transport(calc):
    res = calc(
        [
            flow("end_of_life", "填埋", 0.5, "kg", "landfill", disposal_route="landfill",
                 uncertainty={"standard": 0.01}),
            flow("end_of_life", "分拣用电", 0.03, "kWh", "grid", uncertainty={"standard": 0.001}),
            {"stage": "end_of_life", "name": "拆回运输",
             "mass": {"quantity": 0.5, "unit": "kg", "uncertainty": {"standard": 0.01}},
             "distance": {"quantity": 50, "unit": "km", "uncertainty": {"standard": 10}},
             "factor": "road"},
        ],
        boundary=["end_of_life"],
    )  # fmt: skip
    eol = res.stage("end_of_life")
    assert eol is not None
    assert eol.value == approx(0.5 * 0.02 + 0.03 * G + 0.5 * 50 * 0.0847 / 1000)
    assert eol.u == approx(
        math.sqrt((0.01 * 0.02) ** 2 + (0.001 * G) ** 2 + (0.01 * 50 * 0.0847 / 1000) ** 2)
    )
    procs = {c.activity: c.stage for c in res.contributions}
    assert set(procs.values()) == {Stage.END_OF_LIFE}


# --------------------------------------------------------------------------- together


def test_full_study_every_stage_total_formulas_1_2(full_study):
    path, exp = full_study
    loaded = load_study(path)
    res = evaluate_jjf(compile_study(loaded.study, loaded.factors))
    for stage, (value, u) in exp["stages"].items():
        r = res.stage(stage)
        assert r is not None
        assert r.value == approx(value), stage
        assert r.u == approx(u), stage
    assert res.total.value == approx(exp["total"])
    assert res.total.u == approx(exp["u"])
    assert res.total.k == 2
    big_u = res.total.U
    assert big_u == approx(exp["U"])
    assert res.total.U_rel_percent == approx(exp["U_rel"])


def test_full_study_contributions_sorted_and_shares(full_study):
    path, exp = full_study
    loaded = load_study(path)
    res = evaluate_jjf(compile_study(loaded.study, loaded.factors))
    got = {c.key: c for c in res.contributions}
    assert set(got) == set(exp["activities"])
    for key, (value, u) in exp["activities"].items():
        assert got[key].value == approx(value), key
        assert got[key].u == approx(u), key
        assert got[key].share == approx(value / exp["total"]), key
    values = [abs(c.value) for c in res.contributions]
    assert values == sorted(values, reverse=True)
    # by hand the order starts with 运行 (65.2 kg), then PCB (6), then 铜 (1.47)
    assert [c.key for c in res.contributions[:3]] == ["run", "pcb", "cu"]
    assert math.fsum(c.share for c in res.contributions) == pytest.approx(1.0, abs=1e-12)
    for c in res.contributions:
        assert c.stage.value in {s for s, keys in exp["members"].items() if c.key in keys}


def test_cradle_to_gate_other_stages_none_and_null(calc, library):
    acts = [
        flow("raw_materials", "铜", 0.35, "kg", "copper", uncertainty={"standard": 0.002}),
        _supply(None),
    ]
    res = calc(acts, boundary="cradle-to-gate")
    assert [s for s in Stage if res.stage(s) is not None] == [
        Stage.RAW_MATERIALS,
        Stage.MANUFACTURING,
    ]
    assert res.total.value == approx(0.35 * 4.2 + E_SUPPLY)
    assert res.total.u == approx(math.sqrt((0.002 * 4.2) ** 2 + U_SUPPLY**2))

    from tanzuji.model import Study

    study = Study.model_validate(
        {"id": "X", "product": {"name": "表"}, "period": 2025, "boundary": "cradle-to-gate",
         "activities": acts}
    )  # fmt: skip
    data = result_to_dict(res, study)
    assert data["stages"]["distribution"] is None
    assert data["stages"]["use"] is None
    assert data["stages"]["end_of_life"] is None
    assert data["stages"]["raw_materials"] == {
        "value": approx(0.35 * 4.2),
        "u": approx(0.002 * 4.2),
    }


def test_zero_total_has_no_relative_uncertainty_or_shares(calc):
    res = calc([flow("use", "待机", 0, "kWh", "grid", uncertainty={"standard": 0.1})])
    assert res.total.value == 0.0
    assert res.total.u == approx(0.1 * G)
    assert res.total.U_rel_percent is None
    assert all(c.share is None for c in res.contributions)


def test_contribution_keys_do_not_collide_with_dotted_ids(calc):
    res = calc(
        [
            flow("raw_materials", "铜", 2, "kg", "copper", id="e.grid"),
            {"id": "e", "stage": "manufacturing", "name": "电",
             "grid": {"quantity": 100, "factor": "grid"}},
        ]
    )  # fmt: skip
    # two activities → two contributions: 2·4.2 = 8.4 and 100·0.6205 = 62.05
    assert sorted(c.value for c in res.contributions) == [approx(8.4), approx(62.05)]
