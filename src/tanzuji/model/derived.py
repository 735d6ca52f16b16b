"""Quantities derived from other data: candidates, on-site calculations and allocation.

Three optional blocks on an activity quantity (see ``docs/governance.md``):

- ``candidates``: several data for the same item; the highest-priority data type
  (Tables 2 and 4) wins and the reason is recorded (:func:`select_candidate`);
- ``calculated``: a measurement model for on-site calculated data (Table 2):
  ``register_difference`` (E = (R_end − R_start)·K_CT·K_PT), ``gas_standard_volume``
  (V_n = V·(p/p_n)·(T_n/T)) or ``readings`` (mean of repeated readings);
- ``allocation``: a material batch shared by several product models, allocated by each
  model's output × BOM quantity (§6.1).

The quantity (and, when absent, unit, data type and instrument) is filled in from the
block; a quantity that is given as well must agree with it. The uncertainty is derived
when the study is compiled (:mod:`tanzuji.metrology.measurement`).

>>> calc = RegisterDifference(start=1000, end=1250, ct_ratio="200/5")
>>> calc.estimate(), calc.unit
(10000.0, 'kWh')
>>> select_candidate([Candidate(quantity=9, unit="kWh", data_type="literature"),
...                   Candidate(quantity=10, unit="kWh", data_type="onsite_measured")])[0]
1
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator

from tanzuji.errors import UnitError
from tanzuji.i18n import tr
from tanzuji.model.base import Uncertainty, _Strict
from tanzuji.model.enums import DataType
from tanzuji.units import to_unit

__all__ = [
    "CALCULATION_MODELS",
    "Allocation",
    "AllocationShare",
    "Calculation",
    "Candidate",
    "GasStandardVolume",
    "Reading",
    "RegisterDifference",
    "RepeatedReadings",
    "check_consistent",
    "derive_fields",
    "derived_value",
    "parse_ratio",
    "select_candidate",
]

_RATIO_SIDE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)\s*([^\s0-9].*)?$")


def parse_ratio(text: str | float) -> float:
    """A transformer ratio such as ``"200/5"``, ``"10 kV/100 V"`` or ``40`` as a number.

    >>> parse_ratio("200/5"), parse_ratio("10 kV / 100 V"), parse_ratio(1)
    (40.0, 100.0, 1.0)
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        parts = str(text).split("/")
        if len(parts) not in (1, 2):
            raise ValueError(
                tr(
                    f"应为比值，如 200/5（实际为 {text!r}）",
                    f"expected a ratio such as 200/5 (got {text!r})",
                )
            )
        sides = []
        for part in parts:
            m = _RATIO_SIDE.match(part)
            if not m:
                raise ValueError(
                    tr(
                        f"应为比值，如 200/5 或 10 kV/100 V（实际为 {text!r}）",
                        f"expected a ratio such as 200/5 or 10 kV/100 V (got {text!r})",
                    )
                )
            sides.append((float(m.group(1)), (m.group(2) or "").strip()))
        if len(sides) == 1:
            value = sides[0][0]
        else:
            (a, ua), (b, ub) = sides
            if ua and ub:
                try:
                    a = to_unit(a, ua, ub)
                except UnitError:
                    raise ValueError(
                        tr(
                            f"{text!r} 两边的单位不可比",
                            f"the two sides of {text!r} are not comparable",
                        )
                    ) from None
            elif ua or ub:
                raise ValueError(
                    tr(
                        f"{text!r} 应两边都带单位或都不带",
                        f"give units on both sides of {text!r} or on neither",
                    )
                )
            if b == 0:
                raise ValueError(tr(f"比值 {text!r} 的分母为零", f"ratio {text!r} divides by zero"))
            value = a / b
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            tr(
                f"比值应为正数（实际为 {text!r}）",
                f"a ratio must be a positive number (got {text!r})",
            )
        )
    return value


_QUANTITY_ZH = {"volume": "体积", "pressure": "压力", "temperature": "温度"}


