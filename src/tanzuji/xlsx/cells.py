"""Reading a workbook safely into plain rows, and parsing one cell into a typed value.

Any file that is not a readable workbook, any formula without a cached value and any
Excel error value become :class:`~tanzuji.errors.InputError`; nothing else escapes.

>>> parse_cell("1,5", "number")
Traceback (most recent call last):
...
tanzuji.errors.InputError: 应为数字（实际为 '1,5'）
>>> parse_cell(" kWh ", "unit"), parse_cell("是", "bool", "yes_no")
('kWh', True)
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tanzuji.errors import InputError, TanzujiError, UnitError
from tanzuji.i18n import tr
from tanzuji.units import parse_unit
from tanzuji.xlsx.labels import CHOICES, MODES
from tanzuji.xlsx.layout import HEADER_ROW, MAX_ROWS

__all__ = ["Bad", "RawSheet", "column_letter", "is_blank", "parse_cell", "read_raw"]

MAX_BYTES = 20_000_000
MAX_UNZIPPED = 200_000_000
MAX_MEMBERS = 2_000
MAX_COLS = 80


@dataclass(frozen=True)
class Bad:
    """A cell that cannot be used as it is (uncached formula, Excel error)."""

    message: str
    got: Any


@dataclass
class RawSheet:
    """The cell values of one sheet: row number → values of columns A, B, …"""

    title: str
    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)

    def cell(self, row: int, col: int) -> Any:
        """The value at (row, 1-based column), ``None`` when empty."""
        values = self.rows.get(row, ())
        return values[col - 1] if 0 < col <= len(values) else None

    def data_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """Non-empty rows below the header row."""
        for r in sorted(self.rows):
            if r > HEADER_ROW:
                yield r, self.rows[r]


def column_letter(index: int) -> str:
    """Excel's letter for a 1-based column index.

    >>> column_letter(1), column_letter(28)
    ('A', 'AB')
    """
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def is_blank(value: Any) -> bool:
    """Whether a cell counts as empty (nothing, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def read_raw(path: Path) -> dict[str, RawSheet]:
    """All sheets of a workbook as :class:`RawSheet`, formulas resolved to cached values."""
    where = str(path)
    if not path.exists():
        raise InputError(tr("文件不存在", "file not found"), file=where)
    if path.is_dir():
        raise InputError(
            tr("是一个目录；应为 .xlsx 工作簿", "is a directory; expected an .xlsx workbook"),
            file=where,
        )
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            tr(
                f"文件过大（{size} 字节）；最多 {MAX_BYTES} 字节",
                f"file too large ({size} bytes); expected at most {MAX_BYTES}",
            ),
            file=where,
        )
    _check_zip(path)
    try:
        return _read(path)
    except TanzujiError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on malformed files
        raise InputError(
            tr(
                f"无法读取的 Excel 工作簿（{type(exc).__name__}）；"
                "应为由 Excel、WPS 或 LibreOffice 保存的 .xlsx 文件",
                f"not a readable Excel workbook ({type(exc).__name__}: {str(exc)[:120]}); "
                "expected an .xlsx file saved by Excel, WPS or LibreOffice",
            ),
            file=where,
        ) from None


def _check_zip(path: Path) -> None:
    where = str(path)
    bad = InputError(
        tr(
            "不是 Excel 工作簿（.xlsx 是 zip 压缩包，此文件不是）",
            "not an Excel workbook (.xlsx is a zip archive; this file is not one)",
        ),
        file=where,
    )
    try:
        if not zipfile.is_zipfile(path):
            raise bad
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except InputError:
        raise
    except Exception:
        raise bad from None
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise InputError(
            tr(
                "工作簿解压后过大；应为记录表工作簿",
                "workbook too large when unpacked; expected a record workbook",
            ),
            file=where,
        )
    if "xl/workbook.xml" not in names:
        raise InputError(
            tr(
                "zip 压缩包中没有 xl/workbook.xml；应为 .xlsx 工作簿",
                "zip archive without xl/workbook.xml; expected an .xlsx workbook",
            ),
            file=where,
        )


def _read(path: Path) -> dict[str, RawSheet]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        out: dict[str, RawSheet] = {}
        for ws_v, ws_f in zip(values.worksheets, formulas.worksheets, strict=True):
            out[ws_v.title] = _read_sheet(ws_v, ws_f, str(path))
        return out
    finally:
        values.close()
        formulas.close()


