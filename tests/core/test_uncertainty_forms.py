"""The four ways to state an activity's uncertainty, and Appendix C bounds.

A flow of x = 60 kg copper (EF 4.2 kgCO2e/kg) is given each form; the stage u must be
u(x)·EF with u(x) worked out by hand below.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from tanzuji.errors import InputErrors
from tanzuji.i18n import use_lang
from tanzuji.model import Uncertainty


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """This module matches the English wording of the library's messages."""
    with use_lang("en"):
        yield


EF_CU = 4.2
X = 60.0

FORMS = [
    # (uncertainty as written, u(x) by hand, why)
    ({"standard": 3}, 3.0, "standard: u itself"),
    ({"relative": 0.05}, 0.05 * 60, "relative fraction: 0.05·60"),
    ({"relative": "5 %"}, 0.05 * 60, "relative percent string"),
    ({"relative": "0.5 %"}, 0.005 * 60, "'0.5 %' is 0.005, not 0.5"),
    ({"relative": "0.5%"}, 0.005 * 60, "percent without the space"),
    ({"expanded": 6, "k": 2}, 6 / 2, "u = U/k"),
    ({"expanded": 6.6, "k": 2.2}, 6.6 / 2.2, "u = U/k with k ≠ 2"),
    ({"expanded": 5.88, "k": 1.96}, 5.88 / 1.96, "u = U/k, 95 % normal"),
    # Appendix C (C.1): u = max(|max − x|, |x − min|)/√3 — the wider side, not (max−min)/√12
    ({"min": 30, "max": 150}, 90 / math.sqrt(3), "asymmetric: max side 90"),
    ({"min": 0, "max": 70}, 60 / math.sqrt(3), "asymmetric: min side 60"),
    ({"min": 57, "max": 63}, 3 / math.sqrt(3), "symmetric ±3"),
    ({"min": 60, "max": 60}, 0.0, "degenerate bounds"),
]


@pytest.mark.parametrize(("unc", "u_x", "why"), FORMS, ids=[f[2] for f in FORMS])
def test_form_on_a_flow(calc, unc, u_x, why):
    res = calc(
        [{"stage": "raw_materials", "name": "铜", "quantity": X, "unit": "kg",
          "factor": "copper", "uncertainty": unc}],
        boundary=["raw_materials"],
    )  # fmt: skip
    r = res.stage("raw_materials")
    assert r is not None
    assert r.value == pytest.approx(60 * 4.2, rel=1e-12)
    assert r.u == pytest.approx(u_x * EF_CU, rel=1e-12, abs=1e-15)


def test_appendix_c_example_by_hand():
    # x = 60, min = 30, max = 150: |150 − 60| = 90 > |60 − 30| = 30 → 90/√3 = 51.9615…
    assert Uncertainty(min=30, max=150).standard_for(60.0) == pytest.approx(
        51.96152422706632, rel=1e-12
    )
    assert 90 / math.sqrt(3) == pytest.approx(51.96152422706632, rel=1e-15)


@pytest.mark.parametrize(("unc", "u_x", "why"), FORMS, ids=[f[2] for f in FORMS])
def test_form_on_a_transport_mass(calc, unc, u_x, why):
    # the same forms on a Measured mass: u(E) = u(M)·D·T (60 kg × 100 km × 0.0847/1000)
    leg = {
        "stage": "distribution",
        "name": "运输",
        "mass": {"quantity": X, "unit": "kg", "uncertainty": unc},
        "distance": {"quantity": 100, "unit": "km"},
        "factor": "road",
    }
    r = calc([leg]).stage("distribution")
    assert r is not None
    assert r.value == pytest.approx(60 * 100 * 0.0847 / 1000, rel=1e-12)
    assert r.u == pytest.approx(u_x * 100 * 0.0847 / 1000, rel=1e-12, abs=1e-15)


def test_forms_on_supply_parts_and_energy_carriers(calc):
    sup = {
        "stage": "manufacturing",
        "name": "电",
        "grid": {"quantity": 100, "factor": "grid", "uncertainty": {"expanded": 1.0, "k": 2}},
        "onsite": {"quantity": 20, "factor": "pv", "uncertainty": {"min": 18, "max": 21}},
    }
    leg = {
        "stage": "raw_materials",
        "name": "运输",
        "energy": [{"carrier": "diesel", "quantity": 2, "unit": "kg", "factor": "diesel",
                    "uncertainty": {"relative": "1.5 %"}}],
    }  # fmt: skip
    res = calc([sup, leg], boundary="cradle-to-gate")
    m, r = res.stage("manufacturing"), res.stage("raw_materials")
    assert m is not None and r is not None
    u_grid = 1.0 / 2
    u_onsite = max(21 - 20, 20 - 18) / math.sqrt(3)  # = 2/√3
    assert m.u == pytest.approx(math.hypot(u_grid * 0.6205, u_onsite * 0.045), rel=1e-12)
    assert r.u == pytest.approx(0.015 * 2 * 3.16, rel=1e-12)


