"""Bilingual labels of the workbook: drop-down choices, their codes, and the typical BOM.

Every drop-down list is a :class:`Choices`: each option has a code (the value stored in the
study), a Chinese and an English label. A cell is read back from the code, either label or
the displayed ``"中文 / English"`` text, whatever the workbook's language.

>>> CHOICES["data_type"].code("现场实测 / On-site measured")
'onsite_measured'
>>> CHOICES["data_type"].display("literature", "en")
'Literature, yearbooks, standard values / 文献、年鉴、标准推荐值'
>>> CHOICES["yes_no"].code("是")
'Y'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tanzuji.model import (
    DataType,
    FactorType,
    InstrumentKind,
    Process,
    Stage,
    UserCategory,
)

__all__ = ["BOM_ROWS", "CHOICES", "MODES", "UNITS", "Choices", "normalise"]


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form of a label, for matching.

    >>> normalise(" On-site  Measured ")
    'on-sitemeasured'
    """
    return re.sub(r"\s+", "", text).casefold()


@dataclass(frozen=True)
class Choices:
    """An enumeration shown as a drop-down list: (code, zh, en) per option."""

    name: str
    options: tuple[tuple[str, str, str], ...]
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for code, zh, en in self.options:
            for text in (code, zh, en, f"{zh} / {en}", f"{en} / {zh}"):
                self._lookup.setdefault(normalise(text), code)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes, in order."""
        return tuple(o[0] for o in self.options)

    def display(self, code: str, lang: str) -> str:
        """The text shown in a cell for ``code``."""
        for c, zh, en in self.options:
            if c == code:
                return f"{zh} / {en}" if lang == "zh" else f"{en} / {zh}"
        return code

    def displays(self, lang: str) -> list[str]:
        """Every option as shown in the drop-down list."""
        return [self.display(c, lang) for c in self.codes]

    def code(self, text: str) -> str | None:
        """The code of a cell text, or ``None`` when it is no option."""
        return self._lookup.get(normalise(text))

    def exact_code(self, text: str) -> str | None:
        """The code only when ``text`` is a full displayed option (for free-text columns)."""
        for c, zh, en in self.options:
            if normalise(text) in (normalise(f"{zh} / {en}"), normalise(f"{en} / {zh}")):
                return c
        return None


def _choices(name: str, options: Iterable[tuple[str, str, str]]) -> Choices:
    return Choices(name, tuple(options))


_DATA_TYPE = {
    DataType.ONSITE_MEASURED: ("现场实测", "On-site measured"),
    DataType.ONSITE_CALCULATED: ("现场测算", "On-site calculated"),
    DataType.OFFSITE: ("非现场", "Off-site"),
    DataType.ENTERPRISE_STATISTICS: ("企业生产统计", "Enterprise production statistics"),
    DataType.FINANCIAL_SETTLEMENT: ("财务/结算单据", "Financial or settlement documents"),
    DataType.DATABASE: ("数据库", "Commercial or free database"),
    DataType.LITERATURE: ("文献、年鉴、标准推荐值", "Literature, yearbooks, standard values"),
    DataType.ESTIMATE: ("估算", "Estimate"),
}
_FACTOR_TYPE = {
    FactorType.MEASURED: ("实测因子", "Measured"),
    FactorType.MASS_BALANCE: ("物料衡算因子", "Mass balance"),
    FactorType.SUPPLIER_PCF: ("供应商产品碳足迹", "Supplier product footprint"),
    FactorType.NATIONAL_DATABASE: ("国家温室气体排放因子数据库", "National GHG factor database"),
    FactorType.INDUSTRY_PUBLISHED: ("电工装备行业发布因子", "Industry published"),
    FactorType.STANDARD_RECOMMENDED: ("国家/行业标准推荐因子", "Recommended in standards"),
    FactorType.DOMESTIC_DATABASE: ("国内因子数据库", "Domestic factor database"),
    FactorType.INTERNATIONAL_DATABASE: ("国际因子数据库", "International factor database"),
    FactorType.LITERATURE: ("公开报告、文献", "Published reports, literature"),
    FactorType.DEFAULT: ("缺省值", "Default value"),
}
_PROCESS_EN = {
    Process.MATERIAL_ACQUISITION: "Material acquisition",
    Process.INBOUND_TRANSPORT: "Inbound transport",
    Process.PRODUCTION: "Production",
    Process.OUTBOUND_TRANSPORT: "Outbound transport",
    Process.OPERATION: "Operation",
    Process.REMOVAL_TRANSPORT: "Removal transport",
    Process.SORTING_DISPOSAL: "Sorting and disposal",
}
_INSTRUMENT = {
    InstrumentKind.ELECTRICITY_METER: ("电能表", "Electricity meter"),
    InstrumentKind.SCALE_NONAUTOMATIC: ("非自动衡器", "Non-automatic scale"),
    InstrumentKind.BELT_SCALE: ("皮带秤", "Belt scale"),
    InstrumentKind.GAS_FLOW_METER: ("气体流量计", "Gas flow meter"),
    InstrumentKind.LIQUID_FLOW_METER: ("液体流量计", "Liquid flow meter"),
    InstrumentKind.FUEL_DISPENSER: ("加油机", "Fuel dispenser"),
    InstrumentKind.TEMPERATURE: ("温度仪表", "Temperature instrument"),
    InstrumentKind.PRESSURE: ("压力仪表", "Pressure instrument"),
    InstrumentKind.OTHER: ("其他", "Other"),
}

#: Entry types of a stage-sheet row (see docs/excel-templates.md).
ENTRY_TYPES: tuple[tuple[str, str, str], ...] = (
    ("flow", "活动数据", "Activity datum"),
    ("transport", "运输", "Transport leg"),
    ("transport_energy", "运输能耗", "Transport energy"),
    ("transport_mass", "运输重量", "Transported mass"),
    ("transport_distance", "运输距离", "Transport distance"),
    ("electricity", "电力消耗", "Electricity split"),
    ("electricity_total", "用电总量", "Total electricity"),
    ("electricity_grid", "其中：电网电量", "of which grid"),
    ("electricity_green", "绿电交易电量", "Green-power trading"),
    ("electricity_onsite", "现场发电电量", "On-site generation"),
    ("operation", "运行（功率×时长）", "Operation (power × time)"),
    ("power", "功率", "Power"),
    ("duration", "运行时长", "Operating time"),
)

CHOICES: dict[str, Choices] = {
    "data_type": _choices("data_type", ((k.value, *v) for k, v in _DATA_TYPE.items())),
    "factor_type": _choices("factor_type", ((k.value, *v) for k, v in _FACTOR_TYPE.items())),
    "stage": _choices("stage", ((s.value, s.zh, s.en) for s in Stage)),
    "process": _choices("process", ((p.value, p.zh, _PROCESS_EN[p]) for p in Process)),
    "instrument_kind": _choices("instrument_kind", ((k.value, *v) for k, v in _INSTRUMENT.items())),
    "user_category": _choices(
        "user_category", ((c.value, f"{c.value}类", f"Category {c.value}") for c in UserCategory)
    ),
    "unc_form": _choices(
        "unc_form",
        (
            ("standard", "标准不确定度", "Standard"),
            ("relative", "相对标准不确定度", "Relative"),
            ("expanded", "扩展不确定度", "Expanded"),
            ("bounds", "上下限", "Min-max"),
        ),
    ),
    "distribution": _choices(
        "distribution",
        (
            ("normal", "正态", "Normal"),
            ("rectangular", "均匀（矩形）", "Rectangular"),
            ("triangular", "三角", "Triangular"),
            ("arcsine", "反正弦", "Arcsine"),
            ("student_t", "t 分布", "Student t"),
        ),
    ),
    "certificate_type": _choices(
        "certificate_type",
        (("verification", "检定", "Verification"), ("calibration", "校准", "Calibration")),
    ),
    "gas": _choices("gas", (("CO2e", "CO2当量", "CO2e"), ("CO2", "仅CO2", "CO2 only"))),
    "verification": _choices(
        "verification",
        (
            ("verified", "已核实", "Verified"),
            ("recomputed", "已复算", "Recomputed"),
            ("unverified", "未核实", "Unverified"),
        ),
    ),
    "entry": _choices("entry", ENTRY_TYPES),
    "yes_no": Choices(
        "yes_no",
        (("Y", "是", "Yes"), ("N", "否", "No")),
    ),
}
_ALIASES = {
    "yes_no": (("true", "Y"), ("false", "N"), ("√", "Y"), ("✓", "Y"), ("×", "N")),
    "unc_form": (
        ("标准", "standard"),
        ("相对", "relative"),
        ("扩展", "expanded"),
        ("min-max", "bounds"),
        ("最小最大", "bounds"),
    ),
}
for _name, _pairs in _ALIASES.items():
    for _text, _code in _pairs:
        CHOICES[_name]._lookup[normalise(_text)] = _code

#: Transport modes offered in the drop-down (the study keeps any other text as typed).
MODES = _choices(
    "mode",
    (
        ("road", "公路", "Road"),
        ("rail", "铁路", "Rail"),
        ("inland_water", "内河水运", "Inland waterway"),
        ("sea", "海运", "Sea"),
        ("air", "航空", "Air"),
        ("multimodal", "多式联运", "Multimodal"),
    ),
)

#: Units offered in the drop-down; any unit pint understands is accepted as well.
UNITS: tuple[str, ...] = (
    "kg",
    "g",
    "t",
    "piece",
    "kWh",
    "MWh",
    "m³",
    "Nm³",
    "L",
    "MJ",
    "GJ",
    "km",
    "t·km",
    "W",
    "kW",
    "h",
    "cm**2",
    "m**2",
)

#: The 28 typical materials of Table A.3 (zh, en).
BOM_ROWS: tuple[tuple[str, str], ...] = (
    ("贴片电阻", "Chip resistors"),
    ("贴片电容", "Chip capacitors"),
    ("485芯片", "RS-485 chip"),
    ("DC-DC芯片", "DC-DC chip"),
    ("ESAM模块", "ESAM module"),
    ("存储器", "Memory"),
    ("计量芯片", "Metering chip"),
    ("贴片光耦", "Optocoupler"),
    ("贴片三端稳压器", "Three-terminal regulator"),
    ("贴片整流桥", "Rectifier bridge"),
    ("瞬态抑制二极管", "TVS diode"),
    ("贴片二极管", "Diode"),
    ("单片机", "MCU"),
    ("印制线路板", "Printed circuit board"),
    ("热敏电阻、压敏电阻", "Thermistor, varistor"),
    ("超级电容", "Supercapacitor"),
    ("铝电解电容", "Aluminium electrolytic capacitor"),
    ("变压器", "Transformer"),
    ("发光二极管", "LED"),
    ("电池座", "Battery holder"),
    ("电池", "Battery"),
    ("液晶", "LCD"),
    ("背光片", "Backlight"),
    ("电流互感器", "Current transformer"),
    ("分流器", "Shunt"),
    ("负荷开关组件", "Load-switch assembly"),
    ("密封圈", "Seal ring"),
    ("结构组合件", "Structural parts"),
)
