"""Enumerations of the specification: stages and processes (Table 1), data types and
quality grades (Tables 2, 4, 5).

>>> Process.INBOUND_TRANSPORT.stage
<Stage.RAW_MATERIALS: 'raw_materials'>
>>> DataType.LITERATURE.grade.zh
'低'
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


def _key(text: str) -> str:
    """Normalised spelling for matching: trimmed, lower case, ``-``/space as ``_``."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def _lookup(cls: Any, value: object, aliases: dict[str, str]) -> Any:
    if not isinstance(value, str):
        return None
    key = _key(value)
    for member in cls:
        if member.value == key:
            return member
    target = aliases.get(value.strip()) or aliases.get(key)
    return cls(target) if target is not None else None


class Stage(StrEnum):
    """The five life-cycle stages of the specification (§4, Table 1)."""

    RAW_MATERIALS = "raw_materials"
    MANUFACTURING = "manufacturing"
    DISTRIBUTION = "distribution"
    USE = "use"
    END_OF_LIFE = "end_of_life"

    @property
    def zh(self) -> str:
        """Chinese name as in Table A.8."""
        return _STAGE_ZH[self]

    @classmethod
    def _missing_(cls, value: object) -> Any:
        """Accept the specification's Chinese names (原材料获取, 原材料获取阶段, …) and
        spellings such as ``Raw-Materials``.

        >>> [Stage(x).value for x in ("生产制造", "使用阶段", "End of life")]
        ['manufacturing', 'use', 'end_of_life']
        """
        return _lookup(cls, value, _STAGE_ALIASES)

    @property
    def en(self) -> str:
        """English name."""
        return _STAGE_EN[self]


_STAGE_ZH = {
    Stage.RAW_MATERIALS: "原材料获取阶段",
    Stage.MANUFACTURING: "生产制造阶段",
    Stage.DISTRIBUTION: "运输分销阶段",
    Stage.USE: "使用阶段",
    Stage.END_OF_LIFE: "生命末期阶段",
}
_STAGE_ALIASES = {
    **{v: k.value for k, v in _STAGE_ZH.items()},
    **{v.removesuffix("阶段"): k.value for k, v in _STAGE_ZH.items()},
    "raw_material_acquisition": "raw_materials",
    "raw_material": "raw_materials",
    "end_of_life": "end_of_life",
    "原材料": "raw_materials",
    "生产": "manufacturing",
    "制造": "manufacturing",
    "分销": "distribution",
    "废弃": "end_of_life",
}
_STAGE_EN = {
    Stage.RAW_MATERIALS: "Raw material acquisition",
    Stage.MANUFACTURING: "Manufacturing",
    Stage.DISTRIBUTION: "Distribution",
    Stage.USE: "Use",
    Stage.END_OF_LIFE: "End of life",
}


class Process(StrEnum):
    """The processes of Table 1, each belonging to one stage."""

    MATERIAL_ACQUISITION = "material_acquisition"
    INBOUND_TRANSPORT = "inbound_transport"
    PRODUCTION = "production"
    OUTBOUND_TRANSPORT = "outbound_transport"
    OPERATION = "operation"
    REMOVAL_TRANSPORT = "removal_transport"
    SORTING_DISPOSAL = "sorting_disposal"

    @property
    def stage(self) -> Stage:
        """The stage this process belongs to."""
        return PROCESS_STAGE[self]

    @property
    def zh(self) -> str:
        """Chinese name as in Table 1."""
        return _PROCESS_ZH[self]

    @classmethod
    def _missing_(cls, value: object) -> Any:
        """Accept the Chinese names of Table 1 (物料获取, 原材料运输, …)."""
        return _lookup(cls, value, {v: k.value for k, v in _PROCESS_ZH.items()})


