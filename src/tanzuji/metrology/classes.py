"""Accuracy classes, their maximum permissible errors (MPE), the electricity user category
(Table 3, Note 1) and conformance to Table 3.

MPEs are at reference conditions: electricity meters per JJG 596 / GB/T 17215.321/.322 /
EN 50470-3 (class index = MPE in %), non-automatic scales per OIML R76-1 Table 6 (JJG 539),
belt scales per OIML R50-1 (JJG 195), gas meters per OIML R137, liquid measuring systems per
OIML R117, fuel dispensers per JJG 443. See ``docs/governance.md``.

>>> meter_mpe("0.5S"), meter_mpe("B"), meter_mpe("2.0级")
(0.005, 0.01, 0.02)
>>> scale_mpe_e(300, "III"), scale_mpe_e(501, "III"), scale_mpe_e(300, "III", in_service=True)
(0.5, 1.0, 1.0)
>>> user_category(monthly_kwh=5_000_000, high_voltage_billing=True)[0]
<UserCategory.I: 'I'>
"""

from __future__ import annotations

import math
import re

from tanzuji.model.governance import UserCategory

__all__ = [
    "REQUIRED_METER_CLASS",
    "SCALE_CLASSES",
    "belt_mpe",
    "belt_scale_conforms",
    "flow_mpe",
    "meter_class_conforms",
    "meter_mpe",
    "normalise_class",
    "relative_class_mpe",
    "scale_class",
    "scale_class_conforms",
    "scale_mpe_e",
    "user_category",
]

_ROMAN = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IIII"}


def normalise_class(text: str) -> str:
    """Canonical spelling of an accuracy class: no ``级``/``class``, upper case.

    >>> normalise_class(" 0.5s级 "), normalise_class("Class Ⅲ"), normalise_class("1.0")
    ('0.5S', 'III', '1')
    """
    out = text.strip()
    for ch, rep in _ROMAN.items():
        out = out.replace(ch, rep)
    out = re.sub(r"(?i)^(accuracy\s+)?class\s*", "", out)
    out = out.replace("准确度等级", "").replace("等级", "").replace("级", "").strip().upper()
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(S?)", out)
    if m:
        number = float(m.group(1))
        out = f"{number:g}{m.group(2)}"
    return out


# --------------------------------------------------------------------------- electricity meters

_METER_LETTERS = {"A": (0.02, False), "B": (0.01, False), "C": (0.005, True)}
"""EN 50470-3 class indices: A ≈ 2, B ≈ 1, C ≈ 0.5S (Table 3 lists them as alternatives)."""


def _meter(cls: str) -> tuple[float, bool]:
    """(MPE as a fraction, whether the class is an 'S' class or its equivalent)."""
    c = normalise_class(cls)
    if c in _METER_LETTERS:
        return _METER_LETTERS[c]
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(S?)", c)
    if not m or float(m.group(1)) <= 0:
        raise ValueError(
            f"unknown electricity-meter class {cls!r}; expected 0.2S, 0.5S, 1, 2, A, B or C"
        )
    return float(m.group(1)) / 100.0, m.group(2) == "S"


def meter_mpe(cls: str) -> float:
    """MPE of an electricity meter at reference conditions, as a fraction of the reading.

    >>> meter_mpe("0.2S"), meter_mpe("C"), meter_mpe("1")
    (0.002, 0.005, 0.01)
    """
    return _meter(cls)[0]


REQUIRED_METER_CLASS: dict[UserCategory, str] = {
    UserCategory.I: "0.5S / C",
    UserCategory.II: "0.5S / C",
    UserCategory.III: "1 / B",
    UserCategory.IV: "2 / A",
    UserCategory.V: "2 / A",
}
"""Table 3: required active-energy meter class per user category."""

_REQUIRED = {
    UserCategory.I: (0.005, True),
    UserCategory.II: (0.005, True),
    UserCategory.III: (0.01, False),
    UserCategory.IV: (0.02, False),
    UserCategory.V: (0.02, False),
}


