"""Emission factors, activity data and the study itself; see :mod:`tanzuji.model`.

The domain model of a product carbon-footprint evaluation ("study"), pure pydantic v2.

A study names a product (the functional unit), an evaluation period, a system boundary
(any subset of the five life-cycle stages) and a list of activity data. Each activity
multiplies measured or secondary quantities by emission factors referenced by id.

>>> study = Study.model_validate({
...     "id": "S1",
...     "product": {"name": "单相智能电能表", "model": "DDZY-1"},
...     "period": 2025,
...     "boundary": ["raw_materials", "manufacturing"],
...     "activities": [
...         {"stage": "manufacturing", "name": "electricity", "quantity": 1.5, "unit": "kWh",
...          "factor": "cn.electricity.footprint.2023"},
...     ],
... })
>>> study.period.start.isoformat(), study.period.end.isoformat()
('2025-01-01', '2025-12-31')
>>> study.activities[0].process
<Process.PRODUCTION: 'production'>
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from tanzuji.errors import UnitError
from tanzuji.i18n import tr
from tanzuji.model.base import (
    LocalizedText,
    Period,
    Person,
    Product,
    Source,
    Uncertainty,
    _Strict,
)
from tanzuji.model.derived import (
    Allocation,
    Calculation,
    Candidate,
    check_consistent,
    derive_fields,
)
from tanzuji.model.enums import (
    DEFAULT_PROCESS,
    DEFAULT_TRANSPORT_PROCESS,
    DataType,
    FactorType,
    Grade,
    Process,
    Stage,
)
from tanzuji.model.governance import ExcludedProcess, Instrument, Site
from tanzuji.model.quantities import Measured, RefSite, SharedQuantity, resolve_references
from tanzuji.units import to_unit


class EmissionFactor(_Strict):
    """A carbon-footprint factor with its source and Table 5 type.

    >>> ef = EmissionFactor(id="x", name="电力", value=0.6205, unit="kgCO2e/kWh",
    ...                     source="MEE 2025", factor_type="national_database")
    >>> ef.grade
    <Grade.FAIRLY_HIGH: 'fairly_high'>
    """

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
    name: LocalizedText
    value: float = Field(ge=0, allow_inf_nan=False)
    unit: str = Field(min_length=1)
    gas: Literal["CO2e", "CO2"] = "CO2e"
    scope: str | None = None
    region: str | None = None
    year: int | None = None
    factor_type: FactorType
    source: Source
    uncertainty: Uncertainty | None = None
    verification: Literal["verified", "recomputed", "unverified"] | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()
    library: str | None = Field(default=None, description="id of the library it came from")
    gwp: str | None = Field(
        default=None,
        pattern=r"^AR\d+$",
        description="IPCC assessment report of the GWP values behind a CO2e factor, e.g. AR5",
    )

    @property
    def grade(self) -> Grade:
        """Quality grade from the factor type (Table 5)."""
        return self.factor_type.grade

    @property
    def u(self) -> float:
        """Standard uncertainty of the value (0 when none is given)."""
        return self.uncertainty.standard_for(self.value) if self.uncertainty else 0.0


FactorRef = Annotated[str, Field(min_length=1)]

# --------------------------------------------------------------------------- activities


HOURS_PER_YEAR = 8760.0
"""Default operating hours per year of service life (365 days × 24 h)."""
_YEAR_UNITS = ("year", "years", "a", "yr", "年", "y")

_MEASURED_KEYS = ("instrument", "calculated", "allocation", "candidates")


def _measured_evidence(value: Any, depth: int = 0) -> bool:
    if isinstance(value, dict):
        if any(value.get(k) for k in _MEASURED_KEYS):
            return True
        return depth < 2 and any(_measured_evidence(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_measured_evidence(v, depth + 1) for v in value)
    return False


def default_data_type(data: Any) -> Any:
    """Fill the data type of an activity that states none.

    An activity (or one of its quantities) naming an instrument, a calculation, an
    allocation or candidates is measured on site; so is everything in the manufacturing
    stage, which §4 requires to be measured (a missing instrument is then reported). Other
    data without any of these are generic: ``estimate`` (grade low, Table 4), not a
    measurement whose instrument is missing.

    >>> default_data_type({"stage": "use", "quantity": 1})["data_type"]
    'estimate'
    >>> "data_type" in default_data_type({"stage": "use", "quantity": 1, "instrument": "M"})
    False
    """
    if not isinstance(data, dict) or data.get("data_type") is not None:
        return data
    try:
        stage = Stage(str(data.get("stage")))
    except ValueError:
        return data
    if stage is Stage.MANUFACTURING or _measured_evidence(data):
        return data
    return {**data, "data_type": DataType.ESTIMATE.value}


class _ActivityBase(_Strict):
    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
    stage: Stage
    process: Process | None = None
    name: LocalizedText
    data_type: DataType = Field(
        default=DataType.ONSITE_MEASURED,
        description="default: onsite_measured when the activity names an instrument, a "
        "calculation, an allocation or candidates, or is in the manufacturing stage; else "
        "estimate (generic data)",
    )
    source: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_type(cls, data: Any) -> Any:
        return default_data_type(data)

    @property
    def grade(self) -> Grade:
        """Quality grade of the activity data (Tables 2 and 4)."""
        return self.data_type.grade

    def _check_allocation(self) -> None:
        alloc: Allocation | None = getattr(self, "allocation", None)
        if alloc is not None and (alloc.batch_quantity is not None or alloc.unit is not None):
            raise ValueError(
                tr(
                    "此处的分配作用于本活动自身的总量（所有型号合计）；"
                    "请去掉 allocation.batch_quantity 和 allocation.unit",
                    "allocation here applies to this activity's own totals (all models "
                    "together); leave out allocation.batch_quantity and allocation.unit",
                )
            )

    def _check_process(self, default: dict[Stage, Process]) -> Process:
        if self.process is None:
            if self.stage not in default:
                allowed = ", ".join(s.value for s in default)
                raise ValueError(
                    tr(
                        f"这类活动属于以下阶段之一：{allowed}",
                        f"this kind of activity belongs to one of the stages {allowed}",
                    )
                )
            return default[self.stage]
        if self.process.stage is not self.stage:
            raise ValueError(
                tr(
                    f"过程“{self.process.zh}”属于{self.process.stage.zh}，不属于{self.stage.zh}",
                    f"process {self.process.value!r} belongs to stage "
                    f"{self.process.stage.value!r}, not {self.stage.value!r}",
                )
            )
        return self.process


class Activity(_ActivityBase, RefSite):
    """An activity datum M with its factor EF: E = M·EF (formulas (3), (9), (15), (17))."""

    kind: Literal["flow"] = "flow"
    quantity: float = Field(ge=0, allow_inf_nan=False)
    unit: str = Field(min_length=1)
    factor: FactorRef
    uncertainty: Uncertainty | None = None
    instrument: str | None = Field(default=None, description="id in the instrument register")
    disposal_route: str | None = Field(default=None, description="end-of-life disposal route")
    candidates: tuple[Candidate, ...] = Field(
        default=(), description="several data for this item; the best data type wins"
    )
    calculated: Calculation | None = Field(
        default=None, description="on-site calculation giving the quantity (Table 2)"
    )
    allocation: Allocation | None = Field(
        default=None, description="shared batch allocated by output × BOM (§6.1)"
    )

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: Any) -> Any:
        return derive_fields(data)

    @model_validator(mode="after")
    def _process(self) -> Activity:
        proc = self._check_process(DEFAULT_PROCESS)
        object.__setattr__(self, "process", proc)
        check_consistent(
            self.quantity,
            self.unit,
            self.candidates,
            self.calculated,
            self.allocation,
            self.data_type if self.candidates else None,
        )
        return self


class EnergyUse(RefSite):
    """One energy carrier consumed by a transport leg (formula (5))."""

    carrier: str = Field(min_length=1, description="e.g. diesel, gasoline, electricity")
    quantity: float = Field(ge=0, allow_inf_nan=False)
    unit: str = Field(min_length=1)
    factor: FactorRef
    uncertainty: Uncertainty | None = None
    instrument: str | None = None
    data_type: DataType | None = None
    source: str | None = None


class Transport(_ActivityBase):
    """A transport leg, by energy consumed (5)/(6) or by mass × distance × mode factor (7)/(8)."""

    kind: Literal["transport"] = "transport"
    mode: str | None = Field(default=None, description="road, rail, ship, air, …")
    energy: tuple[EnergyUse, ...] | None = None
    mass: Measured | None = None
    distance: Measured | None = None
    factor: FactorRef | None = Field(default=None, description="mode factor, per mass·distance")
    allocation: Allocation | None = Field(
        default=None,
        description="the data are totals of several product models, allocated by output (§6.1)",
    )

    @model_validator(mode="after")
    def _form(self) -> Transport:
        by_energy = self.energy is not None
        by_distance = any(x is not None for x in (self.mass, self.distance, self.factor))
        if by_energy and by_distance:
            raise ValueError(
                tr(
                    "请给出 energy（消耗的燃料/电力）或 mass、distance 和 factor，不要同时给出",
                    "give either energy (fuel/electricity consumed) or mass, distance and factor, "
                    "not both",
                )
            )
        if not by_energy and not by_distance:
            raise ValueError(
                tr(
                    "运输段需要 energy: [...]（消耗的燃料/电力），"
                    "或 mass、distance 和 factor（质量 × 距离 × 运输方式因子）",
                    "a transport leg needs either energy: [...] (fuel/electricity consumed) "
                    "or mass, distance and factor (mass × distance × mode factor)",
                )
            )
        if by_energy and not self.energy:
            raise ValueError(
                tr("energy 至少应列出一种能源", "energy must list at least one carrier")
            )
        if by_distance:
            missing = [n for n in ("mass", "distance", "factor") if getattr(self, n) is None]
            if missing:
                raise ValueError(
                    tr(
                        f"按距离计算的运输需要 mass、distance 和 factor；缺少 {'、'.join(missing)}",
                        "transport by distance needs mass, distance and factor; "
                        f"missing {', '.join(missing)}",
                    )
                )
        self._check_allocation()
        proc = self._check_process(DEFAULT_TRANSPORT_PROCESS)
        if proc not in (
            Process.INBOUND_TRANSPORT,
            Process.OUTBOUND_TRANSPORT,
            Process.REMOVAL_TRANSPORT,
        ):
            raise ValueError(
                tr(
                    f"过程“{proc.zh}”不是运输过程",
                    f"process {proc.value!r} is not a transport process",
                )
            )
        object.__setattr__(self, "process", proc)
        return self

    @property
    def form(self) -> Literal["energy", "distance"]:
        """Which form of the specification this leg uses."""
        return "energy" if self.energy is not None else "distance"


class SupplyPart(RefSite):
    """One part of the electricity split of Table A.4."""

    quantity: float = Field(ge=0, allow_inf_nan=False)
    factor: FactorRef
    uncertainty: Uncertainty | None = None
    instrument: str | None = None
    data_type: DataType | None = None
    source: str | None = None


class ElectricitySupply(_ActivityBase):
    """Electricity split into grid, green-power trading and on-site generation (Table A.4).

    Each part carries its own factor. An optional metered total must agree with the sum of
    the parts within their combined expanded uncertainty (k = 2); the calculation checks it.
    """

    kind: Literal["electricity"] = "electricity"
    unit: str = "kWh"
    total: Measured | None = None
    grid: SupplyPart | None = None
    green_trading: SupplyPart | None = None
    onsite: SupplyPart | None = None
    allocation: Allocation | None = Field(
        default=None,
        description="the data are totals of several product models, allocated by output (§6.1)",
    )

    @model_validator(mode="after")
    def _parts(self) -> ElectricitySupply:
        if all(p is None for p in (self.grid, self.green_trading, self.onsite)):
            raise ValueError(
                tr(
                    "请至少给出电网电量（grid）、绿电交易电量（green_trading）、现场发电电量（onsite）之一",
                    "give at least one of grid, green_trading, onsite",
                )
            )
        self._check_allocation()
        proc = self._check_process(DEFAULT_PROCESS)
        object.__setattr__(self, "process", proc)
        return self


class Operation(_ActivityBase):
    """Use-stage electricity from own power consumption × operating time (formula (15)).

    M_use = P · t, converted to the factor's energy unit. The operating time is either
    ``duration`` (a time, e.g. ``70080 h``) or ``service_life`` (years) × ``hours_per_year``
    (default 8 760 h: operating all year), from which ``duration`` is filled in.

    >>> op = Operation.model_validate({"stage": "use", "name": "运行", "factor": "g",
    ...     "power": {"quantity": 1.2, "unit": "W"},
    ...     "service_life": {"quantity": 8, "unit": "year", "uncertainty": {"standard": 1}}})
    >>> op.duration.quantity, op.duration.unit, op.duration.uncertainty.standard
    (70080.0, 'h', 8760.0)
    """

    kind: Literal["operation"] = "operation"
    power: Measured
    duration: Measured
    service_life: Measured | None = Field(
        default=None, description="service life in years (gives duration with hours_per_year)"
    )
    hours_per_year: float = Field(
        default=HOURS_PER_YEAR,
        gt=0,
        le=8784,
        allow_inf_nan=False,
        description="operating hours per year of service life (default 8760 h)",
    )
    factor: FactorRef
    allocation: Allocation | None = Field(
        default=None,
        description="the data are totals of several product models, allocated by output (§6.1)",
    )

    @model_validator(mode="before")
    @classmethod
    def _duration(cls, data: Any) -> Any:
        return duration_from_service_life(data)

    @model_validator(mode="after")
    def _process(self) -> Operation:
        self._check_allocation()
        proc = self._check_process(DEFAULT_PROCESS)
        object.__setattr__(self, "process", proc)
        return self


def duration_from_service_life(data: Any) -> Any:
    """Fill ``duration`` (h) of an operation from ``service_life`` × ``hours_per_year``.

    The service life is counted in years of operation (a ``year`` here is one year of
    service, not pint's Julian 8 766 h); the uncertainty scales by the same factor.

    >>> duration_from_service_life({"service_life": {"quantity": 10, "unit": "year"},
    ...     "hours_per_year": 2000})["duration"]["quantity"]
    20000.0
    """
    if not isinstance(data, dict) or not isinstance(data.get("service_life"), dict):
        return data
    given = data.get("duration")
    life = data["service_life"]
    hours = data.get("hours_per_year", HOURS_PER_YEAR)
    qty, unit = life.get("quantity"), life.get("unit", "year")
    for field_name, value in (("service_life.quantity", qty), ("hours_per_year", hours)):
        if not isinstance(value, int | float) or isinstance(value, bool):
            # said here: otherwise the only error would be a missing ``duration``
            raise ValueError(
                tr(
                    f"{field_name} 应为数字（duration 由 service_life × hours_per_year 得出；"
                    f"实际为 {value!r}）",
                    f"{field_name} must be a number (duration is service_life × "
                    f"hours_per_year; got {value!r})",
                )
            )
    if str(unit).strip() in _YEAR_UNITS:
        years = float(qty)
    else:
        try:
            years = to_unit(float(qty), str(unit), "year")
        except UnitError:
            raise ValueError(
                tr(
                    f"service_life.unit {unit!r} 不是时间单位；应为年（year）",
                    f"service_life.unit {unit!r} is not a time unit; expected years",
                )
            ) from None
    factor = (years / float(qty) if qty else 1.0) * float(hours)
    duration: dict[str, Any] = {
        k: v for k, v in life.items() if k in ("data_type", "source", "instrument", "ref")
    }
    duration.update(
        quantity=years * float(hours),
        unit="h",
        note=f"service life {qty:g} {unit} × {hours:g} h/year",
    )
    unc = life.get("uncertainty")
    if isinstance(unc, dict):
        duration["uncertainty"] = {
            k: (
                v * factor
                if k in ("standard", "expanded", "min", "max") and isinstance(v, int | float)
                else v
            )
            for k, v in unc.items()
        }
    if given is not None:
        # a study written back (model_dump) carries both; they must agree
        same = (
            isinstance(given, dict)
            and given.get("unit") == "h"
            and isinstance(given.get("quantity"), int | float)
            and math.isclose(given["quantity"], duration["quantity"], rel_tol=1e-9)
        )
        if not same:
            raise ValueError(
                tr(
                    "请给出 duration 或 service_life（× hours_per_year），不要同时给出",
                    "give either duration or service_life (× hours_per_year), not both",
                )
            )
        return data
    return {**data, "duration": duration}


def activity_kind(value: Any) -> str | None:
    """Which kind of activity a mapping describes: its ``kind``, else inferred from its fields.

    >>> activity_kind({"mass": {}, "distance": {}}), activity_kind({"quantity": 1})
    ('transport', 'flow')
    """
    if isinstance(value, _ActivityBase):
        return str(getattr(value, "kind", None))
    if not isinstance(value, dict):
        return None
    if "kind" in value:
        kind = value["kind"]
        return kind if kind in ACTIVITY_KINDS else None
    if {"energy", "mass", "distance", "mode"} & value.keys():
        return "transport"
    if {"grid", "green_trading", "onsite", "total"} & value.keys():
        return "electricity"
    if {"power", "duration", "service_life"} & value.keys():
        return "operation"
    return "flow"


ACTIVITY_KINDS = ("flow", "transport", "electricity", "operation")


AnyActivity = Annotated[
    Annotated[Activity, Tag("flow")]
    | Annotated[Transport, Tag("transport")]
    | Annotated[ElectricitySupply, Tag("electricity")]
    | Annotated[Operation, Tag("operation")],
    Discriminator(
        activity_kind,
        custom_error_type="activity_kind",
        custom_error_message="kind must be one of flow, transport, electricity, operation",
    ),
]


# --------------------------------------------------------------------------- study


class Study(_Strict):
    """A product carbon-footprint evaluation: product, period, boundary and activity data."""

    schema_version: Literal[1] = 1
    id: str = Field(min_length=1)
    title: str | None = None
    product: Product
    period: Period
    boundary: tuple[Stage, ...] = tuple(Stage)
    cutoff_rule: str | None = Field(
        default=None, description="text of the cut-off rule applied (§5.1)"
    )
    specification: str = "JJF XXXX—XXXX 温室气体产品碳足迹量化计量评价技术规范 电能表（草案）"
    evaluator: Person | None = None
    recorder: Person | None = None
    checker: Person | None = None
    place: str | None = None
    site: Site | None = None
    instruments: tuple[Instrument, ...] = Field(
        default=(), description="instrument register (Table A.2)"
    )
    excluded: tuple[ExcludedProcess, ...] = Field(
        default=(), description="processes left out by the cut-off rule (§5.1)"
    )
    factor_libraries: tuple[str, ...] = Field(
        default=(), description="library files (relative to the study) or builtin ids"
    )
    factors: tuple[EmissionFactor, ...] = ()
    quantities: tuple[SharedQuantity, ...] = Field(
        default=(),
        description="measured values declared once and referenced by activities as {ref: id}",
    )
    activities: tuple[AnyActivity, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _references(cls, data: Any) -> Any:
        return resolve_references(data)

    @field_validator("boundary", mode="before")
    @classmethod
    def _boundary(cls, value: Any) -> Any:
        if value in ("cradle-to-gate", "摇篮到大门", "从摇篮到大门"):
            return (Stage.RAW_MATERIALS, Stage.MANUFACTURING)
        if value in ("cradle-to-grave", "摇篮到坟墓", "从摇篮到坟墓"):
            return tuple(Stage)
        return value

    @field_validator("boundary", mode="after")
    @classmethod
    def _boundary_set(cls, value: tuple[Stage, ...]) -> tuple[Stage, ...]:
        if not value:
            raise ValueError(
                tr("系统边界至少应包含一个阶段", "the system boundary needs at least one stage")
            )
        if len(set(value)) != len(value):
            raise ValueError(tr("有阶段重复列出", "a stage is listed twice"))
        return tuple(s for s in Stage if s in value)

    @model_validator(mode="after")
    def _consistency(self) -> Study:
        seen: dict[str, int] = {}
        for i, act in enumerate(self.activities):
            if act.id is not None:
                if act.id in seen:
                    raise ValueError(
                        tr(
                            f"activities[{i}].id {act.id!r} 与 activities[{seen[act.id]}].id 重复",
                            f"activities[{i}].id {act.id!r} repeats activities[{seen[act.id]}].id",
                        )
                    )
                seen[act.id] = i
        inst_ids: dict[str, int] = {}
        for j, inst in enumerate(self.instruments):
            if inst.id in inst_ids:
                k = inst_ids[inst.id]
                raise ValueError(
                    tr(
                        f"instruments[{j}].id {inst.id!r} 与 instruments[{k}].id 重复",
                        f"instruments[{j}].id {inst.id!r} repeats instruments[{k}].id",
                    )
                )
            inst_ids[inst.id] = j
        qids: dict[str, int] = {}
        for j, q in enumerate(self.quantities):
            if q.id in qids:
                k = qids[q.id]
                raise ValueError(
                    tr(
                        f"quantities[{j}].id {q.id!r} 与 quantities[{k}].id 重复",
                        f"quantities[{j}].id {q.id!r} repeats quantities[{k}].id",
                    )
                )
            qids[q.id] = j
        ids: set[str] = set()
        for j, ef in enumerate(self.factors):
            if ef.id in ids:
                raise ValueError(
                    tr(
                        f"factors[{j}].id {ef.id!r} 在本研究中定义了两次",
                        f"factors[{j}].id {ef.id!r} is defined twice in this study",
                    )
                )
            ids.add(ef.id)
        return self

    def quantity(self, ref: str) -> SharedQuantity:
        """The shared quantity declared with id ``ref``."""
        return next(q for q in self.quantities if q.id == ref)

    def activity_key(self, index: int) -> str:
        """A stable key for an activity: its id, else ``activities[i]``."""
        act = self.activities[index]
        return act.id if act.id is not None else f"activities[{index}]"
