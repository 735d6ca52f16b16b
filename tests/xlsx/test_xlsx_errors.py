"""Bad workbooks: every problem names file, sheet, row and column header, and what was
expected; nothing is half-written. (In English: the Chinese wording is checked by
test_chinese_messages_name_sheet_row_and_column and tests/cli/test_cli_messages_lang.py.)"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from xlsx_fixtures import fill, fill_a1, headers, rich_study, sheet, write_yaml

from tanzuji.errors import InputError, InputErrors, TanzujiError
from tanzuji.i18n import use_lang
from tanzuji.studyfiles import evaluate_file
from tanzuji.xlsx import convert_study, read_workbook
from tanzuji.xlsx.layout import MAX_ROWS


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_lang("en"):
        yield


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A valid filled workbook (the rich study)."""
    convert_study(write_yaml(tmp_path / "in.yaml", rich_study()), tmp_path / "good.xlsx")
    return tmp_path / "good.xlsx"


def _problems(path: Path) -> list[InputError]:
    with pytest.raises((InputError, InputErrors)) as info:
        read_workbook(path)
    exc = info.value
    return list(exc.errors) if isinstance(exc, InputErrors) else [exc]


def _edit(path: Path, code: str, row: int, values: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    fill(sheet(wb, code), row, values)
    wb.save(path)


def _row_of(path: Path, code: str, name: str) -> int:
    ws = sheet(openpyxl.load_workbook(path), code)
    col = next(c for h, c in headers(ws).items() if h.endswith("名称"))
    return next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=col).value == name)


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"id: S\nproduct: {name: x}\n")
    (p,) = _problems(bad)
    assert "not an Excel workbook" in str(p) and str(bad) in str(p)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("hello.txt", "hi")
    (p,) = _problems(bad)
    assert "xl/workbook.xml" in p.message


