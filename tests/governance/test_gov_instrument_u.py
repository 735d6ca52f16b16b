"""From an instrument to a standard uncertainty, against hand-worked numbers (facts.md §4)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tanzuji.governance import (
    NotDerivableError,
    belt_u_rel,
    certificate_u,
    combine_mpe,
    flow_u_rel,
    instrument_uncertainty,
    meter_u_rel,
    scale_u,
    type_a,
)
from tanzuji.model import Instrument

R3 = math.sqrt(3)


def inst(**kw: Any) -> Instrument:
    base: dict[str, Any] = {"id": "X", "name": "x"}
    return Instrument.model_validate(base | kw)


@pytest.mark.parametrize(
    ("cls", "u_percent"),
    # facts.md §4.1: 0.115 %, 0.289 %, 0.577 %, 1.155 %
    [
        ("0.2S", 0.115),
        ("0.5S", 0.289),
        ("C", 0.289),
        ("1", 0.577),
        ("B", 0.577),
        ("2", 1.155),
        ("A", 1.155),
    ],
)
def test_meter_u_table(cls: str, u_percent: float) -> None:
    assert 100 * meter_u_rel(cls) == pytest.approx(u_percent, abs=5e-4)


def test_scale_worked_example() -> None:
    # Max 3 kg, e = 1 g, load 0.3 kg = 300 e → MPE ±0.5 e = 0.5 g → u = 0.5/√3 = 0.289 g
    assert scale_u(300, 1, "III") == pytest.approx(0.5 / R3)
    assert scale_u(300, 1, "III") == pytest.approx(0.289, abs=5e-4)
    assert scale_u(300, 1, "III", in_service=True) == pytest.approx(1.0 / R3)
    assert scale_u(2500, 1, "III") == pytest.approx(1.5 / R3)


def test_scale_instrument_converts_units() -> None:
    scale = inst(
        kind="scale_nonautomatic",
        accuracy_class="III",
        max_capacity=3,
        scale_interval=1,
        capacity_unit="g",
        in_service=False,
    )
    r = instrument_uncertainty(scale, 0.3, "kg")  # 300 g = 300 e
    assert r.u == pytest.approx(0.5e-3 / R3)
    assert r.sampling == "rectangular"
    r = instrument_uncertainty(scale, 600, "g")  # 600 e → ±1 e
    assert r.u == pytest.approx(1.0 / R3)
    # in service (the default of the register) doubles the MPE
    r = instrument_uncertainty(scale.model_copy(update={"in_service": True}), 300, "g")
    assert r.u == pytest.approx(1.0 / R3)


def test_scale_needs_e_and_unit() -> None:
    with pytest.raises(NotDerivableError, match="scale_interval"):
        instrument_uncertainty(
            inst(kind="scale_nonautomatic", accuracy_class="III", capacity_unit="kg"), 1, "kg"
        )
    with pytest.raises(NotDerivableError, match="capacity_unit"):
        instrument_uncertainty(
            inst(kind="scale_nonautomatic", accuracy_class="III", scale_interval=0.001), 1, "kg"
        )


def test_belt_flow_dispenser() -> None:
    assert 100 * belt_u_rel("0.5") == pytest.approx(0.144, abs=5e-4)
    assert 100 * belt_u_rel("0.5", in_service=True) == pytest.approx(0.289, abs=5e-4)
    assert 100 * flow_u_rel("1.5") == pytest.approx(0.866, abs=5e-4)
    assert 100 * flow_u_rel(None, dispenser=True) == pytest.approx(0.173, abs=5e-4)
    belt = inst(kind="belt_scale", accuracy_class="0.5")  # in service by default
    assert instrument_uncertainty(belt, 20, "t").u == pytest.approx(20 * 0.005 / R3)
    gas = inst(kind="gas_flow_meter", accuracy_class="1.5")
    assert instrument_uncertainty(gas, 1000, "m**3").u == pytest.approx(1000 * 0.015 / R3)
    disp = inst(kind="fuel_dispenser")
    assert instrument_uncertainty(disp, 50, "kg").u == pytest.approx(50 * 0.003 / R3)


def test_meter_with_ct_pt_rss_and_linear() -> None:
    m = inst(kind="electricity_meter", accuracy_class="0.5S", ct_class="0.2S", pt_class="0.2")
    r = instrument_uncertainty(m, 1000, "kWh")
    assert r.u == pytest.approx(1000 * math.sqrt(0.005**2 + 0.002**2 + 0.002**2) / R3)
    lin = instrument_uncertainty(m.model_copy(update={"combination": "linear"}), 1000, "kWh")
    assert lin.u == pytest.approx(1000 * (0.005 + 0.002 + 0.002) / R3)
    assert lin.u > r.u


def test_components_chain_note2() -> None:
    # a flow sensor ±1 % and a flow computer ±0.2 % without a system class
    chain = inst(
        kind="gas_flow_meter",
        components=[
            {"name": "sensor", "mpe": "1 %"},
            {"name": "computer", "accuracy_class": "0.2"},
        ],
    )
    r = instrument_uncertainty(chain, 500, "m**3")
    assert r.u == pytest.approx(500 * math.sqrt(0.01**2 + 0.002**2) / R3)
    assert combine_mpe([0.01, 0.002], "linear") == pytest.approx(0.012)


def test_certificate_takes_precedence_over_class() -> None:
    m = inst(
        kind="electricity_meter",
        accuracy_class="2",
        certificate={"number": "C", "expanded_uncertainty": 0.2, "k": 2},
    )
    r = instrument_uncertainty(m, 500, "kWh")
    assert r.u == pytest.approx(500 * 0.001)  # U = 0.2 %, k = 2 → 0.1 %
    assert r.sampling == "normal"
    scale = inst(
        kind="scale_nonautomatic",
        accuracy_class="III",
        scale_interval=1,
        capacity_unit="g",
        certificate={"number": "C", "expanded_uncertainty": 0.4, "k": 2, "uncertainty_unit": "g"},
    )
    assert instrument_uncertainty(scale, 0.3, "kg").u == pytest.approx(0.2e-3)
    assert certificate_u(0.4, 2) == pytest.approx(0.2)


def test_register_uncertainty_wins_over_certificate() -> None:
    m = inst(
        kind="electricity_meter",
        accuracy_class="2",
        uncertainty={"relative": "0.05 %"},
        certificate={"number": "C", "expanded_uncertainty": 0.2, "k": 2},
    )
    assert instrument_uncertainty(m, 1000, "kWh").u == pytest.approx(0.5)
    t = inst(kind="temperature", capacity_unit="K", uncertainty={"standard": 0.2})
    assert instrument_uncertainty(t, 25, "degC").u == pytest.approx(0.2)


def test_not_derivable() -> None:
    with pytest.raises(NotDerivableError, match="no accuracy class"):
        instrument_uncertainty(inst(kind="electricity_meter"), 1, "kWh")
    with pytest.raises(NotDerivableError, match="no class rule"):
        instrument_uncertainty(inst(kind="pressure", accuracy_class="0.5"), 1, "kPa")
    with pytest.raises(NotDerivableError, match="measures an energy unit"):
        instrument_uncertainty(inst(kind="electricity_meter", accuracy_class="1"), 1, "kg")


def test_type_a_hand_worked() -> None:
    r = type_a([10.0, 10.2, 9.9, 10.1])
    # mean 10.05; Σ(x − x̄)² = 0.0025 + 0.0225 + 0.0225 + 0.0025 = 0.05; s² = 0.05/3
    assert r.mean == pytest.approx(10.05)
    assert r.s == pytest.approx(math.sqrt(0.05 / 3))
    assert r.u == pytest.approx(math.sqrt(0.05 / 3) / 2)
    assert r.dof == 3
    with pytest.raises(ValueError, match="two readings"):
        type_a([1.0])
