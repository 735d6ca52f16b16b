"""The uncertainty of metered energy: per meter, per group, per product line.

Per meter (see docs/metering.md):

- **systematic** (fully correlated across all readings of the meter over the period): the
  meter's own error, E·MPE_eff/√3, and the CT/PT ratio errors, E·MPE_CT/√3, E·MPE_PT/√3,
  all from the instrument register through :func:`tanzuji.governance.instrument_u.
  instrument_components` (explicit u, certificate U/k, or class MPE). With a rated power the
  meter's MPE depends on the load: energy measured below the low-load threshold
  (5 % I_n for S classes and class C, 10 % I_b for classes 1, 2, A, B) carries the larger
  low-load MPE, MPE_eff = (E_high·MPE + E_low·MPE_low)/E;
- **resolution**: every rounded value carries ±d/2 rectangular, u² = n·d²/12 for n interval
  values; a register difference has two readings, u² = 2·d²/12 per segment;
- **gap filling** and **pro-rating** from :mod:`tanzuji.metering.clean`.

Between meters, systematic errors are independent unless meters share a calibration
(``calibration`` key in the mapping): then their own-meter errors are fully correlated and
add linearly within the group.

Hand calculation: a class 0.5S meter with a CT class 0.2, E = 100 000 kWh, d = 0.01 kWh
over 35 040 values: u_sys = 100 000·√(0.005² + 0.002²)/√3 = 310.9 kWh;
u_res = 0.01·√(35 040/12) = 0.540 kWh; u = 310.9 kWh.

>>> own = SystematicPart(own=100_000 * 0.005 / SQRT3, transformers=100_000 * 0.002 / SQRT3)
>>> round(own.total, 1)
310.9
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tanzuji.metering.clean import MeterSummary
from tanzuji.metrology.classes import meter_mpe, normalise_class
from tanzuji.metrology.instrument_u import SQRT3, NotDerivableError, instrument_components
from tanzuji.model.governance import Instrument, InstrumentKind

__all__ = [
    "SQRT3",
    "Aggregate",
    "MeterEnergy",
    "SystematicPart",
    "aggregate",
    "low_load",
    "meter_energy",
]

_LOW_LOAD = {
    # class: (threshold as a fraction of I_n / I_b, MPE below it)   facts §4.2
    "0.2S": (0.05, 0.004),
    "0.5S": (0.05, 0.010),
    "C": (0.05, 0.010),
    "1": (0.10, 0.015),
    "B": (0.10, 0.015),
    "2": (0.10, 0.025),
    "A": (0.10, 0.025),
}


def low_load(cls: str) -> tuple[float, float] | None:
    """(threshold fraction of rated current, MPE below it) for an electricity-meter class.

    >>> low_load("0.5S级"), low_load("2")
    ((0.05, 0.01), (0.1, 0.025))
    """
    return _LOW_LOAD.get(normalise_class(cls))


@dataclass(frozen=True)
class SystematicPart:
    """The systematic standard uncertainty of a meter: its own error and CT/PT errors."""

    own: float
    transformers: float = 0.0

    @property
    def total(self) -> float:
        """Root-sum-square of the two."""
        return math.hypot(self.own, self.transformers)


@dataclass(frozen=True)
class MeterEnergy:
    """The energy of one meter over the period with its standard uncertainty budget."""

    meter: str
    instrument: str
    unit: str
    energy: float
    measured: float
    filled: float
    systematic: SystematicPart
    u_resolution: float
    u_fill: float
    u_prorate: float
    calibration: str
    mpe_eff: float | None
    basis_en: str
    basis_zh: str

    @property
    def u_random(self) -> float:
        """Resolution, gap filling and pro-rating: independent between meters."""
        return math.sqrt(self.u_resolution**2 + self.u_fill**2 + self.u_prorate**2)

    @property
    def u(self) -> float:
        """Combined standard uncertainty."""
        return math.hypot(self.systematic.total, self.u_random)

    @property
    def u_rel_systematic(self) -> float:
        """Relative systematic standard uncertainty (0 for zero energy)."""
        return self.systematic.total / abs(self.energy) if self.energy else 0.0


def meter_energy(
    summary: MeterSummary,
    inst: Instrument,
    unit: str,
    *,
    calibration: str | None = None,
) -> MeterEnergy:
    """Combine a cleaned meter with its register entry into energy ± u."""
    energy = summary.energy
    try:
        comps = instrument_components(inst, max(abs(energy), 1e-300), unit)
    except NotDerivableError:
        raise
    own, rest = comps[0], comps[1:]
    own_u = own.u if energy else 0.0
    mpe_eff = None
    basis_en, basis_zh = own.basis_en, own.basis_zh
    class_based = (
        inst.uncertainty is None
        and not (inst.certificate and inst.certificate.expanded_uncertainty is not None)
        and inst.kind is InstrumentKind.ELECTRICITY_METER
        and inst.accuracy_class is not None
    )
    if class_based and inst.accuracy_class is not None:
        mpe = meter_mpe(inst.accuracy_class)
        mpe_eff = mpe
        ll = low_load(inst.accuracy_class)
        if ll is not None and summary.energy_low_load > 0 and energy > 0:
            share = min(summary.energy_low_load / energy, 1.0)
            mpe_eff = (1 - share) * mpe + share * ll[1]
            basis_en += (
                f"; {100 * share:.3g} % of the energy below {100 * ll[0]:g} % of rated load "
                f"(MPE ±{100 * ll[1]:g} %) → MPE_eff ±{100 * mpe_eff:.4g} %"
            )
            basis_zh += (
                f"；{100 * share:.3g} % 的电量处于 {100 * ll[0]:g} % 额定负荷以下"
                f"（最大允许误差 ±{100 * ll[1]:g} %）→ 等效 ±{100 * mpe_eff:.4g} %"
            )
        own_u = abs(energy) * mpe_eff / SQRT3
    tr = math.sqrt(sum(c.u**2 for c in rest)) if energy else 0.0
    for c in rest:
        basis_en += f"; {c.basis_en}"
        basis_zh += f"；{c.basis_zh}"
    u_res = summary.resolution * math.sqrt(summary.n_rounded / 12.0)
    return MeterEnergy(
        meter=summary.meter,
        instrument=inst.id,
        unit=unit,
        energy=energy,
        measured=summary.energy_measured,
        filled=summary.energy_filled,
        systematic=SystematicPart(own_u, tr),
        u_resolution=u_res,
        u_fill=summary.u_fill,
        u_prorate=summary.u_prorate,
        calibration=calibration or f"meter:{summary.meter}",
        mpe_eff=mpe_eff,
        basis_en=basis_en,
        basis_zh=basis_zh,
    )


@dataclass(frozen=True)
class Aggregate:
    """The energy of a set of meters (group or product line) with its standard uncertainty."""

    id: str
    meters: tuple[str, ...]
    energy: float
    u: float
    u_systematic: float
    u_random: float
    unit: str
    shared_calibrations: tuple[str, ...] = field(default=())


def aggregate(agg_id: str, meters: Sequence[MeterEnergy], unit: str = "kWh") -> Aggregate:
    """Sum of meters; own-meter errors with the same calibration key add linearly.

    >>> a = MeterEnergy("a", "A", "kWh", 100, 100, 0, SystematicPart(1.0), 0, 0, 0, "cal", None,
    ...     "", "")
    >>> b = MeterEnergy("b", "B", "kWh", 100, 100, 0, SystematicPart(1.0), 0, 0, 0, "cal", None,
    ...     "", "")
    >>> aggregate("g", [a, b]).u, aggregate("g", [a]).u
    (2.0, 1.0)
    """
    clusters: dict[str, float] = {}
    for m in meters:
        clusters[m.calibration] = clusters.get(m.calibration, 0.0) + m.systematic.own
    var_sys = sum(v * v for v in clusters.values()) + sum(
        m.systematic.transformers**2 for m in meters
    )
    var_rand = sum(m.u_random**2 for m in meters)
    shared = tuple(sorted(k for k in clusters if sum(1 for m in meters if m.calibration == k) > 1))
    return Aggregate(
        id=agg_id,
        meters=tuple(m.meter for m in meters),
        energy=math.fsum(m.energy for m in meters),
        u=math.sqrt(var_sys + var_rand),
        u_systematic=math.sqrt(var_sys),
        u_random=math.sqrt(var_rand),
        unit=unit,
        shared_calibrations=shared,
    )


def covariance(a: Iterable[MeterEnergy], b: Iterable[MeterEnergy]) -> float:
    """Covariance of two disjoint sums of meters (through shared calibrations only)."""
    ca: dict[str, float] = {}
    for m in a:
        ca[m.calibration] = ca.get(m.calibration, 0.0) + m.systematic.own
    cov = 0.0
    for m in b:
        cov += ca.get(m.calibration, 0.0) * m.systematic.own
    return cov
