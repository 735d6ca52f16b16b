"""Building blocks: uncertainty of a quantity, localised text, sources, people, product, period.

>>> Uncertainty(expanded=0.02, k=2).standard_for(1.0)
0.01
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from tanzuji.i18n import tr
from tanzuji.units import count_unit_problem

#: Largest magnitude of any number in a study or factor library (docs/robustness.md): the
#: products and squares of a few such numbers stay far inside the float range, so the
#: calculation cannot overflow; no physical quantity of a product footprint comes near it.
MAX_MAGNITUDE = 1e30


def finite_number(value: Any) -> Any:
    """Refuse NaN, ±infinity and magnitudes above :data:`MAX_MAGNITUDE` (lists too).

    >>> finite_number([1.0, 2])
    [1.0, 2]
    >>> finite_number(1e31)
    Traceback (most recent call last):
    ...
    ValueError: 数值的绝对值应不超过 1e+30
    """
    if isinstance(value, float | int) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(tr("应为有限数值", "expected a finite number"))
        if abs(value) > MAX_MAGNITUDE:
            raise ValueError(
                tr(
                    f"数值的绝对值应不超过 {MAX_MAGNITUDE:g}",
                    f"expected a number of magnitude at most {MAX_MAGNITUDE:g}",
                )
            )
    elif isinstance(value, list | tuple):
        for item in value:
            finite_number(item)
    return value


#: A float that is finite and at most :data:`MAX_MAGNITUDE` in magnitude.
FiniteFloat = Annotated[float, Field(allow_inf_nan=False), AfterValidator(finite_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @field_validator("*", mode="after")
    @classmethod
    def _bounded_numbers(cls, value: Any) -> Any:
        """Every number of every model is finite and bounded (:func:`finite_number`)."""
        return finite_number(value)


DistributionName = Literal["normal", "rectangular", "triangular", "arcsine", "student_t"]


class Uncertainty(_Strict):
    """The uncertainty of one quantity, in exactly one of four forms.

    - ``standard``: standard uncertainty u, in the quantity's own unit;
    - ``relative``: relative standard uncertainty u/|x| as a fraction (``"0.5 %"`` also accepted);
    - ``expanded`` with ``k``: expanded uncertainty U and its coverage factor, u = U/k;
    - ``min``/``max`` (Appendix C): plausible bounds around a default value;
      u = max(|max − x|, |x − min|)/√3 (uniform distribution).

    ``distribution`` says how Monte Carlo should sample the quantity (default: normal,
    rectangular for the bounds form); ``dof`` gives its degrees of freedom (default ∞).

    >>> Uncertainty(relative="1 %").standard_for(200.0)
    2.0
    >>> round(Uncertainty(min=30, max=150).standard_for(60.0), 4)
    51.9615
    """

    standard: float | None = Field(default=None, ge=0)
    relative: float | None = Field(default=None, ge=0)
    expanded: float | None = Field(default=None, ge=0)
    k: float | None = Field(default=None, gt=0)
    min: float | None = None
    max: float | None = None
    distribution: DistributionName | None = None
    dof: float | None = Field(default=None, gt=0)
    basis: str | None = None

    @field_validator("relative", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.endswith("%"):
                try:
                    return float(text[:-1]) / 100.0
                except ValueError:
                    raise ValueError(
                        tr(
                            "应为小数（如 0.005）或百分数（如 '0.5 %'）",
                            "expected a fraction such as 0.005 or a percentage such as '0.5 %'",
                        )
                    ) from None
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Uncertainty:
        forms = [
            name
            for name, present in (
                ("standard", self.standard is not None),
                ("relative", self.relative is not None),
                ("expanded", self.expanded is not None),
                ("min/max", self.min is not None or self.max is not None),
            )
            if present
        ]
        if len(forms) != 1:
            raise ValueError(
                tr(
                    "请只给出一种：standard、relative、expanded（带 k）或 min 与 max"
                    + (f"；实际给出 {'、'.join(forms)}" if forms else ""),
                    "give exactly one of: standard, relative, expanded (with k), or min and max"
                    + (f"; got {', '.join(forms)}" if forms else ""),
                )
            )
        if self.expanded is not None and self.k is None:
            raise ValueError(
                tr(
                    "扩展不确定度需给出包含因子 k",
                    "an expanded uncertainty needs its coverage factor k",
                )
            )
        if self.k is not None and self.expanded is None:
            raise ValueError(
                tr(
                    "k 仅用于扩展不确定度（expanded）",
                    "k is only meaningful with an expanded uncertainty",
                )
            )
        # e.g. k = 1e-300 (found by fuzzing): u = U/k must stay bounded like every number
        if self.expanded is not None and self.k is not None and self.expanded / self.k > 1e30:
            raise ValueError(
                tr(
                    f"expanded / k 应不超过 {MAX_MAGNITUDE:g}；k 通常为 2",
                    f"expanded / k must be at most {MAX_MAGNITUDE:g}; expected k such as 2",
                )
            )
        if (self.min is None) != (self.max is None):
            raise ValueError(
                tr(
                    "min 与 max 需同时给出（附录 C 的界限）",
                    "give both min and max (Appendix C bounds)",
                )
            )
        if self.min is not None and self.max is not None and not self.min <= self.max:
            raise ValueError(
                tr(
                    f"min（{self.min}）不应大于 max（{self.max}）",
                    f"min ({self.min}) must not exceed max ({self.max})",
                )
            )
        for name in ("standard", "relative", "expanded", "min", "max"):
            v = getattr(self, name)
            if v is not None and not math.isfinite(v):
                raise ValueError(tr(f"{name} 应为有限数值", f"{name} must be a finite number"))
        return self

    @property
    def form(self) -> str:
        """Which of the four forms this is."""
        if self.standard is not None:
            return "standard"
        if self.relative is not None:
            return "relative"
        if self.expanded is not None:
            return "expanded"
        return "bounds"

    def standard_for(self, value: float) -> float:
        """The standard uncertainty for a quantity whose estimate is ``value``."""
        if self.standard is not None:
            return self.standard
        if self.relative is not None:
            return self.relative * abs(value)
        if self.expanded is not None and self.k is not None:
            return self.expanded / self.k
        assert self.min is not None and self.max is not None
        return max(abs(self.max - value), abs(value - self.min)) / math.sqrt(3.0)

    def check_bounds(self, value: float) -> str | None:
        """A message if Appendix C bounds do not enclose ``value``, else ``None``."""
        if self.min is not None and self.max is not None and not self.min <= value <= self.max:
            return tr(
                f"数值 {value} 超出其界限 [{self.min}, {self.max}]",
                f"the value {value} lies outside its bounds [{self.min}, {self.max}]",
            )
        return None

    @property
    def sampling(self) -> DistributionName:
        """The distribution to sample in Monte Carlo."""
        if self.distribution is not None:
            return self.distribution
        return "rectangular" if self.form == "bounds" else "normal"


# --------------------------------------------------------------------------- small parts


class LocalizedText(_Strict):
    """A text in Chinese and/or English.

    >>> LocalizedText.model_validate("铜").pick("en")
    '铜'
    """

    zh: str | None = None
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"zh": value} if _has_cjk(value) else {"en": value}
        return value

    @model_validator(mode="after")
    def _some(self) -> LocalizedText:
        if not (self.zh or self.en):
            raise ValueError(
                tr("请给出中文（zh）和/或英文（en）名称", "give a name in zh and/or en")
            )
        return self

    def pick(self, lang: str = "zh") -> str:
        """The text in ``lang``, falling back to the other language."""
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first or second or ""

    def __str__(self) -> str:
        if self.zh and self.en:
            return f"{self.zh} ({self.en})"
        return self.pick()


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


class Source(_Strict):
    """A citation for a datum or factor."""

    citation: str = Field(min_length=1)
    publisher: str | None = None
    url: str | None = None
    published: dt.date | None = None
    locator: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, value: Any) -> Any:
        return {"citation": value} if isinstance(value, str) else value


class Person(_Strict):
    """A named person with an optional date (evaluator, recorder, checker)."""

    name: str = Field(min_length=1)
    date: dt.date | None = None
    organisation: str | None = None


class Manufacturer(_Strict):
    """The producer (Table A.1, Appendix B)."""

    name: str = Field(min_length=1)
    address: str | None = None
    legal_representative: str | None = None
    contact: str | None = None
    phone: str | None = None


class AnnualOutput(_Strict):
    """Last year's output and its unit (Table A.1)."""

    quantity: float = Field(ge=0)
    unit: str = "piece"

    @field_validator("unit")
    @classmethod
    def _count(cls, value: str) -> str:
        if problem := count_unit_problem(value):
            raise ValueError(problem)
        return value


