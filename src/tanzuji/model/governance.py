"""Data-governance parts of a study: instrument register (Table A.2), site electricity user
category (Table 3, Note 1), processes excluded by the cut-off rule (§5.1).

>>> inst = Instrument(id="EM-01", name="总进线电能表", kind="electricity_meter",
...     accuracy_class="0.5S", certificate={"number": "JD2025-001", "issuer": "省计量院",
...     "date": "2025-03-01", "valid_until": "2027-02-28"})
>>> inst.certificate.covers(inst.certificate.date)
True
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from tanzuji.i18n import tr
from tanzuji.model.base import Uncertainty, _Strict
from tanzuji.model.derived import parse_ratio
from tanzuji.model.enums import Stage

__all__ = [
    "Certificate",
    "ExcludedProcess",
    "Instrument",
    "InstrumentComponent",
    "InstrumentKind",
    "Site",
    "UserCategory",
]


class InstrumentKind(StrEnum):
    """Kinds of measuring instruments named in Table 3 and the record templates."""

    ELECTRICITY_METER = "electricity_meter"
    SCALE_NONAUTOMATIC = "scale_nonautomatic"  # crane, truck, overhead-crane, platform scales
    BELT_SCALE = "belt_scale"
    GAS_FLOW_METER = "gas_flow_meter"
    LIQUID_FLOW_METER = "liquid_flow_meter"
    FUEL_DISPENSER = "fuel_dispenser"
    TEMPERATURE = "temperature"
    PRESSURE = "pressure"
    OTHER = "other"


class Certificate(_Strict):
    """A verification (检定) or calibration (校准) certificate."""

    number: str = Field(min_length=1)
    issuer: str | None = None
    type: Literal["verification", "calibration"] = "verification"
    date: dt.date | None = None
    valid_until: dt.date | None = None
    expanded_uncertainty: float | None = Field(default=None, ge=0, description="U, if stated")
    k: float | None = Field(default=None, gt=0)
    uncertainty_unit: str = Field(
        default="%", description="unit of U: % (relative to the reading) or a unit such as g"
    )

    @model_validator(mode="after")
    def _dates(self) -> Certificate:
        if self.date and self.valid_until and self.valid_until < self.date:
            raise ValueError(
                tr(
                    f"有效期至 valid_until {self.valid_until} 早于证书日期 date {self.date}",
                    f"valid_until {self.valid_until} is before the date {self.date}",
                )
            )
        return self

    @model_validator(mode="after")
    def _u_and_k(self) -> Certificate:
        if (self.expanded_uncertainty is None) != (self.k is None):
            raise ValueError(
                tr(
                    "证书的扩展不确定度 expanded_uncertainty（U）与包含因子 k 应同时给出",
                    "give the certificate's expanded_uncertainty U together with its k",
                )
            )
        return self

    def covers(self, day: dt.date) -> bool:
        """Whether the certificate is valid on ``day``."""
        if self.date and day < self.date:
            return False
        return not (self.valid_until and day > self.valid_until)


class InstrumentComponent(_Strict):
    """A sensor or secondary instrument of a measuring chain without a system class
    (Table 3, Note 2): its accuracy class (read as MPE in % of the reading) or its MPE."""

    name: str = Field(min_length=1)
    accuracy_class: str | None = None
    mpe: float | None = Field(default=None, ge=0, description="relative MPE, 0.005 or '0.5 %'")

    @field_validator("mpe", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().endswith("%"):
            try:
                return float(value.strip()[:-1]) / 100.0
            except ValueError:
                raise ValueError(
                    tr(
                        "应为小数或百分数，如 0.005 或 '0.5 %'",
                        "expected a fraction such as 0.005 or '0.5 %'",
                    )
                ) from None
        return value

    @model_validator(mode="after")
    def _one(self) -> InstrumentComponent:
        if (self.accuracy_class is None) == (self.mpe is None):
            raise ValueError(
                tr(
                    "准确度等级 accuracy_class 与最大允许误差 mpe 应给出且只给出其一",
                    "give exactly one of accuracy_class and mpe",
                )
            )
        return self


class Instrument(_Strict):
    """One entry of the instrument register (Table A.2)."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
    name: str = Field(min_length=1)
    kind: InstrumentKind
    model: str | None = None
    manufacturer: str | None = None
    serial: str | None = None
    accuracy_class: str | None = Field(default=None, description="0.5S, 1, 2, A, B, C, III, 0.5…")
    measuring_range: str | None = None
    max_capacity: float | None = Field(default=None, gt=0, description="Max, for scales")
    scale_interval: float | None = Field(
        default=None, gt=0, description="verification scale interval e, for scales"
    )
    capacity_unit: str | None = Field(default=None, description="unit of Max and e, e.g. kg")
    ct_ratio: str | None = Field(default=None, description="current transformer ratio, e.g. 200/5")
    pt_ratio: str | None = Field(default=None, description="voltage transformer ratio")
    ct_class: str | None = None
    pt_class: str | None = None
    certificate: Certificate | None = None
    history: tuple[Certificate, ...] = Field(
        default=(), description="earlier certificates, for a period spanning a recalibration"
    )
    components: tuple[InstrumentComponent, ...] = Field(
        default=(), description="sensor + secondary instrument chain (Table 3, Note 2)"
    )
    combination: Literal["rss", "linear"] = Field(
        default="rss", description="how component MPEs combine: root-sum-square or linear sum"
    )
    location: str | None = None
    purpose: str | None = None
    in_service: bool = Field(
        default=True, description="in-service MPE (twice the initial-verification MPE for scales)"
    )
    uncertainty: Uncertainty | None = Field(
        default=None, description="explicit relative/standard uncertainty overriding the class"
    )
    note: str | None = None

    @field_validator("ct_ratio", "pt_ratio")
    @classmethod
    def _ratio(cls, value: str | None) -> str | None:
        if value is not None:
            parse_ratio(value)
        return value


class UserCategory(StrEnum):
    """Electricity user categories of Table 3, Note 1."""

    I = "I"  # noqa: E741
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"


class Site(_Strict):
    """The manufacturing site, for choosing the required electricity-meter class."""

    name: str | None = None
    address: str | None = None
    user_category: UserCategory | None = Field(
        default=None, description="stated category; else derived from the figures below"
    )
    monthly_consumption_kwh: float | None = Field(default=None, ge=0)
    transformer_kva: float | None = Field(default=None, ge=0)
    high_voltage_billing: bool | None = None
    single_phase: bool = False


class ExcludedProcess(_Strict):
    """A process left out by the cut-off rule (§5.1), with its estimated contribution."""

    name: str = Field(min_length=1)
    stage: Stage
    estimate: float = Field(ge=0, description="estimated contribution, kgCO2e per functional unit")
    basis: str | None = Field(default=None, description="how the estimate was obtained")
