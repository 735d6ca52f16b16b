"""Import an official Chinese grid factor table (CSV or xlsx) into a factor library.

The MEE/NBS announcements publish the electricity CO2 emission factors (national,
regional, provincial) and the MEE/NBS/NEA announcements the electricity carbon-footprint
factors as tables of *place, factor*; the year and unit are in the title or the header.
This adapter reads such a table typed or saved as CSV/xlsx — one row per place, with the
columns (Chinese or English headers):

===============================  =========================================================
column                           meaning
===============================  =========================================================
省份 / 地区 / 区域 / province    the place: 全国, a grid region (华北 …) or a province
年份 / year                      the data year (or ``--year``-like ``year=`` argument)
排放因子 / 因子 / value          the published value
单位 / unit                      its unit (or in the value header: ``排放因子（kgCO2/kWh）``)
来源 / source (optional)         the publication (else the ``citation`` argument)
===============================  =========================================================

Every value is taken as written — nothing is interpolated or filled in; an empty value is
an error naming its row. Each factor gets the publication as its source, the data year,
the factor type ``national_database`` (grade 较高 / fairly high, Table 5) and the
uncertainty rule of ``docs/factor-library.md`` (national ±4.7 %, regional ±8 %,
provincial ±15 %, uniform bounds, an assumption [A]).

>>> import tempfile
>>> p = Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text("省份,年份,排放因子,单位\\n浙江,2022,0.5,kgCO2/kWh\\n", encoding="utf-8")
>>> lib = import_grid_table(p, citation="某公告", library_id="t")
>>> ef = lib.factors[0]
>>> ef.id, ef.region, ef.year, ef.value, ef.uncertainty.min, ef.grade.value
('cn.grid.co2.2022.zj', 'CN-ZJ', 2022, 0.5, 0.425, 'fairly_high')
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tanzuji.errors import InputError, InputErrors
from tanzuji.factors import LibraryFile, LibraryHeader
from tanzuji.i18n import tr
from tanzuji.model import EmissionFactor, LocalizedText, Source, Uncertainty
from tanzuji.model.validation import clean_loc, error_message, error_path

__all__ = ["PROVINCES", "REGIONS", "import_grid_table", "library_yaml", "place_of"]

#: Province (Chinese short name) → (ISO 3166-2:CN code, English name).
PROVINCES: dict[str, tuple[str, str]] = {
    "北京": ("BJ", "Beijing"),
    "天津": ("TJ", "Tianjin"),
    "河北": ("HE", "Hebei"),
    "山西": ("SX", "Shanxi"),
    "内蒙古": ("NM", "Inner Mongolia"),
    "辽宁": ("LN", "Liaoning"),
    "吉林": ("JL", "Jilin"),
    "黑龙江": ("HL", "Heilongjiang"),
    "上海": ("SH", "Shanghai"),
    "江苏": ("JS", "Jiangsu"),
    "浙江": ("ZJ", "Zhejiang"),
    "安徽": ("AH", "Anhui"),
    "福建": ("FJ", "Fujian"),
    "江西": ("JX", "Jiangxi"),
    "山东": ("SD", "Shandong"),
    "河南": ("HA", "Henan"),
    "湖北": ("HB", "Hubei"),
    "湖南": ("HN", "Hunan"),
    "广东": ("GD", "Guangdong"),
    "广西": ("GX", "Guangxi"),
    "海南": ("HI", "Hainan"),
    "重庆": ("CQ", "Chongqing"),
    "四川": ("SC", "Sichuan"),
    "贵州": ("GZ", "Guizhou"),
    "云南": ("YN", "Yunnan"),
    "西藏": ("XZ", "Tibet"),
    "陕西": ("SN", "Shaanxi"),
    "甘肃": ("GS", "Gansu"),
    "青海": ("QH", "Qinghai"),
    "宁夏": ("NX", "Ningxia"),
    "新疆": ("XJ", "Xinjiang"),
}
#: Grid region (Chinese) → (id part, English name).
REGIONS: dict[str, tuple[str, str]] = {
    "华北": ("north", "North China"),
    "东北": ("northeast", "Northeast China"),
    "华东": ("east", "East China"),
    "华中": ("central", "Central China"),
    "西北": ("northwest", "Northwest China"),
    "南方": ("south", "South China"),
    "西南": ("southwest", "Southwest China"),
}
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")
_COLUMNS = {
    "place": (
        "省份",
        "省（区、市）",
        "省(区、市)",
        "省区市",
        "地区",
        "区域",
        "区域电网",
        "电网",
        "province",
        "region",
        "place",
    ),
    "year": ("年份", "年度", "数据年份", "year"),
    "value": (
        "排放因子",
        "因子",
        "电力平均二氧化碳排放因子",
        "碳足迹因子",
        "电力碳足迹因子",
        "数值",
        "value",
        "factor",
        "emission factor",
    ),
    "unit": ("单位", "unit"),
    "source": ("来源", "出处", "source", "citation"),
}
#: the column keys as a Chinese message names them
_COLUMN_ZH = {"place": "地区", "year": "年份", "value": "数值", "unit": "单位", "source": "来源"}
_KINDS = {
    "co2": (
        "cn.grid.co2",
        "电力平均二氧化碳排放因子",
        "average electricity CO2 emission factor",
        "CO2",
        "kgCO2/kWh",
    ),
    "footprint": (
        "cn.electricity.footprint",
        "电力碳足迹因子",
        "electricity carbon-footprint factor",
        "CO2e",
        "kgCO2e/kWh",
    ),
}
#: Uniform half-widths of docs/factor-library.md (assumptions [A]).
_HALF_WIDTH = {"national": 0.047, "regional": 0.08, "provincial": 0.15}


def place_of(name: str) -> tuple[str, str, str, str]:
    """(level, id part, region code, English name) of a place as the tables write it.

    >>> place_of("浙江省"), place_of("华东")[:2], place_of("全国")[:2]
    (('provincial', 'zj', 'CN-ZJ', 'Zhejiang'), ('regional', 'east'), ('national', ''))
    >>> place_of("Zhejiang")[1]
    'zj'
    """
    text = re.sub(r"\s+", "", name)
    if text in {"全国", "全国平均", "China", "national", "National"}:
        return ("national", "", "CN", "China")
    for zh, (part, en) in REGIONS.items():
        if text in {zh, f"{zh}电网", f"{zh}区域", en, en.replace(" China", "")}:
            return ("regional", part, "CN", en)
    short = text
    for suffix in _SUFFIXES:
        if short.endswith(suffix) and len(short) > len(suffix):
            short = short[: -len(suffix)]
            break
    for zh, (code, en) in PROVINCES.items():
        if short == zh or text.casefold() == en.casefold():
            return ("provincial", code.lower(), f"CN-{code}", en)
    raise ValueError(name)


def _rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(tr("文件不存在", "file not found"), file=str(path))
    if suffix == ".csv":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise InputError(
                tr("不是 UTF-8 或 GB18030 文本", "not UTF-8 or GB18030 text"), file=str(path)
            )
        return [row for row in csv.reader(io.StringIO(text))]
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            return [
                ["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)
            ]
        finally:
            wb.close()
    raise InputError(
        tr("应为 .csv 或 .xlsx 表格", "expected a .csv or .xlsx table"),
        file=str(path),
        got=path.suffix,
    )


def _header_index(header: list[str], file: str) -> tuple[dict[str, int], str | None]:
    index: dict[str, int] = {}
    unit_in_header = None
    for i, cell in enumerate(header):
        text = cell.strip()
        m = re.match(r"^(.*?)\s*[（(]\s*([^）)]+)\s*[）)]\s*$", text)
        base = m.group(1) if m else text
        for key, names in _COLUMNS.items():
            if base.casefold() in {n.casefold() for n in names} and key not in index:
                index[key] = i
                if key == "value" and m:
                    unit_in_header = m.group(2)
    for key in ("place", "value"):
        if key not in index:
            raise InputError(
                tr(
                    f"缺少{_COLUMN_ZH[key]}列；列名应为以下之一：{'、'.join(_COLUMNS[key])}",
                    f"no {key} column; expected one of {', '.join(_COLUMNS[key])}",
                ),
                file=file,
                row=1,
            )
    return index, unit_in_header


def import_grid_table(
    path: Path,
    *,
    kind: str = "co2",
    citation: str | None = None,
    year: int | None = None,
    library_id: str = "imported-grid",
) -> LibraryFile:
    """Read the table; one factor per row, validated; errors name their row and column."""
    if kind not in _KINDS:
        raise InputError(
            tr(
                f"未知的类型；应为 {' 或 '.join(_KINDS)}",
                f"unknown kind; expected {' or '.join(_KINDS)}",
            ),
            got=kind,
        )
    prefix, zh_name, en_name, gas, default_unit = _KINDS[kind]
    file = str(path)
    rows = [r for r in _rows(path) if any(c.strip() for c in r)]
    if not rows:
        raise InputError(tr("表格为空", "the table is empty"), file=file)
    index, unit_in_header = _header_index(rows[0], file)
    problems: list[InputError] = []
    factors: list[EmissionFactor] = []
    seen: set[str] = set()

    def cell(row: list[str], key: str) -> str:
        i = index.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    for n, row in enumerate(rows[1:], start=2):
        try:
            place = cell(row, "place")
            level, part, region, place_en = place_of(place)
        except ValueError:
            problems.append(
                InputError(
                    tr("未知的省份或区域", "unknown province or region"),
                    file=file,
                    row=n,
                    column="place",
                    got=cell(row, "place"),
                )
            )
            continue
        raw_value = cell(row, "value")
        try:
            value = float(raw_value)
        except ValueError:
            problems.append(
                InputError(
                    tr("应为发布的数值", "expected the published number"),
                    file=file,
                    row=n,
                    column="value",
                    got=raw_value,
                )
            )
            continue
        if value < 0:
            problems.append(
                InputError(
                    tr("应为 ≥ 0 的发布值", "expected the published value ≥ 0"),
                    file=file,
                    row=n,
                    column="value",
                    got=raw_value,
                )
            )
            continue
        raw_year = cell(row, "year") or (str(year) if year else "")
        m = re.fullmatch(r"(\d{4})(年)?", raw_year)
        if not m:
            problems.append(
                InputError(
                    tr("应为数据年份（如 2022）", "expected the data year (e.g. 2022)"),
                    file=file,
                    row=n,
                    column="year",
                    got=raw_year,
                )
            )
            continue
        data_year = int(m.group(1))
        unit = cell(row, "unit") or unit_in_header or default_unit
        source = cell(row, "source") or citation
        if not source:
            problems.append(
                InputError(
                    tr(
                        "缺少来源：请给出来源列或 --citation",
                        "no source: give a source column or --citation",
                    ),
                    file=file,
                    row=n,
                )
            )
            continue
        fid = ".".join(p for p in (prefix, str(data_year), part) if p)
        if fid in seen:
            problems.append(
                InputError(
                    tr("该地区与年份重复出现", "this place and year appear twice"),
                    file=file,
                    row=n,
                    got=place,
                )
            )
            continue
        seen.add(fid)
        half = _HALF_WIDTH[level]
        where_zh = {"national": "全国", "regional": f"{place}区域", "provincial": place}[level]
        try:
            factors.append(
                EmissionFactor(
                    id=fid,
                    name=LocalizedText(
                        zh=f"{data_year}年{where_zh}{zh_name}",
                        en=f"{en_name[0].upper()}{en_name[1:]}, {place_en}, {data_year}",
                    ),
                    value=value,
                    unit=unit,
                    gas=gas,
                    region=region if level != "regional" else f"CN ({place_en} grid)",
                    year=data_year,
                    factor_type="national_database",
                    source=Source(citation=source, locator=f"{path.name}, row {n}"),
                    uncertainty=Uncertainty(
                        min=round(value * (1 - half), 6),
                        max=round(value * (1 + half), 6),
                        basis=f"No uncertainty is published. Uniform bounds of ±{100 * half:g} % "
                        f"for a {level} factor, the rule of docs/factor-library.md "
                        "(assumption [A]).",
                    ),
                    verification="unverified",
                    note="Imported with `tanzuji factors import-grid`; check each value "
                    "against the publication before marking it verified.",
                    tags=("electricity", "grid", kind, level),
                )
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            problems.append(
                InputError(
                    error_message(err, EmissionFactor, err["loc"]),
                    file=file,
                    row=n,
                    column=error_path(clean_loc(err["loc"])) or None,
                )
            )
        except (ValueError, TypeError) as exc:
            problems.append(InputError(str(exc).splitlines()[0], file=file, row=n))
    if problems:
        raise InputErrors(problems)
    if not factors:
        raise InputError(tr("表格没有数据行", "the table has no data rows"), file=file)
    header = LibraryHeader(
        id=library_id,
        name=LocalizedText(zh=f"导入的{zh_name}", en=f"Imported {en_name}s"),
        description=LocalizedText(zh=f"由 {path.name} 导入", en=f"Imported from {path.name}"),
    )
    return LibraryFile(library=header, factors=tuple(factors))


def library_yaml(lib: LibraryFile) -> str:
    """The library as a YAML factor-library file (the format of ``data/factors/*.yaml``)."""
    import yaml

    data: dict[str, Any] = lib.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    for ef in data["factors"]:
        ef.pop("library", None)
    head = "# Factor library written by `tanzuji factors import-grid`.\n"
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
