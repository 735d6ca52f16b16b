"""Unit conversions between activity and factor units (pint), worked by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tanzuji.errors import InputErrors, UnitError
from tanzuji.i18n import use_lang
from tanzuji.units import conversion_to_emission


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """This module matches the English wording of the library's messages."""
    with use_lang("en"):
        yield


# (activity quantity, its unit, factor id, factor value·unit, expected kgCO2e by hand)
FLOWS = [
    (2.0, "t", "copper", 2 * 1000 * 4.2, "t × kgCO2e/kg: ×1000"),
    (250.0, "g", "copper", 0.250 * 4.2, "g × kgCO2e/kg: ×0.001"),
    (1.5, "MWh", "grid", 1.5 * 1000 * 0.6205, "MWh × kgCO2e/kWh: ×1000 = 930.75"),
    (1500.0, "Wh", "grid", 1.5 * 0.6205, "Wh × kgCO2e/kWh: ×0.001"),
    (3.6, "MJ", "grid", 1.0 * 0.6205, "3.6 MJ = 1 kWh"),
    # tCO2/MWh = 1000 kg / 1000 kWh: numerically the same as kgCO2e/kWh
    (1.5, "kWh", "grid_t", 1.5 * 0.5810, "kWh × tCO2/MWh: ×1"),
    (1.5, "MWh", "grid_t", 1.5 * 1000 * 0.5810, "MWh × tCO2/MWh: ×1000 kg"),
    (2.0, "Nm3", "natgas", 2 * 2.16, "Nm3 × kgCO2e/m³"),
    (2.0, "m³", "natgas", 2 * 2.16, "m³ × kgCO2e/m³"),
    (2000.0, "L", "natgas", 2 * 2.16, "1000 L = 1 m³"),
]


@pytest.mark.parametrize(
    ("q", "unit", "factor", "expected", "why"), FLOWS, ids=[f[-1] for f in FLOWS]
)
def test_flow_conversions(calc, q, unit, factor, expected, why):
    res = calc(
        [{"stage": "manufacturing", "name": "x", "quantity": q, "unit": unit, "factor": factor,
          "uncertainty": {"relative": 0.1}}],
        boundary=["manufacturing"],
    )  # fmt: skip
    m = res.stage("manufacturing")
    assert m is not None
    assert m.value == pytest.approx(expected, rel=1e-12)
    # u converts the same way (relative 10 %)
    assert m.u == pytest.approx(0.1 * expected, rel=1e-12)


def test_standard_uncertainty_in_tonnes_converts(calc):
    res = calc(
        [{"stage": "raw_materials", "name": "铜", "quantity": 2, "unit": "t", "factor": "copper",
          "uncertainty": {"standard": 0.01}}],
        boundary=["raw_materials"],
    )  # fmt: skip
    r = res.stage("raw_materials")
    assert r is not None
    assert r.u == pytest.approx(0.01 * 1000 * 4.2, rel=1e-12)  # 0.01 t = 10 kg → 42 kgCO2e


@pytest.mark.parametrize(
    ("mass", "munit", "dist", "dunit", "factor", "expected"),
    [
        (500, "kg", 300, "km", "road", 500 * 300 * 0.0847 * 0.001),  # kg·km·/(t·km): ×0.001
        (0.5, "t", 300, "km", "road", 0.5 * 300 * 0.0847),  # t·km: ×1
        (500, "kg", 300_000, "m", "road", 500 * 300 * 0.0847 * 0.001),  # m → km
        (2, "t", 800, "km", "rail", 2 * 800 * 0.0089),  # "t·km" with a middle dot
    ],
)
def test_transport_conversions(calc, mass, munit, dist, dunit, factor, expected):
    leg = {
        "stage": "distribution",
        "name": "运输",
        "mass": {"quantity": mass, "unit": munit, "uncertainty": {"relative": 0.1}},
        "distance": {"quantity": dist, "unit": dunit},
        "factor": factor,
    }
    d = calc([leg]).stage("distribution")
    assert d is not None
    assert d.value == pytest.approx(expected, rel=1e-12)
    assert d.u == pytest.approx(0.1 * expected, rel=1e-12)