def meter_class_conforms(cls: str, category: UserCategory) -> bool:
    """Whether a meter class meets Table 3 for ``category``; a better class also conforms.

    Where an S class is required (0.5S), a plain class with the same index (0.5) does not
    conform; a smaller index (0.2, 0.2S) does.

    >>> meter_class_conforms("0.2S", UserCategory.III), meter_class_conforms("2", UserCategory.III)
    (True, False)
    >>> meter_class_conforms("0.5", UserCategory.I), meter_class_conforms("C", UserCategory.II)
    (False, True)
    """
    mpe, s_class = _meter(cls)
    req_mpe, req_s = _REQUIRED[category]
    if math.isclose(mpe, req_mpe):
        return s_class or not req_s
    return mpe < req_mpe


def relative_class_mpe(cls: str) -> float:
    """A class index read as the relative MPE in % (sensors, secondary instruments, CT/PT).

    >>> relative_class_mpe("0.2"), relative_class_mpe("0.5S")
    (0.002, 0.005)
    """
    return _meter(cls)[0]


def user_category(
    *,
    monthly_kwh: float | None = None,
    transformer_kva: float | None = None,
    high_voltage_billing: bool | None = None,
    single_phase: bool = False,
) -> tuple[UserCategory | None, str, str]:
    """The user category of Table 3, Note 1, with the reason (English, Chinese).

    I: ≥ 5 000 000 kWh/month or ≥ 10 000 kVA, high-voltage billing; II: ≥ 1 000 000 kWh or
    ≥ 2 000 kVA, high-voltage billing; III: ≥ 100 000 kWh or ≥ 315 kVA; IV: below;
    V: single-phase supply. Either criterion suffices. Unstated high-voltage billing is
    assumed (the stricter reading).

    >>> user_category(transformer_kva=315)[0], user_category(transformer_kva=314.9)[0]
    (<UserCategory.III: 'III'>, <UserCategory.IV: 'IV'>)
    >>> user_category(monthly_kwh=6e6, high_voltage_billing=False)[0]
    <UserCategory.III: 'III'>
    """
    if single_phase:
        return UserCategory.V, "single-phase supply", "单相供电"
    m, k = monthly_kwh, transformer_kva
    if m is None and k is None:
        return (
            None,
            "no monthly consumption or transformer capacity given",
            "未给出月用电量或变压器容量",
        )
    hv = high_voltage_billing is not False
    hv_en = "" if high_voltage_billing else " (high-voltage billing assumed)"
    hv_zh = "" if high_voltage_billing else "（按高压计费用户处理）"

    def reached(m_min: float, k_min: float) -> tuple[str, str] | None:
        if m is not None and m >= m_min:
            return f"{m:g} kWh/month ≥ {m_min:g}", f"月平均用电量 {m:g} kWh ≥ {m_min:g}"
        if k is not None and k >= k_min:
            return f"{k:g} kVA ≥ {k_min:g}", f"变压器容量 {k:g} kVA ≥ {k_min:g}"
        return None

    if hv and (why := reached(5_000_000, 10_000)):
        return UserCategory.I, why[0] + hv_en, why[1] + hv_zh
    if hv and (why := reached(1_000_000, 2_000)):
        return UserCategory.II, why[0] + hv_en, why[1] + hv_zh
    if why := reached(100_000, 315):
        return UserCategory.III, why[0], why[1]
    return (
        UserCategory.IV,
        "below 100 000 kWh/month and 315 kVA",
        "月平均用电量低于 10 万 kWh 且容量低于 315 kVA",
    )


# --------------------------------------------------------------------------- scales

SCALE_CLASSES = ("I", "II", "III", "IIII")

_SCALE_BANDS: dict[str, tuple[float, float]] = {
    # upper limits (in e) of the ±0.5 e and ±1 e bands, OIML R76-1 Table 6
    "I": (50_000, 200_000),
    "II": (5_000, 20_000),
    "III": (500, 2_000),
    "IIII": (50, 200),
}


