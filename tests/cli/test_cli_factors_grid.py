"""`factors list --grid`: all 31 provinces, each with the shipped provincial grid factor or a
plain "no published value" (issue 8.6); an imported official table fills provinces in."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The ten provincial 2022 values the shipped library cites (MEE/NBS 2022 announcement, as
#: recorded in /work/shared/reference/facts.md §7.1) — written here by hand, not read back.
SHIPPED_2022 = {
    "河北": 0.7252,
    "山西": 0.7096,
    "天津": 0.7041,
    "内蒙古": 0.6849,
    "安徽": 0.6782,
    "福建": 0.4092,
    "广西": 0.4044,
    "青海": 0.1567,
    "四川": 0.1404,
    "云南": 0.1073,
}
#: the 31 provincial-level divisions of the mainland (Hong Kong, Macao, Taiwan are not in
#: the MEE/NBS tables)
PROVINCES = (
    *("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江"),
    *("安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆"),
    *("四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆"),
)


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def _rows(text: str) -> dict[str, str]:
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) >= 3 and cells[1].startswith("CN-"):
            rows[cells[0]] = " ".join(cells[2:])
    return rows


def test_every_province_is_listed_with_its_value_or_as_unpublished(run) -> None:
    res = run("--lang", "zh", "factors", "list", "--grid")
    assert res.code == 0, res.err
    rows = _rows(res.out)
    assert sorted(rows) == sorted(PROVINCES)
    for province, cell in rows.items():
        if province in SHIPPED_2022:
            assert f"{SHIPPED_2022[province]:g}" in cell and "cn.grid.co2.2022." in cell, cell
        else:
            assert cell == "因子库中无已发布值", (province, cell)
    assert "浙江" in rows and rows["浙江"] == "因子库中无已发布值"  # never a regional stand-in


def test_grid_list_in_english(run) -> None:
    rows = _rows(run("--lang", "en", "factors", "list", "--grid").out)
    assert len(rows) == 31
    assert rows["Zhejiang"] == "no published value in the library"
    assert rows["Hebei"].startswith("0.7252 (cn.grid.co2.2022.he)")


def test_an_imported_table_fills_a_province_in(run, tmp_path: Path) -> None:
    table = tmp_path / "grid.csv"
    table.write_text(
        "省份,年份,排放因子（kgCO2/kWh）,来源\n浙江省,2022,0.5,测试公告（手写示例）\n",
        encoding="utf-8",
    )
    assert run("factors", "import-grid", table, "--out", tmp_path / "lib.yaml").code == 0
    res = run("--lang", "en", "factors", "list", "--grid", "--library", tmp_path / "lib.yaml")
    rows = _rows(res.out)
    assert rows["Zhejiang"] == "0.5 (cn.grid.co2.2022.zj)"
    assert rows["Hebei"] == "no published value in the library"  # only that file
