"""Measurement models for on-site calculated data, against first-order propagation by hand."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from tanzuji.governance import (
    NotDerivableError,
    allocation_u,
    gas_standard_volume_u,
    readings_u,
    register_difference_u,
)
from tanzuji.i18n import use_lang
from tanzuji.model import Instrument
from tanzuji.model.derived import (
    Allocation,
    GasStandardVolume,
    RegisterDifference,
    RepeatedReadings,
    parse_ratio,
)

R3 = math.sqrt(3)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """This module matches the English wording of the library's messages."""
    with use_lang("en"):
        yield


METER = Instrument(
    id="EM", name="表", kind="electricity_meter", accuracy_class="0.5S", ct_class="0.2"
)


def test_parse_ratio() -> None:
    assert parse_ratio("200/5") == 40
    assert parse_ratio("10 kV/100 V") == 100
    assert parse_ratio("10kV/100V") == 100
    assert parse_ratio(2.5) == 2.5
    for bad in ("a/b", "1/0", "0", "10 kV/5", "1/2/3", "10 kg/5 V"):
        with pytest.raises(ValueError):
            parse_ratio(bad)


def test_register_difference_hand_worked() -> None:
    calc = RegisterDifference(
        start=1000, end=1250, resolution=0.01, ct_ratio="200/5", instrument="EM"
    )
    assert calc.estimate() == pytest.approx(250 * 40)
    r = register_difference_u(calc, {"EM": METER})
    # u² = (K·d)²/6 (two readings, rectangular ±d/2) + E²·(0.5 %² + 0.2 %²)/3
    expected = math.sqrt((40 * 0.01) ** 2 / 6 + (10000 * 0.005) ** 2 / 3 + (10000 * 0.002) ** 2 / 3)
    assert r.u == pytest.approx(expected, rel=1e-9)
    assert r.unit == "kWh" and r.source == "calculated"
    names = [n for n, _ in r.budget]
    assert names == ["R_start", "R_end", "δ_EM", "δ_CT"]
    assert math.sqrt(sum(c * c for _, c in r.budget)) == pytest.approx(r.u, rel=1e-9)


def test_register_difference_linear_combination() -> None:
    calc = RegisterDifference(
        start=1000, end=1250, resolution=0.01, ct_ratio="200/5", instrument="EM"
    )
    meter = METER.model_copy(update={"combination": "linear"})
    r = register_difference_u(calc, {"EM": meter})
    expected = math.sqrt((40 * 0.01) ** 2 / 6 + (10000 * (0.005 + 0.002) / R3) ** 2)
    assert r.u == pytest.approx(expected, rel=1e-9)


def test_register_difference_needs_something() -> None:
    with pytest.raises(NotDerivableError):
        register_difference_u(RegisterDifference(start=0, end=1), None)
    only_res = register_difference_u(RegisterDifference(start=0, end=1, resolution=0.1), None)
    assert only_res.u == pytest.approx(0.1 / math.sqrt(6))
    assert only_res.missing == ("instrument",)


def test_register_difference_validation() -> None:
    with pytest.raises(ValueError, match="below start"):
        RegisterDifference(start=10, end=9)
    with pytest.raises(ValueError, match="ratio"):
        RegisterDifference(start=1, end=2, ct_ratio="abc")


def _gas(**kw: object) -> GasStandardVolume:
    data: dict[str, object] = {
        "volume": {"value": 1000, "unit": "m**3", "instrument": "FM"},
        "pressure": {"value": 100, "unit": "kPa", "uncertainty": {"standard": 0.5}},
        "pressure_type": "gauge",
        "temperature": {"value": 20, "unit": "degC", "uncertainty": {"standard": 0.3}},
    }
    return GasStandardVolume.model_validate(data | kw)


FM = Instrument(id="FM", name="流量计", kind="gas_flow_meter", accuracy_class="1.5")


