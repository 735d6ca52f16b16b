"""From a measuring instrument to the standard uncertainty of its reading.

Type B (JJF 1059.1): an MPE ±a known only as a bound is a rectangular distribution, so
u = a/√3; a certificate's expanded uncertainty gives u = U/k. Chains of a sensor and a
secondary instrument without a system class (Table 3, Note 2) combine their relative MPEs
by root-sum-square (independent rectangular errors) or, conservatively, linearly.
Repeated readings give Type A: mean, s/√n with ν = n − 1.

Hand-worked (facts §4): a class III scale, e = 1 g, load 0.3 kg = 300 e → MPE 0.5 g →
u = 0.5 g/√3 = 0.289 g.

>>> round(scale_u(300, 1, "III"), 4)
0.2887
>>> round(100 * meter_u_rel("0.5S"), 4)
0.2887
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tanzuji.errors import UnitError
from tanzuji.metrology.classes import (
    belt_mpe,
    flow_mpe,
    meter_mpe,
    relative_class_mpe,
    scale_mpe_e,
)
from tanzuji.model.governance import Instrument, InstrumentKind
from tanzuji.units import same_dimension, to_unit

__all__ = [
    "SQRT3",
    "InstrumentU",
    "NotDerivableError",
    "TypeA",
    "belt_u_rel",
    "certificate_u",
    "combine_mpe",
    "convert_u",
    "flow_u_rel",
    "instrument_components",
    "instrument_mpe_rel",
    "instrument_uncertainty",
    "meter_u_rel",
    "scale_u",
    "type_a",
]

SQRT3 = math.sqrt(3.0)


class NotDerivableError(ValueError):
    """The instrument's data do not allow a standard uncertainty; says why (en, zh)."""

    def __init__(self, en: str, zh: str) -> None:
        self.en = en
        self.zh = zh
        super().__init__(en)


@dataclass(frozen=True)
class InstrumentU:
    """A standard uncertainty from an instrument, in the quantity's unit, with its basis."""

    u: float
    basis_en: str
    basis_zh: str
    dof: float = math.inf
    sampling: Literal["normal", "rectangular"] = "rectangular"
    """How Monte Carlo should sample it: an MPE bound is rectangular, a certificate normal."""
    name: str = ""


# --------------------------------------------------------------------------- pure rules


def meter_u_rel(cls: str) -> float:
    """Relative standard uncertainty of an electricity meter: MPE/√3.

    >>> [round(100 * meter_u_rel(c), 3) for c in ("0.2S", "0.5S", "C", "1", "B", "2", "A")]
    [0.115, 0.289, 0.289, 0.577, 0.577, 1.155, 1.155]
    """
    return meter_mpe(cls) / SQRT3


def scale_u(load: float, e: float, cls: str, *, in_service: bool = False) -> float:
    """Standard uncertainty of a non-automatic scale reading, in the unit of ``load`` and ``e``.

    >>> round(scale_u(0.3, 0.001, "III"), 7)  # kg: 300 e → 0.5 e = 0.5 g → 0.289 g
    0.0002887
    """
    if not e > 0:
        raise ValueError("the verification scale interval e must be > 0")
    return scale_mpe_e(load / e, cls, in_service=in_service) * e / SQRT3


def belt_u_rel(cls: str, *, in_service: bool = False) -> float:
    """Relative standard uncertainty of a belt scale's totalised load.

    >>> round(100 * belt_u_rel("0.5"), 3), round(100 * belt_u_rel("0.5", in_service=True), 3)
    (0.144, 0.289)
    """
    return belt_mpe(cls, in_service=in_service) / SQRT3


def flow_u_rel(cls: str | None, *, dispenser: bool = False) -> float:
    """Relative standard uncertainty of a flow meter or fuel dispenser.

    >>> round(100 * flow_u_rel("1.5"), 3), round(100 * flow_u_rel(None, dispenser=True), 3)
    (0.866, 0.173)
    """
    return flow_mpe(cls, dispenser=dispenser) / SQRT3


def combine_mpe(mpes: Sequence[float], method: Literal["rss", "linear"] = "rss") -> float:
    """Combine component MPEs (Table 3, Note 2).

    ``rss``: √Σ a_i² — valid when the component errors are independent and rectangular
    (then u = √Σ (a_i/√3)² = (√Σ a_i²)/√3, JJF 1059.1 law of propagation); ``linear``:
    Σ a_i, the conservative worst case (fully correlated errors).

    >>> round(combine_mpe([0.005, 0.002, 0.002]), 6), combine_mpe([0.005, 0.002], "linear")
    (0.005745, 0.007)
    """
    if any(not (math.isfinite(a) and a >= 0) for a in mpes):
        raise ValueError("MPEs must be finite numbers ≥ 0")
    if method == "linear":
        return math.fsum(mpes)
    return math.sqrt(math.fsum(a * a for a in mpes))


