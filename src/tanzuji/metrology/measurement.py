"""Measurement models for on-site calculated data (Table 2) and the uncertainty of derived
quantities. The two measurement models are evaluated by the GUM law of propagation
(JJF 1059.1) of the uncertainty engine, :func:`tanzuji.uncertainty.gum`:

- ``register_difference``: E = (R_end − R_start)·K_CT·K_PT·(1 + δ_meter)(1 + δ_CT)(1 + δ_PT),
  u²(E) = K²·(u²(R_end) + u²(R_start)) + E²·u_rel²(meter chain); each register reading
  carries the resolution d as a rectangular ±d/2, so K²·2·(d/√12)² = (K·d)²/6;
- ``gas_standard_volume``: V_n = V·(p/p_n)·(T_n/T), a pure product, so
  u_rel²(V_n) = u_rel²(V) + (u(p)/p)² + (u(T)/T)² with p absolute and T in kelvin;
- ``readings``: the mean with u² = s²/n + u_B²(instrument), ν_eff by Welch–Satterthwaite;
- ``allocation``: per unit = batch·bom/Σ(output·bom), so u scales by the same factor.

>>> from tanzuji.model.derived import RegisterDifference
>>> r = register_difference_u(RegisterDifference(start=0, end=1000, resolution=0.1), None)
>>> round(r.u, 6)  # 0.1/√6
0.040825
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tanzuji.errors import UnitError
from tanzuji.metrology.instrument_u import (
    SQRT3,
    InstrumentU,
    NotDerivableError,
    convert_u,
    instrument_components,
    instrument_uncertainty,
    type_a,
)
from tanzuji.model.derived import (
    Allocation,
    GasStandardVolume,
    Reading,
    RegisterDifference,
    RepeatedReadings,
)
from tanzuji.model.governance import Instrument
from tanzuji.uncertainty import Distribution, GumResult, Normal, Rectangular, gum
from tanzuji.units import to_unit

__all__ = [
    "DerivedU",
    "allocation_u",
    "calculation_u",
    "derived_uncertainty",
    "gas_standard_volume_u",
    "readings_u",
    "register_difference_u",
]

USource = Literal["instrument", "calculated", "allocation"]


@dataclass(frozen=True)
class DerivedU:
    """A derived standard uncertainty in ``unit``, with its budget and what was missing."""

    u: float
    unit: str
    source: USource
    basis_en: str
    basis_zh: str
    dof: float = math.inf
    sampling: Literal["normal", "rectangular"] = "normal"
    budget: tuple[tuple[str, float], ...] = ()
    """(component, contribution to u in ``unit``) pairs; their root-sum-square is u."""
    missing: tuple[str, ...] = field(default=())
    """Inputs that had neither an uncertainty nor an instrument (counted as u = 0)."""

    def to(self, unit: str) -> DerivedU:
        """The same uncertainty expressed in ``unit``."""
        if unit == self.unit:
            return self
        conv = convert_u(1.0, self.unit, unit)
        return DerivedU(
            self.u * conv,
            unit,
            self.source,
            self.basis_en,
            self.basis_zh,
            self.dof,
            self.sampling,
            tuple((n, c * conv) for n, c in self.budget),
            self.missing,
        )


Instruments = Mapping[str, Instrument]


def _inst(instruments: Instruments | None, ref: str | None) -> Instrument | None:
    if ref is None or instruments is None:
        return None
    return instruments.get(ref)


def _dist(x: float, u: float, sampling: str) -> Distribution | float:
    """A GUM input: a constant when u = 0, else rectangular or normal with that u."""
    if not u > 0:
        return x
    if sampling == "rectangular":
        return Rectangular.centred(x, u * SQRT3)
    return Normal(x, u)


def _result(res: GumResult, unit: str, en: str, zh: str, missing: list[str]) -> DerivedU:
    budget = tuple((row.name, abs(row.contribution)) for row in res.budget if row.u > 0)
    return DerivedU(
        res.u,
        unit,
        "calculated",
        en,
        zh,
        dof=res.dof,
        sampling="normal",
        budget=budget,
        missing=tuple(missing),
    )


def register_difference_u(calc: RegisterDifference, instruments: Instruments | None) -> DerivedU:
    """u of E = (R_end − R_start)·K_CT·K_PT·Π(1 + δ_i) by the GUM (tanzuji.uncertainty).

    Inputs: the two readings (rectangular ±d/2 when the register resolution d is given)
    and one relative error δ per component of the meter chain (the meter itself, CT, PT;
    rectangular MPE/√3, or normal from a certificate). A ``linear`` combination makes
    the δ fully correlated (r = 1), i.e. the linear sum.

    >>> from tanzuji.model.derived import RegisterDifference
    >>> meter = Instrument(id="EM", name="表", kind="electricity_meter", accuracy_class="0.5S",
    ...     ct_class="0.2", pt_class="0.2")
    >>> calc = RegisterDifference(start=1000, end=2000, ct_ratio="200/5",
    ...     pt_ratio="10000/100", instrument="EM")
    >>> r = register_difference_u(calc, {"EM": meter})
    >>> calc.estimate(), round(100 * r.u / calc.estimate(), 4)  # √(0.5²+0.2²+0.2²)/√3 %
    (4000000.0, 0.3317)
    """
    value = calc.estimate()
    k = calc.multiplier
    half = calc.resolution / 2 if calc.resolution is not None else 0.0
    inputs: dict[str, Distribution | float] = {
        "R_start": _dist(calc.start, half / SQRT3, "rectangular"),
        "R_end": _dist(calc.end, half / SQRT3, "rectangular"),
    }
    en = ["E = (R_end − R_start)·K_CT·K_PT"]
    zh = ["E = (R_end − R_start)·K_CT·K_PT"]
    if calc.resolution is not None:
        en.append(f"register resolution {calc.resolution:g} {calc.register_unit}")
        zh.append(f"示值分辨力 {calc.resolution:g} {calc.register_unit}")
    missing: list[str] = []
    deltas: list[str] = []
    inst = _inst(instruments, calc.instrument)
    if inst is not None:
        for comp in instrument_components(inst, value, calc.register_unit):
            name = f"δ_{comp.name}"
            rel = comp.u / abs(value) if value else 0.0
            inputs[name] = _dist(0.0, rel, comp.sampling)
            deltas.append(name)
            en.append(comp.basis_en)
            zh.append(comp.basis_zh)
    else:
        missing.append("instrument")
    if calc.resolution is None and inst is None:
        raise NotDerivableError(
            "register_difference has neither a known instrument nor a resolution",
            "电能表示值差计算既无有效计量器具也无分辨力",
        )
    correlation = None
    if inst is not None and inst.combination == "linear" and len(deltas) > 1:
        correlation = {(a, b): 1.0 for i, a in enumerate(deltas) for b in deltas[i + 1 :]}

    def model(**x: Any) -> Any:
        out = (x["R_end"] - x["R_start"]) * k
        for name in deltas:
            out = out * (1.0 + x[name])
        return out

    res = gum(model, inputs, correlation)
    return _result(res, calc.register_unit, "; ".join(en), "；".join(zh), missing)


def _reading_u(name: str, r: Reading, instruments: Instruments | None) -> InstrumentU | None:
    if r.uncertainty is not None:
        unc = r.uncertainty
        sampling: Literal["normal", "rectangular"] = (
            "rectangular" if unc.sampling == "rectangular" else "normal"
        )
        return InstrumentU(
            unc.standard_for(r.value), f"{name}: given", f"{name}：给定", sampling=sampling
        )
    inst = _inst(instruments, r.instrument)
    if inst is None:
        return None
    return instrument_uncertainty(inst, r.value, r.unit)


def gas_standard_volume_u(calc: GasStandardVolume, instruments: Instruments | None) -> DerivedU:
    """u of V_n = V·(p/p_n)·(T_n/T) by the GUM (p absolute in kPa, T in kelvin).

    A reading with neither an uncertainty nor an instrument enters as a constant and is
    listed in ``missing``.

    >>> from tanzuji.model.derived import GasStandardVolume
    >>> calc = GasStandardVolume(volume={"value": 1000, "unit": "m**3",
    ...     "uncertainty": {"relative": "1 %"}}, pressure={"value": 101.325, "unit": "kPa"},
    ...     temperature={"value": 0, "unit": "degC"})
    >>> r = gas_standard_volume_u(calc, None)
    >>> round(calc.estimate(), 9), round(r.u, 9), r.missing
    (1000.0, 10.0, ('pressure', 'temperature'))
    """
    missing: list[str] = []
    basis: list[str] = []

    def add(name: str, reading: Reading | None, x: float, to: str | None) -> float | Distribution:
        if reading is None:
            return x
        ru = _reading_u(name, reading, instruments)
        if ru is None:
            missing.append(name)
            return x
        basis.append(ru.basis_en)
        u = convert_u(ru.u, reading.unit, to) if to else ru.u
        return _dist(x, u, ru.sampling)

    gauge = calc.pressure_type == "gauge"
    p_reading = to_unit(calc.pressure.value, calc.pressure.unit, "kPa")
    inputs: dict[str, Distribution | float] = {
        "V": add("volume", calc.volume, calc.volume.value, None),
        "p": add("pressure", calc.pressure, p_reading, "kPa"),
        "p_atm": add(
            "atmospheric pressure", calc.atmospheric_pressure, calc.atmospheric_kpa(), "kPa"
        ),
        "T": add("temperature", calc.temperature, calc.temperature_k(), "K"),
    }
    p_n, t_n = calc.reference_pressure_kpa, calc.reference_temperature_k

    def model(V: Any, p: Any, p_atm: Any, T: Any) -> Any:
        return V * ((p + p_atm) / p_n) * (t_n / T)

    res = gum(model, inputs)
    ref = f"p_n = {p_n:g} kPa, T_n = {t_n:g} K" + (
        ", gauge pressure + atmospheric" if gauge else ""
    )
    return _result(
        res,
        calc.unit,
        f"V_n = V·(p/p_n)·(T_n/T), {ref}; " + "; ".join(basis),
        f"V_n = V·(p/p_n)·(T_n/T)，{ref}",
        missing,
    )


def readings_u(calc: RepeatedReadings, instruments: Instruments | None) -> DerivedU:
    """Mean of repeated readings: Type A s/√n, plus the instrument's Type B if known.

    >>> from tanzuji.model.derived import RepeatedReadings
    >>> r = readings_u(RepeatedReadings(values=[10, 12], unit="km"), None)
    >>> r.u, r.dof
    (1.0, 1.0)
    """
    a = type_a(calc.values)
    budget = [("type A", a.u)]
    en = [f"type A: n = {a.n}, s = {a.s:.4g} {calc.unit}, u = s/√n"]
    inst = _inst(instruments, calc.instrument)
    if inst is not None:
        b = instrument_uncertainty(inst, a.mean, calc.unit)
        budget.append((f"instrument {inst.id}", b.u))
        en.append(b.basis_en)
    u = math.sqrt(math.fsum(c * c for _, c in budget))
    dof = math.inf if a.u == 0 else u**4 / (a.u**4 / a.dof)
    return DerivedU(
        u,
        calc.unit,
        "calculated",
        "mean of repeated readings; " + "; ".join(en),
        f"重复测量平均值；A 类评定 n = {a.n}",
        dof=float(dof),
        budget=tuple(budget),
    )


def calculation_u(calc: Any, instruments: Instruments | None) -> DerivedU:
    """u of an on-site calculation block (register difference, gas volume, readings)."""
    if isinstance(calc, RegisterDifference):
        return register_difference_u(calc, instruments)
    if isinstance(calc, GasStandardVolume):
        return gas_standard_volume_u(calc, instruments)
    if isinstance(calc, RepeatedReadings):
        return readings_u(calc, instruments)
    raise TypeError(f"not a calculation: {type(calc).__name__}")


def allocation_u(
    alloc: Allocation, instruments: Instruments | None, calculated: Any = None
) -> DerivedU:
    """u of the allocated per-unit quantity: u(batch) × bom/Σ(output·bom).

    The batch's u comes from ``calculated`` (a calculated total allocated by output), else
    the allocation's own uncertainty, else its instrument.

    >>> from tanzuji.model.derived import Allocation
    >>> a = Allocation(batch_quantity=330, unit="kg", uncertainty={"standard": 1.1},
    ...     product_model="A", models=[{"model": "A", "output": 10000, "bom_quantity": 0.03},
    ...     {"model": "B", "output": 1000, "bom_quantity": 0.03}])
    >>> round(allocation_u(a, None).u, 9)  # 1.1 × 0.03/330
    0.0001
    """
    f = alloc.per_unit_factor
    if alloc.batch_quantity is None:
        raise NotDerivableError("the allocation has no batch quantity", "分摊无批次数量")
    batch, unit = alloc.batch_quantity, alloc.batch_unit
    if calculated is not None:
        cu = calculation_u(calculated, instruments).to(unit)
        ub, how = cu.u, cu.basis_en
    elif alloc.uncertainty is not None:
        ub = alloc.uncertainty.standard_for(batch)
        how = "batch uncertainty given"
    else:
        inst = _inst(instruments, alloc.instrument)
        if inst is None:
            raise NotDerivableError(
                "the allocated batch has neither an uncertainty nor a known instrument",
                "分摊批次既无不确定度也无有效计量器具",
            )
        iu = instrument_uncertainty(inst, batch, unit)
        ub, how = iu.u, iu.basis_en
    return DerivedU(
        ub * f,
        unit,
        "allocation",
        f"allocated by output × BOM: u(batch) = {ub:.4g} {unit} ({how}) × {f:.6g}",
        f"按产量 × BOM 分摊：u(批次) = {ub:.4g} {unit} × {f:.6g}",
        budget=(("batch", ub * f),),
    )


def derived_uncertainty(
    obj: Any, value: float, unit: str, instruments: Instruments | None
) -> DerivedU | None:
    """The uncertainty a quantity gets when none is given explicitly, in ``unit``.

    ``obj`` is an activity or quantity with optional ``calculated``, ``allocation`` and
    ``instrument``; they are tried in that order. ``None`` when nothing applies (no block,
    no instrument, or an instrument id not in the register). Raises
    :class:`NotDerivableError` when a block or instrument cannot give an uncertainty.
    """
    calc = getattr(obj, "calculated", None)
    alloc = getattr(obj, "allocation", None)
    try:
        if isinstance(alloc, Allocation) and alloc.batch_quantity is not None:
            return allocation_u(alloc, instruments, calc).to(unit)
        if isinstance(calc, RegisterDifference | GasStandardVolume | RepeatedReadings):
            return calculation_u(calc, instruments).to(unit)
        inst = _inst(instruments, getattr(obj, "instrument", None))
        if inst is None:
            return None
        iu = instrument_uncertainty(inst, value, unit)
    except UnitError as exc:
        raise NotDerivableError(f"{exc.message} ({exc.got})", f"单位错误：{exc.got}") from None
    return DerivedU(iu.u, unit, "instrument", iu.basis_en, iu.basis_zh, iu.dof, iu.sampling)