def test_gas_standard_volume_hand_worked() -> None:
    calc = _gas()
    p, t = 100 + 101.325, 273.15 + 20
    vn = 1000 * (p / 101.325) * (273.15 / t)
    assert calc.estimate() == pytest.approx(vn, rel=1e-12)
    r = gas_standard_volume_u(calc, {"FM": FM})
    u_rel = math.sqrt((0.015 / R3) ** 2 + (0.5 / p) ** 2 + (0.3 / t) ** 2)
    assert r.u == pytest.approx(vn * u_rel, rel=1e-9)
    assert r.missing == ()


def test_gas_reference_temperature_parameter() -> None:
    # at 20 °C reference and 20 °C gas the temperature ratio is 1
    calc = _gas(reference_temperature_k=293.15)
    assert calc.estimate() == pytest.approx(1000 * 201.325 / 101.325, rel=1e-12)
    # absolute pressure, no atmospheric part
    calc = _gas(pressure={"value": 0.2, "unit": "MPa"}, pressure_type="absolute")
    assert calc.estimate() == pytest.approx(1000 * 200 / 101.325 * 273.15 / 293.15)


def test_gas_validation() -> None:
    with pytest.raises(ValueError, match="pressure unit"):
        _gas(pressure={"value": 1, "unit": "kg"})
    with pytest.raises(ValueError, match="gauge"):
        _gas(pressure_type="absolute", atmospheric_pressure={"value": 100, "unit": "kPa"})
    with pytest.raises(ValueError, match="absolute temperature"):
        _gas(temperature={"value": -300, "unit": "degC"})


def test_gas_missing_inputs_listed() -> None:
    r = gas_standard_volume_u(_gas(), None)  # the flow meter is unknown
    assert r.missing == ("volume",)


def test_readings_type_a_and_b() -> None:
    calc = RepeatedReadings(values=[10.0, 10.2, 9.9, 10.1], unit="kg")
    r = readings_u(calc, None)
    ua = math.sqrt(0.05 / 3) / 2
    assert r.u == pytest.approx(ua) and r.dof == pytest.approx(3)
    scale = Instrument(
        id="S",
        name="秤",
        kind="scale_nonautomatic",
        accuracy_class="III",
        scale_interval=0.01,
        capacity_unit="kg",
        in_service=False,
    )
    r = readings_u(calc.model_copy(update={"instrument": "S"}), {"S": scale})
    ub = 1.0 * 0.01 / R3  # mean 10.05 kg = 1005 e: 500 e < m ≤ 2000 e → MPE ±1 e
    u = math.sqrt(ua**2 + ub**2)
    assert r.u == pytest.approx(u)
    assert r.dof == pytest.approx(u**4 / (ua**4 / 3))  # Welch–Satterthwaite


def test_allocation_u_scales_with_share() -> None:
    a = Allocation(
        batch_quantity=400,
        unit="kg",
        uncertainty={"standard": 2},
        product_model="A",
        models=[
            {"model": "A", "output": 10000, "bom_quantity": 0.03},
            {"model": "B", "output": 1000, "bom_quantity": 0.1},
        ],
    )
    # Σ output·bom = 300 + 100 = 400; A: share 0.75, per unit 400·0.75/10000 = 0.03 kg
    assert a.share() == pytest.approx(0.75)
    assert a.share("B") == pytest.approx(0.25)
    assert a.per_unit() == pytest.approx(0.03)
    assert allocation_u(a, None).u == pytest.approx(2 * 0.03 / 400)
    truck = Instrument(
        id="T",
        name="汽车衡",
        kind="scale_nonautomatic",
        accuracy_class="III",
        scale_interval=20,
        capacity_unit="kg",
    )  # in service
    b = a.model_copy(update={"uncertainty": None, "instrument": "T"})
    # 400 kg = 20 e → ±0.5 e, doubled in service = ±20 kg → u = 20/√3
    assert allocation_u(b, {"T": truck}).u == pytest.approx(20 / R3 * 0.03 / 400)
    with pytest.raises(NotDerivableError):
        allocation_u(b, None)
