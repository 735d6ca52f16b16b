"""Export: every required v3 property, hand-checked numbers, refusals naming the field."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from pacthelpers import evaluated, hand_study

from tanzuji.errors import InputErrors
from tanzuji.pact.export import ExportOptions, export_footprint
from tanzuji.pact.extension import SCHEMA_PATH, UncertaintyData, find_extension
from tanzuji.pact.schema import footprint_errors

ROOT = Path(__file__).resolve().parents[2]


def test_hand_study_numbers() -> None:
    study = hand_study()
    model, result = evaluated(study)
    pf = export_footprint(study, model, result, ExportOptions(base_url="https://pcf.test"))
    assert footprint_errors(pf) == []
    pcf = pf["pcf"]
    # 10 kWh × 0.5 + 2 kg × 3.0 = 11 kgCO2e per piece
    assert pcf["pcfExcludingBiogenicUptake"] == "11"
    assert pcf["fossilGhgEmissions"] == "11"
    # biogenic uptake = −44/12 × 0.03 kg C = −0.11 kgCO2; 11 − 0.11 = 10.89
    assert pcf["biogenicCO2Uptake"] == "-0.11"
    assert pcf["pcfIncludingBiogenicUptake"] == "10.89"
    assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"]) == ("piece", "1")
    assert pcf["productMassPerDeclaredUnit"] == "0.5"
    assert pcf["referencePeriodStart"] == "2025-01-01T00:00:00Z"
    assert pcf["referencePeriodEnd"] == "2026-01-01T00:00:00Z"
    assert pcf["ipccCharacterizationFactors"] == ["AR5", "AR6"]
    assert "ISO14067" in pcf["crossSectoralStandards"]
    # exempted 0.11 of (11 + 0.11): 0.990 %
    assert pcf["exemptedEmissionsPercent"] == "0.99"
    # primary: the metered electricity of own manufacturing, 5 of 11 → 45.45 %
    assert pcf["primaryDataShare"] == "45.5"
    # technological: (5 × (1 + max(high 0, fairly high 1)) + 6 × (1 + max(3, 3))) / 11 = 34/11
    # geographical: (5 × 1 [CN = CN] + 6 × 4 [GLO]) / 11 = 29/11; temporal: (5 × 1 + 6 × 4) / 11
    assert pcf["dqi"] == {"technologicalDQR": "3.1", "geographicalDQR": "2.6", "temporalDQR": "2.6"}
    assert pf["productIds"] == ["urn:pact:meter.test:product-id:T1", "urn:gtin:06901234500017"]
    assert "urn:pact:productclassification:un-cpc:48240" in pf["productClassifications"]
    assert {s["name"] for s in pcf["secondaryEmissionFactorSources"]} == {"MEE", "DB"}


def test_extension_carries_the_jjf_uncertainty() -> None:
    study = hand_study()
    model, result = evaluated(study)
    pf = export_footprint(study, model, result, ExportOptions(base_url="https://pcf.test/"))
    found = find_extension(pf["extensions"])
    assert found is not None
    ext = pf["extensions"][found[0]]
    assert ext["dataSchema"] == "https://pcf.test" + SCHEMA_PATH
    data = UncertaintyData.model_validate(ext["data"])
    # u(manufacturing) = 0.5 × 0.2 = 0.1; u(raw) = 3.0 × 0.02 = 0.06; u = √(0.01 + 0.0036)
    u = math.sqrt(0.1**2 + 0.06**2)
    assert float(data.u) == pytest.approx(u, rel=1e-3)
    assert float(data.U) == pytest.approx(2 * u, rel=1e-3)
    assert (data.k, data.method) == ("2", "JJF")
    stages = {s.stage: (float(s.value), float(s.u)) for s in data.stages}
    assert stages["manufacturing"] == pytest.approx((5.0, 0.1))
    assert stages["raw_materials"] == pytest.approx((6.0, 0.06))


def test_full_gum_extension_has_interval() -> None:
    from tanzuji.calculation import evaluate_full

    study = hand_study()
    model, result = evaluated(study)
    full = evaluate_full(model)
    pf = export_footprint(study, model, result, ExportOptions(method="full"), full=full)
    data = UncertaintyData.model_validate(pf["extensions"][0]["data"])
    assert data.method == "GUM"
    assert data.interval is not None
    low, high = (float(x) for x in data.interval)
    assert low < 11 < high
    # the factors carry no uncertainty here, so the full GUM u equals the JJF u
    assert float(data.u) == pytest.approx(math.sqrt(0.1**2 + 0.06**2), rel=1e-3)


@pytest.mark.parametrize(
    ("missing", "path"),
    [
        ({"mass_kg": None}, "product.mass_kg"),
        ({"fossil_carbon_kg": None}, "product.fossil_carbon_kg"),
        ({"biogenic_carbon_kg": None}, "product.biogenic_carbon_kg"),
        ({"packaging_included": None}, "product.packaging_included"),
        ({"company_ids": None}, "product.company_ids"),
        ({"product_ids": None, "gtin": None}, "product.product_ids"),
        ({"manufacturer": None}, "product.manufacturer.name"),
    ],
)
def test_refuses_naming_the_undeclared_field(missing: dict[str, None], path: str) -> None:
    study = hand_study(**missing)
    model, result = evaluated(study)
    with pytest.raises(InputErrors) as info:
        export_footprint(study, model, result)
    paths = [e.location.path for e in info.value.errors]
    assert paths == [path]


def test_refuses_unknown_gwp_basis() -> None:
    study = hand_study()
    data = study.model_dump(mode="json", exclude_none=True)
    for f in data["factors"]:
        del f["gwp"]
    from tanzuji.model import Study

    study = Study.model_validate(data)
    model, result = evaluated(study)
    with pytest.raises(InputErrors) as info:
        export_footprint(study, model, result)
    assert [e.location.path for e in info.value.errors] == ["product.gwp_basis"]
    declared = Study.model_validate(data | {"product": data["product"] | {"gwp_basis": ["AR5"]}})
    model, result = evaluated(declared)
    pf = export_footprint(declared, model, result)
    assert pf["pcf"]["ipccCharacterizationFactors"] == ["AR5"]


def test_same_study_same_id_changed_study_new_id() -> None:
    study = hand_study()
    model, result = evaluated(study)
    a = export_footprint(study, model, result)
    b = export_footprint(study, model, result)
    other = hand_study(mass_kg=0.6)
    model2, result2 = evaluated(other)
    c = export_footprint(other, model2, result2)
    assert a["id"] == b["id"] != c["id"]


@pytest.mark.parametrize("example", ["single-phase-meter", "three-phase-meter"])
def test_cli_exports_the_examples(example: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tanzuji.cli import app
    from tanzuji.errors import TanzujiError

    out = tmp_path / "x.pact.json"
    args = ["pact", "export", str(ROOT / "examples" / example), "--out", str(out)]
    run = CliRunner().invoke(app, [*args, "--base-url", "https://pcf.example.cn"])
    assert run.exit_code == 0, run.output
    pf = json.loads(out.read_text(encoding="utf-8"))
    assert footprint_errors(pf) == []
    assert pf["extensions"][0]["dataSchema"].startswith("https://pcf.example.cn/pact/")
    again = CliRunner().invoke(app, args)
    assert isinstance(again.exception, TanzujiError)
    assert "--force" in str(again.exception)


def test_shipped_schema_is_the_models_schema() -> None:
    from tanzuji.pact.extension import render_schema, shipped_schema

    assert shipped_schema() == render_schema(), "run: python -m tanzuji.pact.extension > src/…"


def test_monte_carlo_extension() -> None:
    from tanzuji.calculation import evaluate_full, evaluate_monte_carlo

    study = hand_study()
    model, result = evaluated(study)
    full = evaluate_full(model)
    mc = evaluate_monte_carlo(model, full, trials=20_000, seed=7)
    pf = export_footprint(study, model, result, ExportOptions(method="mc"), full=full, mc=mc)
    data = UncertaintyData.model_validate(pf["extensions"][0]["data"])
    assert data.method == "MonteCarlo" and data.trials == 20_000
    assert data.interval is not None
    low, high = (float(x) for x in data.interval)
    # linear model, normal inputs: the 95 % interval is about 11 ± 1.96 u
    u = math.sqrt(0.1**2 + 0.06**2)
    assert (high - low) / 2 == pytest.approx(1.96 * u, rel=0.05)
    assert float(data.k) == pytest.approx(1.96, rel=0.05)
