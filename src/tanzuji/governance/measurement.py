"""Measurement models for on-site calculated data (Table 2) and the uncertainty of derived
quantities, evaluated by the GUM law of propagation (JJF 1059.1, first order, uncorrelated).

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
from tanzuji.governance.instrument_u import (
    InstrumentU,
    NotDerivableError,
    convert_u,
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

__all__ = [
    "DerivedU",
    "allocation_u",
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


def register_difference_u(calc: RegisterDifference, instruments: Instruments | None) -> DerivedU:
    """u of E = (R_end − R_start)·K_CT·K_PT from the resolution and the meter chain.

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
    budget: list[tuple[str, float]] = []
    missing: list[str] = []
    en, zh = [], []
    if calc.resolution is not None:
        u_res = calc.multiplier * calc.resolution / math.sqrt(6.0)
        budget.append(("resolution", u_res))
        en.append(f"register resolution {calc.resolution:g} {calc.register_unit}")
        zh.append(f"示值分辨力 {calc.resolution:g} {calc.register_unit}")
    inst = _inst(instruments, calc.instrument)
    if inst is not None:
        iu = instrument_uncertainty(inst, value, calc.register_unit)
        budget.append((f"instrument {inst.id}", iu.u))
        en.append(iu.basis_en)
        zh.append(iu.basis_zh)
    else:
        missing.append("instrument")
    if not budget:
        raise NotDerivableError(
            "register_difference has neither a known instrument nor a resolution",
            "电能表示值差计算既无有效计量器具也无分辨力",
        )
    u = math.sqrt(math.fsum(c * c for _, c in budget))
    return DerivedU(
        u,
        calc.register_unit,
        "calculated",
        "E = (R_end − R_start)·K_CT·K_PT; " + "; ".join(en),
        "E = (R_end − R_start)·K_CT·K_PT；" + "；".join(zh),
        budget=tuple(budget),
        missing=tuple(missing),
    )


def _reading_u(name: str, r: Reading, instruments: Instruments | None) -> InstrumentU | None:
    if r.uncertainty is not None:
        return InstrumentU(r.uncertainty.standard_for(r.value), f"{name}: given", f"{name}：给定")
    inst = _inst(instruments, r.instrument)
    if inst is None:
        return None
    return instrument_uncertainty(inst, r.value, r.unit)


def gas_standard_volume_u(calc: GasStandardVolume, instruments: Instruments | None) -> DerivedU:
    """u of V_n = V·(p/p_n)·(T_n/T) by relative root-sum-square (a product model).

    >>> from tanzuji.model.derived import GasStandardVolume
    >>> calc = GasStandardVolume(volume={"value": 1000, "unit": "m**3",
    ...     "uncertainty": {"relative": "1 %"}}, pressure={"value": 101.325, "unit": "kPa"},
    ...     temperature={"value": 0, "unit": "degC"})
    >>> r = gas_standard_volume_u(calc, None)
    >>> round(calc.estimate(), 9), round(r.u, 9), r.missing
    (1000.0, 10.0, ('pressure', 'temperature'))
    """
    value = calc.estimate()
    missing: list[str] = []
    rel: list[tuple[str, float]] = []
    basis: list[str] = []
    uv = _reading_u("volume", calc.volume, instruments)
    if uv is None:
        missing.append("volume")
    else:
        rel.append(("volume", uv.u / abs(calc.volume.value) if calc.volume.value else 0.0))
        basis.append(uv.basis_en)
    p = calc.absolute_pressure_kpa()
    up = _reading_u("pressure", calc.pressure, instruments)
    u_p2 = 0.0
    if up is None:
        missing.append("pressure")
    else:
        u_p2 += convert_u(up.u, calc.pressure.unit, "kPa") ** 2
        basis.append(up.basis_en)
    if calc.atmospheric_pressure is not None:
        ua = _reading_u("atmospheric pressure", calc.atmospheric_pressure, instruments)
        if ua is not None:
            u_p2 += convert_u(ua.u, calc.atmospheric_pressure.unit, "kPa") ** 2
            basis.append(ua.basis_en)
    if up is not None:
        rel.append(("pressure", math.sqrt(u_p2) / p))
    ut = _reading_u("temperature", calc.temperature, instruments)
    if ut is None:
        missing.append("temperature")
    else:
        rel.append(
            ("temperature", convert_u(ut.u, calc.temperature.unit, "K") / calc.temperature_k())
        )
        basis.append(ut.basis_en)
    budget = tuple((n, r * abs(value)) for n, r in rel)
    u = math.sqrt(math.fsum(c * c for _, c in budget))
    ref = f"p_n = {calc.reference_pressure_kpa:g} kPa, T_n = {calc.reference_temperature_k:g} K"
    return DerivedU(
        u,
        calc.unit,
        "calculated",
        f"V_n = V·(p/p_n)·(T_n/T), {ref}; " + "; ".join(basis),
        f"V_n = V·(p/p_n)·(T_n/T)，{ref}",
        budget=budget,
        missing=tuple(missing),
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


def allocation_u(alloc: Allocation, instruments: Instruments | None) -> DerivedU:
    """u of the allocated per-unit quantity: u(batch) × bom/Σ(output·bom).

    >>> from tanzuji.model.derived import Allocation
    >>> a = Allocation(batch_quantity=330, unit="kg", uncertainty={"standard": 1.1},
    ...     product_model="A", models=[{"model": "A", "output": 10000, "bom_quantity": 0.03},
    ...     {"model": "B", "output": 1000, "bom_quantity": 0.03}])
    >>> round(allocation_u(a, None).u, 9)  # 1.1 × 0.03/330
    0.0001
    """
    f = alloc.per_unit_factor
    if alloc.uncertainty is not None:
        ub = alloc.uncertainty.standard_for(alloc.batch_quantity)
        how = "batch uncertainty given"
    else:
        inst = _inst(instruments, alloc.instrument)
        if inst is None:
            raise NotDerivableError(
                "the allocated batch has neither an uncertainty nor a known instrument",
                "分摊批次既无不确定度也无有效计量器具",
            )
        iu = instrument_uncertainty(inst, alloc.batch_quantity, alloc.unit)
        ub, how = iu.u, iu.basis_en
    return DerivedU(
        ub * f,
        alloc.unit,
        "allocation",
        f"allocated by output × BOM: u(batch) = {ub:.4g} {alloc.unit} ({how}) × {f:.6g}",
        f"按产量 × BOM 分摊：u(批次) = {ub:.4g} {alloc.unit} × {f:.6g}",
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
        if isinstance(calc, RegisterDifference):
            return register_difference_u(calc, instruments).to(unit)
        if isinstance(calc, GasStandardVolume):
            return gas_standard_volume_u(calc, instruments).to(unit)
        if isinstance(calc, RepeatedReadings):
            return readings_u(calc, instruments).to(unit)
        if isinstance(alloc, Allocation):
            return allocation_u(alloc, instruments).to(unit)
        inst = _inst(instruments, getattr(obj, "instrument", None))
        if inst is None:
            return None
        iu = instrument_uncertainty(inst, value, unit)
    except UnitError as exc:
        raise NotDerivableError(f"{exc.message} ({exc.got})", f"单位错误：{exc.got}") from None
    return DerivedU(iu.u, unit, "instrument", iu.basis_en, iu.basis_zh, iu.dof, iu.sampling)