@pytest.mark.parametrize(
    ("p", "punit", "t", "tunit", "kwh"),
    [
        (1.2, "W", 87600, "h", 1.2 * 87600 / 1000),  # W·h → kWh: /1000
        (0.0012, "kW", 87600, "h", 0.0012 * 87600),
        (1.2, "W", 10, "year", 1.2 * 10 * 365.25 * 24 / 1000),  # pint year = 365.25 d
        (1.2, "W", 3650, "day", 1.2 * 3650 * 24 / 1000),
    ],
)
def test_operation_power_times_duration(calc, p, punit, t, tunit, kwh):
    op = {
        "stage": "use",
        "name": "运行",
        "power": {"quantity": p, "unit": punit},
        "duration": {"quantity": t, "unit": tunit},
        "factor": "grid",
    }
    u = calc([op]).stage("use")
    assert u is not None
    assert u.value == pytest.approx(kwh * 0.6205, rel=1e-12)


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        (["kgCO2e/kg", "t"], 1000.0),
        (["kgCO2e/(t*km)", "kg", "km"], 0.001),
        (["kgCO2e/kWh", "MWh"], 1000.0),
        (["W", "h", "kgCO2e/kWh"], 0.001),
        (["tCO2/MWh", "kWh"], 1.0),
        (["tCO2e/t", "kg"], 1.0),
        (["gCO2e/kWh", "MWh"], 1.0),
    ],
)
def test_conversion_constants(units, expected):
    assert conversion_to_emission(units) == pytest.approx(expected, rel=1e-12)


def test_mismatch_kwh_factor_times_kg_names_activity_and_factor(calc):
    with use_lang("en"), pytest.raises(InputErrors) as exc:
        calc([{"stage": "use", "name": "运行能耗", "quantity": 1, "unit": "kg", "factor": "grid"}])
    (err,) = exc.value.errors
    assert isinstance(err, UnitError)
    assert err.location.path == "activities[0].unit"
    assert "运行能耗" in err.message
    assert "'grid'" in err.message
    assert "kgCO2e/kWh" in err.message
    assert "not an emission" in err.message


def test_mismatch_in_transport_factor_names_leg_and_factor(calc):
    leg = {
        "stage": "distribution",
        "name": "出厂运输",
        "mass": {"quantity": 1, "unit": "kg"},
        "distance": {"quantity": 1, "unit": "km"},
        "factor": "copper",  # kgCO2e/kg, not per t·km
    }
    with pytest.raises(InputErrors) as exc:
        calc([leg])
    (err,) = exc.value.errors
    assert err.location.path == "activities[0].factor"
    assert "出厂运输" in err.message
    assert "'copper'" in err.message


def test_mismatch_in_energy_carrier(calc):
    leg = {
        "stage": "distribution",
        "name": "出厂运输",
        "energy": [{"carrier": "diesel", "quantity": 1, "unit": "L", "factor": "diesel"}],
    }
    with pytest.raises(InputErrors) as exc:
        calc([leg])
    (err,) = exc.value.errors
    assert err.location.path == "activities[0].energy[0].unit"
    assert "diesel" in err.message


@pytest.mark.parametrize(
    ("field", "bad", "path", "expect"),
    [
        ("mass", "km", "activities[0].mass.unit", "mass unit"),
        ("mass", "kWh", "activities[0].mass.unit", "mass unit"),
        ("distance", "kg", "activities[0].distance.unit", "length unit"),
    ],
)
def test_transport_measured_units_have_the_right_dimension(calc, field, bad, path, expect):
    leg: dict = {
        "stage": "distribution",
        "name": "运输",
        "mass": {"quantity": 1, "unit": "kg"},
        "distance": {"quantity": 1, "unit": "km"},
        "factor": "road",
    }
    leg[field] = {"quantity": 1, "unit": bad}
    with pytest.raises(InputErrors) as exc:
        calc([leg])
    (err,) = exc.value.errors
    assert err.location.path == path
    assert expect in err.message
    assert err.got == bad


def test_operation_units_have_the_right_dimension(calc):
    op = {
        "stage": "use",
        "name": "运行",
        "power": {"quantity": 1, "unit": "kWh"},
        "duration": {"quantity": 1, "unit": "km"},
        "factor": "grid",
    }
    with pytest.raises(InputErrors) as exc:
        calc([op])
    paths = [e.location.path for e in exc.value.errors]
    assert paths == ["activities[0].power.unit", "activities[0].duration.unit"]


def test_electricity_supply_unit_must_be_energy(calc):
    sup = {
        "stage": "manufacturing",
        "name": "电",
        "unit": "kg",
        "grid": {"quantity": 1, "factor": "grid"},
    }
    with pytest.raises(InputErrors) as exc:
        calc([sup])
    (err,) = exc.value.errors
    assert err.location.path == "activities[0].unit"
    assert "energy unit" in err.message


def test_unknown_unit(calc):
    with use_lang("en"), pytest.raises(InputErrors) as exc:
        calc([{"stage": "use", "name": "a", "quantity": 1, "unit": "bananas", "factor": "grid"}])
    (err,) = exc.value.errors
    assert err.location.path == "activities[0].unit"
    assert err.got == "bananas"
    assert "unknown unit" in err.message