def certificate_u(U: float, k: float) -> float:
    """u = U/k from a calibration certificate.

    >>> certificate_u(0.2, 2)
    0.1
    """
    if not k > 0:
        raise ValueError("the coverage factor k must be > 0")
    return U / k


@dataclass(frozen=True)
class TypeA:
    """Type A evaluation of repeated readings: mean, s (Bessel), u = s/√n, ν = n − 1."""

    mean: float
    s: float
    u: float
    dof: float
    n: int


def type_a(values: Sequence[float]) -> TypeA:
    """Type A evaluation of ``values`` (at least two readings).

    >>> r = type_a([10.0, 12.0])
    >>> r.mean, r.s, r.u, r.dof
    (11.0, 1.4142135623730951, 1.0, 1)
    """
    n = len(values)
    if n < 2:
        raise ValueError("Type A needs at least two readings")
    mean = math.fsum(values) / n
    s = math.sqrt(math.fsum((x - mean) ** 2 for x in values) / (n - 1))
    return TypeA(mean=mean, s=s, u=s / math.sqrt(n), dof=n - 1, n=n)


def convert_u(u: float, from_unit: str, to: str) -> float:
    """Convert an uncertainty (a difference) between units, offset units included.

    >>> convert_u(0.5, "degC", "K"), convert_u(2, "g", "kg")
    (0.5, 0.002)
    """
    return to_unit(u, from_unit, to) - to_unit(0.0, from_unit, to)


# --------------------------------------------------------------------------- instruments

_DIMENSION = {
    InstrumentKind.ELECTRICITY_METER: (("kWh",), "an energy unit such as kWh"),
    InstrumentKind.SCALE_NONAUTOMATIC: (("kg",), "a mass unit such as kg"),
    InstrumentKind.BELT_SCALE: (("kg",), "a mass unit such as kg or t"),
    InstrumentKind.GAS_FLOW_METER: (("m**3", "kg"), "a volume or mass unit"),
    InstrumentKind.LIQUID_FLOW_METER: (("m**3", "kg"), "a volume or mass unit"),
    InstrumentKind.FUEL_DISPENSER: (("m**3", "kg"), "a volume or mass unit"),
}


def _check_dimension(inst: Instrument, unit: str) -> None:
    if inst.kind not in _DIMENSION:
        return
    refs, what = _DIMENSION[inst.kind]
    try:
        ok = any(same_dimension(unit, ref) for ref in refs)
    except UnitError:
        ok = False
    if not ok:
        raise NotDerivableError(
            f"instrument {inst.id} ({inst.kind.value}) measures {what}, not {unit}",
            f"计量器具 {inst.id}（{inst.kind.value}）测量的量应为{what}，而不是 {unit}",
        )


def _class_mpe(inst: Instrument) -> tuple[float, str, int]:
    """Relative MPE of the instrument itself by class (no CT/PT), how, and the number of
    components combined."""
    method = inst.combination
    dispenser = inst.kind is InstrumentKind.FUEL_DISPENSER
    if dispenser and inst.accuracy_class is None and not inst.components:
        return flow_mpe(None, dispenser=True), "fuel dispenser (JJG 443)", 1
    if inst.accuracy_class is None:
        if not inst.components:
            raise ValueError(f"instrument {inst.id} has no accuracy class and no components")
        parts = [
            c.mpe if c.mpe is not None else relative_class_mpe(c.accuracy_class or "")
            for c in inst.components
        ]
        names = ", ".join(
            f"{c.name} {c.accuracy_class or f'{100 * (c.mpe or 0):g} %'}" for c in inst.components
        )
        return combine_mpe(parts, method), f"components {names} ({method})", len(parts)
    cls = inst.accuracy_class
    kind = inst.kind
    if kind is InstrumentKind.ELECTRICITY_METER:
        return meter_mpe(cls), f"class {cls}", 1
    if kind is InstrumentKind.BELT_SCALE:
        state = "in service" if inst.in_service else "initial verification"
        return belt_mpe(cls, in_service=inst.in_service), f"belt scale class {cls}, {state}", 1
    if kind in (InstrumentKind.GAS_FLOW_METER, InstrumentKind.LIQUID_FLOW_METER):
        return flow_mpe(cls), f"flow meter class {cls}", 1
    if kind is InstrumentKind.FUEL_DISPENSER:
        return flow_mpe(cls, dispenser=True), f"fuel dispenser class {cls}", 1
    raise ValueError(
        f"no class rule for a {kind.value}; give the instrument's uncertainty or certificate"
    )