def scale_class(cls: str) -> str:
    """Canonical class of a non-automatic scale (I, II, III, IIII; Ⅳ and IV mean IIII).

    >>> scale_class("Ⅲ级"), scale_class("IV")
    ('III', 'IIII')
    """
    c = normalise_class(cls)
    c = "IIII" if c == "IV" else c
    if c not in SCALE_CLASSES:
        raise ValueError(f"unknown scale class {cls!r}; expected I, II, III or IIII")
    return c


def scale_mpe_e(load_e: float, cls: str, *, in_service: bool = False) -> float:
    """MPE of a non-automatic scale at a load of ``load_e`` verification intervals, in e.

    Bands are closed above: class III gives ±0.5 e for 0 ≤ m ≤ 500 e, ±1 e up to 2 000 e,
    ±1.5 e above; in service the MPE doubles.

    >>> scale_mpe_e(500, "III"), scale_mpe_e(2000, "III"), scale_mpe_e(2000.5, "III")
    (0.5, 1.0, 1.5)
    """
    if not (math.isfinite(load_e) and load_e >= 0):
        raise ValueError(f"the load must be a number ≥ 0 (got {load_e!r})")
    first, second = _SCALE_BANDS[scale_class(cls)]
    mpe = 0.5 if load_e <= first else 1.0 if load_e <= second else 1.5
    return 2 * mpe if in_service else mpe


def scale_class_conforms(cls: str) -> bool:
    """Table 3 requires class III (or better) for non-automatic scales.

    >>> [scale_class_conforms(c) for c in ("I", "II", "III", "IIII")]
    [True, True, True, False]
    """
    return scale_class(cls) != "IIII"


# --------------------------------------------------------------------------- belt scales, flow


def _number_class(cls: str, what: str) -> float:
    c = normalise_class(cls)
    try:
        value = float(c)
    except ValueError:
        raise ValueError(f"unknown {what} class {cls!r}; expected a number such as 0.5") from None
    if not value > 0:
        raise ValueError(f"unknown {what} class {cls!r}; expected a number such as 0.5")
    return value


def belt_mpe(cls: str, *, in_service: bool = False) -> float:
    """MPE of a belt scale's totalised load, fraction (OIML R50-1, JJG 195).

    Class 0.5: ±0.25 % on initial verification, ±0.5 % in service.

    >>> belt_mpe("0.5"), belt_mpe("0.5", in_service=True)
    (0.0025, 0.005)
    """
    c = _number_class(cls, "belt-scale")
    return c / 100.0 if in_service else c / 200.0


def belt_scale_conforms(cls: str) -> bool:
    """Table 3 requires class 0.5 (or better) for belt scales.

    >>> belt_scale_conforms("0.2"), belt_scale_conforms("0.5"), belt_scale_conforms("1")
    (True, True, False)
    """
    return _number_class(cls, "belt-scale") <= 0.5


FUEL_DISPENSER_MPE = 0.003
"""JJG 443 fuel dispensers: ±0.30 %, used when no class is stated."""


def flow_mpe(cls: str | None, *, dispenser: bool = False) -> float:
    """MPE of a gas/liquid flow meter or fuel dispenser, fraction: the class index in %.

    Gas meters (OIML R137): class 1.5 → ±1.5 % between Q_t and Q_max (the lower range,
    twice that, is not assumed). Liquid systems (OIML R117): class = system MPE in %.
    A fuel dispenser without a stated class: ±0.30 % (JJG 443).

    >>> flow_mpe("1.5"), flow_mpe(None, dispenser=True)
    (0.015, 0.003)
    """
    if cls is None:
        if dispenser:
            return FUEL_DISPENSER_MPE
        raise ValueError("a flow meter needs its accuracy class")
    return _number_class(cls, "flow-meter") / 100.0