Urn = Annotated[str, Field(pattern=r"^[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$")]
GwpBasis = Annotated[str, Field(pattern=r"^AR\d+$")]


class Product(_Strict):
    """The product and its functional unit (§3.3, Table A.1).

    >>> Product(name="电能表", model="DDZY").functional_unit
    '1 台'
    """

    name: str = Field(min_length=1)
    model: str | None = None
    rating: str | None = Field(
        default=None, description="voltage/current rating, e.g. 220 V 5(60) A"
    )
    accuracy_class: str | None = None
    category: str | None = Field(default=None, description="e.g. single-phase smart meter")
    manufacturer: Manufacturer | None = None
    annual_output: AnnualOutput | None = None
    functional_unit: str = "1 台"
    function: str | None = None
    description: str | None = None
    picture: str | None = Field(
        default=None, description="path of a picture, relative to the study"
    )
    # --- identity and content for the PACT v3 exchange (all optional; the PACT export
    # refuses, naming the field, when one it needs was never declared)
    product_ids: tuple[Urn, ...] = Field(
        default=(),
        description="product identifiers as URNs, e.g. urn:pact:example.com:product-id:X1",
    )
    gtin: str | None = Field(
        default=None, pattern=r"^\d{8}$|^\d{12,14}$", description="GTIN-8/12/13/14"
    )
    company_ids: tuple[Urn, ...] = Field(
        default=(), description="identifiers of the data owner (manufacturer) as URNs"
    )
    classifications: tuple[Urn, ...] = Field(
        default=(),
        description="product classifications as URNs, e.g. urn:pact:productclassification:hs:9028",
    )
    cpc: str | None = Field(
        default=None, pattern=r"^\d{1,5}$", description="UN CPC code of the product category"
    )
    country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 country of production"
    )
    mass_kg: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="mass of one functional unit without packaging, in kg",
    )
    fossil_carbon_kg: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="fossil carbon content of one unit, in kg C",
    )
    biogenic_carbon_kg: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="biogenic carbon content of one unit, in kg C (0 when none)",
    )
    packaging_included: bool | None = Field(
        default=None, description="whether packaging emissions are inside the footprint"
    )
    packaging_biogenic_carbon_kg: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="biogenic carbon content of the packaging of one unit, in kg C",
    )
    pcr: str | None = Field(
        default=None, description="id of the product rule (PCR) the study follows, e.g. smart-meter"
    )
    gwp_basis: tuple[GwpBasis, ...] = Field(
        default=(),
        description="IPCC assessment report(s) of the GWP values, e.g. AR5, declared for "
        "factors whose library entry records none",
    )


