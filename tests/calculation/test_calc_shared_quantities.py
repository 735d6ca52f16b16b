"""Named shared quantities: declared once, referenced by several activities, ONE model input.

Hand calculation used throughout: a shipment of mass m goes on two legs with distances
d1, d2 and mode factors f1, f2, so E = m·(d1·f1 + d2·f2) and, by the law of propagation
with m as one input,

    u_c²(E) = ((d1·f1 + d2·f2)·u_m)² + (m·f1·u_d1)² + (m·d1·u_f1)² + (m·f2·u_d2)² + (m·d2·u_f2)²

whereas two independent masses would give (d1·f1·u_m)² + (d2·f2·u_m)² for the mass part.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from tanzuji.calculation import compile_study, evaluate_full, evaluate_jjf, evaluate_monte_carlo
from tanzuji.errors import InputErrors
from tanzuji.factors import FactorLibrary
from tanzuji.i18n import use_lang
from tanzuji.model import EmissionFactor, Stage, Study


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """This module matches the English wording of the library's messages."""
    with use_lang("en"):
        yield


M, U_M = 120.0, 20.0  # kg
D1, U_D1, D2, U_D2 = 300.0, 10.0, 50.0, 5.0  # km
F1, U_F1, F2, U_F2 = 1e-4, 1e-5, 2e-4, 2e-5  # kgCO2e/(kg·km)


def _lib() -> FactorLibrary:
    def ef(id_: str, value: float, u: float) -> EmissionFactor:
        return EmissionFactor.model_validate(
            {
                "id": id_,
                "name": id_,
                "value": value,
                "unit": "kgCO2e/(kg·km)",
                "uncertainty": {"standard": u},
                "factor_type": "literature",
                "source": "test",
            }
        )

    extra = EmissionFactor.model_validate(
        {
            "id": "grid",
            "name": "grid",
            "value": 0.5,
            "unit": "kgCO2e/kWh",
            "factor_type": "national_database",
            "source": "test",
        }
    )
    return FactorLibrary.from_factors([ef("road", F1, U_F1), ef("rail", F2, U_F2), extra], id="t")


def _leg(stage: str, d: float, u_d: float, factor: str, mass: Any) -> dict[str, Any]:
    return {
        "stage": stage,
        "name": f"运输 {factor}",
        "mass": mass,
        "distance": {"quantity": d, "unit": "km", "uncertainty": {"standard": u_d}},
        "factor": factor,
    }


def _study(stage1: str, stage2: str, *, shared: bool = True) -> Study:
    mass: dict[str, Any] = {"quantity": M, "unit": "kg", "uncertainty": {"standard": U_M}}
    m1: Any = {"ref": "shipment_mass"} if shared else mass
    m2: Any = {"quantity": {"ref": "shipment_mass"}} if shared else mass
    return Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": 2025,
            "quantities": [
                {
                    "id": "shipment_mass",
                    "name": "发货质量",
                    "value": M,
                    "unit": "kg",
                    "uncertainty": {"standard": U_M},
                    "data_type": "onsite_measured",
                }
            ],
            "activities": [
                _leg(stage1, D1, U_D1, "road", m1),
                _leg(stage2, D2, U_D2, "rail", m2),
            ],
        }
    )


def _u2_hand(correlated: bool) -> float:
    mass = (
        ((D1 * F1 + D2 * F2) * U_M) ** 2
        if correlated
        else (D1 * F1 * U_M) ** 2 + (D2 * F2 * U_M) ** 2
    )
    return (
        mass
        + (M * F1 * U_D1) ** 2
        + (M * D1 * U_F1) ** 2
        + (M * F2 * U_D2) ** 2
        + (M * D2 * U_F2) ** 2
    )


def test_calc_shared_quantity_is_one_input() -> None:
    model = compile_study(_study("distribution", "distribution"), _lib())
    assert "Q:shipment_mass" in model.inputs
    assert not any(name.endswith(".mass") for name in model.inputs)
    inp = model.inputs["Q:shipment_mass"]
    assert (inp.estimate, inp.u, inp.unit, inp.label) == (M, U_M, "kg", "发货质量")
    assert inp.used_by == ("activities[0].mass", "activities[1].mass")
    # E = m·(d1·f1 + d2·f2) = 120·(0.03 + 0.01) = 4.8 kg
    assert float(model(**model.estimates())) == pytest.approx(4.8, rel=1e-12)


def test_calc_shared_quantity_full_gum_matches_hand_calculation_across_stages() -> None:
    # legs in two stages: the spec's formula (2) ignores the covariance, the full GUM keeps it
    model = compile_study(_study("raw_materials", "distribution"), _lib())
    full = evaluate_full(model)
    assert full.total.u == pytest.approx(math.sqrt(_u2_hand(True)), rel=1e-9)
    independent = evaluate_full(
        compile_study(_study("raw_materials", "distribution", shared=False), _lib())
    )
    assert independent.total.u == pytest.approx(math.sqrt(_u2_hand(False)), rel=1e-9)
    assert full.total.u > independent.total.u