PROCESS_STAGE: dict[Process, Stage] = {
    Process.MATERIAL_ACQUISITION: Stage.RAW_MATERIALS,
    Process.INBOUND_TRANSPORT: Stage.RAW_MATERIALS,
    Process.PRODUCTION: Stage.MANUFACTURING,
    Process.OUTBOUND_TRANSPORT: Stage.DISTRIBUTION,
    Process.OPERATION: Stage.USE,
    Process.REMOVAL_TRANSPORT: Stage.END_OF_LIFE,
    Process.SORTING_DISPOSAL: Stage.END_OF_LIFE,
}
_PROCESS_ZH = {
    Process.MATERIAL_ACQUISITION: "物料获取",
    Process.INBOUND_TRANSPORT: "原材料运输",
    Process.PRODUCTION: "生产工序",
    Process.OUTBOUND_TRANSPORT: "产品出厂运输",
    Process.OPERATION: "运行",
    Process.REMOVAL_TRANSPORT: "拆回运输",
    Process.SORTING_DISPOSAL: "分拣处置",
}
#: Default process of a plain activity / of a transport leg, per stage.
DEFAULT_PROCESS: dict[Stage, Process] = {
    Stage.RAW_MATERIALS: Process.MATERIAL_ACQUISITION,
    Stage.MANUFACTURING: Process.PRODUCTION,
    Stage.DISTRIBUTION: Process.OUTBOUND_TRANSPORT,
    Stage.USE: Process.OPERATION,
    Stage.END_OF_LIFE: Process.SORTING_DISPOSAL,
}
DEFAULT_TRANSPORT_PROCESS: dict[Stage, Process] = {
    Stage.RAW_MATERIALS: Process.INBOUND_TRANSPORT,
    Stage.DISTRIBUTION: Process.OUTBOUND_TRANSPORT,
    Stage.END_OF_LIFE: Process.REMOVAL_TRANSPORT,
}


class Grade(StrEnum):
    """Data-quality grades of Tables 2, 4 and 5, best first."""

    HIGH = "high"
    FAIRLY_HIGH = "fairly_high"
    MEDIUM = "medium"
    FAIRLY_LOW = "fairly_low"
    LOW = "low"

    @property
    def zh(self) -> str:
        """Chinese label (高, 较高, 中, 较低, 低)."""
        return {
            "high": "高",
            "fairly_high": "较高",
            "medium": "中",
            "fairly_low": "较低",
            "low": "低",
        }[self.value]

    @property
    def rank(self) -> int:
        """0 for the best grade, 4 for the worst."""
        return list(Grade).index(self)


_GRADE_ZH = {"high": "高", "fairly_high": "较高", "medium": "中", "fairly_low": "较低", "low": "低"}


class DataType(StrEnum):
    """Types of activity data: primary (Table 2) and secondary (Table 4), in priority order."""

    ONSITE_MEASURED = "onsite_measured"
    ONSITE_CALCULATED = "onsite_calculated"
    OFFSITE = "offsite"
    ENTERPRISE_STATISTICS = "enterprise_statistics"
    FINANCIAL_SETTLEMENT = "financial_settlement"
    DATABASE = "database"
    LITERATURE = "literature"
    ESTIMATE = "estimate"

    @property
    def grade(self) -> Grade:
        """The quality grade the specification assigns to this type."""
        return _DATA_GRADE[self]

    @property
    def zh(self) -> str:
        """Chinese name as in Tables 2 and 4."""
        return _DATA_ZH[self]

    @property
    def en(self) -> str:
        """English name."""
        return _DATA_EN[self]

    @classmethod
    def _missing_(cls, value: object) -> Any:
        """Accept the Chinese names of Tables 2 and 4 (现场实测, 现场测算, 非现场, …).

        >>> [DataType(x).value for x in ("现场实测", "估算数据", "Financial settlement")]
        ['onsite_measured', 'estimate', 'financial_settlement']
        """
        return _lookup(cls, value, _DATA_ALIASES)

    @property
    def primary(self) -> bool:
        """Whether this is primary data (Table 2)."""
        return self in (
            DataType.ONSITE_MEASURED,
            DataType.ONSITE_CALCULATED,
            DataType.OFFSITE,
        )


