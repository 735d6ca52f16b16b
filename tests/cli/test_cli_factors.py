"""`factors show` as a card, `factors search` by whole words, `factors import-grid`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tanzuji.factors import FactorLibrary
from tanzuji.jsonio import builtin_libraries, load_factor_library
from tanzuji.model import EmissionFactor


def _lib(*factors: tuple[str, str, str]) -> FactorLibrary:
    return FactorLibrary.from_factors(
        [
            EmissionFactor(
                id=i, name={"zh": zh, "en": en}, value=1, unit="kgCO2e/kg",
                factor_type="literature", source="test",
            )
            for i, zh, en in factors
        ],
        id="t",
    )  # fmt: skip


def test_search_matches_whole_words_only() -> None:
    lib = _lib(
        ("m.al.recycled", "再生铝", "Aluminium, recycled"),
        ("m.led", "LED 灯珠", "LED package"),
        ("m.pcb", "印制电路板", "Printed circuit board"),
    )
    assert [f.id for f in lib.search("LED")] == ["m.led"]  # not "recycled"
    assert [f.id for f in lib.search("led")] == ["m.led"]
    assert [f.id for f in lib.search("recycled")] == ["m.al.recycled"]
    assert lib.search("cycle") == []  # part of a word is not a word
    assert [f.id for f in lib.search("circuit board")] == ["m.pcb"]
    assert [f.id for f in lib.search("电路")] == ["m.pcb"]  # Chinese: where it appears
    assert [f.id for f in lib.search("铝")] == ["m.al.recycled"]


def test_search_builtin_led_does_not_match_recycled(run) -> None:
    res = run("--lang", "en", "factors", "search", "LED")
    assert "recycled" not in res.out.lower()


def test_search_zh_and_en_in_builtin_library(run) -> None:
    en = run("--lang", "en", "factors", "search", "Hebei")
    assert en.code == 0 and "cn.grid.co2.2022.he" in en.out
    zh = run("factors", "search", "河北")
    assert zh.code == 0 and "cn.grid.co2.2022.he" in zh.out


def test_show_is_a_readable_card_not_json(run) -> None:
    res = run("factors", "show", "cn.grid.co2.2022.he")
    assert res.code == 0, res.err
    assert not res.out.lstrip().startswith("{")
    for label in ("数值", "0.7252 kgCO2/kWh", "质量等级", "较高", "来源", "标准不确定度", "CN-HE"):
        assert label in res.out, label
    # u of uniform bounds [0.6164, 0.834]: half-width / √3 = 0.1088 / 1.7321 = 0.0628
    assert "0.0628" in res.out
    assert '"value"' in run("factors", "show", "cn.grid.co2.2022.he", "--json").out


def test_show_unknown_id_suggests(run) -> None:
    res = run("factors", "show", "cn.grid.co2.2022.hee")
    assert res.code == 1 and "cn.grid.co2.2022.he" in res.err


# --------------------------------------------------------------------------- import-grid

TABLE = """\
省份,年份,排放因子（kgCO2/kWh）,来源
浙江省,2022,0.5153,测试公告（手写示例）
华东,2022,0.5617,测试公告（手写示例）
全国,2022,0.5366,测试公告（手写示例）
"""


def test_import_grid_from_a_handwritten_csv(run, tmp_path: Path) -> None:
    table = tmp_path / "grid.csv"
    table.write_text(TABLE, encoding="utf-8")
    out = tmp_path / "lib.yaml"
    res = run("factors", "import-grid", table, "--out", out)
    assert res.code == 0, res.err
    lib = load_factor_library(out)  # a valid factor library
    zj = lib.get("cn.grid.co2.2022.zj")
    assert (zj.value, zj.unit, zj.year, zj.region, zj.gas) == (
        0.5153, "kgCO2/kWh", 2022, "CN-ZJ", "CO2",
    )  # fmt: skip
    assert zj.source.citation == "测试公告（手写示例）" and "row 2" in (zj.source.locator or "")
    assert zj.grade.value == "fairly_high"  # Table 5: national database
    # provincial ±15 % uniform: u = 0.15 × 0.5153 / √3 = 0.044626
    assert zj.u == pytest.approx(0.15 * 0.5153 / 3**0.5, rel=1e-4)
    east = lib.get("cn.grid.co2.2022.east")
    assert east.u == pytest.approx(0.08 * 0.5617 / 3**0.5, rel=1e-4)  # regional ±8 %
    assert lib.get("cn.grid.co2.2022").u == pytest.approx(0.047 * 0.5366 / 3**0.5, rel=1e-4)
    assert len(lib) == 3
    # the builtin libraries do not define these ids as anything else
    assert "浙江" in zj.name.pick("zh") and "Zhejiang" in zj.name.pick("en")


def test_import_grid_refuses_unknown_province_and_empty_value(run, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text(
        "province,year,value,unit\nAtlantis,2022,0.5,kgCO2/kWh\nZhejiang,2022,,kgCO2/kWh\n",
        encoding="utf-8",
    )
    res = run("--lang", "en", "factors", "import-grid", table, "--out", tmp_path / "l.yaml",
              "--citation", "x")  # fmt: skip
    assert res.code == 1
    lines = res.err.strip().splitlines()
    assert len(lines) == 2
    assert "row 2" in lines[0] and "Atlantis" in lines[0]
    assert "row 3" in lines[1] and "value" in lines[1]  # nothing interpolated
    assert not (tmp_path / "l.yaml").exists()


def test_import_grid_needs_a_source(run, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("省份,年份,排放因子,单位\n浙江,2022,0.5,kgCO2/kWh\n", encoding="utf-8")
    res = run("factors", "import-grid", table, "--out", tmp_path / "l.yaml")
    assert res.code == 1 and "--citation" in res.err


def test_import_grid_xlsx_and_footprint_kind(run, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区", "电力碳足迹因子", "单位"])
    ws.append(["江苏", 0.6, "kgCO2e/kWh"])
    wb.save(tmp_path / "fp.xlsx")
    out = tmp_path / "fp.yaml"
    res = run("factors", "import-grid", tmp_path / "fp.xlsx", "--out", out, "--kind",
              "footprint", "--year", "2023", "--citation", "测试")  # fmt: skip
    assert res.code == 0, res.err
    ef = load_factor_library(out).get("cn.electricity.footprint.2023.js")
    assert (ef.value, ef.unit, ef.gas, ef.region) == (0.6, "kgCO2e/kWh", "CO2e", "CN-JS")


def test_shipped_library_cites_every_provincial_value() -> None:
    lib = load_factor_library(builtin_libraries()["tanzuji-cn-electricity"])
    provincial = [f for f in lib if "provincial" in f.tags]
    assert provincial
    for f in provincial:
        assert f.source.citation and f.source.locator and f.year, f.id
        assert f.verification == "verified", f.id


def test_unknown_factor_id_suggests_ids_by_their_parts(run, tmp_path: Path) -> None:
    study = tmp_path / "study.yaml"
    study.write_text(
        "id: S\nproduct: {name: 灯}\nperiod: 2025\nactivities:\n"
        "  - {stage: raw_materials, name: 铝, quantity: 1, unit: kg, factor: material.alu,"
        " uncertainty: {relative: 0.01}}\n",
        encoding="utf-8",
    )
    res = run("--lang", "en", "evaluate", study)
    assert res.code == 1
    assert "did you mean" in res.err and "material.aluminium.primary.iai2022" in res.err
    res = run("--lang", "zh", "evaluate", study)
    assert "是否为" in res.err and "material.aluminium.primary.iai2022" in res.err