def _transformer_mpes(inst: Instrument) -> list[tuple[str, float]]:
    """CT and PT ratio errors of a transformer-operated meter: (label, relative MPE)."""
    if inst.kind is not InstrumentKind.ELECTRICITY_METER:
        return []
    return [
        (f"{label} class {c}", relative_class_mpe(c))
        for label, c in (("CT", inst.ct_class), ("PT", inst.pt_class))
        if c is not None
    ]


def instrument_mpe_rel(inst: Instrument) -> tuple[float, str]:
    """Relative MPE (fraction) of an instrument read by class, and how it was obtained.

    Electricity meters combine the meter class with the CT and PT classes (ratio errors)
    of a transformer-operated installation; an instrument without a class combines its
    ``components`` (Table 3, Note 2) by ``combination`` (rss or linear). Scales are not
    relative (see :func:`scale_u`).

    >>> inst = Instrument(id="M", name="m", kind="electricity_meter", accuracy_class="0.5S",
    ...     ct_class="0.2", pt_class="0.2")
    >>> mpe, how = instrument_mpe_rel(inst)
    >>> round(100 * mpe, 4), how
    (0.5745, 'class 0.5S with CT class 0.2, PT class 0.2 (rss)')
    """
    mpe, how, _ = _class_mpe(inst)
    extra = _transformer_mpes(inst)
    if not extra:
        return mpe, how
    combined = combine_mpe([mpe, *(a for _, a in extra)], inst.combination)
    return combined, f"{how} with {', '.join(n for n, _ in extra)} ({inst.combination})"


def instrument_components(inst: Instrument, value: float, unit: str) -> list[InstrumentU]:
    """The uncertainty components of ``value`` read on ``inst``: the instrument itself,
    then the CT and PT ratio errors of a transformer-operated meter (each MPE/√3).

    The instrument's own u, in order of precedence: the register entry's explicit
    ``uncertainty``; the certificate's U/k (``uncertainty_unit`` % = relative to the
    reading); the accuracy class (MPE/√3) or, without a class, the combined ``components``.
    Raises :class:`NotDerivableError` when none of them applies.
    """
    _check_dimension(inst, unit)
    try:
        comps = [_own(inst, value, unit)]
        for label, mpe in _transformer_mpes(inst):
            comps.append(
                InstrumentU(
                    mpe / SQRT3 * abs(value),
                    f"{label}: ratio error ±{100 * mpe:g} %; u = MPE/√3",
                    f"{label.replace('class', '级别')}：比值误差 ±{100 * mpe:g} %；u = MPE/√3",
                    name=label.split()[0],
                )
            )
    except UnitError as exc:
        raise NotDerivableError(
            f"instrument {inst.id}: {exc.message} ({exc.got})",
            f"计量器具 {inst.id}：单位错误 {exc.got}",
        ) from None
    except NotDerivableError:
        raise
    except ValueError as exc:
        raise NotDerivableError(str(exc), f"计量器具 {inst.id}：{exc}") from None
    return comps


def instrument_uncertainty(inst: Instrument, value: float, unit: str) -> InstrumentU:
    """The standard uncertainty of ``value`` (in ``unit``) read on ``inst``.

    The components of :func:`instrument_components` combine by the instrument's
    ``combination``: root-sum-square (independent) or linear sum (conservative).

    >>> scale = Instrument(id="S", name="秤", kind="scale_nonautomatic", accuracy_class="III",
    ...     max_capacity=3, scale_interval=1, capacity_unit="g", in_service=False)
    >>> r = instrument_uncertainty(scale, 0.3, "kg")
    >>> round(r.u * 1000, 4), r.basis_en
    (0.2887, 'scale class III, e = 1 g, load 300 e → MPE ±0.5 e (initial verification); u = MPE/√3')
    """
    comps = instrument_components(inst, value, unit)
    if len(comps) == 1:
        return comps[0]
    us = [c.u for c in comps]
    method = inst.combination
    u = math.fsum(us) if method == "linear" else math.sqrt(math.fsum(x * x for x in us))
    return InstrumentU(
        u,
        "; ".join(c.basis_en for c in comps) + f" (combined: {method})",
        "；".join(c.basis_zh for c in comps) + f"（合成：{method}）",
        sampling="normal",
        name=inst.id,
    )


