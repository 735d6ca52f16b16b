"""Helpers and test data of the PACT tests, written for tanzuji (not copied from the spec)."""

from __future__ import annotations

import copy
from typing import Any

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.factors import FactorLibrary
from tanzuji.model import Study

# A hand-checkable study: 10 kWh × 0.5 kgCO2e/kWh (manufacturing, metered, Chinese national
# factor of the same year) + 2 kg × 3.0 kgCO2e/kg (raw material from a database, global
# factor ten years older). Total 11 kgCO2e per piece.
HAND_STUDY: dict[str, Any] = {
    "id": "HAND-1",
    "product": {
        "name": "测试表",
        "model": "T1",
        "manufacturer": {"name": "Test Meter Co."},
        "product_ids": ["urn:pact:meter.test:product-id:T1"],
        "gtin": "06901234500017",
        "company_ids": ["urn:pact:meter.test:company-id:C1"],
        "cpc": "48240",
        "country": "CN",
        "mass_kg": 0.5,
        "fossil_carbon_kg": 0.2,
        "biogenic_carbon_kg": 0.03,
        "packaging_included": False,
    },
    "period": 2025,
    "boundary": ["raw_materials", "manufacturing"],
    "excluded": [{"name": "office lighting", "stage": "manufacturing", "estimate": 0.11}],
    "factors": [
        {
            "id": "grid",
            "name": "grid",
            "value": 0.5,
            "unit": "kgCO2e/kWh",
            "region": "CN",
            "year": 2025,
            "factor_type": "national_database",
            "source": "MEE",
            "gwp": "AR5",
        },
        {
            "id": "steel",
            "name": "steel",
            "value": 3.0,
            "unit": "kgCO2e/kg",
            "region": "GLO",
            "year": 2015,
            "factor_type": "international_database",
            "source": "DB",
            "gwp": "AR6",
        },
    ],
    "factor_libraries": [],
    "activities": [
        {
            "stage": "manufacturing",
            "name": "electricity",
            "quantity": 10,
            "unit": "kWh",
            "factor": "grid",
            "uncertainty": {"standard": 0.2},
        },
        {
            "stage": "raw_materials",
            "name": "steel",
            "quantity": 2,
            "unit": "kg",
            "factor": "steel",
            "data_type": "database",
            "uncertainty": {"relative": 0.01},
        },
    ],
}


def hand_study(**product: Any) -> Study:
    data = copy.deepcopy(HAND_STUDY)
    data["product"].update(product)
    for k in [k for k, v in data["product"].items() if v is None]:
        del data["product"][k]
    return Study.model_validate(data)


def evaluated(study: Study) -> tuple[Any, Any]:
    lib = FactorLibrary.from_factors(study.factors, id="study")
    model = compile_study(study, lib)
    return model, evaluate_jjf(model)


def footprint(**overrides: Any) -> dict[str, Any]:
    """A valid v3 footprint written by hand for these tests (a supplier's PCBA)."""
    pf: dict[str, Any] = {
        "id": "5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d70",
        "specVersion": "3.0.0",
        "created": "2026-03-01T08:00:00Z",
        "status": "Active",
        "companyName": "PCBA Supplier Ltd",
        "companyIds": ["urn:pact:pcba.test:company-id:S1"],
        "productDescription": "Populated main board of a single-phase meter",
        "productIds": ["urn:pact:pcba.test:product-id:MB-01"],
        "productClassifications": ["urn:pact:productclassification:un-cpc:47160"],
        "productNameCompany": "Main board MB-01",
        "pcf": {
            "declaredUnitOfMeasurement": "piece",
            "declaredUnitAmount": "1",
            "productMassPerDeclaredUnit": "0.08",
            "referencePeriodStart": "2025-01-01T00:00:00Z",
            "referencePeriodEnd": "2026-01-01T00:00:00Z",
            "geographyCountry": "CN",
            "pcfExcludingBiogenicUptake": "4.2",
            "pcfIncludingBiogenicUptake": "4.2",
            "fossilCarbonContent": "0.01",
            "fossilGhgEmissions": "4.2",
            "ipccCharacterizationFactors": ["AR6"],
            "crossSectoralStandards": ["ISO14067"],
            "exemptedEmissionsPercent": "0.5",
            "packagingEmissionsIncluded": False,
            "primaryDataShare": "40",
            "dqi": {"technologicalDQR": "1.2", "geographicalDQR": "2.8", "temporalDQR": "2.0"},
        },
    }
    for key, value in overrides.items():
        target = pf
        parts = key.split(".")
        for part in parts[:-1]:
            target = target[part]
        if value is ...:
            del target[parts[-1]]
        else:
            target[parts[-1]] = value
    return pf
