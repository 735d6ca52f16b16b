"""The mapping file: how a set of meter-reading files is laid out and what each meter is.

A mapping names the columns (long or wide layout), the time zone of naive timestamps, the unit
of the readings, the instrument register entries of the meters, the meters themselves (what
each one measures, interval or register readings, gap-fill choice) and the groups whose
energy goes into a study (grid, green-power trading, on-site generation, other carriers).

>>> m = Mapping.model_validate({
...     "timezone": "Asia/Shanghai", "unit": "kWh",
...     "instruments": [{"id": "EM-01", "name": "总表", "kind": "electricity_meter",
...                      "accuracy_class": "0.5S"}],
...     "meters": [{"id": "EM-01", "measures": "grid", "instrument": "EM-01"}],
...     "groups": [{"id": "grid", "role": "grid", "meters": ["EM-01"]}]})
>>> m.meter("EM-01").gap_fill, m.interval_minutes
('interpolate', 15)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from tanzuji.errors import InputError, UnitError
from tanzuji.i18n import os_reason, tr
from tanzuji.model.base import _Strict
from tanzuji.model.derived import AllocationShare
from tanzuji.model.governance import Instrument
from tanzuji.model.validation import clean_loc, error_message, error_path
from tanzuji.units import parse_unit

__all__ = [
    "Columns",
    "GroupMapping",
    "Mapping",
    "MeterAllocation",
    "MeterMapping",
    "is_reactive",
    "load_mapping",
]

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"

Measures = Literal["line", "building", "grid", "onsite_pv", "green_feeder", "billing", "other"]
GapFill = Literal["interpolate", "profile", "bounded"]
Role = Literal["grid", "green_trading", "onsite", "carrier", "other"]


def is_reactive(unit: str) -> bool:
    """Whether a unit is reactive energy (varh, kvarh, Mvarh), which is not ingested.

    >>> is_reactive("kvarh"), is_reactive("kWh")
    (True, False)
    """
    return re.fullmatch(r"\s*[kKmM]?var\s*[·*.]?\s*h\s*", unit) is not None


class Columns(_Strict):
    """Column names in the reading files."""

    timestamp: str = "timestamp"
    meter: str = Field(default="meter", description="long layout: the meter id column")
    value: str = Field(default="value", description="long layout: the reading column")
    serial: str | None = Field(default=None, description="meter serial number (replacements)")


class MeterMapping(_Strict):
    """One metering point."""

    id: str = Field(min_length=1, pattern=_ID)
    name: str | None = None
    measures: Measures = "line"
    instrument: str = Field(min_length=1, description="id in the instrument register")
    kind: Literal["interval", "register"] = "interval"
    column: str | None = Field(default=None, description="wide layout: its column (default: id)")
    unit: str | None = Field(default=None, description="overrides the mapping's unit")
    line: str | None = Field(default=None, description="product line this meter feeds")
    gap_fill: GapFill = "interpolate"
    max_kw: float | None = Field(
        default=None, gt=0, description="highest possible power (CT rating): intervals above it"
    )
    max_rate: float | None = Field(
        default=None,
        gt=0,
        description="other carriers: highest possible rate in the reading unit per hour "
        "(gas Nm3/h, heat GJ/h); intervals above it are impossible",
    )
    rated_kw: float | None = Field(
        default=None, gt=0, description="power at rated current I_n / I_b: load-dependent MPE"
    )
    resolution: float | None = Field(
        default=None, gt=0, description="register/reading resolution d in the reading unit"
    )
    rollover: float | None = Field(
        default=None, gt=0, description="register value at which the register wraps to 0"
    )
    calibration: str | None = Field(
        default=None, description="shared calibration: meters with the same key are correlated"
    )
    secondary: bool = Field(
        default=False, description="readings are secondary-side: multiply by CT × PT ratio"
    )
    reconcile: tuple[str, ...] = Field(
        default=(), description="billing meter: the sub-meters whose sum it must match"
    )

    @model_validator(mode="after")
    def _one_rate(self) -> MeterMapping:
        if self.max_kw is not None and self.max_rate is not None:
            raise ValueError(
                tr(
                    "max_kw（电）与 max_rate（其他能源）只能给出其一",
                    "give max_kw (electricity) or max_rate (other carriers), not both",
                )
            )
        return self

    @property
    def source_column(self) -> str:
        """The column of this meter in a wide file."""
        return self.column or self.id


class GroupMapping(_Strict):
    """Meters whose energies add up into one study quantity."""

    id: str = Field(min_length=1, pattern=_ID)
    name: str | None = None
    role: Role = "other"
    meters: tuple[str, ...] = Field(min_length=1)
    carrier: str = "electricity"
    factor: str | None = Field(default=None, description="emission factor id for the study")


class MeterAllocation(_Strict):
    """Allocation of metered energy to the product by output (§6.1)."""

    product_model: str = Field(min_length=1)
    models: tuple[AllocationShare, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _product(self) -> MeterAllocation:
        names = [m.model for m in self.models]
        if self.product_model not in names:
            raise ValueError(
                tr(
                    f"product_model {self.product_model!r} 不在 models 之中",
                    f"product_model {self.product_model!r} is not among the models",
                )
            )
        return self

    def per_unit(self) -> float:
        """Energy per product unit = E × output_p·bom_p/Σ(output·bom) / output_p."""
        total = sum(m.output * m.bom_quantity for m in self.models)
        row = next(m for m in self.models if m.model == self.product_model)
        return row.bom_quantity / total


class Mapping(_Strict):
    """A mapping file (YAML)."""

    layout: Literal["long", "wide"] = "long"
    columns: Columns = Columns()
    timezone: str = Field(default="UTC", description="zone of naive timestamps (IANA name)")
    unit: str = "kWh"
    interval: str = Field(default="15min", description="interval length: 15min, 30min, 1h")
    label: Literal["start", "end"] = Field(
        default="start", description="whether an interval's timestamp marks its start or end"
    )
    instruments: tuple[Instrument, ...] = ()
    meters: tuple[MeterMapping, ...] = Field(min_length=1)
    groups: tuple[GroupMapping, ...] = ()
    allocation: MeterAllocation | None = None

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        _minutes(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                tr(
                    f"未知时区 {value!r}；应为如 Asia/Shanghai 的时区名",
                    f"unknown time zone {value!r}; expected e.g. Asia/Shanghai",
                )
            ) from None
        return value

    @model_validator(mode="after")
    def _refs(self) -> Mapping:
        ids = [m.id for m in self.meters]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(
                tr(
                    f"电能表 {sorted(dup)[0]!r} 重复列出",
                    f"meter {sorted(dup)[0]!r} is listed twice",
                )
            )
        for g in self.groups:
            for mid in g.meters:
                if mid not in ids:
                    raise ValueError(
                        tr(
                            f"分组 {g.id!r} 引用的电能表 {mid!r} 未在 meters 中映射",
                            f"group {g.id!r} names meter {mid!r}, which is not mapped",
                        )
                    )
        for m in self.meters:
            for mid in m.reconcile:
                if mid not in ids:
                    raise ValueError(
                        tr(
                            f"电能表 {m.id!r} 对账的电能表 {mid!r} 未在 meters 中映射",
                            f"meter {m.id!r} reconciles meter {mid!r}, not mapped",
                        )
                    )
        return self

    @property
    def interval_minutes(self) -> int:
        """The interval length in minutes."""
        return _minutes(self.interval)

    def meter(self, meter_id: str) -> MeterMapping:
        """The meter with ``meter_id`` (KeyError if not mapped)."""
        for m in self.meters:
            if m.id == meter_id:
                return m
        raise KeyError(meter_id)

    def meter_unit(self, meter: MeterMapping) -> str:
        """The unit of a meter's readings."""
        return meter.unit or self.unit


