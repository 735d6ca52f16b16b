"""The empty template: its layout, and a template filled in by hand evaluated correctly."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import openpyxl
import pytest
from xlsx_fixtures import fill, fill_a1, headers, sheet

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.errors import InputErrors
from tanzuji.i18n import use_lang
from tanzuji.model import Stage
from tanzuji.xlsx import load_workbook_study, read_workbook, write_template
from tanzuji.xlsx.labels import BOM_ROWS, CHOICES


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_layout(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, lang)
    wb = openpyxl.load_workbook(path)
    codes = [ws.title.split(" ")[0] for ws in wb.worksheets]
    for code in ("A.1", "A.2", "A.3", "A.4", "A.5", "A.6", "A.7", "A.8"):
        assert code in codes
    assert wb.worksheets[0].title == ("说明" if lang == "zh" else "Instructions")
    a3 = sheet(wb, "A.3")
    first = "材料名称" if lang == "zh" else "Name"
    assert first in headers(a3)
    header = next(c.value for c in a3[3] if str(c.value).startswith(first))
    assert "\n" in header  # both languages, one beneath the other
    names = [a3.cell(row=r, column=headers(a3)[first]).value for r in range(4, 4 + 28)]
    assert names == [zh for zh, _ in BOM_ROWS]  # names are Chinese data
    assert a3.freeze_panes == "D4"
    assert any(c.comment is not None for c in a3[3])
    formulas = [dv.formula1 for dv in a3.data_validations.dataValidation]
    lists = wb[wb.sheetnames[-1]]
    assert lists.sheet_state == "hidden"
    column = {lists.cell(row=1, column=c).value: c for c in range(1, lists.max_column + 1)}
    data_types = [lists.cell(row=r, column=column["data_type"]).value for r in range(2, 10)]
    assert data_types == CHOICES["data_type"].displays(lang)
    assert len(formulas) >= 6  # units, forms, data types, modes, entries, processes, ...
    assert sheet(wb, "A.8").protection.sheet


def test_unfilled_template_asks_for_data(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    with pytest.raises(InputErrors, match="没有活动数据"):
        read_workbook(tmp_path / "t.xlsx")
    with use_lang("en"), pytest.raises(InputErrors, match="no activity data"):
        read_workbook(tmp_path / "t.xlsx")


def test_filled_template_evaluates_by_the_specification(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    fill_a1(
        sheet(wb, "A.1"),
        {"产品名称": "单相表", "记录编号": "T-1", "评价周期起": dt.date(2025, 1, 1)},
    )
    factors = sheet(wb, "因子")
    for r, (fid, value, unit) in enumerate(
        [
            ("t.cu", 4.0, "kgCO2e/kg"),
            ("t.road", 0.0847, "kgCO2e/(t·km)"),
            ("t.grid", 0.6205, "kgCO2e/kWh"),
        ],
        start=4,
    ):
        fill(
            factors,
            r,
            {
                "因子编号": fid,
                "中文名称": fid,
                "因子值": value,
                "单位": unit,
                "因子类型": "缺省值 / Default value",
                "数据来源": "test",
            },
        )
    fill(
        sheet(wb, "A.3"),
        4,
        {
            "数量": 0.1,
            "不确定度形式": "标准不确定度 / Standard",
            "不确定度值": 0.0003,
            "因子编号": "t.cu",
            "运输方式/燃料类型": "公路 / Road",
            "运输单位": "km",
            "运输距离/燃料消耗量": 500,
            "运输因子编号": "t.road",
        },
    )
    a4 = sheet(wb, "A.4")  # row 4: electricity head; 5: total; 6: of which grid
    fill(
        a4,
        6,
        {
            "数量": 1.5,
            "不确定度形式": "相对标准不确定度 / Relative",
            "不确定度值": "0.5%",
            "因子编号": "t.grid",
        },
    )
    fill(
        sheet(wb, "A.6"),
        4,
        {"数量": 84.1, "不确定度形式": "相对", "不确定度值": 0.01, "因子编号": "t.grid"},
    )
    wb.save(path)

    loaded = load_workbook_study(path)
    study = loaded.study
    assert study.id == "T-1" and study.period.end == dt.date(2025, 12, 31)
    assert [a.kind for a in study.activities] == ["flow", "transport", "electricity", "flow"]
    result = evaluate_jjf(compile_study(study, loaded.factors))

    # formulas (3)/(4), (7)/(8), (9)/(10), (15)/(16) by hand
    e_raw = 0.1 * 4.0 + (0.1 / 1000) * 500 * 0.0847
    u_raw = math.hypot(0.0003 * 4.0, (0.0003 / 1000) * 500 * 0.0847)
    e_mfg, u_mfg = 1.5 * 0.6205, 0.005 * 1.5 * 0.6205
    e_use, u_use = 84.1 * 0.6205, 0.01 * 84.1 * 0.6205
    raw = result.stages[Stage.RAW_MATERIALS]
    assert raw is not None and raw.value == pytest.approx(e_raw, rel=1e-12)
    assert raw.u == pytest.approx(u_raw, rel=1e-12)
    assert result.total.value == pytest.approx(e_raw + e_mfg + e_use, rel=1e-12)
    assert result.total.u == pytest.approx(math.sqrt(u_raw**2 + u_mfg**2 + u_use**2), rel=1e-12)