def test_operation_power_with_expanded_and_duration_with_bounds(calc):
    op = {
        "stage": "use",
        "name": "运行",
        "power": {"quantity": 2.0, "unit": "W", "uncertainty": {"expanded": 0.1, "k": 2}},
        "duration": {"quantity": 8760, "unit": "h", "uncertainty": {"min": 8000, "max": 8800}},
        "factor": "grid",
    }
    r = calc([op]).stage("use")
    assert r is not None
    u_p = 0.1 / 2
    u_t = max(8800 - 8760, 8760 - 8000) / math.sqrt(3)  # 760/√3
    u_m = math.sqrt((8760 * u_p) ** 2 + (2.0 * u_t) ** 2) / 1000  # kWh
    assert r.value == pytest.approx(2.0 * 8760 / 1000 * 0.6205, rel=1e-12)
    assert r.u == pytest.approx(u_m * 0.6205, rel=1e-12)


def test_no_uncertainty_means_zero(calc):
    r = calc(
        [{"stage": "use", "name": "运行", "quantity": 10, "unit": "kWh", "factor": "grid"}]
    ).stage("use")
    assert r is not None
    assert r.u == 0.0


def test_factor_uncertainty_does_not_enter_the_spec_method(calc):
    # pcb carries Appendix C bounds (30..150) and grid 5 %: neither may change u(E)
    res = calc(
        [{"stage": "raw_materials", "name": "PCB", "quantity": 0.1, "unit": "kg",
          "factor": "pcb", "uncertainty": {"standard": 0.001}},
         {"stage": "use", "name": "运行", "quantity": 10, "unit": "kWh", "factor": "grid"}]
    )  # fmt: skip
    assert res.total.u == pytest.approx(0.001 * 60, rel=1e-12)


@pytest.mark.parametrize(
    ("unc", "needle"),
    [
        ({"standard": 1, "relative": 0.1}, "exactly one"),
        ({"expanded": 2}, "coverage factor k"),
        ({"relative": 0.1, "k": 2}, "k is only meaningful"),
        ({"min": 1}, "both min and max"),
        ({"min": 5, "max": 1}, "must not exceed"),
        ({"relative": "abc %"}, "percentage"),
        ({"standard": -1}, "≥ 0"),
        ({}, "exactly one"),
    ],
)
def test_invalid_uncertainty_forms(write_study, unc, needle):
    import json

    from tanzuji.studyfiles import load_study

    text = (
        "- {stage: use, name: a, quantity: 60, unit: kWh, factor: grid, uncertainty: "
        + json.dumps(unc, ensure_ascii=False)
        + "}"
    )
    from tanzuji.i18n import use_lang

    with use_lang("en"), pytest.raises(InputErrors) as exc:
        load_study(write_study(text))
    (err,) = exc.value.errors
    assert err.location.path is not None
    assert err.location.path.startswith("activities[0].uncertainty")
    assert needle in err.message


OUT_OF_BOUNDS = {"min": 70, "max": 80}  # around 75, but the value is 60


@pytest.mark.parametrize(
    ("activity", "path"),
    [
        (
            {"stage": "raw_materials", "name": "铜", "quantity": 60, "unit": "kg",
             "factor": "copper", "uncertainty": OUT_OF_BOUNDS},
            "activities[0].uncertainty",
        ),
        (
            {"stage": "raw_materials", "name": "运输", "energy": [
                {"carrier": "diesel", "quantity": 60, "unit": "kg", "factor": "diesel",
                 "uncertainty": OUT_OF_BOUNDS}]},
            "activities[0].energy[0].uncertainty",
        ),
        (
            {"stage": "manufacturing", "name": "电",
             "grid": {"quantity": 60, "factor": "grid", "uncertainty": OUT_OF_BOUNDS}},
            "activities[0].grid.uncertainty",
        ),
        (
            {"stage": "raw_materials", "name": "运输",
             "mass": {"quantity": 60, "unit": "kg", "uncertainty": OUT_OF_BOUNDS},
             "distance": {"quantity": 1, "unit": "km"}, "factor": "road"},
            "activities[0].mass.uncertainty",
        ),
    ],
)  # fmt: skip
def test_value_outside_its_bounds_names_the_real_field(calc, activity, path):
    # (an earlier version said 'activities[0].quantity.uncertainty', a field that does not exist)
    with pytest.raises(InputErrors) as exc:
        calc([activity])
    (err,) = exc.value.errors
    assert err.location.path == path
    assert "outside its bounds" in err.message
