"""The v3 rules we implemented from the PACT specification reject what they must."""

from __future__ import annotations

from typing import Any

import pytest
from pacthelpers import footprint

from tanzuji.errors import InputErrors
from tanzuji.i18n import use_lang
from tanzuji.pact.schema import footprint_errors, validate_footprint


def test_hand_written_footprint_is_valid() -> None:
    pf = footprint()
    assert footprint_errors(pf) == []
    assert validate_footprint(pf).pcf.declaredUnitOfMeasurement == "piece"


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"pcf.pcfExcludingBiogenicUptake": 4.2}, "$.pcf.pcfExcludingBiogenicUptake"),
        ({"pcf.pcfExcludingBiogenicUptake": "4,2"}, "$.pcf.pcfExcludingBiogenicUptake"),
        ({"pcf.pcfExcludingBiogenicUptake": "1e3"}, "$.pcf.pcfExcludingBiogenicUptake"),
        ({"pcf.declaredUnitAmount": "0"}, "$.pcf.declaredUnitAmount"),
        ({"pcf.fossilGhgEmissions": "-1"}, "$.pcf.fossilGhgEmissions"),
        ({"pcf.productMassPerDeclaredUnit": ...}, "$.pcf.productMassPerDeclaredUnit"),
        ({"pcf.ipccCharacterizationFactors": []}, "$.pcf.ipccCharacterizationFactors"),
        ({"pcf.ipccCharacterizationFactors": ["AR 6"]}, "$.pcf.ipccCharacterizationFactors[0]"),
        ({"pcf.crossSectoralStandards": ...}, "$.pcf.crossSectoralStandards"),
        ({"pcf.declaredUnitOfMeasurement": "pieces"}, "$.pcf.declaredUnitOfMeasurement"),
        ({"pcf.dqi.temporalDQR": "6"}, "$.pcf.dqi.temporalDQR"),
        ({"pcf.referencePeriodStart": "2025-01-01"}, "$.pcf.referencePeriodStart"),
        ({"productIds": ["MB-01"]}, "$.productIds[0]"),
        ({"productIds": []}, "$.productIds"),
        ({"companyName": ""}, "$.companyName"),
        ({"id": "MB-01"}, "$.id"),
        ({"specVersion": "2.3.0"}, "$.specVersion"),
        ({"status": "active"}, "$.status"),
        ({"pcf.biogenicCO2Uptake": "0.5"}, "$.pcf.biogenicCO2Uptake"),
    ],
)
def test_faults_are_named_by_json_path(override: dict[str, Any], path: str) -> None:
    errors = footprint_errors(footprint(**override))
    assert any(e.startswith(path + ":") for e in errors), errors


def test_v2_field_names_are_rejected() -> None:
    pf = footprint(**{"pcf.declaredUnit": "piece", "productCategoryCpc": "47160"})
    with use_lang("en"):
        errors = footprint_errors(pf)
    assert "$.pcf.declaredUnit: a PACT v2 property; v3 expects declaredUnitOfMeasurement" in errors
    assert any(e.startswith("$.productCategoryCpc:") for e in errors)


def test_two_geographies_are_one_too_many() -> None:
    with use_lang("en"):
        errors = footprint_errors(footprint(**{"pcf.geographyRegionOrSubregion": "Eastern Asia"}))
    assert any("at most one of" in e for e in errors)


def test_validate_raises_input_errors_with_paths() -> None:
    with pytest.raises(InputErrors) as info:
        validate_footprint(footprint(**{"pcf.fossilCarbonContent": ...}))
    assert info.value.errors[0].location.path == "$.pcf.fossilCarbonContent"