_DATA_ZH = {
    DataType.ONSITE_MEASURED: "现场实测",
    DataType.ONSITE_CALCULATED: "现场测算",
    DataType.OFFSITE: "非现场",
    DataType.ENTERPRISE_STATISTICS: "企业生产统计",
    DataType.FINANCIAL_SETTLEMENT: "财务结算",
    DataType.DATABASE: "数据库",
    DataType.LITERATURE: "文献",
    DataType.ESTIMATE: "估算",
}
_DATA_EN = {
    DataType.ONSITE_MEASURED: "on-site, measured",
    DataType.ONSITE_CALCULATED: "on-site, calculated",
    DataType.OFFSITE: "off-site",
    DataType.ENTERPRISE_STATISTICS: "enterprise production statistics",
    DataType.FINANCIAL_SETTLEMENT: "financial or settlement documents",
    DataType.DATABASE: "database",
    DataType.LITERATURE: "literature, yearbooks, standard values",
    DataType.ESTIMATE: "estimate",
}
_DATA_ALIASES = {
    **{v: k.value for k, v in _DATA_ZH.items()},
    **{v + "数据": k.value for k, v in _DATA_ZH.items()},
    "实测": "onsite_measured",
    "实测数据": "onsite_measured",
    "测算": "onsite_calculated",
    "测算数据": "onsite_calculated",
    "统计": "enterprise_statistics",
    "统计数据": "enterprise_statistics",
    "生产统计": "enterprise_statistics",
    "生产统计数据": "enterprise_statistics",
    "结算": "financial_settlement",
    "结算凭证": "financial_settlement",
    "财务票据": "financial_settlement",
    "文献数据": "literature",
    "年鉴": "literature",
    "估算数据": "estimate",
    "估计": "estimate",
    "on_site_measured": "onsite_measured",
    "on_site_calculated": "onsite_calculated",
    "off_site": "offsite",
    "statistics": "enterprise_statistics",
    "financial": "financial_settlement",
    "settlement": "financial_settlement",
}
_DATA_GRADE = {
    DataType.ONSITE_MEASURED: Grade.HIGH,
    DataType.ONSITE_CALCULATED: Grade.HIGH,
    DataType.OFFSITE: Grade.FAIRLY_HIGH,
    DataType.ENTERPRISE_STATISTICS: Grade.MEDIUM,
    DataType.FINANCIAL_SETTLEMENT: Grade.MEDIUM,
    DataType.DATABASE: Grade.FAIRLY_LOW,
    DataType.LITERATURE: Grade.LOW,
    DataType.ESTIMATE: Grade.LOW,
}


class FactorType(StrEnum):
    """Types of carbon-footprint factors (Table 5), in priority order."""

    MEASURED = "measured"
    MASS_BALANCE = "mass_balance"
    SUPPLIER_PCF = "supplier_pcf"
    """A supplier's own product footprint (e.g. imported from PACT): primary data."""
    NATIONAL_DATABASE = "national_database"
    INDUSTRY_PUBLISHED = "industry_published"
    STANDARD_RECOMMENDED = "standard_recommended"
    DOMESTIC_DATABASE = "domestic_database"
    INTERNATIONAL_DATABASE = "international_database"
    LITERATURE = "literature"
    DEFAULT = "default"

    @property
    def grade(self) -> Grade:
        """The quality grade the specification assigns to this type."""
        return _FACTOR_GRADE[self]


_FACTOR_GRADE = {
    FactorType.MEASURED: Grade.HIGH,
    FactorType.MASS_BALANCE: Grade.HIGH,
    FactorType.SUPPLIER_PCF: Grade.HIGH,
    FactorType.NATIONAL_DATABASE: Grade.FAIRLY_HIGH,
    FactorType.INDUSTRY_PUBLISHED: Grade.FAIRLY_HIGH,
    FactorType.STANDARD_RECOMMENDED: Grade.FAIRLY_HIGH,
    FactorType.DOMESTIC_DATABASE: Grade.MEDIUM,
    FactorType.INTERNATIONAL_DATABASE: Grade.FAIRLY_LOW,
    FactorType.LITERATURE: Grade.LOW,
    FactorType.DEFAULT: Grade.LOW,
}
