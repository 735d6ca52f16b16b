"""The report lists the parts that use supplier primary data and the primary-data share."""

from __future__ import annotations

import copy

from pacthelpers import HAND_STUDY

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.factors import FactorLibrary
from tanzuji.model import Study
from tanzuji.report.context import ReportInput, build_context
from tanzuji.report.render import render_html


def _study(with_supplier: bool) -> Study:
    data = copy.deepcopy(HAND_STUDY)
    if with_supplier:
        data["factors"].append(
            {
                "id": "pact.mb-01.5b0f3a52",
                "name": "Main board MB-01",
                "value": 4.2,
                "unit": "kgCO2e/piece",
                "factor_type": "supplier_pcf",
                "source": {"publisher": "PCBA Supplier Ltd", "citation": "PACT footprint"},
                "verification": "verified",
                "gwp": "AR6",
            }
        )
        data["activities"].append(
            {
                "stage": "raw_materials",
                "name": "main board",
                "quantity": 1,
                "unit": "piece",
                "factor": "pact.mb-01.5b0f3a52",
                "data_type": "onsite_calculated",  # counted from the bill of materials
            }
        )
    return Study.model_validate(data)


def _context(study: Study, lang: str) -> dict:  # type: ignore[type-arg]
    model = compile_study(study, FactorLibrary.from_factors(study.factors, id="s"))
    return build_context(ReportInput(study=study, model=model, result=evaluate_jjf(model)), lang)


def test_report_names_supplier_parts_and_primary_share() -> None:
    ctx = _context(_study(True), "en")
    rows = ctx["supplier"]["rows"]
    assert [(r["part"], r["supplier"], r["verified"]) for r in rows] == [
        ("main board", "PCBA Supplier Ltd", "third-party verified")
    ]
    # by hand: primary = electricity 10 × 0.5 (own manufacturing, metered) + main board
    # 1 × 4.2 (supplier footprint, counted on site) = 9.2, of 9.2 + steel 2 × 3.0 (database)
    # = 15.2: 100 × 9.2 / 15.2 = 60.53 %
    assert ctx["supplier"]["share"] == "60.5 %"
    html = render_html(ctx)
    assert "Parts using supplier primary data" in html and "60.5 %" in html
    zh = render_html(_context(_study(True), "zh"))
    assert "使用供应商初级数据的部件" in zh and "已第三方验证" in zh


def test_report_without_supplier_data_has_no_such_section() -> None:
    ctx = _context(_study(False), "zh")
    assert ctx["supplier"] is None
    assert "供应商初级数据" not in render_html(ctx)
