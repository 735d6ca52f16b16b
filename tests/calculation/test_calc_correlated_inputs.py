"""The correlated-input mechanism beyond ``{ref}``: a meter's systematic error shared by its
readings (``corrections:``), and the measurement-model API other modules use
(``with_inputs``, ``scaled_by``, ``merged``). Hand calculations in each test."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tanzuji.calculation import ModelInput, compile_study, evaluate_full, evaluate_jjf
from tanzuji.factors import FactorLibrary
from tanzuji.model import EmissionFactor, Stage, Study


def _lib(u_ef: float = 0.0) -> FactorLibrary:
    rows = [("grid", 0.5, "kgCO2e/kWh", 0.0), ("steel", 2.0, "kgCO2e/kg", 0.2)]
    return FactorLibrary.from_factors(
        [
            EmissionFactor.model_validate(
                {
                    "id": i,
                    "name": i,
                    "value": v,
                    "unit": unit,
                    "uncertainty": {"standard": u} if u else None,
                    "factor_type": "national_database",
                    "source": "t",
                }
            )
            for i, v, unit, u in rows
        ],
        id="t",
    )


def _meter_study(shared: bool) -> Study:
    def act(name: str, r: float, u: float, corr: str) -> dict[str, Any]:
        return {
            "stage": "manufacturing",
            "name": name,
            "quantity": r,
            "unit": "kWh",
            "uncertainty": {"standard": u},
            "factor": "grid",
            "corrections": [corr],
        }

    delta = {"value": 1.0, "unit": "1", "uncertainty": {"standard": 0.005}}
    return Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": 2025,
            "boundary": ["manufacturing"],
            "quantities": [{"id": "em01_sys", **delta}, {"id": "em01_sys_b", **delta}],
            "activities": [
                act("SMT", 1000, 5, "em01_sys"),
                act("装配", 3000, 10, "em01_sys" if shared else "em01_sys_b"),
            ],
        }
    )


def test_calc_meter_systematic_error_is_one_input() -> None:
    # E = 0.5·(r1 + r2)·δ = 2000; u² = (0.5·5)² + (0.5·10)² + (0.5·4000·0.005)² = 131.25
    model = compile_study(_meter_study(True), _lib())
    assert model.inputs["Q:em01_sys"].used_by == (
        "activities[0].corrections[0]",
        "activities[1].corrections[0]",
    )
    full = evaluate_full(model)
    assert full.total.value == pytest.approx(2000.0)
    assert full.total.u == pytest.approx(math.sqrt(131.25), rel=1e-9)
    jjf = evaluate_jjf(model)
    assert jjf.total.u == pytest.approx(math.sqrt(131.25), rel=1e-9)
    # two separate δ: (0.5·1000·0.005)² + (0.5·3000·0.005)² = 62.5 instead of 100
    separate = evaluate_full(compile_study(_meter_study(False), _lib()))
    assert separate.total.u == pytest.approx(math.sqrt(6.25 + 25 + 62.5), rel=1e-9)


def test_calc_unknown_correction_names_the_field() -> None:
    from tanzuji.errors import InputErrors

    study = Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": 2025,
            "activities": [
                {
                    "stage": "use",
                    "name": "x",
                    "quantity": 1,
                    "unit": "kWh",
                    "factor": "grid",
                    "corrections": ["nope"],
                }
            ],
        }
    )
    with pytest.raises(InputErrors) as info:
        compile_study(study, _lib())
    assert info.value.errors[0].location.path == "activities[0].corrections[0]"


def _steel(q: float, stage: str = "raw_materials") -> Study:
    return Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": 2025,
            "boundary": [stage],
            "activities": [
                {
                    "id": "steel",
                    "stage": stage,
                    "name": "钢",
                    "quantity": q,
                    "unit": "kg",
                    "factor": "steel",
                }
            ],
        }
    )


def test_calc_merged_component_shares_the_factor() -> None:
    # parent 10 kg steel, component 5 kg steel, 2 components per unit, EF 2.0 ± 0.2:
    # E = 2·10 + 2·2·5 = 40; u = (10 + 2·5)·0.2 = 4 (one EF input), not √(2² + 2²)
    parent = compile_study(_steel(10), _lib())
    comp = compile_study(_steel(5), _lib())
    both = parent.merged(comp, scale=2.0, prefix="pcb/")
    assert sorted(both.inputs) == ["EF:steel", "pcb/steel.quantity", "steel.quantity"]
    full = evaluate_full(both)
    assert full.total.value == pytest.approx(40.0)
    assert full.total.u == pytest.approx(4.0, rel=1e-9)
    assert set(both.groups) == {"steel", "pcb/steel"}


def test_calc_with_inputs_refuses_a_different_quantity_under_one_name() -> None:
    model = compile_study(_steel(10), _lib())
    other = ModelInput("EF:steel", "steel", "factor", 2.5, 0.2, "kgCO2e/kg", "x")
    with pytest.raises(ValueError, match="already"):
        model.with_inputs([other])


def test_calc_scaled_by_adds_a_shared_multiplier() -> None:
    model = compile_study(_steel(10, "manufacturing"), _lib())
    delta = ModelInput("Q:scale.sys", "δ", "activity", 1.0, 0.01, "1", "scale")
    scaled = model.scaled_by(delta, ["steel"])
    # E = 10·2·δ = 20; δ adds (20·0.01)² = 0.04 to u² = (10·0.2)² = 4
    full = evaluate_full(scaled)
    assert full.total.u == pytest.approx(math.sqrt(4.04), rel=1e-9)
    assert evaluate_jjf(scaled).stage(Stage.MANUFACTURING) is not None


def test_calc_merged_keeps_study_local_quantities_apart_unless_shared() -> None:
    def study(q: float) -> Study:
        return Study.model_validate(
            {
                "id": "S",
                "product": {"name": "灯"},
                "period": 2025,
                "boundary": ["raw_materials"],
                "quantities": [
                    {"id": "m", "value": q, "unit": "kg", "uncertainty": {"standard": 1}}
                ],
                "activities": [
                    {
                        "stage": "raw_materials",
                        "name": "钢",
                        "quantity": {"ref": "m"},
                        "factor": "steel",
                    }
                ],
            }
        )

    parent, comp = compile_study(study(10), _lib()), compile_study(study(10), _lib())
    apart = parent.merged(comp, prefix="c/")
    assert {"Q:m", "c/Q:m"} <= set(apart.inputs)
    one = parent.merged(comp, prefix="c/", shared=["Q:m"])
    assert "c/Q:m" not in one.inputs
    # E = 2·m·EF with one m: the m part of u is 2·EF·u_m = 4 (else √2·2); EF part 2·m·0.2 = 4
    assert evaluate_full(one).total.u == pytest.approx(math.sqrt(16 + 16), rel=1e-9)
    assert evaluate_full(apart).total.u == pytest.approx(math.sqrt(8 + 16), rel=1e-9)


def test_calc_correction_keeps_metered_data_primary() -> None:
    from tanzuji.governance import data_quality

    q = data_quality(compile_study(_meter_study(True), _lib()))
    assert q.overall.primary_share == pytest.approx(1.0)