_YEAR = re.compile(r"^\s*(\d{4})\s*(?:年度?)?\s*$")


class Period(_Strict):
    """The evaluation period; one calendar year by default (§9).

    A year is written ``2025``, ``"2025"``, ``2025年`` or ``{year: 2025}``.

    >>> Period.model_validate({"start": "2025-07-01"}).end.isoformat()
    '2026-06-30'
    >>> Period.model_validate("2025年").label
    '2025'
    """

    start: dt.date
    end: dt.date

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, value: Any) -> Any:
        if isinstance(value, str) and (m := _YEAR.match(value)):
            value = int(m.group(1))
        if (
            isinstance(value, dict)
            and isinstance(value.get("year"), str)
            and (m := _YEAR.match(value["year"]))
        ):
            value = {**value, "year": int(m.group(1))}
        if isinstance(value, int) and not isinstance(value, bool):
            if not 1 <= value <= 9999:
                raise ValueError(
                    tr(
                        f"年份应在 1 到 9999 之间（实际为 {value}）",
                        f"expected a year between 1 and 9999 (got {value})",
                    )
                )
            return {"start": dt.date(value, 1, 1), "end": dt.date(value, 12, 31)}
        if isinstance(value, dict) and "year" in value:
            rest = {k: v for k, v in value.items() if k != "year"}
            if rest:
                raise ValueError(
                    tr(
                        "请给出 year 或 start/end，不要同时给出",
                        "give either year or start/end, not both",
                    )
                )
            year = value["year"]
            if not isinstance(year, int) or isinstance(year, bool):
                raise ValueError(
                    tr("year 应为整数，如 2025", "year must be an integer such as 2025")
                )
            if not 1 <= year <= 9999:
                raise ValueError(
                    tr(
                        f"year 应在 1 到 9999 之间（实际为 {year}）",
                        f"year must be between 1 and 9999 (got {year})",
                    )
                )
            return {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}
        if isinstance(value, dict) and "start" in value and "end" not in value:
            start = value["start"]
            if isinstance(start, str):
                try:
                    start = dt.date.fromisoformat(start)
                except ValueError:
                    raise ValueError(
                        tr(
                            f"日期无效，应为 YYYY-MM-DD（实际为 {start!r}）",
                            f"not a valid date; expected YYYY-MM-DD (got {start!r})",
                        )
                    ) from None
            if isinstance(start, dt.date):
                try:
                    nxt = start.replace(year=start.year + 1)
                except ValueError:  # 29 February
                    nxt = start.replace(year=start.year + 1, day=28)
                return {"start": start, "end": nxt - dt.timedelta(days=1)}
        if not isinstance(value, dict | Period):
            raise ValueError(
                tr(
                    "应为年份（2025 或 2025年）、{year: 2025}、{start: 2025-07-01}（从该日起一年）"
                    "或 {start: 2025-07-01, end: 2026-06-30}",
                    "expected a year (2025 or 2025年), {year: 2025}, {start: 2025-07-01} (one "
                    "year from that day) or {start: 2025-07-01, end: 2026-06-30}",
                )
            )
        return value

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end < self.start:
            raise ValueError(
                tr(
                    f"结束日期 {self.end} 早于开始日期 {self.start}",
                    f"end {self.end} is before start {self.start}",
                )
            )
        return self

    @property
    def label(self) -> str:
        """``2025`` for a calendar year, else ``start – end``."""
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        ):
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"
