"""Primary-data share and grade distribution, overall and per stage (hand-worked)."""

from __future__ import annotations

import pytest
from govhelpers import LIB, make_study

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.governance import data_quality
from tanzuji.jsonio import result_to_dict

ACTS = [
    # raw: 2 kg × 3 (literature factor: low), measured on site → 6 kgCO2e, primary
    {
        "stage": "raw_materials",
        "name": "铜",
        "quantity": 2,
        "unit": "kg",
        "factor": "cu",
        "data_type": "onsite_measured",
    },
    # raw: 1000 kg × 100 km × 0.0001 (domestic database: medium) = 10; the distance is an
    # estimate, so the term is not primary and its activity grade is the worse one (low)
    {
        "stage": "raw_materials",
        "name": "运输",
        "factor": "road",
        "data_type": "onsite_measured",
        "mass": {"quantity": 1000, "unit": "kg"},
        "distance": {"quantity": 100, "unit": "km", "data_type": "estimate"},
    },
    # manufacturing: 10 kWh × 0.5 (national database: fairly high) = 5, primary
    {"stage": "manufacturing", "name": "电", "quantity": 10, "unit": "kWh", "factor": "grid"},
    # use: 20 kWh × 0.5 = 10, off-site data (primary, fairly high)
    {
        "stage": "use",
        "name": "运行",
        "quantity": 20,
        "unit": "kWh",
        "factor": "grid",
        "data_type": "offsite",
    },
    # end of life: 1 kg × 4 (default factor: low) = 4, estimate (low)
    {
        "stage": "end_of_life",
        "name": "废弃",
        "quantity": 1,
        "unit": "kg",
        "factor": "waste",
        "data_type": "estimate",
    },
]


def test_overall() -> None:
    q = data_quality(compile_study(make_study(ACTS), LIB))
    o = q.overall
    assert o.value == pytest.approx(35)
    assert o.primary_share == pytest.approx(21 / 35)  # 6 + 5 + 10
    assert o.activity_grades == pytest.approx(
        {"high": 11 / 35, "fairly_high": 10 / 35, "medium": 0, "fairly_low": 0, "low": 14 / 35}
    )
    assert o.factor_grades == pytest.approx(
        {"high": 0, "fairly_high": 15 / 35, "medium": 10 / 35, "fairly_low": 0, "low": 10 / 35}
    )
    assert sum(o.activity_grades.values()) == pytest.approx(1)  # type: ignore[arg-type]
    assert o.data_types["estimate"] == pytest.approx(14 / 35)


def test_per_stage() -> None:
    q = data_quality(compile_study(make_study(ACTS), LIB))
    raw = q.stages["raw_materials"]  # type: ignore[index]
    assert raw is not None and raw.value == pytest.approx(16)
    assert raw.primary_share == pytest.approx(6 / 16)
    assert raw.activity_grades["high"] == pytest.approx(6 / 16)
    assert raw.activity_grades["low"] == pytest.approx(10 / 16)
    assert raw.factor_grades["low"] == pytest.approx(6 / 16)
    assert raw.factor_grades["medium"] == pytest.approx(10 / 16)
    use = q.stages["use"]  # type: ignore[index]
    assert use is not None and use.primary_share == 1.0
    assert use.activity_grades["fairly_high"] == 1.0


def test_outside_boundary_and_zero_footprint() -> None:
    acts = [
        {"stage": "manufacturing", "name": "电", "quantity": 0, "unit": "kWh", "factor": "grid"}
    ]
    q = data_quality(compile_study(make_study(acts, boundary=["manufacturing"]), LIB))
    assert q.stages["use"] is None  # type: ignore[index]
    assert q.overall.primary_share is None
    assert q.to_dict()["stages"]["use"] is None


def test_result_to_dict_gains_data_quality_only_with_factors() -> None:
    study = make_study(ACTS)
    result = evaluate_jjf(compile_study(study, LIB))
    plain = result_to_dict(result, study)
    assert "data_quality" not in plain
    full = result_to_dict(result, study, LIB)
    assert set(full) - set(plain) == {"data_quality"}
    assert full["data_quality"]["primary_share"] == pytest.approx(0.6)
    assert {k: full[k] for k in plain} == plain