class Reading(_Strict):
    """One instrument reading used in a calculation (the value may be negative, e.g. °C)."""

    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1)
    uncertainty: Uncertainty | None = None
    instrument: str | None = Field(default=None, description="id in the instrument register")


class RegisterDifference(_Strict):
    """Energy from two register readings: E = (R_end − R_start) × K_CT × K_PT.

    The meter's class (and the CT/PT classes of its register entry) give u.
    """

    model: Literal["register_difference"] = "register_difference"
    start: float = Field(ge=0, allow_inf_nan=False)
    end: float = Field(ge=0, allow_inf_nan=False)
    register_unit: str = "kWh"
    resolution: float | None = Field(
        default=None, gt=0, description="last digit of the register, in register_unit"
    )
    ct_ratio: str | float = 1.0
    pt_ratio: str | float = 1.0
    instrument: str | None = Field(default=None, description="the meter, in the register")

    @field_validator("ct_ratio", "pt_ratio")
    @classmethod
    def _ratio(cls, value: str | float) -> str | float:
        parse_ratio(value)
        return value

    @model_validator(mode="after")
    def _order(self) -> RegisterDifference:
        if self.end < self.start:
            raise ValueError(
                tr(
                    f"终止读数 {self.end:g} 小于起始读数 {self.start:g}；"
                    "计数器翻转时应分为两段差值",
                    f"end reading {self.end:g} is below start reading {self.start:g}; a register "
                    "that rolled over needs two differences",
                )
            )
        return self

    @property
    def multiplier(self) -> float:
        """K_CT × K_PT."""
        return parse_ratio(self.ct_ratio) * parse_ratio(self.pt_ratio)

    @property
    def unit(self) -> str:
        """Unit of the result."""
        return self.register_unit

    def estimate(self) -> float:
        """E in ``register_unit``."""
        return (self.end - self.start) * self.multiplier


