"""Helpers for the data-governance tests: a small factor library and a study builder."""

from __future__ import annotations

from typing import Any

from tanzuji.factors import FactorLibrary
from tanzuji.model import EmissionFactor, Study


def factor(id: str, value: float, unit: str, factor_type: str) -> EmissionFactor:
    return EmissionFactor(
        id=id, name=id, value=value, unit=unit, factor_type=factor_type, source="test"
    )


LIB = FactorLibrary.from_factors(
    [
        factor("grid", 0.5, "kgCO2e/kWh", "national_database"),  # fairly high
        factor("cu", 3.0, "kgCO2e/kg", "literature"),  # low
        factor("road", 0.0001, "kgCO2e/(kg·km)", "domestic_database"),  # medium
        factor("waste", 4.0, "kgCO2e/kg", "default"),  # low
        factor("gas", 2.0, "kgCO2e/m**3", "national_database"),
    ],
    id="test",
)


def cert(date: str = "2024-06-01", valid_until: str = "2026-05-31", **kw: Any) -> dict[str, Any]:
    return {"number": "C-1", "date": date, "valid_until": valid_until, **kw}


def make_study(activities: list[dict[str, Any]] | None = None, **kw: Any) -> Study:
    """A study for 2025 with one manufacturing electricity activity unless given."""
    data: dict[str, Any] = {
        "id": "G",
        "product": {"name": "单相智能电能表", "model": "A"},
        "period": 2025,
        "activities": activities
        or [
            {
                "stage": "manufacturing",
                "name": "电",
                "quantity": 10,
                "unit": "kWh",
                "factor": "grid",
                "uncertainty": {"relative": "1 %"},
                "instrument": "EM",
            }
        ],
    }
    data.update(kw)
    return Study.model_validate(data)


METER = {
    "id": "EM",
    "name": "总表",
    "kind": "electricity_meter",
    "accuracy_class": "1",
    "certificate": cert(),
}