def test_truncated_workbook(good: Path) -> None:
    data = good.read_bytes()
    good.write_bytes(data[: len(data) // 2])
    (p,) = _problems(good)
    assert "not" in p.message and "workbook" in p.message


def test_missing_and_renamed_sheets(good: Path) -> None:
    wb = openpyxl.load_workbook(good)
    del wb["A.5 运输分销"]
    wb["A.6 使用"].title = "Sheet6"
    wb.save(good)
    messages = [p.message for p in _problems(good)]
    assert any("missing sheet 'A.5 运输分销'" in m for m in messages)
    assert any("missing sheet 'A.6 使用'" in m and "'Sheet6'" in m for m in messages)


def test_formula_without_cached_value(good: Path) -> None:
    row = _row_of(good, "A.3", "铜")
    _edit(good, "A.3", row, {"数量": "=0.05*2"})
    (p,) = _problems(good)
    loc = p.location
    assert (loc.sheet, loc.row) == ("A.3 原材料获取", row)
    assert loc.column is not None and loc.column.startswith("数量")
    assert "formula without a cached value" in p.message


def test_excel_error_value(good: Path) -> None:
    _edit(good, "A.3", _row_of(good, "A.3", "铜"), {"数量": "#DIV/0!"})
    (p,) = _problems(good)
    assert "Excel error" in p.message


def test_text_in_a_number_cell(good: Path) -> None:
    row = _row_of(good, "A.3", "铜")
    _edit(good, "A.3", row, {"数量": "0,1 kg"})
    (p,) = _problems(good)
    assert p.location.row == row and "数量" in str(p.location.column)
    assert "expected a number" in str(p) and "'0,1 kg'" in str(p)


def test_unit_outside_the_list(good: Path) -> None:
    # 公斤 is a unit since issue 9 (= kg); a made-up one stays outside the list
    _edit(good, "A.3", _row_of(good, "A.3", "铜"), {"单位": "香蕉"})
    (p,) = _problems(good)
    assert "unknown unit" in p.message and "drop-down" in p.message
    assert str(p.location.column).startswith("单位")


def test_empty_required_cells(good: Path) -> None:
    row = _row_of(good, "A.3", "铜")
    _edit(good, "A.3", row, {"数量": None})
    wb = openpyxl.load_workbook(good)
    fill_a1(sheet(wb, "A.1"), {"记录编号": None})
    wb.save(good)
    problems = _problems(good)
    where = {(p.location.sheet, p.location.row): p for p in problems}
    assert "required field is missing" in where[("A.3 原材料获取", row)].message
    id_problem = next(p for p in problems if p.location.sheet == "A.1 基本信息")
    assert "记录编号" in str(id_problem.location.column)
    assert "required field is missing" in id_problem.message


def test_validation_error_maps_to_the_cell(good: Path) -> None:
    row = _row_of(good, "A.3", "铜")
    _edit(good, "A.3", row, {"数量": -1})
    problems = _problems(good)
    p = next(p for p in problems if str(p.location.column).startswith("数量"))
    assert p.location.row == row and "expected a number ≥ 0" in str(p) and "(got -1" in str(p)


def test_unknown_choice_and_header(good: Path) -> None:
    row = _row_of(good, "A.3", "铜")
    _edit(good, "A.3", row, {"数据类型": "measured somehow"})
    wb = openpyxl.load_workbook(good)
    ws = sheet(wb, "A.4")
    ws.cell(row=3, column=headers(ws)["备注"]).value = "Remarks?"
    wb.save(good)
    messages = [str(p) for p in _problems(good)]
    assert any("数据类型" in m and "expected one of 现场实测" in m for m in messages)
    assert any("unknown column header" in m and "Remarks?" in m for m in messages)


def test_part_row_without_head(good: Path) -> None:
    wb = openpyxl.load_workbook(good)
    ws = sheet(wb, "A.4")  # its last row is a plain activity datum
    fill(ws, ws.max_row + 1, {"项目类别": "功率 / Power", "单位": "W", "数量": 1})
    wb.save(good)
    (p,) = _problems(good)
    assert "must follow" in p.message and p.location.sheet == "A.4 生产制造"


def test_huge_sheet(good: Path) -> None:
    wb = openpyxl.load_workbook(good)
    ws = sheet(wb, "A.3")
    ws.cell(row=3 + MAX_ROWS + 1, column=2).value = "too far"
    wb.save(good)
    (p,) = _problems(good)
    assert "too many rows" in p.message and p.location.row == 3 + MAX_ROWS + 1


def test_unknown_factor_is_reported_at_its_cell(good: Path) -> None:
    row = _row_of(good, "A.3", "铜")
    _edit(good, "A.3", row, {"因子编号": "t.copper"})
    with pytest.raises(InputErrors) as info:
        evaluate_file(good)
    (p,) = info.value.errors
    assert (p.location.sheet, p.location.row) == ("A.3 原材料获取", row)
    assert str(p.location.column).startswith("因子编号") and "unknown factor id" in p.message


def test_nothing_half_written(good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = good.parent / "out.xlsx"
    import tanzuji.xlsx.convert as conv

    def boom(path: Path) -> object:
        raise TanzujiError("simulated failure while checking")

    monkeypatch.setattr(conv, "read_workbook", boom)
    with pytest.raises(TanzujiError):
        convert_study(good, out)
    assert not out.exists()
    assert sorted(p.name for p in good.parent.iterdir()) == ["good.xlsx", "in.yaml"]
    _edit(good, "A.3", _row_of(good, "A.3", "铜"), {"数量": "x"})
    with pytest.raises(InputErrors):
        convert_study(good, good.parent / "out.yaml")
    assert not (good.parent / "out.yaml").exists()


def test_formula_with_cached_value_is_read(good: Path) -> None:
    """What Excel saves: the formula and its last value; the value is used."""
    import re

    row = _row_of(good, "A.3", "铜")
    col = headers(sheet(openpyxl.load_workbook(good), "A.3"))["数量"]
    ref = f"{chr(64 + col)}{row}"
    src = zipfile.ZipFile(good)
    out = good.parent / "cached.xlsx"
    with zipfile.ZipFile(out, "w") as zf:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet4.xml":  # the fourth sheet is A.3
                text, n = re.subn(rf'(<c r="{ref}"[^>]*>)<v>', r"\1<f>0.05*2</f><v>", data.decode())
                assert n == 1
                data = text.encode()
            zf.writestr(name, data)
    study = read_workbook(out)[0]
    assert next(a for a in study.activities if a.id == "cu").quantity == 0.1  # type: ignore[union-attr]


def test_chinese_messages_name_sheet_row_and_column(good: Path) -> None:
    _edit(good, "A.3", 4, {"数量": "0,1 kg"})
    with use_lang("zh"):
        (p,) = _problems(good)
    text = str(p)
    assert "工作表 'A.3 原材料获取': 第 4 行: 列 '数量 (E)': 应为数字（实际为 '0,1 kg'）" in text, (
        text
    )