def _read_sheet(ws_v: Any, ws_f: Any, where: str) -> RawSheet:
    sheet = RawSheet(ws_v.title)
    rows_v = ws_v.iter_rows(max_col=MAX_COLS)
    rows_f = ws_f.iter_rows(max_col=MAX_COLS)
    for r, (cells_v, cells_f) in enumerate(zip(rows_v, rows_f, strict=False), start=1):
        row: list[Any] = []
        for cv, cf in zip(cells_v, cells_f, strict=False):
            value = cv.value
            if getattr(cv, "data_type", None) == "e":
                value = Bad("the cell holds an Excel error value; expected a value", value)
            elif getattr(cf, "data_type", None) == "f" and value is None:
                value = Bad(
                    "formula without a cached value; open and save the file in Excel or "
                    "type the value",
                    cf.value if isinstance(cf.value, str) else "formula",
                )
            row.append(value)
        while row and is_blank(row[-1]):
            row.pop()
        if not row:
            continue
        if r > HEADER_ROW + MAX_ROWS:
            raise InputError(
                tr(
                    f"行数过多：第 {HEADER_ROW + MAX_ROWS} 行以下仍有数据；"
                    f"每个工作表最多 {MAX_ROWS} 行数据",
                    f"too many rows: data below row {HEADER_ROW + MAX_ROWS}; expected at most "
                    f"{MAX_ROWS} data rows per sheet",
                ),
                file=where,
                sheet=ws_v.title,
                row=r,
            )
        sheet.rows[r] = tuple(row)
    return sheet


# --------------------------------------------------------------------------- one cell


def _NUMBER() -> str:
    return tr("应为数字", "expected a number")


def _number(value: Any) -> float:
    if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
        raise InputError(_NUMBER(), got=value)
    if isinstance(value, int | float):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip().replace("\u2212", "-"))
        except ValueError:
            raise InputError(_NUMBER(), got=value) from None
    else:
        raise InputError(_NUMBER(), got=str(value))
    if not math.isfinite(x):
        raise InputError(tr("应为有限数值", "expected a finite number"), got=value)
    return x


def _text(value: Any) -> str:
    if isinstance(value, bool):
        raise InputError(tr("应为文字", "expected text"), got=value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise InputError(tr("应为文字", "expected text"), got=str(value))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(tr("应为日期，如 2025-01-01", "expected a date such as 2025-01-01"), got=value)


def parse_cell(value: Any, kind: str, choices: str | None = None) -> Any:
    """A cell value as the study needs it; :class:`InputError` (without location) if not.

    ``kind`` is one of text (kept as typed), id (trimmed), number, int, date, bool, unit,
    choice, mode, list, extra.
    """
    if isinstance(value, Bad):
        raise InputError(value.message, got=value.got)
    if kind == "number":
        return _number(value)
    if kind == "int":
        x = _number(value)
        if not x.is_integer():
            raise InputError(tr("应为整数", "expected a whole number"), got=value)
        return int(x)
    if kind == "date":
        return _date(value)
    text = _text(value)
    if kind == "text":
        return text  # as typed
    text = text.strip()
    if kind == "id":
        return text
    if kind == "unit":
        try:
            parse_unit(text)
        except UnitError:
            raise InputError(
                tr(
                    "未知单位；应为下拉列表中的单位（kg、kWh、m³、km …）或其他可识别的单位",
                    "unknown unit; expected a unit from the drop-down list (kg, kWh, m³, km, …) "
                    "or another unit pint understands",
                ),
                got=text,
            ) from None
        except Exception:
            raise InputError(tr("未知单位", "unknown unit"), got=text) from None
        return text
    if kind in ("choice", "bool"):
        assert choices is not None
        table = CHOICES[choices]
        code = table.code(text)
        if code is None:
            shown = ", ".join(table.displays("zh"))
            raise InputError(tr(f"应为以下之一：{shown}", f"expected one of {shown}"), got=text)
        return code == "Y" if kind == "bool" else code
    if kind == "mode":
        return MODES.exact_code(text) or text
    if kind == "list":
        return [part.strip() for part in text.split(";") if part.strip()]
    if kind == "extra":
        return parse_extra(text)
    raise ValueError(f"unknown cell kind {kind!r}")  # pragma: no cover - layout bug


def parse_extra(text: str) -> dict[str, Any]:
    """The YAML mapping of an "other fields" cell.

    >>> parse_extra("{calculated: {model: readings, values: [1, 2], unit: kWh}}")
    {'calculated': {'model': 'readings', 'values': [1, 2], 'unit': 'kWh'}}
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "malformed"
        raise InputError(
            tr(
                f"YAML 格式有误（{problem}）；应为映射，如 {{key: value}}",
                f"malformed YAML ({problem}); expected a mapping such as {{key: value}}",
            ),
            got=text,
        ) from None
    except Exception:
        raise InputError(
            tr(
                "YAML 格式有误；应为映射，如 {key: value}",
                "malformed YAML; expected a mapping such as {key: value}",
            ),
            got=text,
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError(
            tr("应为 YAML 映射，如 {key: value}", "expected a YAML mapping such as {key: value}"),
            got=text,
        )
    return data
