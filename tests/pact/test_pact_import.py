"""Import: supplier footprints become supplier_pcf factors that studies use with their u."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from pacthelpers import evaluated, footprint, hand_study

from tanzuji.calculation import compile_study, evaluate_full, evaluate_jjf
from tanzuji.errors import InputErrors
from tanzuji.jsonio import load_factor_library
from tanzuji.model import FactorType, Grade
from tanzuji.pact.export import ExportOptions, export_footprint
from tanzuji.pact.importer import (
    footprint_factor,
    import_footprints,
    library_document,
    read_footprints,
)
from tanzuji.studyfiles import load_study


def test_dqr_bounds_when_no_extension() -> None:
    pf = footprint()
    ef = footprint_factor(pf)
    assert ef.factor_type is FactorType.SUPPLIER_PCF and ef.grade is Grade.HIGH
    assert (ef.value, ef.unit) == (4.2, "kgCO2e/piece")
    # worst DQR 2.8 → ±30 % bounds (Appendix C, uniform): u = 0.3 × 4.2 / √3
    assert ef.uncertainty is not None
    assert (ef.uncertainty.min, ef.uncertainty.max) == pytest.approx((2.94, 5.46))
    assert ef.u == pytest.approx(0.3 * 4.2 / math.sqrt(3))
    assert ef.verification == "unverified"
    assert ef.gwp == "AR6"


def test_no_dqi_is_the_widest_bound() -> None:
    ef = footprint_factor(footprint(**{"pcf.dqi": ...}))
    assert ef.u == pytest.approx(0.75 * 4.2 / math.sqrt(3))


def test_declared_amount_divides() -> None:
    ef = footprint_factor(
        footprint(**{"pcf.declaredUnitAmount": "10", "pcf.declaredUnitOfMeasurement": "kilogram"})
    )
    assert (ef.value, ef.unit) == (pytest.approx(0.42), "kgCO2e/kg")


def test_round_trip_keeps_value_and_u() -> None:
    study = hand_study()
    model, result = evaluated(study)
    pf = export_footprint(study, model, result)
    ef = footprint_factor(pf)
    assert ef.value == pytest.approx(11.0)
    assert ef.u == pytest.approx(math.sqrt(0.1**2 + 0.06**2), rel=1e-3)
    assert ef.uncertainty is not None and ef.uncertainty.distribution == "normal"


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"pcf.declaredUnit": "piece"}, "$.pcf.declaredUnit"),
        ({"pcf.fossilGhgEmissions": ...}, "$.pcf.fossilGhgEmissions"),
        ({"pcf.pcfExcludingBiogenicUptake": "4.2 kg"}, "$.pcf.pcfExcludingBiogenicUptake"),
        ({"pcf.declaredUnitOfMeasurement": "megabit second"}, "$.pcf.declaredUnitOfMeasurement"),
    ],
)
def test_bad_files_are_rejected_with_the_json_path(
    override: dict[str, Any], path: str, tmp_path: Path
) -> None:
    good = footprint()
    bad = footprint(**override)
    f = tmp_path / "reply.json"
    f.write_text(json.dumps({"data": [good, bad]}), encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        import_footprints(read_footprints([tmp_path]))
    where = [(e.location.file, e.location.path) for e in info.value.errors]
    assert (str(f), path.replace("$", "$.data[1]", 1)) in where


def test_a_study_uses_the_supplier_factor_with_its_u(tmp_path: Path) -> None:
    lib = tmp_path / "suppliers.yaml"
    ef = footprint_factor(footprint())
    lib.write_text(yaml.safe_dump(library_document([ef], "suppliers"), allow_unicode=True))
    assert ef.id in load_factor_library(lib)
    (tmp_path / "study.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "PARENT",
                "product": {"name": "meter"},
                "period": 2025,
                "boundary": ["raw_materials"],
                "factor_libraries": ["suppliers.yaml"],
                "activities": [
                    {
                        "stage": "raw_materials",
                        "name": "main board",
                        "quantity": 2,
                        "unit": "piece",
                        "factor": ef.id,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    loaded = load_study(tmp_path)
    model = compile_study(loaded.study, loaded.factors)
    assert evaluate_jjf(model).total.value == pytest.approx(8.4)
    full = evaluate_full(model)
    # 2 pieces × u(4.2 kgCO2e/piece) with u = 0.3 × 4.2 / √3
    assert full.total.u == pytest.approx(2 * 0.3 * 4.2 / math.sqrt(3), rel=1e-6)


def test_cli_import_writes_a_library(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tanzuji.cli import app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_text(json.dumps(footprint()), encoding="utf-8")
    out = tmp_path / "lib.yaml"
    run = CliRunner().invoke(app, ["pact", "import", str(tmp_path / "in"), "--out", str(out)])
    assert run.exit_code == 0, run.output
    lib = load_factor_library(out)
    assert [f.factor_type for f in lib] == [FactorType.SUPPLIER_PCF]


def test_export_options_report_is_carried() -> None:
    from tanzuji.pact.extension import ReportRef

    study = hand_study()
    model, result = evaluated(study)
    ref = ReportRef(number="TZJ-2025-HAND-1-00000000", sha256="a" * 64)
    pf = export_footprint(study, model, result, ExportOptions(report=ref))
    ef = footprint_factor(pf)
    assert ef.uncertainty is not None and "TZJ-2025-HAND-1-00000000" in (ef.uncertainty.basis or "")


def test_check_lists_parts_using_supplier_data(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tanzuji.cli import app

    ef = footprint_factor(footprint())
    (tmp_path / "suppliers.yaml").write_text(
        yaml.safe_dump(library_document([ef], "suppliers"), allow_unicode=True)
    )
    (tmp_path / "study.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "PARENT",
                "product": {"name": "meter"},
                "period": 2025,
                "boundary": ["raw_materials"],
                "factor_libraries": ["builtin", "suppliers.yaml"],
                "activities": [
                    {
                        "stage": "raw_materials",
                        "name": "main board",
                        "quantity": 1,
                        "unit": "piece",
                        "factor": ef.id,
                    },
                    {
                        "stage": "raw_materials",
                        "name": "copper",
                        "quantity": 0.01,
                        "unit": "kg",
                        "factor": "material.copper.primary.ice2",
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    run = CliRunner().invoke(app, ["check", str(tmp_path), "--json"])
    data = json.loads(run.stdout)
    assert [(p["path"], p["factor"], p["verified"]) for p in data["supplier_parts"]] == [
        ("activities[0]", ef.id, False)
    ]
    text = CliRunner().invoke(app, ["--lang", "zh", "check", str(tmp_path)]).stdout
    assert "使用供应商初级数据的部件" in text and "PCBA Supplier Ltd" in text
