"""Lossless conversion: YAML → xlsx → YAML and xlsx → YAML → xlsx give the same study."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import yaml
from xlsx_fixtures import rich_study, write_yaml

from tanzuji.model import Study
from tanzuji.studyfiles import load_study
from tanzuji.xlsx import convert_study, read_workbook


def _study(path: Path) -> Study:
    return load_study(path).study


def test_yaml_xlsx_yaml_is_lossless(tmp_path: Path) -> None:
    src = write_yaml(tmp_path / "in.yaml", rich_study())
    convert_study(src, tmp_path / "s.xlsx")
    convert_study(tmp_path / "s.xlsx", tmp_path / "out.yaml")
    original = Study.model_validate(rich_study())
    assert _study(tmp_path / "out.yaml").model_dump() == original.model_dump()
    assert read_workbook(tmp_path / "s.xlsx")[0].model_dump() == original.model_dump()


def test_xlsx_yaml_xlsx_and_json(tmp_path: Path) -> None:
    convert_study(write_yaml(tmp_path / "in.yaml", rich_study()), tmp_path / "a.xlsx")
    first = read_workbook(tmp_path / "a.xlsx")[0]
    convert_study(tmp_path / "a.xlsx", tmp_path / "b.json")
    convert_study(tmp_path / "b.json", tmp_path / "c.xlsx", lang="en")
    convert_study(tmp_path / "c.xlsx", tmp_path / "d.yml")
    assert read_workbook(tmp_path / "c.xlsx")[0].model_dump() == first.model_dump()
    assert _study(tmp_path / "d.yml").model_dump() == first.model_dump()
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["id"] == "RT-1"


def test_activity_order_outside_stage_order_is_kept(tmp_path: Path) -> None:
    data = rich_study()
    data["activities"] = list(reversed(data["activities"]))
    src = write_yaml(tmp_path / "in.yaml", data)
    convert_study(src, tmp_path / "s.xlsx")
    again = read_workbook(tmp_path / "s.xlsx")[0]
    assert [a.name.pick() for a in again.activities] == [
        a.name.pick() for a in Study.model_validate(data).activities
    ]


def test_yaml_output_is_human_editable(tmp_path: Path) -> None:
    convert_study(write_yaml(tmp_path / "in.yaml", rich_study()), tmp_path / "s.xlsx")
    convert_study(tmp_path / "s.xlsx", tmp_path / "out.yaml")
    text = (tmp_path / "out.yaml").read_text(encoding="utf-8")
    assert "单相智能电能表" in text  # unicode kept, not escaped
    assert "\nactivities:\n- " in text  # block style
    top = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    fields = list(Study.model_fields)
    assert top == sorted(top, key=fields.index)  # the model's key order
    assert "kind: flow" not in text and "process: material_acquisition" not in text
    assert yaml.safe_load(text)["period"] == {
        "start": __import__("datetime").date(2025, 7, 1),
        "end": __import__("datetime").date(2026, 6, 30),
    }


def test_inbound_transport_sits_on_the_material_row(tmp_path: Path) -> None:
    """Table A.3's layout: the copper's road leg goes on the copper's own row."""
    convert_study(write_yaml(tmp_path / "in.yaml", rich_study()), tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["A.3 原材料获取"]
    headers = [str(c.value).split("\n")[0] for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "铜")
    cells = dict(zip(headers, row, strict=False))
    assert cells["运输方式/燃料类型"] == "公路 / Road"
    assert cells["运输距离/燃料消耗量"] == 500
    assert cells["运输单位"] == "km"
    assert cells["运输因子编号"] == "t.road"
    # the two-carrier leg cannot be folded: it is a head row and two energy rows
    entries = [r[headers.index("项目类别")] for r in ws.iter_rows(min_row=4, values_only=True)]
    assert entries.count("运输能耗 / Transport energy") == 2


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    convert_study(write_yaml(tmp_path / "in.yaml", rich_study()), tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["A.2 测量仪器"]
    found = [c for row in ws.iter_rows() for c in row if c.value == "=not a formula"]
    assert found and found[0].data_type == "s"


def test_extra_fields_go_to_the_yaml_column(tmp_path: Path) -> None:
    convert_study(write_yaml(tmp_path / "in.yaml", rich_study()), tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    texts = [
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("{")
    ]
    assert any("calculated" in t and "readings" in t for t in texts)
    assert any("candidates" in t for t in texts)
    assert any("components" in t for t in texts)
    assert any("history" in t for t in texts)