class GasStandardVolume(_Strict):
    """Gas volume at the standard state: V_n = V · (p/p_n) · (T_n/T) (ideal gas, Z = 1).

    ``p`` is absolute; with ``pressure_type: gauge`` the atmospheric pressure is added.
    The reference state defaults to 101.325 kPa and 273.15 K (0 °C); some Chinese
    standards use 20 °C (293.15 K), hence the parameter.
    """

    model: Literal["gas_standard_volume"] = "gas_standard_volume"
    volume: Reading
    pressure: Reading
    temperature: Reading
    pressure_type: Literal["absolute", "gauge"] = "absolute"
    atmospheric_pressure: Reading | None = None
    reference_pressure_kpa: float = Field(default=101.325, gt=0, allow_inf_nan=False)
    reference_temperature_k: float = Field(default=273.15, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _units(self) -> GasStandardVolume:
        for name, ref in (("volume", "m**3"), ("pressure", "kPa"), ("temperature", "K")):
            reading: Reading = getattr(self, name)
            try:
                to_unit(1.0, reading.unit, ref)
            except UnitError:
                raise ValueError(
                    tr(
                        f"{name}.unit {reading.unit!r} 不是{_QUANTITY_ZH[name]}单位",
                        f"{name}.unit {reading.unit!r} is not a {name} unit",
                    )
                ) from None
        if self.atmospheric_pressure is not None:
            if self.pressure_type != "gauge":
                raise ValueError(
                    tr(
                        "atmospheric_pressure 仅用于 pressure_type: gauge（表压）",
                        "atmospheric_pressure only applies with pressure_type: gauge",
                    )
                )
            try:
                to_unit(1.0, self.atmospheric_pressure.unit, "kPa")
            except UnitError:
                raise ValueError(
                    tr(
                        "atmospheric_pressure.unit 不是压力单位",
                        "atmospheric_pressure.unit is not a pressure unit",
                    )
                ) from None
        if self.absolute_pressure_kpa() <= 0:
            raise ValueError(tr("绝对压力应为正数", "the absolute pressure must be positive"))
        if self.temperature_k() <= 0:
            raise ValueError(tr("热力学温度应为正数", "the absolute temperature must be positive"))
        return self

    @property
    def unit(self) -> str:
        """Unit of the result (the volume reading's unit, at the standard state)."""
        return self.volume.unit

    def atmospheric_kpa(self) -> float:
        """Atmospheric pressure added to a gauge reading, kPa (101.325 when not given)."""
        if self.pressure_type == "absolute":
            return 0.0
        if self.atmospheric_pressure is None:
            return 101.325
        return to_unit(self.atmospheric_pressure.value, self.atmospheric_pressure.unit, "kPa")

    def absolute_pressure_kpa(self) -> float:
        """p, absolute, kPa."""
        return to_unit(self.pressure.value, self.pressure.unit, "kPa") + self.atmospheric_kpa()

    def temperature_k(self) -> float:
        """T, kelvin."""
        return to_unit(self.temperature.value, self.temperature.unit, "K")

    def estimate(self) -> float:
        """V_n in the volume reading's unit."""
        return (
            self.volume.value
            * (self.absolute_pressure_kpa() / self.reference_pressure_kpa)
            * (self.reference_temperature_k / self.temperature_k())
        )


class RepeatedReadings(_Strict):
    """Repeated readings of one quantity: the mean, with Type A uncertainty s/√n."""

    model: Literal["readings"] = "readings"
    values: tuple[float, ...] = Field(min_length=2)
    unit: str = Field(min_length=1)
    instrument: str | None = None

    @field_validator("values")
    @classmethod
    def _finite(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if not all(math.isfinite(v) and v >= 0 for v in values):
            raise ValueError(tr("读数应为 ≥ 0 的有限数值", "readings must be finite numbers ≥ 0"))
        return values

    def estimate(self) -> float:
        """The arithmetic mean."""
        return math.fsum(self.values) / len(self.values)


Calculation = Annotated[
    RegisterDifference | GasStandardVolume | RepeatedReadings, Field(discriminator="model")
]
CALCULATION_MODELS = ("register_difference", "gas_standard_volume", "readings")


class AllocationShare(_Strict):
    """One product model sharing the batch: its output (pieces) and BOM quantity per piece.

    Without ``bom_quantity`` every piece weighs 1: allocation by output alone.
    """

    model: str = Field(min_length=1)
    output: float = Field(gt=0, allow_inf_nan=False)
    bom_quantity: float = Field(
        default=1.0,
        ge=0,
        allow_inf_nan=False,
        description="per piece, in unit (default 1: allocation by output)",
    )


class Allocation(_Strict):
    """A quantity shared by several product models, allocated by output × BOM (§6.1).

    Two forms. With ``batch_quantity`` (a plain activity only) the batch is the shared
    material and the activity's quantity is this product's per-unit part. Without it, the
    allocation applies to the activity's own data, which are totals for all models: a plain
    activity's ``quantity``/``calculated``/``{ref}`` becomes the batch, and a transport leg,
    electricity split (Table A.4) or operation has every term multiplied by
    :attr:`per_unit_factor` = bom_p / Σ output·bom (1/Σ output when allocating by output).

    >>> a = Allocation(batch_quantity=330, unit="kg", product_model="A", models=[
    ...     {"model": "A", "output": 10000, "bom_quantity": 0.03},
    ...     {"model": "B", "output": 1000, "bom_quantity": 0.03}])
    >>> round(a.share("A"), 6), round(a.per_unit(), 6)
    (0.909091, 0.03)
    """

    batch_quantity: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="the shared total, in unit"
    )
    unit: str | None = Field(default=None, min_length=1)
    uncertainty: Uncertainty | None = None
    instrument: str | None = Field(default=None, description="instrument weighing the batch")
    product_model: str = Field(min_length=1, description="the model this study evaluates")
    models: tuple[AllocationShare, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _models(self) -> Allocation:
        names = [m.model for m in self.models]
        if len(set(names)) != len(names):
            raise ValueError(
                tr(
                    "allocation.models 中有型号重复列出",
                    "a model is listed twice in allocation.models",
                )
            )
        if self.product_model not in names:
            raise ValueError(
                tr(
                    f"product_model {self.product_model!r} 不在型号列表中（{'、'.join(names)}）",
                    f"product_model {self.product_model!r} is not among the models "
                    f"({', '.join(names)})",
                )
            )
        if self.requirement() <= 0:
            raise ValueError(
                tr(
                    "Σ 产量 × bom_quantity 为零；无法据此分配",
                    "Σ output × bom_quantity is zero; nothing to allocate by",
                )
            )
        return self

    def requirement(self) -> float:
        """Σ output_j × bom_j: the batch quantity the BOMs account for."""
        return math.fsum(m.output * m.bom_quantity for m in self.models)

    def share(self, model: str | None = None) -> float:
        """The share of the batch allocated to ``model`` (default: the product model)."""
        name = model or self.product_model
        row = next(m for m in self.models if m.model == name)
        return row.output * row.bom_quantity / self.requirement()

    def per_unit(self) -> float:
        """This product's quantity per piece: batch × share / output, in ``unit``."""
        if self.batch_quantity is None:
            raise ValueError(
                tr("此分配没有 batch_quantity", "this allocation has no batch_quantity")
            )
        row = next(m for m in self.models if m.model == self.product_model)
        return self.batch_quantity * self.share() / row.output

    @property
    def batch_unit(self) -> str:
        """The unit of the batch (``1`` when none is stated)."""
        return self.unit or "1"

    @property
    def per_unit_factor(self) -> float:
        """per_unit / batch_quantity: the factor that also scales u(batch)."""
        row = next(m for m in self.models if m.model == self.product_model)
        return row.bom_quantity / self.requirement()


class Candidate(_Strict):
    """One candidate datum for an activity quantity."""

    quantity: float = Field(ge=0, allow_inf_nan=False)
    unit: str | None = None
    data_type: DataType
    uncertainty: Uncertainty | None = None
    source: str | None = None
    instrument: str | None = None
    note: str | None = None


_TYPE_ORDER = {t: i for i, t in enumerate(DataType)}


def _u_rel(c: Candidate) -> float:
    if c.uncertainty is None or c.quantity == 0:
        return math.inf
    return c.uncertainty.standard_for(c.quantity) / c.quantity


def select_candidate(candidates: Sequence[Candidate]) -> tuple[int, str, str]:
    """Index of the winning candidate and the reason, in English and Chinese.

    Priority: better quality grade (Tables 2, 4), then the table's order of data types,
    then the smaller relative standard uncertainty, then the first listed.

    >>> a = Candidate(quantity=10, unit="kWh", data_type="enterprise_statistics")
    >>> b = Candidate(quantity=11, unit="kWh", data_type="onsite_measured")
    >>> select_candidate([a, b])[1]  # doctest: +ELLIPSIS
    'onsite_measured (grade high) ranks above enterprise_statistics (grade medium) in ...'
    """
    if not candidates:
        raise ValueError("no candidates")

    def key(i: int) -> tuple[int, int, float, int]:
        c = candidates[i]
        return (c.data_type.grade.rank, _TYPE_ORDER[c.data_type], _u_rel(c), i)

    order = sorted(range(len(candidates)), key=key)
    best = order[0]
    if len(order) == 1:
        return best, "only candidate", "唯一候选数据"
    b, r = candidates[best], candidates[order[1]]
    if (b.data_type.grade, b.data_type) != (r.data_type.grade, r.data_type):
        en = (
            f"{b.data_type.value} (grade {b.data_type.grade.value}) ranks above "
            f"{r.data_type.value} (grade {r.data_type.grade.value}) in Tables 2 and 4"
        )
        zh = (
            f"数据类型 {b.data_type.value}（质量等级{b.data_type.grade.zh}）优先于 "
            f"{r.data_type.value}（质量等级{r.data_type.grade.zh}）（表2、表4）"
        )
        return best, en, zh
    ub, ur = _u_rel(b), _u_rel(r)
    if ub < ur:
        shown = "unknown" if math.isinf(ur) else f"{100 * ur:.3g} %"
        en = f"same data type; smaller relative uncertainty ({100 * ub:.3g} % < {shown})"
        zh = f"数据类型相同，相对标准不确定度较小（{100 * ub:.3g} % < {shown}）"
        return best, en, zh
    return best, "same data type and uncertainty; first listed", "数据类型与不确定度相同，取首个"


_CANDIDATE_LIST: TypeAdapter[tuple[Candidate, ...]] = TypeAdapter(tuple[Candidate, ...])
_CALCULATION: TypeAdapter[Calculation] = TypeAdapter(Calculation)
_ALLOCATION: TypeAdapter[Allocation] = TypeAdapter(Allocation)


def derived_value(block: Calculation | Allocation, unit: str) -> float:
    """The value a ``calculated`` or ``allocation`` block gives, converted to ``unit``.

    >>> derived_value(RegisterDifference(start=0, end=2000), "MWh")
    2.0
    """
    if isinstance(block, Allocation):
        return to_unit(block.per_unit(), block.batch_unit, unit)
    return to_unit(block.estimate(), block.unit, unit)


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json", exclude_none=True) if value is not None else None


def derive_fields(data: Any) -> Any:
    """Fill quantity, unit, data type and instrument of a mapping from its derived block.

    Used as a ``mode="before"`` validator. Invalid blocks are left for the field
    validation to report; a placeholder quantity avoids a second "missing" message.
    """
    if not isinstance(data, Mapping):
        return data
    present = [k for k in ("candidates", "calculated", "allocation") if data.get(k)]
    if not present:
        return data
    if present == ["calculated", "allocation"]:
        data = _batch_from_calculation(data)
        present = ["allocation"]
    elif present == ["allocation"]:
        data = _batch_from_quantity(data)
    if len(present) > 1:
        raise ValueError(
            tr(
                "candidates、calculated、allocation 只能给出一个（calculated 可再分配）"
                f"（实际为 {present}）",
                "give only one of candidates, calculated, allocation (calculated may be "
                f"allocated) (got {present})",
            )
        )
    out = dict(data)
    which = present[0]
    fill: dict[str, Any] = {}
    try:
        if which == "candidates":
            cands = _CANDIDATE_LIST.validate_python(data["candidates"])
            best = cands[select_candidate(cands)[0]]
            fill = {
                "unit": best.unit,
                "data_type": best.data_type.value,
                "uncertainty": _dump(best.uncertainty),
                "source": best.source,
                "instrument": best.instrument,
            }
            unit = best.unit or data.get("unit")
            if unit is None:
                raise ValueError(
                    tr(
                        "请在活动上或每个候选值上给出单位",
                        "give the unit on the activity or on every candidate",
                    )
                )
            fill["quantity"] = to_unit(best.quantity, best.unit or unit, data.get("unit", unit))
        else:
            block: Calculation | Allocation = (
                _CALCULATION.validate_python(data[which])
                if which == "calculated"
                else _ALLOCATION.validate_python(data[which])
            )
            own = block.batch_unit if isinstance(block, Allocation) else block.unit
            unit = data.get("unit") or own
            fill = {
                "quantity": derived_value(block, unit),
                "unit": own,
                "instrument": _main_instrument(block),
                "data_type": "onsite_measured"
                if isinstance(block, RepeatedReadings)
                else "onsite_calculated",
            }
    except ValidationError:
        out.setdefault("quantity", 0.0)
        out.setdefault("unit", "1")
        return out
    except UnitError as exc:
        raise ValueError(f"{which}: {exc.message} ({exc.got})") from None
    for key, value in fill.items():
        if value is not None and key not in out:
            out[key] = value
    return out


def _batch_from_calculation(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A calculated total allocated by output: the calculation gives the batch."""
    alloc = data["allocation"]
    if not isinstance(alloc, Mapping):
        return data
    try:
        calc = _CALCULATION.validate_python(data["calculated"])
    except ValidationError:
        return data  # field validation reports the calculation
    batch = alloc.get("batch_quantity")
    if batch is not None and not (
        isinstance(batch, int | float)
        and math.isclose(batch, calc.estimate(), rel_tol=1e-9)
        and alloc.get("unit") in (None, calc.unit)
    ):
        raise ValueError(
            tr(
                "有 calculated 时由计算给出批量；请去掉 allocation.batch_quantity",
                "with calculated, the calculation gives the batch; leave out "
                "allocation.batch_quantity",
            )
        )
    out = dict(data)
    out["allocation"] = {**alloc, "batch_quantity": calc.estimate(), "unit": calc.unit}
    if _main_instrument(calc) is not None:
        out["allocation"].setdefault("instrument", _main_instrument(calc))
    out.setdefault("data_type", "onsite_calculated")
    return out


def _batch_from_quantity(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """An allocation without batch_quantity on a plain activity: its quantity is the batch."""
    alloc = data["allocation"]
    if not isinstance(alloc, Mapping) or alloc.get("batch_quantity") is not None:
        return data
    if "quantity" not in data:
        raise ValueError(
            tr(
                "分配需要共用的总量：请给出 quantity（所有型号合计）、calculated 或 "
                "allocation.batch_quantity",
                "allocation needs the shared total: give quantity (all models together), "
                "calculated, or allocation.batch_quantity",
            )
        )
    moved = {"batch_quantity": data["quantity"], "unit": alloc.get("unit") or data.get("unit")}
    for key in ("uncertainty", "instrument"):
        if data.get(key) is not None and alloc.get(key) is None:
            moved[key] = data[key]
    out = {k: v for k, v in data.items() if k not in ("quantity", "uncertainty")}
    out["allocation"] = {**alloc, **moved}
    return out


def _main_instrument(block: Calculation | Allocation) -> str | None:
    if isinstance(block, GasStandardVolume):
        return block.volume.instrument
    return block.instrument


def check_consistent(
    quantity: float,
    unit: str,
    candidates: Sequence[Candidate],
    calculated: Calculation | None,
    allocation: Allocation | None,
    data_type: DataType | None,
) -> None:
    """Raise ``ValueError`` if a given quantity disagrees with its derived block."""
    if candidates:
        best = candidates[select_candidate(candidates)[0]]
        expected = to_unit(best.quantity, best.unit or unit, unit)
        what = "chosen candidate"
        what_zh = "所选候选值"
        if data_type is not None and data_type is not best.data_type:
            raise ValueError(
                tr(
                    f"数据类型“{data_type.zh}”与所选候选值的“{best.data_type.zh}”不一致",
                    f"data_type {data_type.value} differs from the chosen candidate's "
                    f"{best.data_type.value}",
                )
            )
    elif calculated is not None or allocation is not None:
        block: Calculation | Allocation = allocation or calculated  # type: ignore[assignment]
        try:
            expected = derived_value(block, unit)
        except UnitError:
            shown = block.batch_unit if isinstance(block, Allocation) else block.unit
            raise ValueError(
                tr(
                    f"单位 {unit!r} 与 {shown!r} 不一致",
                    f"unit {unit!r} does not match the unit {shown!r}",
                )
            ) from None
        what = "allocation" if allocation is not None else "calculated"
        what_zh = "分配" if allocation is not None else "计算"
    else:
        return
    if not math.isclose(quantity, expected, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(
            tr(
                f"quantity {quantity:g} 与{what_zh}得到的值 {expected:.10g} 不一致；"
                "请去掉 quantity 或使其一致",
                f"quantity {quantity:g} disagrees with the {what} value {expected:.10g}; "
                "leave quantity out or make it match",
            )
        )