def test_calc_shared_quantity_spec_method_sums_sensitivities_within_a_stage() -> None:
    # same stage: u(E_dist) = (d1·f1 + d2·f2)·u_m = 0.04·20 = 0.8 (activity data only)
    r = evaluate_jjf(compile_study(_study("distribution", "distribution"), _lib()))
    stage = r.stage(Stage.DISTRIBUTION)
    assert stage is not None
    assert stage.u == pytest.approx((D1 * F1 + D2 * F2) * U_M, rel=1e-12)


def test_calc_shared_quantity_monte_carlo_keeps_the_correlation() -> None:
    model = compile_study(_study("raw_materials", "distribution"), _lib())
    mc = evaluate_monte_carlo(model, evaluate_full(model), trials=200_000, seed=7)
    # hand values: correlated 0.9016, independent 0.7568; MC (2e5 trials) is within 1 %
    assert mc.result.u == pytest.approx(math.sqrt(_u2_hand(True)), rel=0.01)
    assert abs(mc.result.u - math.sqrt(_u2_hand(False))) > 0.1


def test_calc_shared_quantity_in_other_units_and_other_sites() -> None:
    study = Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": 2025,
            "boundary": ["manufacturing", "use"],
            "quantities": [
                {"id": "e", "quantity": 2.0, "unit": "MWh", "uncertainty": {"relative": "1 %"}}
            ],
            "activities": [
                {
                    "stage": "manufacturing",
                    "name": "电",
                    "quantity": {"ref": "e"},
                    "unit": "kWh",
                    "factor": "grid",
                },
                {
                    "stage": "manufacturing",
                    "name": "电2",
                    "kind": "electricity",
                    "grid": {"quantity": {"ref": "e"}, "factor": "grid"},
                },
            ],
        }
    )
    act = study.activities[0]
    assert (act.quantity, act.unit, act.ref) == (2000.0, "kWh", "e")  # type: ignore[union-attr]
    model = compile_study(study, _lib())
    assert [n for n in model.inputs if n.startswith("Q:")] == ["Q:e"]
    # 2 × 2 MWh × 0.5 kgCO2e/kWh = 2000 kg; u = 2 × 0.5 × 20 kWh = 20 kg (fully correlated)
    r = evaluate_jjf(model)
    assert r.total.value == pytest.approx(2000.0)
    assert r.total.u == pytest.approx(20.0)


def test_calc_shared_quantity_errors_name_the_field() -> None:
    base: dict[str, Any] = {
        "id": "S",
        "product": {"name": "灯"},
        "period": 2025,
        "quantities": [{"id": "shipment_mass", "quantity": 1, "unit": "kg"}],
    }
    with pytest.raises(ValueError, match=r"ref: no quantity .*did you mean 'shipment_mass'"):
        Study.model_validate(
            {**base, "activities": [_leg("distribution", 1, 0, "road", {"ref": "shipment_mas"})]}
        )
    with pytest.raises(ValueError, match="uncertainty comes from the shared quantity"):
        Study.model_validate(
            {
                **base,
                "activities": [
                    _leg(
                        "distribution",
                        1,
                        0,
                        "road",
                        {"ref": "shipment_mass", "uncertainty": {"standard": 1}},
                    )
                ],
            }
        )
    with pytest.raises(ValueError, match="does not match the unit 'kg'"):
        Study.model_validate(
            {
                **base,
                "activities": [
                    _leg("distribution", 1, 0, "road", {"ref": "shipment_mass", "unit": "km"})
                ],
            }
        )


def test_calc_shared_quantity_dimension_checked_where_used() -> None:
    study = Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": 2025,
            "quantities": [{"id": "x", "quantity": 1, "unit": "kWh"}],
            "activities": [_leg("distribution", 1, 0, "road", {"ref": "x"})],
        }
    )
    with pytest.raises(InputErrors, match="quantities"):
        compile_study(study, _lib())


def test_calc_shared_quantity_unknown_ref_points_at_the_yaml_line(tmp_path: Any) -> None:
    from tanzuji.studyfiles import load_study

    (tmp_path / "study.yaml").write_text(
        "id: S\nproduct: {name: 灯}\nperiod: 2025\n"
        "quantities:\n  - {id: shipment_mass, value: 120, unit: kg}\n"
        "activities:\n"
        "  - stage: distribution\n    name: 公路\n    mass: {ref: shipment_mas}\n"
        "    distance: {quantity: 300, unit: km}\n    factor: road\n",
        encoding="utf-8",
    )
    from tanzuji.i18n import use_lang

    with use_lang("en"), pytest.raises(InputErrors) as info:
        load_study(tmp_path / "study.yaml")
    (err,) = info.value.errors
    assert err.location.path == "activities[0].mass (line 9)"
    assert "did you mean 'shipment_mass'" in err.message


def test_calc_shared_quantity_in_the_json_schema() -> None:
    from tanzuji.jsonio import study_schema

    defs = study_schema()["$defs"]
    for name in ("Activity", "Measured", "EnergyUse", "SupplyPart"):
        alts = defs[name]["properties"]["quantity"]["anyOf"]
        assert {
            "type": "object",
            "properties": {"ref": {"type": "string"}},
            "required": ["ref"],
            "additionalProperties": False,
        } in alts
        assert "ref" in defs[name]["properties"] and "corrections" in defs[name]["properties"]
    assert defs["SharedQuantity"]["required"] == ["id", "unit"]
    assert "value" in defs["SharedQuantity"]["properties"]
