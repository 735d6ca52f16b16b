"""The data types and helpers shared by the interval and register cleaning steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NS_H",
    "NS_MIN",
    "MeterFinding",
    "MeterRules",
    "MeterSummary",
    "PeriodBounds",
    "add_finding",
    "fmt_num",
    "infer_resolution",
    "meter_resolution",
    "serial_findings",
]

NS_MIN = 60_000_000_000
NS_H = 60 * NS_MIN


@dataclass(frozen=True)
class PeriodBounds:
    """The evaluation period in ns UTC: [start, end)."""

    start: int
    end: int
    tz: str

    def fmt(self, ns: int) -> str:
        """A timestamp in the mapping's zone, minutes precision."""
        from zoneinfo import ZoneInfo

        t = dt.datetime.fromtimestamp(ns / 1e9, tz=dt.UTC).astimezone(ZoneInfo(self.tz))
        return t.strftime("%Y-%m-%d %H:%M")

    def span(self, a: int, b: int) -> str:
        """``a – b`` in local time."""
        return self.fmt(a) if a == b else f"{self.fmt(a)} – {self.fmt(b)}"


@dataclass(frozen=True)
class MeterFinding:
    """A cleaning finding about one meter: what, when, what was done (zh and en)."""

    level: Literal["error", "warning", "info"]
    code: str
    meter: str
    start: str
    end: str
    zh: str
    en: str


@dataclass
class MeterSummary:
    """What cleaning one meter gives (all energies in the meter's canonical unit)."""

    meter: str
    kind: str
    n_readings: int = 0
    n_expected: int = 0
    n_used: int = 0
    energy_measured: float = 0.0
    energy_filled: float = 0.0
    u_fill: float = 0.0
    u_prorate: float = 0.0
    resolution: float = 0.0
    n_rounded: int = 0
    """How many rounded values enter the sum with independent rounding errors."""
    energy_low_load: float = 0.0
    """Energy in intervals below the low-load threshold (larger MPE)."""
    first: str = ""
    last: str = ""
    serials: list[str] = field(default_factory=list)
    findings: list[MeterFinding] = field(default_factory=list)

    @property
    def energy(self) -> float:
        """Measured + filled energy."""
        return self.energy_measured + self.energy_filled

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MeterSummary:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        data["findings"] = [MeterFinding(**f) for f in data.get("findings", [])]
        return cls(**data)


@dataclass(frozen=True)
class MeterRules:
    """The per-meter cleaning choices (from the mapping)."""

    kind: Literal["interval", "register"]
    interval_min: int
    gap_fill: Literal["interpolate", "profile", "bounded"]
    max_kw: float | None = None
    resolution: float | None = None
    rollover: float | None = None
    low_load_kw: float | None = None
    """Power below which the low-load MPE applies (rated power × threshold)."""
    rate_unit: str = "kW"
    """Unit of ``max_kw``: kW, or the reading unit per hour for other carriers (Nm3/h)."""


def fmt_num(x: float) -> str:
    """A number for a message: 6 significant digits, never an exponent.

    >>> fmt_num(1494490.123), fmt_num(12.3456789)
    ('1494490', '12.3457')
    """
    return f"{x:.0f}" if abs(x) >= 1e5 else f"{x:.6g}"


def add_finding(s: MeterSummary, level: str, code: str, a: str, b: str, zh: str, en: str) -> None:
    s.findings.append(MeterFinding(level, code, s.meter, a, b, zh, en))  # type: ignore[arg-type]


def infer_resolution(values: np.ndarray[Any, np.dtype[np.float64]]) -> float:
    """The largest 10^-k (k = 0 … 6) of which every value is a multiple.

    >>> infer_resolution(np.array([1.25, 3.5, 2.0]))
    0.01
    """
    v = values[np.isfinite(values)]
    if v.size == 0:
        return 0.0

    def multiple(x: np.ndarray[Any, np.dtype[np.float64]], k: int) -> bool:
        scaled = x * 10.0**k
        return bool(
            np.all(np.abs(scaled - np.round(scaled)) < 1e-6 * np.maximum(1.0, np.abs(scaled)))
        )

    # a sample gives the smallest k the whole array can have: one full pass, not k + 1
    sample = v[:: max(1, v.size // 512)]
    first = next((k for k in range(7) if multiple(sample, k)), 7)
    for k in range(first, 7):
        if multiple(v, k):
            return float(10.0**-k)
    return 0.0


def meter_resolution(
    rules: MeterRules, values: np.ndarray[Any, np.dtype[np.float64]], scale: float = 1.0
) -> float:
    if rules.resolution is not None:
        return rules.resolution * scale
    return infer_resolution(values)


def serial_findings(frame: pd.DataFrame, s: MeterSummary, period: PeriodBounds) -> None:
    if "serial" not in frame.columns or len(s.serials) < 2:
        return
    ser = frame["serial"].astype("str").to_numpy()
    ts = frame["ts"].to_numpy()
    change = np.flatnonzero(ser[1:] != ser[:-1]) + 1
    for i in change:
        when = period.fmt(int(ts[i]))
        add_finding(
            s,
            "warning",
            "meter.replaced",
            period.fmt(int(ts[i - 1])),
            when,
            f"电能表 {s.meter} 更换：表号 {ser[i - 1]} → {ser[i]}（{when}），分段计算电量",
            f"meter {s.meter} replaced: serial {ser[i - 1]} → {ser[i]} at {when}; "
            "energy computed per serial",
        )