def _own(inst: Instrument, value: float, unit: str) -> InstrumentU:
    """The instrument's own u (without CT/PT)."""
    if inst.uncertainty is not None:
        unc = inst.uncertainty
        if unc.form == "relative":
            return InstrumentU(
                unc.standard_for(value),
                f"instrument uncertainty {100 * (unc.relative or 0):g} % (register)",
                f"器具登记的相对不确定度 {100 * (unc.relative or 0):g} %",
                unc.dof or math.inf,
                _sampling(unc.sampling),
                name=inst.id,
            )
        cap = _capacity_unit(inst)
        u_cap = unc.standard_for(to_unit(value, unit, cap))
        return InstrumentU(
            convert_u(u_cap, cap, unit),
            f"instrument uncertainty {u_cap:g} {cap} (register)",
            f"器具登记的标准不确定度 {u_cap:g} {cap}",
            unc.dof or math.inf,
            _sampling(unc.sampling),
            name=inst.id,
        )
    cert = inst.certificate
    if cert is not None and cert.expanded_uncertainty is not None and cert.k is not None:
        U, k = cert.expanded_uncertainty, cert.k
        if cert.uncertainty_unit.strip() == "%":
            u = certificate_u(U, k) / 100.0 * abs(value)
        else:
            u = convert_u(certificate_u(U, k), cert.uncertainty_unit, unit)
        return InstrumentU(
            u,
            f"certificate {cert.number}: U = {U:g} {cert.uncertainty_unit}, k = {k:g}; u = U/k",
            f"证书 {cert.number}：U = {U:g} {cert.uncertainty_unit}，k = {k:g}；u = U/k",
            sampling="normal",
            name=inst.id,
        )
    dispenser = inst.kind is InstrumentKind.FUEL_DISPENSER
    if inst.accuracy_class is None and not inst.components and not dispenser:
        raise NotDerivableError(
            f"instrument {inst.id} has no accuracy class, certificate uncertainty or components",
            f"计量器具 {inst.id} 未给出准确度等级、证书不确定度或组成部件",
        )
    if inst.kind is InstrumentKind.SCALE_NONAUTOMATIC and inst.accuracy_class is not None:
        return _scale(inst, value, unit)
    mpe, how, n = _class_mpe(inst)
    return InstrumentU(
        mpe / SQRT3 * abs(value),
        f"{how}: MPE ±{100 * mpe:.4g} %; u = MPE/√3",
        f"{how}：最大允许误差 ±{100 * mpe:.4g} %；u = MPE/√3",
        sampling="normal" if n > 1 else "rectangular",
        name=inst.id,
    )


def _sampling(name: str) -> Literal["normal", "rectangular"]:
    return "rectangular" if name == "rectangular" else "normal"


def _capacity_unit(inst: Instrument) -> str:
    if not inst.capacity_unit:
        raise NotDerivableError(
            f"instrument {inst.id}: give capacity_unit, the unit of its uncertainty, Max and e",
            f"计量器具 {inst.id}：请给出 capacity_unit（不确定度、Max 与 e 的单位）",
        )
    return inst.capacity_unit


def _scale(inst: Instrument, value: float, unit: str) -> InstrumentU:
    if inst.scale_interval is None:
        raise NotDerivableError(
            f"scale {inst.id}: give scale_interval (e) to derive u from class "
            f"{inst.accuracy_class}",
            f"衡器 {inst.id}：请给出检定分度值 e（scale_interval）",
        )
    cap = _capacity_unit(inst)
    load = to_unit(value, unit, cap)
    e = inst.scale_interval
    cls = inst.accuracy_class or ""
    mpe_e = scale_mpe_e(load / e, cls, in_service=inst.in_service)
    u_cap = mpe_e * e / SQRT3
    state = "in service" if inst.in_service else "initial verification"
    state_zh = "使用中" if inst.in_service else "首次检定"
    return InstrumentU(
        convert_u(u_cap, cap, unit),
        f"scale class {cls}, e = {e:g} {cap}, load {load / e:.6g} e → MPE ±{mpe_e:g} e "
        f"({state}); u = MPE/√3",
        f"衡器 {cls} 级，e = {e:g} {cap}，载荷 {load / e:.6g} e → 最大允许误差 ±{mpe_e:g} e"
        f"（{state_zh}）；u = MPE/√3",
        name=inst.id,
    )
