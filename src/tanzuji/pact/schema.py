"""PACT v3 data model rules, written for tanzuji from the normative OpenAPI of PACT v3.0.

These pydantic models are our own reading of the specification's schema (the specification's
files are not copied): required properties, decimal strings, URNs, enums, the geography
"at most one of" rule and the extension envelope. :func:`validate_footprint` reports every fault
with its JSON path (``$.pcf.declaredUnitAmount``).

>>> footprint_errors({"id": "x"})[0]
'$.id: 应为 UUID（实际为 x）'
>>> from tanzuji.i18n import use_lang
>>> with use_lang("en"):
...     footprint_errors({"id": "x"})[0]
'$.id: expected a UUID (got x)'
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from tanzuji.errors import InputError, InputErrors
from tanzuji.i18n import tr
from tanzuji.model.validation import error_message

__all__ = [
    "SPEC_VERSION",
    "V2_FIELDS",
    "CarbonFootprint",
    "DataModelExtension",
    "DataQualityIndicators",
    "EmissionFactorSource",
    "ProductFootprint",
    "footprint_errors",
    "json_path",
    "validate_footprint",
]

SPEC_VERSION = "3.0.3"

_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_URN = re.compile(r"^[uU][rR][nN]:\S+$")


def _decimal(value: str) -> Decimal:
    if not isinstance(value, str) or not _DECIMAL.match(value):
        raise ValueError(
            tr(
                f'应为以 JSON 字符串表示的十进制数，如 "1.25"（实际为 {value!r}）',
                f'expected a decimal number as a JSON string such as "1.25" (got {value!r})',
            )
        )
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern excludes it
        raise ValueError(
            tr(
                f"应为十进制数字符串（实际为 {value!r}）",
                f"expected a decimal string (got {value!r})",
            )
        ) from None


def _any(value: str) -> str:
    _decimal(value)
    return value


def _positive(value: str) -> str:
    if _decimal(value) <= 0:
        raise ValueError(
            tr(
                f"应为 > 0 的十进制数字符串（实际为 {value!r}）",
                f"expected a decimal string > 0 (got {value!r})",
            )
        )
    return value


def _non_negative(value: str) -> str:
    if _decimal(value) < 0:
        raise ValueError(
            tr(
                f"应为 ≥ 0 的十进制数字符串（实际为 {value!r}）",
                f"expected a decimal string ≥ 0 (got {value!r})",
            )
        )
    return value


def _non_positive(value: str) -> str:
    if _decimal(value) > 0:
        raise ValueError(
            tr(
                f"应为 ≤ 0 的十进制数字符串（实际为 {value!r}）",
                f"expected a decimal string ≤ 0 (got {value!r})",
            )
        )
    return value


def _dqr(value: str) -> str:
    if not Decimal(1) <= _decimal(value) <= Decimal(5):
        raise ValueError(
            tr(
                f"应为 1 到 5 之间的评分（实际为 {value!r}）",
                f"expected a rating between 1 and 5 (got {value!r})",
            )
        )
    return value


def _urn(value: str) -> str:
    if not _URN.match(value):
        raise ValueError(
            tr(
                f"应为 URN，如 urn:pact:example.com:product-id:1（实际为 {value}）",
                f"expected a URN such as urn:pact:example.com:product-id:1 (got {value})",
            )
        )
    return value


def _uuid(value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ValueError(
            tr(f"应为 UUID（实际为 {value}）", f"expected a UUID (got {value})")
        ) from None
    return value


def _datetime(value: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            tr(
                f"应为 RFC 3339 日期时间（实际为 {value}）",
                f"expected an RFC 3339 date-time (got {value})",
            )
        ) from None
    if parsed.tzinfo is None or "T" not in value.upper():
        raise ValueError(
            tr(
                f"应为带时区的 RFC 3339 日期时间（实际为 {value}）",
                f"expected an RFC 3339 date-time with time zone (got {value})",
            )
        )
    return value


_DEC_SCHEMA = {"pattern": r"^[+-]?\d+(\.\d+)?$", "format": "decimal"}
Dec = Annotated[str, Field(strict=True, json_schema_extra=_DEC_SCHEMA), AfterValidator(_any)]
PosDec = Annotated[
    str, Field(strict=True, json_schema_extra=_DEC_SCHEMA), AfterValidator(_positive)
]
NonNegDec = Annotated[
    str,
    Field(strict=True, json_schema_extra={"pattern": r"^[+]?\d+(\.\d+)?$", "format": "decimal"}),
    AfterValidator(_non_negative),
]
NonPosDec = Annotated[
    str, Field(strict=True, json_schema_extra=_DEC_SCHEMA), AfterValidator(_non_positive)
]
DqrDec = Annotated[str, Field(strict=True, json_schema_extra=_DEC_SCHEMA), AfterValidator(_dqr)]
Urn = Annotated[str, Field(strict=True), AfterValidator(_urn)]
Uuid = Annotated[str, Field(strict=True), AfterValidator(_uuid)]
DateTime = Annotated[str, Field(strict=True), AfterValidator(_datetime)]
NonEmpty = Annotated[str, Field(strict=True, min_length=1)]

DeclaredUnit = Literal[
    "liter",
    "kilogram",
    "cubic meter",
    "kilowatt hour",
    "megajoule",
    "ton kilometer",
    "square meter",
    "piece",
    "hour",
    "megabit second",
]
Region = Literal[
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "Australia and New Zealand",
    "Central Asia",
    "Eastern Asia",
    "Eastern Europe",
    "Latin America and the Caribbean",
    "Melanesia",
    "Micronesia",
    "Northern Africa",
    "Northern America",
    "Northern Europe",
    "Polynesia",
    "South-eastern Asia",
    "Southern Asia",
    "Southern Europe",
    "Sub-Saharan Africa",
    "Western Asia",
    "Western Europe",
]

V2_FIELDS: dict[str, str] = {
    "declaredUnit": "declaredUnitOfMeasurement",
    "unitaryProductAmount": "declaredUnitAmount",
    "pCfExcludingBiogenic": "pcfExcludingBiogenicUptake",
    "pCfIncludingBiogenic": "pcfIncludingBiogenicUptake",
    "productCategoryCpc": "productClassifications",
    "characterizationFactors": "ipccCharacterizationFactors",
    "crossSectoralStandardsUsed": "crossSectoralStandards",
    "dLucGhgEmissions": "landUseChangeGhgEmissions",
    "iLucGhgEmissions": "landUseChangeGhgEmissions",
    "biogenicCarbonWithdrawal": "biogenicCO2Uptake",
    "assurance": "verification",
    "coveragePercent": "(removed in v3)",
}
"""PACT v2 property names and their v3 successors: a file using them is not v3."""


class _Model(BaseModel):
    # v3 consumers must accept properties they do not know (later revisions add some)
    model_config = ConfigDict(extra="allow", frozen=True)


class EmissionFactorSource(_Model):
    """A secondary emission-factor database and its version."""

    name: NonEmpty
    version: NonEmpty


class DataQualityIndicators(_Model):
    """The three v3 data-quality ratings, 1 (best) to 5, as decimal strings."""

    technologicalDQR: DqrDec
    geographicalDQR: DqrDec
    temporalDQR: DqrDec


class ProductOrSectorSpecificRule(_Model):
    """A product category rule applied, by its operator."""

    operator: Literal["PEF", "EPD International", "Other"]
    ruleNames: list[NonEmpty] = Field(min_length=1)
    otherOperatorName: NonEmpty | None = None


class Verification(_Model):
    """Third-party verification of the footprint."""

    coverage: Literal["PCF calculation model", "PCF program", "product level"] | None = None
    providerName: str | None = None
    completedAt: DateTime | None = None
    standardName: str | None = None
    comments: str | None = None


class DataModelExtension(_Model):
    """A data-model extension: spec version, schema URL and data object."""

    specVersion: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+")]
    dataSchema: Annotated[str, Field(pattern=r"^https?://\S+$")]
    documentation: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    data: dict[str, Any]


class CarbonFootprint(_Model):
    """The ``pcf`` object of a v3 ProductFootprint."""

    declaredUnitOfMeasurement: DeclaredUnit
    declaredUnitAmount: PosDec
    productMassPerDeclaredUnit: NonNegDec
    referencePeriodStart: DateTime
    referencePeriodEnd: DateTime
    geographyRegionOrSubregion: Region | None = None
    geographyCountry: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    geographyCountrySubdivision: (
        Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None
    ) = None
    boundaryProcessesDescription: str | None = None
    pcfExcludingBiogenicUptake: Dec
    pcfIncludingBiogenicUptake: Dec
    fossilCarbonContent: NonNegDec
    biogenicCarbonContent: NonNegDec | None = None
    recycledCarbonContent: NonNegDec | None = None
    fossilGhgEmissions: NonNegDec
    landUseChangeGhgEmissions: NonNegDec | None = None
    landCarbonLeakage: NonNegDec | None = None
    landManagementFossilGhgEmissions: NonNegDec | None = None
    landManagementBiogenicCO2Emissions: NonNegDec | None = None
    landManagementBiogenicCO2Removals: NonPosDec | None = None
    biogenicCO2Uptake: NonPosDec | None = None
    biogenicNonCO2Emissions: NonNegDec | None = None
    landAreaOccupation: NonNegDec | None = None
    aircraftGhgEmissions: NonNegDec | None = None
    packagingEmissionsIncluded: bool | None = None
    packagingGhgEmissions: NonNegDec | None = None
    packagingBiogenicCarbonContent: NonNegDec | None = None
    outboundLogisticsGhgEmissions: NonNegDec | None = None
    ccsTechnologicalCO2CaptureIncluded: bool | None = None
    ccsTechnologicalCO2Capture: NonPosDec | None = None
    technologicalCO2CaptureOrigin: str | None = None
    technologicalCO2Removals: NonPosDec | None = None
    ccuCarbonContent: NonNegDec | None = None
    ccuCalculationApproach: Literal["Cut-off", "Credit"] | None = None
    ccuCreditCertification: str | None = None
    ipccCharacterizationFactors: list[Annotated[str, Field(pattern=r"^AR\d+$")]] = Field(
        min_length=1
    )
    crossSectoralStandards: list[NonEmpty] = Field(min_length=1)
    productOrSectorSpecificRules: list[ProductOrSectorSpecificRule] | None = Field(
        default=None, min_length=1
    )
    exemptedEmissionsPercent: NonNegDec
    exemptedEmissionsDescription: str | None = None
    allocationRulesDescription: str | None = None
    secondaryEmissionFactorSources: list[EmissionFactorSource] | None = Field(
        default=None, min_length=1
    )
    primaryDataShare: Dec | None = None
    dqi: DataQualityIndicators | None = None
    verification: Verification | None = None

    @model_validator(mode="after")
    def _rules(self) -> CarbonFootprint:
        given = [
            n
            for n in (
                "geographyRegionOrSubregion",
                "geographyCountry",
                "geographyCountrySubdivision",
            )
            if getattr(self, n) is not None
        ]
        if len(given) > 1:
            raise ValueError(
                tr(
                    "geographyRegionOrSubregion、geographyCountry、geographyCountrySubdivision "
                    f"至多给出其一（实际给出 {'、'.join(given)}）",
                    "give at most one of geographyRegionOrSubregion, geographyCountry, "
                    f"geographyCountrySubdivision (got {', '.join(given)})",
                )
            )
        if self.primaryDataShare is not None and not (0 <= Decimal(self.primaryDataShare) <= 100):
            raise ValueError(
                tr(
                    "primaryDataShare 应在 0 到 100（百分数）之间",
                    "primaryDataShare must lie between 0 and 100 (per cent)",
                )
            )
        if Decimal(self.exemptedEmissionsPercent) > 100:
            raise ValueError(
                tr(
                    "exemptedEmissionsPercent 不得超过 100",
                    "exemptedEmissionsPercent must not exceed 100",
                )
            )
        start = dt.datetime.fromisoformat(self.referencePeriodStart)
        end = dt.datetime.fromisoformat(self.referencePeriodEnd)
        if end < start:
            raise ValueError(
                tr(
                    "referencePeriodEnd 早于 referencePeriodStart",
                    "referencePeriodEnd lies before referencePeriodStart",
                )
            )
        return self


class ProductFootprint(_Model):
    """A v3 ProductFootprint (the unit of exchange)."""

    id: Uuid
    specVersion: Annotated[str, Field(pattern=r"^3\.\d+\.\d+(-\d{8})?$")]
    precedingPfIds: list[Uuid] | None = Field(default=None, min_length=1)
    created: DateTime
    status: Literal["Active", "Deprecated"]
    validityPeriodStart: DateTime | None = None
    validityPeriodEnd: DateTime | None = None
    companyName: NonEmpty
    companyIds: list[Urn] = Field(min_length=1)
    productDescription: str
    productIds: list[Urn] = Field(min_length=1)
    productClassifications: list[Urn] | None = Field(default=None, min_length=1)
    productNameCompany: NonEmpty
    comment: str | None = None
    pcf: CarbonFootprint
    extensions: list[DataModelExtension] | None = None

    @model_validator(mode="after")
    def _sets(self) -> ProductFootprint:
        for name in ("companyIds", "productIds", "productClassifications", "precedingPfIds"):
            items = getattr(self, name)
            if items is not None and len({str(x).lower() for x in items}) != len(items):
                raise ValueError(
                    tr(
                        f"{name} 中有重复的值（它是集合）",
                        f"{name} lists a value twice (it is a set)",
                    )
                )
        return self


def json_path(loc: tuple[int | str, ...]) -> str:
    """A JSON path from a pydantic error location.

    >>> json_path(("pcf", "dqi", "temporalDQR")), json_path(("extensions", 0, "data"))
    ('$.pcf.dqi.temporalDQR', '$.extensions[0].data')
    """
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _v2_faults(data: Any, base: str = "$") -> list[str]:
    faults: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in V2_FIELDS:
                faults.append(
                    f"{base}.{key}: "
                    + tr(
                        f"这是 PACT v2 的属性；v3 应为 {V2_FIELDS[key]}",
                        f"a PACT v2 property; v3 expects {V2_FIELDS[key]}",
                    )
                )
            elif key != "extensions":
                faults.extend(_v2_faults(value, f"{base}.{key}"))
    return faults


def _message(err: Any) -> str:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if err["type"] == "missing":
        return tr("缺少必需的属性", "required property missing")
    if err["type"] in ("string_type",):
        got = err.get("input")
        return tr(f"应为 JSON 字符串（实际为 {got!r}）", f"expected a JSON string (got {got!r})")
    if err["type"] in ("value_error", "assertion_error"):
        return msg
    return error_message(err, ProductFootprint, err["loc"])


def footprint_errors(data: Any) -> list[str]:
    """Every rule the object breaks, as ``JSON path: message`` lines (empty when valid)."""
    if not isinstance(data, dict):
        return [
            "$: "
            + tr(
                "应为 JSON 对象（ProductFootprint）", "expected a JSON object (a ProductFootprint)"
            )
        ]
    faults = _v2_faults(data)
    try:
        ProductFootprint.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-after"))
            loc = tuple(p for p in loc if p not in ("literal[...]",))
            faults.append(f"{json_path(loc)}: {_message(err)}")
    return faults


def validate_footprint(data: Any) -> ProductFootprint:
    """The validated footprint, or :class:`~tanzuji.errors.InputErrors` naming every path."""
    faults = footprint_errors(data)
    if faults:
        raise InputErrors(
            [InputError(f.split(": ", 1)[1], path=f.split(": ", 1)[0]) for f in faults]
        )
    return ProductFootprint.model_validate(data)
