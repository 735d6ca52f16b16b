"""A study written back (``model_dump``, as ``convert`` and the store do) reads back the same:
shared quantities, allocation of every kind, service life, calculated totals allocated."""

from __future__ import annotations

from typing import Any

from tanzuji.model import Study

STUDY: dict[str, Any] = {
    "id": "lamp",
    "product": {"name": "LED 球泡灯"},
    "period": "2025年",
    "quantities": [
        {"id": "m", "value": 120, "unit": "kg", "uncertainty": {"relative": "1 %"}},
        {"id": "plant", "value": 3000, "unit": "kWh", "uncertainty": {"standard": 30}},
        {"id": "sys", "value": 1, "unit": "1", "uncertainty": {"standard": 0.003}},
    ],
    "activities": [
        {
            "stage": "原材料获取",
            "name": "入厂",
            "mass": {"ref": "m"},
            "distance": {"quantity": 300, "unit": "km"},
            "factor": "road",
        },
        {
            "stage": "distribution",
            "name": "出厂",
            "mass": {"ref": "m", "unit": "t"},
            "distance": {"quantity": 50, "unit": "km"},
            "factor": "rail",
            "allocation": {
                "product_model": "A",
                "models": [{"model": "A", "output": 10}, {"model": "B", "output": 30}],
            },
        },
        {
            "stage": "use",
            "name": "运行",
            "power": {"quantity": 9, "unit": "W"},
            "service_life": {"quantity": 3, "unit": "year", "uncertainty": {"standard": 0.5}},
            "hours_per_year": 1000,
            "factor": "grid",
        },
        {
            "stage": "manufacturing",
            "name": "电",
            "quantity": {"ref": "plant"},
            "factor": "grid",
            "corrections": ["sys"],
            "allocation": {
                "product_model": "A",
                "models": [{"model": "A", "output": 2000}, {"model": "B", "output": 1000}],
            },
        },
        {
            "stage": "manufacturing",
            "name": "电2",
            "factor": "grid",
            "calculated": {"model": "register_difference", "start": 0, "end": 100},
            "allocation": {
                "product_model": "A",
                "models": [{"model": "A", "output": 4}, {"model": "B", "output": 1}],
            },
        },
    ],
}


def test_gov_roundtrip_model_dump_reads_back_the_same() -> None:
    study = Study.model_validate(STUDY)
    again = Study.model_validate(study.model_dump(mode="json", exclude_none=True))
    assert again == study
    assert again.activities[3].quantity == 1.0  # type: ignore[union-attr]  # 3000/3000


def test_gov_roundtrip_declaration_stays_the_source_of_the_value() -> None:
    dumped = Study.model_validate(STUDY).model_dump(mode="json", exclude_none=True)
    dumped["quantities"][0]["quantity"] = 150
    again = Study.model_validate(dumped)
    assert again.activities[0].mass.quantity == 150  # type: ignore[union-attr]
    assert again.activities[1].mass.quantity == 0.15  # type: ignore[union-attr]
