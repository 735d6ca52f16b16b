"""The report's content before layout: number, title, deviations, optional GUM/Monte Carlo
sections, English texts and input errors (no PDF rendering: fast)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from reporthelpers import FIXTURE, needs_tools

from tanzuji.calculation import compile_study, evaluate_full, evaluate_jjf
from tanzuji.jsonio import LoadedStudy
from tanzuji.report import (
    MonteCarloView,
    ReportError,
    ReportInput,
    build_context,
    gum_view,
    render_html,
    report_number,
    report_title,
)
from tanzuji.report.deviations import find_deviations
from tanzuji.report.identity import is_meter, slug, split_specification
from tanzuji.report.views import input_label, spec_budget
from tanzuji.studyfiles import load_study


@pytest.fixture(scope="module")
def loaded() -> LoadedStudy:
    return load_study(FIXTURE)


@pytest.fixture(scope="module")
def inp(loaded: LoadedStudy) -> ReportInput:
    model = compile_study(loaded.study, loaded.factors)
    return ReportInput(loaded.study, model, evaluate_jjf(model), base_dir=FIXTURE)


def _with_quantity(loaded: LoadedStudy, quantity: float) -> ReportInput:
    data = loaded.study.model_dump(mode="json", exclude_none=True)
    data["activities"][0]["quantity"] = quantity
    study = type(loaded.study).model_validate(data)
    model = compile_study(study, loaded.factors)
    return ReportInput(study, model, evaluate_jjf(model), base_dir=FIXTURE)


def test_report_number_is_reproducible_and_changes_with_the_data(
    inp: ReportInput, loaded: LoadedStudy
) -> None:
    day = dt.date(2026, 3, 15)
    n1 = report_number(inp.study, inp.result, day)
    assert re.fullmatch(r"TZJ-2025-METER-T1-[0-9A-F]{8}", n1)
    assert report_number(inp.study, inp.result, day) == n1
    assert report_number(inp.study, inp.result, day + dt.timedelta(days=1)) != n1
    other = _with_quantity(loaded, 0.101)
    assert report_number(other.study, other.result, day) != n1


def test_number_parts() -> None:
    assert slug("单相表") == "S"
    assert slug("a b__c" * 10) == "A-B-CA-B-CA-B-CA-B-CA-B"  # ≤ 24 characters, no trailing -
    assert split_specification("GB/T 24067—2024 温室气体 产品碳足迹") == (
        "GB/T 24067—2024",
        "温室气体 产品碳足迹",
    )
    assert split_specification("企业自定规则") == ("", "企业自定规则")


def test_titles() -> None:
    assert report_title("三相智能电能表", None) == "电能表产品碳足迹计量评价报告"
    assert report_title("X-100", "smart electricity meter") == "电能表产品碳足迹计量评价报告"
    assert report_title("电饭煲", "家用电器") == "产品碳足迹计量评价报告"
    assert not is_meter("parameter logger", None)


def test_context_uses_evaluation_date_and_governance_findings(inp: ReportInput) -> None:
    from tanzuji.governance import check_study

    loaded = load_study(FIXTURE)
    findings = list(check_study(loaded.study, loaded.factors).findings)
    ctx = build_context(replace(inp, findings=findings), "zh")
    assert ctx["date"] == "2026-03-15"  # evaluator.date
    assert ctx["findings"] and {f["code"] for f in ctx["findings"]} >= {"certificate.expired"}
    texts = " ".join(d["text"] for d in ctx["deviations"])
    assert "SC-01" in texts and "包装胶带" in texts
    sc01 = next(i for i in ctx["instruments"] if i["id"] == "SC-01")
    assert sc01["status"] == "已过期" and sc01["findings"] >= 1


def test_clause_references_are_in_the_report_language(inp: ReportInput) -> None:
    """Findings are raised with English clauses (``§6.1 Table 3``); a Chinese report shows
    ``§6.1 表 3`` in its findings and deviations, an English one keeps the English."""
    from tanzuji.governance import check_study

    loaded = load_study(FIXTURE)
    findings = list(check_study(loaded.study, loaded.factors).findings)
    assert any("Table 3" in f.clause for f in findings)  # the fixture has such a finding
    zh = build_context(replace(inp, findings=findings), "zh")
    en = build_context(replace(inp, findings=findings), "en")
    for key in ("findings", "deviations"):
        zh_clauses = [row["clause"] for row in zh[key]]
        en_clauses = [row["clause"] for row in en[key]]
        assert any("表 3" in c for c in zh_clauses), key
        assert not any(re.search(r"Table|Note|Appendix|formula", c) for c in zh_clauses), key
        assert any("Table 3" in c for c in en_clauses), key
        assert not any(re.search(r"[表注附录公式]", c) for c in en_clauses), key


def test_own_deviations_without_governance(inp: ReportInput) -> None:
    codes = [d.code for d in find_deviations(inp.study, inp.model, inp.result)]
    assert {"data.mfg_secondary", "instrument.expired", "cutoff.single"} <= set(codes)
    assert "cutoff.total" not in codes  # 0.72 kgCO2e ≈ 1.2 % < 5 %
    secondary = {
        d.path
        for d in find_deviations(inp.study, inp.model, inp.result)
        if d.code == "data.secondary"
    }
    assert {"activities[1].quantity", "activities[6].quantity"} <= secondary  # copper, disposal
    kinds = [d.kind for d in find_deviations(inp.study, inp.model, inp.result)]
    assert kinds == sorted(kinds)  # deviations before notes
    covered = find_deviations(
        inp.study, inp.model, inp.result, covered=frozenset({"data", "instrument"})
    )
    assert {d.code for d in covered} >= {"cutoff.single", "data.secondary"}
    assert not {"data.mfg_secondary", "instrument.expired"} & {d.code for d in covered}


def test_spec_budget_matches_the_specification_u(inp: ReportInput) -> None:
    budget = spec_budget(inp.model)
    u2 = sum(b.c_u**2 for b in budget)
    assert u2 == pytest.approx(inp.result.total.u**2, rel=1e-12)
    assert budget[0].name == "use.quantity"  # u = 4.2 kWh × 0.6205 dominates
    assert sum(b.share for b in budget) == pytest.approx(1.0)


def test_without_full_gum_or_monte_carlo_those_sections_are_omitted(inp: ReportInput) -> None:
    html = render_html(build_context(inp, "zh"))
    assert "规范方法与完整 GUM 的比较" not in html
    assert "蒙特卡洛法验证" not in html
    assert "JJF 1059.2" not in html


def test_full_gum_and_monte_carlo_sections(inp: ReportInput) -> None:
    full = gum_view(evaluate_full(inp.model))
    rng = np.random.default_rng(7)
    mc = MonteCarloView(
        trials=10_000,
        mean=59.68,
        u=7.3,
        p=0.95,
        low=45.4,
        high=74.0,
        samples=rng.normal(59.68, 7.3, 10_000),
        validated=True,
        delta=0.05,
        d_low=0.01,
        d_high=0.02,
    )
    ctx = build_context(replace(inp, full_gum=full, monte_carlo=mc), "zh")
    html = render_html(ctx)
    assert "规范方法与完整 GUM 的比较" in html
    text = re.sub(r"<[^>]+>", "", html)  # the text, without the no-break spans
    assert "M = 10\u2009000" in text
    # half-width 14.3 -> two significant digits "14" -> interval ends to units: [45, 74]
    assert "[45, 74] kgCO₂e" in text
    assert "通过蒙特卡洛法验证" in text
    assert "JJF 1059.2—2012" in text
    # stages, Pareto, histogram, and the product picture (re-encoded as PNG, issue 9)
    assert html.count("data:image/png;base64,") == 4
    views = [row["view"] for row in ctx["uncertainty"]["comparison"]]
    assert views == ["规范方法（仅活动数据）", "完整 GUM", "蒙特卡洛法（JJF 1059.2）"]
    assert any(d["text"].startswith("第七部分另给出") for d in ctx["deviations"])


def test_english_report(inp: ReportInput) -> None:
    ctx: dict[str, Any] = build_context(inp, "en")
    html = render_html(ctx)
    assert "Electricity Meter Product Carbon Footprint Metrological Evaluation Report" in html
    assert "The result is valid only for the evaluated object." in html
    assert '"Page " counter(page) " of " counter(pages)' in html
    assert "E = (59.7 ± 5.2) kgCO₂e, k = 2" in re.sub(r"<[^>]+>", "", html)
    labels = [input_label(inp.model, n, "en") for n in ("ship.mass", "ship.distance", "EF:fx.pcb")]
    assert labels == ["Product delivery · mass", "Product delivery · distance", "EF · PCB assembly"]


def test_english_report_has_no_chinese_punctuation_of_its_own(inp: ReportInput) -> None:
    """The template's own colons and separators follow the language: ``Report No.: …``,
    ``Source: …``, ``Evaluator (issuer): …; Checker: …`` in English, ``：`` and ``　`` in
    Chinese (the study's own texts may still contain full-width punctuation)."""
    en = re.sub(r"<[^>]+>", " ", render_html(build_context(inp, "en")))
    assert "Report No.: " in en and "Source: " in en
    assert not re.search(r"(Report No\.|Source|Evaluator \(issuer\)|Checked by|Recorded by)：", en)
    assert "　" not in en
    zh = re.sub(r"<[^>]+>", " ", render_html(build_context(inp, "zh")))
    assert "报告编号：" in zh and "数据来源：" in zh and "　" in zh


def test_generic_product_gets_the_generic_title(loaded: LoadedStudy) -> None:
    data = loaded.study.model_dump(mode="json", exclude_none=True)
    data["product"] = {"name": "电饭煲", "model": "R-1", "manufacturer": {"name": "某电器厂"}}
    study = type(loaded.study).model_validate(data)
    model = compile_study(study, loaded.factors)
    ctx = build_context(ReportInput(study, model, evaluate_jjf(model)), "zh")
    assert ctx["title"] == "产品碳足迹计量评价报告"
    assert ctx["product"]["picture"] is None


def test_missing_picture_is_a_clear_error(inp: ReportInput, tmp_path: Any) -> None:
    with pytest.raises(
        ReportError, match=r"meter\.svg: product\.picture(: picture not found|：找不到图片)"
    ):
        build_context(replace(inp, base_dir=tmp_path), "zh")


def test_unknown_language_is_refused(inp: ReportInput) -> None:
    from tanzuji.report import render_report

    with pytest.raises(ReportError, match="expected zh or en"):
        render_report(inp, "fr")


def test_monte_carlo_run_validates_the_full_gum(inp: ReportInput) -> None:
    from tanzuji.report.prepare import run_monte_carlo

    full = evaluate_full(inp.model)
    mc = run_monte_carlo(inp.model, full, trials=20_000, seed=3)
    assert mc.trials == 20_000 and mc.histogram is not None and mc.validated is not None
    # the mean of 20 000 draws lies within 5 standard errors of E = 59.684285 kgCO2e
    assert abs(mc.mean - 59.684285) < 5 * full.total.u / 20_000**0.5
    assert mc.low < mc.mean < mc.high
    ctx = build_context(replace(inp, full_gum=gum_view(full), monte_carlo=mc), "en")
    assert ctx["uncertainty"]["chart_mc"].startswith("data:image/png;base64,")
    assert "M = 20\u2009000 trials" in ctx["uncertainty"]["mc"]["text"]


@needs_tools
def test_stamp_font_is_a_small_subset_unless_a_character_is_missing() -> None:
    from tanzuji.report.fonts import cjk_font_file, stamp_font_file

    full = cjk_font_file()
    small = stamp_font_file("签发人 Issuer：张三\n签名时间 Signed：2026-03-15 10:00:00 UTC")
    assert small != full and small.stat().st_size < full.stat().st_size / 4
    assert stamp_font_file("签发人：𠀀") == full  # U+20000 is not in GB 2312


def test_result_line_names_the_functional_unit_with_spacing_of_each_language(
    inp: ReportInput,
) -> None:
    zh = build_context(inp, "zh")["result_line"]
    en = build_context(inp, "en")["result_line"]
    assert re.search(r"k = 2（每 1 \S", zh), zh  # 每 1 台…, not 每1 台…
    assert re.search(r"k = 2 \(per 1 unit of \S", en), en


@pytest.mark.parametrize(
    ("rule", "lang", "intro", "rules"),
    [
        (  # "basis：rules", as the bundled examples write it
            "GB/T 24067 及本规范 5.1：舍弃影响小于 1% 的环节，总影响不超过 5%。",
            "zh",
            "采用的取舍准则以GB/T 24067 及本规范 5.1为依据，具体规则如下：",
            "舍弃影响小于 1% 的环节，总影响不超过 5%。",
        ),
        (  # a reference only: Appendix B's blank, and the specification's own rules
            "ISO 14067:2018",
            "en",
            "The cut-off rule follows ISO 14067:2018:",
            "a process contributing less than 1 %",
        ),
        (  # the rules only: the default basis in the blank
            "舍弃单项小于 1% 的环节。",
            "zh",
            "采用的取舍准则以JJF 规范 5.1 及 GB/T 24067为依据",
            "舍弃单项小于 1% 的环节。",
        ),
    ],
)
def test_the_cutoff_rule_fills_appendix_b_without_a_sentence_inside_a_sentence(
    loaded: LoadedStudy, rule: str, lang: str, intro: str, rules: str
) -> None:
    """A full rule written by the study used to land in the blank of "以____为依据"
    (…不超过 5%。为依据), followed by the default rules it repeated."""
    study = loaded.study.model_copy(update={"cutoff_rule": rule})
    model = compile_study(study, loaded.factors)
    ctx = build_context(ReportInput(study, model, evaluate_jjf(model), base_dir=FIXTURE), lang)
    assert ctx["cutoff_rule"].startswith(intro), ctx["cutoff_rule"]
    assert ctx["cutoff_rules"].startswith(rules), ctx["cutoff_rules"]
    assert "。为依据" not in ctx["cutoff_rule"]
