"""The rendered, signed PDF holds every item of §8 and the Appendix B layout.

Expected numbers are worked out by hand from tests/report/fixtures/meter/study.yaml with
formulas (1)–(18) (activity-data uncertainty only, sensitivity = factor) and rounded by
hand per JJF 1059.1 (two significant digits of U, value to the same place).
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

from PIL import Image
from reporthelpers import FIXTURE, Report, needs_tools, pdf_pages

pytestmark = needs_tools

# --- hand computation (fixture numbers; E = M·EF, u(E) = u(M)·EF) -----------------------
E_RAW = 0.100 * 60 + 0.100 * 4.0  # PCB + copper = 6.4
U_RAW = math.hypot(0.0005 * 60, 0.01 * 4.0)  # 0.03, 0.04 -> 0.05
E_MFG = 1.5 * 0.6205 + 0.01 * 3.096  # 0.93075 + 0.03096
U_MFG = math.hypot(0.01 * 0.6205, 0.001 * 3.096)
E_DIST = 0.75 * 1000 * 0.0847 / 1000  # kg · km · kgCO2e/(t·km)
U_DIST = 0.005 * 1000 * 0.0847 / 1000  # distance u is not propagated (formula (8))
E_USE = 84.1 * 0.6205
U_USE = 4.2 * 0.6205
E_EOL = 0.75 * 0.1
U_EOL = 0.01 * 0.1
E_TOTAL = E_RAW + E_MFG + E_DIST + E_USE + E_EOL
U_C = math.sqrt(U_RAW**2 + U_MFG**2 + U_DIST**2 + U_USE**2 + U_EOL**2)
U_EXP = 2 * U_C
U_REL = 100 * U_EXP / E_TOTAL


def test_hand_values_round_as_the_literals_below() -> None:
    # U = 5.2132… -> 2 significant digits "5.2"; E = 59.684… -> to 0.1 "59.7";
    # U_rel = 8.734… % -> "8.7"; use stage 52.184 ± 2.606 -> "52.2" / "2.6";
    # raw 6.4 ± 0.05 -> "6.400" / "0.050"; manufacturing 0.96171 ± 0.0069345 -> "0.9617" / "0.0069".
    assert 5.15 <= U_EXP < 5.25 and 59.65 <= E_TOTAL < 59.75 and 8.65 <= U_REL < 8.75
    assert 52.15 <= E_USE < 52.25 and 2.55 <= U_USE < 2.65
    assert math.isclose(E_RAW, 6.4) and math.isclose(U_RAW, 0.05)
    assert 0.96165 <= E_MFG < 0.96175 and 0.00685 <= U_MFG < 0.00695


def _rows(report: Report) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in report.text.splitlines()]


def test_title_enterprise_product(report: Report) -> None:
    first = re.sub(r"\s+", " ", report.pages[0])
    assert "电能表产品碳足迹计量评价报告" in first
    for item in ("华东智能电表有限公司", "浙江省杭州市余杭区示例路 88 号", "单相智能电能表",
                 "DDZY-T1", "220 V 5(60) A", "准确度等级 2"):  # fmt: skip
        assert item in first, item


def test_report_number_and_page_x_of_y_on_every_page(report: Report) -> None:
    numbers = set(re.findall(r"TZJ-2025-METER-T1-[0-9A-F]{8}", report.text))
    assert len(numbers) == 1
    number = numbers.pop()
    n = len(report.pages)
    assert n >= 5
    for i, page in enumerate(report.pages, start=1):
        assert number in page, f"report number missing on page {i}"
        assert f"第{i}页共{n}页" in re.sub(r"\s+", "", page), f"page {i} of {n} missing"


def test_date_and_specification(report: Report) -> None:
    flat = report.flat
    assert "评价日期 2026-03-15" in flat
    assert "JJF XXXX—XXXX" in flat
    assert "温室气体产品碳足迹量化计量评价技术规范 电能表" in flat


def test_instruments_traceability_and_findings(report: Report) -> None:
    flat = report.flat
    for item in ("JD2025-001", "省计量院", "2027-02-28", "JD2024-077", "市计量所"):
        assert item in flat, item
    assert "符合性与数据治理检查" in flat
    assert "已过期" in flat  # SC-01's certificate ended 2025-06-30, before the period end


def test_activity_data_with_uncertainties_per_stage(report: Report) -> None:
    rows = _rows(report)
    # operating electricity 84.1 kWh, u = 4.2 kWh, u_rel = 4.99 % -> "5.0 %"
    assert any(re.match(r"^运行用电 84\.1 kWh 4\.2 5\.0 % ", r) for r in rows)
    # production electricity 1.5 kWh, u = 0.010 kWh (value to the same place: 1.500)
    assert any(re.match(r"^生产用电 1\.500 kWh 0\.010 0\.67 % ", r) for r in rows)
    for stage in ("原材料获取阶段", "生产制造阶段", "运输分销阶段", "使用阶段", "生命末期阶段"):
        assert stage in report.flat


def test_factor_sources_and_grades(report: Report) -> None:
    dense = report.dense
    for item in ("关于发布2023年电力碳足迹因子数据的公告", "Defra2012", "GB/T32150-2015",
                 "ICACopper", "较高", "国家排放因子数据库"):  # fmt: skip
        assert item in dense, item


def test_table_a8_with_jjf_rounding(report: Report) -> None:
    rows = _rows(report)
    assert "原材料获取阶段 6.400 0.050" in rows
    assert "生产制造阶段 0.9617 0.0069" in rows
    assert "使用阶段 52.2 2.6" in rows
    assert "总计 59.7 2.6" in rows
    flat = report.flat
    assert "扩展不确定度（k=2）= 5.2 kgCO₂e" in flat
    assert "相对扩展不确定度（k=2）= 8.7 %" in flat
    assert "E = (59.7 ± 5.2) kgCO₂e" in flat


def test_uncertainty_explanation_and_full_gum(report: Report) -> None:
    flat = report.flat
    assert "七、不确定度评定说明" in flat
    assert "不确定度预算" in flat
    assert "规范方法与完整 GUM 的比较" in flat
    assert "完整 GUM" in flat


def test_deviations_listed(report: Report) -> None:
    flat = report.flat
    section = flat[flat.index("八、对计量技术规范的偏离说明") :]
    assert "包装胶带" in section  # 0.7 kgCO2e ≈ 1.2 % of the total: not below 1 %
    assert "叉车柴油" in section  # secondary data in manufacturing
    assert "SC-01" in section  # expired certificate
    assert "偏离" in section


def test_signature_block_and_validity_statement(report: Report) -> None:
    flat = report.flat
    for item in ("评价人（签发人）", "张三", "核验人", "李四", "记录人", "王五"):
        assert item in flat, item
    assert "本评价结果仅对被评价对象有效" in flat
    assert "签发人 Issuer：张三" in flat  # the visible signature stamp


def test_appendix_b_layout(report: Report) -> None:
    flat = report.flat
    for item in ("一、概况", "生产者名称", "法定代表人 赵六", "授权人（联系人） 钱七",
                 "联系电话 0571-00000000", "产品功能", "产品图片", "依据标准", "二、量化范围",
                 "以1 台单相智能电能表为功能单位", "三、评价结果", "2025 年度"):  # fmt: skip
        assert item in flat, item
    assert flat.count("☑") == 5  # all five stages inside the boundary


def test_html_is_self_contained(report: Report) -> None:
    html = report.html.read_text(encoding="utf-8")
    assert "电能表产品碳足迹计量评价报告" in html
    assert html.count("data:image/png;base64,") >= 2  # stage chart and Pareto chart
    assert html.count("data:image/png;base64,") >= 3  # the SVG picture, rasterised (issue 9)
    assert "data:image/svg+xml" not in html
    assert 'src="http' not in html
    assert "tzj-chart:" not in html  # every chart placeholder resolved (the PDF is fed them)


def test_pages_render_to_png(report: Report, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(report.pdf), str(tmp_path / "page")], check=True
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(report.pages)
    for png in pngs:
        with Image.open(png) as im:
            w, h = im.size
            assert abs(h / w - 297 / 210) < 0.02  # A4 portrait
            lo, _ = im.convert("L").getextrema()
            assert lo < 128  # something is printed on every page


def test_long_tables_repeat_their_header_and_keep_rows_whole(tmp_path: Path) -> None:
    from tanzuji.calculation import compile_study, evaluate_jjf
    from tanzuji.report import ReportInput, render_report
    from tanzuji.studyfiles import load_study

    loaded = load_study(FIXTURE)
    data = loaded.study.model_dump(mode="json", exclude_none=True)
    data["activities"] += [
        {"id": f"part{i:02d}", "stage": "raw_materials", "name": f"物料零件{i:02d}",
         "quantity": 0.001 * (i + 1), "unit": "kg", "factor": "fx.copper",
         "uncertainty": {"standard": 0.0001}, "instrument": "SC-01",
         "data_type": "enterprise_statistics", "source": "出货单"}
        for i in range(70)
    ]  # fmt: skip
    study = type(loaded.study).model_validate(data)
    model = compile_study(study, loaded.factors)
    rendered = render_report(ReportInput(study, model, evaluate_jjf(model), base_dir=FIXTURE))
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(rendered.pdf)
    pages = pdf_pages(pdf)
    row = re.compile(r"^\s*物料零件(\d\d)\s+[\d.]+\s+kg\s", re.MULTILINE)  # activity rows
    holding = [i for i, page in enumerate(pages) if row.search(page)]
    assert len(holding) >= 2  # the raw-material table runs over several pages
    for i in holding:
        header = re.search(r"活动数据\s+量值\s+单位", pages[i])
        assert header is not None, f"page {i + 1}: the table header is not repeated"
    found = [int(m.group(1)) for i in holding for m in row.finditer(pages[i])]
    assert sorted(found) == list(range(70))  # every row once
    for i in holding:  # each row's second line (its source) is on the row's page
        assert len(row.findall(pages[i])) == pages[i].count("数据来源：出货单"), f"page {i + 1}"
