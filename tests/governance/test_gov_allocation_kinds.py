"""Allocation by output for every activity kind (§6.1), against hand calculations.

Per functional unit, an allocated total T shared by models j with output n_j and weight
w_j (BOM quantity per piece, default 1 = by output) contributes T · w_p / Σ n_j·w_j.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.factors import FactorLibrary
from tanzuji.governance import check_study
from tanzuji.i18n import use_lang
from tanzuji.model import EmissionFactor, Study


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """This module matches the English wording of the library's messages."""
    with use_lang("en"):
        yield


TWO_MODELS = {
    "product_model": "A",
    "models": [{"model": "A", "output": 2000}, {"model": "B", "output": 1000}],
}


def _lib() -> FactorLibrary:
    rows = [
        ("grid", 0.5, "kgCO2e/kWh"),
        ("green", 0.0, "kgCO2e/kWh"),
        ("diesel", 3.1, "kgCO2e/kg"),
        ("truck", 0.05, "kgCO2e/(t·km)"),
        ("steel", 2.0, "kgCO2e/kg"),
    ]
    return FactorLibrary.from_factors(
        [
            EmissionFactor.model_validate(
                {
                    "id": i,
                    "name": i,
                    "value": v,
                    "unit": u,
                    "factor_type": "national_database",
                    "source": "t",
                }
            )
            for i, v, u in rows
        ],
        id="t",
    )


def _study(act: dict[str, Any], boundary: str = "manufacturing") -> Study:
    return Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": 2025,
            "boundary": [boundary],
            "activities": [{"stage": boundary, "name": "共用", **act}],
        }
    )


def test_gov_alloc_electricity_split_by_output() -> None:
    # plant: grid 9000 kWh (u 90), green 3000 kWh; A makes 2000, B 1000 → f = 1/3000
    # E_A = (9000·0.5 + 3000·0)/3000 = 1.5 kg; u = 90·0.5/3000 = 0.015 kg
    study = _study(
        {
            "kind": "electricity",
            "total": {"quantity": 12000, "unit": "kWh"},
            "grid": {"quantity": 9000, "factor": "grid", "uncertainty": {"standard": 90}},
            "green_trading": {"quantity": 3000, "factor": "green"},
            "allocation": TWO_MODELS,
        }
    )
    r = evaluate_jjf(compile_study(study, _lib()))
    assert r.total.value == pytest.approx(1.5)
    assert r.total.u == pytest.approx(0.015)
    report = check_study(study, _lib())
    rows = [a for a in report.allocations if a.model == "A"]
    assert [(a.kind, a.quantity_path, a.allocated, a.per_unit) for a in rows] == [
        ("electricity", "activities[0].grid.quantity", 6000.0, 3.0),
        ("electricity", "activities[0].green_trading.quantity", 2000.0, 1.0),
    ]
    js = report.to_dict()["allocations"][0]
    assert js["factor"] == pytest.approx(1 / 3000) and js["share"] == pytest.approx(2 / 3)
    assert any(f.code == "allocation.applied" for f in report.findings)


def test_gov_alloc_transport_by_mass_and_distance() -> None:
    # 10 t × 100 km × 0.05 kgCO2e/(t·km) = 50 kg for 3000 pieces → 1/60 kg per piece
    study = _study(
        {
            "mass": {"quantity": 10, "unit": "t", "uncertainty": {"standard": 0.3}},
            "distance": {"quantity": 100, "unit": "km"},
            "factor": "truck",
            "allocation": TWO_MODELS,
        },
        "distribution",
    )
    r = evaluate_jjf(compile_study(study, _lib()))
    assert r.total.value == pytest.approx(50 / 3000)
    assert r.total.u == pytest.approx(0.3 * 100 * 0.05 / 3000)


def test_gov_alloc_transport_by_fuel_weighted() -> None:
    # diesel 50 kg × 3.1; weights (kg product per piece) A 2 × 100, B 1 × 300 → f_A = 2/500
    study = _study(
        {
            "energy": [{"carrier": "diesel", "quantity": 50, "unit": "kg", "factor": "diesel"}],
            "allocation": {
                "product_model": "A",
                "models": [
                    {"model": "A", "output": 100, "bom_quantity": 2},
                    {"model": "B", "output": 300, "bom_quantity": 1},
                ],
            },
        },
        "distribution",
    )
    r = evaluate_jjf(compile_study(study, _lib()))
    assert r.total.value == pytest.approx(50 * 3.1 * 2 / 500)


def test_gov_alloc_calculated_quantity() -> None:
    # register 1000 → 1250, CT 200/5 → 10 000 kWh for 5000 pieces (A 4000, B 1000):
    # 2 kWh per piece; u(E) = K·d/√6 = 40·0.1/√6 kWh for the plant, /5000 per piece
    study = _study(
        {
            "factor": "grid",
            "calculated": {
                "model": "register_difference",
                "start": 1000,
                "end": 1250,
                "ct_ratio": "200/5",
                "resolution": 0.1,
            },
            "allocation": {
                "product_model": "A",
                "models": [{"model": "A", "output": 4000}, {"model": "B", "output": 1000}],
            },
        }
    )
    act = study.activities[0]
    assert act.quantity == pytest.approx(2.0)  # type: ignore[union-attr]
    model = compile_study(study, _lib())
    inp = next(iter(i for n, i in model.inputs.items() if n.endswith(".quantity")))
    assert inp.estimate == pytest.approx(2.0)
    assert inp.u == pytest.approx(40 * 0.1 / math.sqrt(6) / 5000, rel=1e-6)
    assert inp.u_source == "allocation"


def test_gov_alloc_flow_total_quantity_becomes_the_batch() -> None:
    # 600 kg steel for 3000 pieces, A/B by output → 0.2 kg per piece, 0.4 kgCO2e
    study = _study(
        {
            "quantity": 600,
            "unit": "kg",
            "uncertainty": {"standard": 6},
            "factor": "steel",
            "allocation": TWO_MODELS,
        },
        "raw_materials",
    )
    act = study.activities[0]
    assert act.quantity == pytest.approx(0.2)  # type: ignore[union-attr]
    r = evaluate_jjf(compile_study(study, _lib()))
    assert r.total.value == pytest.approx(0.4)
    assert r.total.u == pytest.approx(6 * 2.0 / 3000)


def test_gov_alloc_shared_quantity_allocated() -> None:
    # one metered plant total (shared) allocated in two activities keeps one input
    study = Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": 2025,
            "boundary": ["manufacturing"],
            "quantities": [
                {"id": "plant", "quantity": 3000, "unit": "kWh", "uncertainty": {"standard": 30}}
            ],
            "activities": [
                {
                    "stage": "manufacturing",
                    "name": "电",
                    "quantity": {"ref": "plant"},
                    "factor": "grid",
                    "allocation": TWO_MODELS,
                }
            ],
        }
    )
    model = compile_study(study, _lib())
    assert list(model.inputs) == ["Q:plant", "EF:grid"]
    r = evaluate_jjf(model)
    assert r.total.value == pytest.approx(3000 * 0.5 / 3000)
    assert r.total.u == pytest.approx(30 * 0.5 / 3000)


def test_gov_alloc_batch_quantity_refused_on_totals_kinds() -> None:
    with pytest.raises(ValueError, match=r"leave out allocation\.batch_quantity"):
        _study(
            {
                "kind": "electricity",
                "grid": {"quantity": 1, "factor": "grid"},
                "allocation": {**TWO_MODELS, "batch_quantity": 5, "unit": "kWh"},
            }
        )