def _minutes(text: str) -> int:
    m = re.fullmatch(r"\s*([0-9]+)\s*(min|m|h|H)\s*", text)
    if not m or int(m.group(1)) <= 0:
        raise ValueError(
            tr(
                f"时段长度 {text!r}：应为如 15min、30min 或 1h",
                f"interval {text!r}: expected e.g. 15min, 30min or 1h",
            )
        )
    n = int(m.group(1))
    minutes = n * 60 if m.group(2) in ("h", "H") else n
    if 1440 % minutes:
        raise ValueError(
            tr(f"时段长度 {text!r} 不能整除一天", f"interval {text!r} does not divide a day")
        )
    return minutes


def load_mapping(path: Path, extra_instruments: tuple[Instrument, ...] = ()) -> Mapping:
    """Read and validate a mapping file; meters must reference a register entry.

    ``extra_instruments`` (the study's register) are used for ids the mapping does not define.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            tr(
                f"无法读取映射文件：{os_reason(exc)}",
                f"cannot read the mapping file: {os_reason(exc)}",
            ),
            file=str(path),
        ) from None
    try:
        # the C loader when libyaml is there: a mapping of 1,000 meters parses 10× faster
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data: Any = yaml.load(text, Loader=loader)  # a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        at = f"（第 {mark.column + 1} 列）" if mark is not None else ""
        raise InputError(
            tr(f"YAML 格式错误{at}", f"not valid YAML: {exc}"), file=str(path), row=row
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            tr(
                "顶层应为键值映射（key: value）", "expected a mapping (key: value) at the top level"
            ),
            file=str(path),
        )
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = error_path(clean_loc(first["loc"]))
        raise InputError(
            error_message(first, Mapping, first["loc"]), file=str(path), path=loc or None
        ) from None
    units = [("unit", mapping.unit)] + [
        (f"meters[{j}].unit", m.unit) for j, m in enumerate(mapping.meters) if m.unit
    ]
    for where, unit in units:
        if not is_reactive(unit):
            try:
                parse_unit(unit)
            except UnitError as exc:
                raise exc.with_location(file=str(path), path=where) from None
    known = {i.id for i in mapping.instruments} | {i.id for i in extra_instruments}
    for j, meter in enumerate(mapping.meters):
        if meter.instrument not in known:
            raise InputError(
                tr(
                    f"电能表 {meter.id!r} 引用的计量器具 {meter.instrument!r} 不在计量器具登记中"
                    "（映射文件或研究文件的 instruments）",
                    f"meter {meter.id!r} refers to instrument {meter.instrument!r}, which is not "
                    "in the instrument register (mapping instruments or the study's)",
                ),
                file=str(path),
                path=f"meters[{j}].instrument",
            )
    return mapping
