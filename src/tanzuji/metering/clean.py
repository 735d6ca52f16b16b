"""Cleaning one meter's readings, with a finding for everything done (never silently).

:func:`clean_meter` takes all readings of one meter (the normalised frame of
:mod:`tanzuji.metering.readers`) and returns a :class:`MeterSummary`: the measured energy,
the energy filled into gaps with its standard uncertainty, the data for the resolution and
load-dependent error, and the findings. It runs inside Dask (one call per meter), so it only
uses pandas/numpy and returns plain data.

Interval meters (kWh per 15/30/60 min): readings outside the period are left out; readings
off the interval grid are a clock shift and are moved to the nearest interval; duplicate
timestamps keep the first; negative readings and readings above ``max_kw`` × interval are
removed; then every missing interval is a gap, filled per the meter's choice:

- ``interpolate``: the mean of the readings either side, u per interval = s_r, the standard
  deviation of the residuals r_i = v_i − (v_{i−1} + v_{i+1})/2 of the meter's own data;
- ``profile``: the mean of the same weekday and time of day, u = their standard deviation;
- ``bounded``: left out; the energy is bounded by 0 … E_max (``max_kw`` × duration, else
  the highest observed interval × n), u = E_max/√3.

Within one gap the errors are taken as fully correlated (u adds linearly), between gaps as
independent (root-sum-square).

Register meters (cumulative readings, daily frozen or irregular): consecutive readings give
increments; a decrease is a roll-over (when it fits the register's ``rollover`` value), a
meter replacement (the serial changed) or a reset (a new segment); an increment straddling
the period edge is pro-rated (u = min(f, 1 − f)·Δ/√3); parts of the period no increment
covers are gaps, filled at the meter's mean rate (u = s_rate × duration) or bounded.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MeterFinding", "MeterSummary", "PeriodBounds", "clean_meter"]

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


_FILL_ZH = {
    "interpolate": "线性插值",
    "profile": "同星期同时段均值",
    "bounded": "不补，按上限计入不确定度",
}
_FILL_EN = {
    "interpolate": "interpolated",
    "profile": "same-weekday profile",
    "bounded": "left out, bounded in u",
}


def clean_meter(
    frame: pd.DataFrame, meter: str, rules: MeterRules, period: PeriodBounds
) -> MeterSummary:
    """Clean one meter's readings; see the module docstring."""
    s = MeterSummary(meter=meter, kind=rules.kind, n_readings=len(frame))
    if "serial" in frame.columns:
        s.serials = [str(x) for x in frame.sort_values("ts")["serial"].unique() if str(x)]
    if frame.empty:
        s.findings.append(
            MeterFinding(
                "error",
                "meter.no_readings",
                meter,
                "",
                "",
                f"电能表 {meter} 无读数",
                f"meter {meter} has no readings",
            )
        )
        return s
    frame = frame.sort_values("ts", kind="stable")
    if rules.kind == "interval":
        _interval(frame, s, rules, period)
    else:
        _register(frame, s, rules, period)
    return s


def fmt_num(x: float) -> str:
    """A number for a message: 6 significant digits, never an exponent.

    >>> fmt_num(1494490.123), fmt_num(12.3456789)
    ('1494490', '12.3457')
    """
    return f"{x:.0f}" if abs(x) >= 1e5 else f"{x:.6g}"


def _add(s: MeterSummary, level: str, code: str, a: str, b: str, zh: str, en: str) -> None:
    s.findings.append(MeterFinding(level, code, s.meter, a, b, zh, en))  # type: ignore[arg-type]


def infer_resolution(values: np.ndarray[Any, np.dtype[np.float64]]) -> float:
    """The largest 10^-k (k = 0 … 6) of which every value is a multiple.

    >>> infer_resolution(np.array([1.25, 3.5, 2.0]))
    0.01
    """
    v = values[np.isfinite(values)]
    if v.size == 0:
        return 0.0
    for k in range(7):
        scaled = v * 10.0**k
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return float(10.0**-k)
    return 0.0


def _meter_resolution(
    rules: MeterRules, values: np.ndarray[Any, np.dtype[np.float64]], scale: float = 1.0
) -> float:
    if rules.resolution is not None:
        return rules.resolution * scale
    return infer_resolution(values)


def _serials(frame: pd.DataFrame, s: MeterSummary, period: PeriodBounds) -> None:
    if "serial" not in frame.columns or len(s.serials) < 2:
        return
    ser = frame["serial"].astype("str").to_numpy()
    ts = frame["ts"].to_numpy()
    change = np.flatnonzero(ser[1:] != ser[:-1]) + 1
    for i in change:
        when = period.fmt(int(ts[i]))
        _add(
            s,
            "warning",
            "meter.replaced",
            period.fmt(int(ts[i - 1])),
            when,
            f"电能表 {s.meter} 更换：表号 {ser[i - 1]} → {ser[i]}（{when}），分段计算电量",
            f"meter {s.meter} replaced: serial {ser[i - 1]} → {ser[i]} at {when}; "
            "energy computed per serial",
        )


def _interval(frame: pd.DataFrame, s: MeterSummary, rules: MeterRules, p: PeriodBounds) -> None:
    step = rules.interval_min * NS_MIN
    ts = frame["ts"].to_numpy(dtype="int64")
    val = frame["value"].to_numpy(dtype="float64")
    _serials(frame, s, p)
    # outside the period
    outside = (ts < p.start) | (ts >= p.end)
    if outside.any():
        o = ts[outside]
        _add(
            s,
            "info",
            "readings.outside_period",
            p.fmt(int(o.min())),
            p.fmt(int(o.max())),
            f"{int(outside.sum())} 个读数在评价周期外"
            f"（{p.span(int(o.min()), int(o.max()))}），已舍去",
            f"{int(outside.sum())} readings outside the evaluation period "
            f"({p.span(int(o.min()), int(o.max()))}) left out",
        )
        ts, val = ts[~outside], val[~outside]
    # clock shift: off the interval grid
    off = (ts - p.start) % step
    shifted = off != 0
    if shifted.any():
        snapped = p.start + np.round((ts - p.start) / step).astype("int64") * step
        worst = int(np.max(np.abs(snapped[shifted] - ts[shifted]))) / NS_MIN
        a, b = int(ts[shifted].min()), int(ts[shifted].max())
        _add(
            s,
            "warning",
            "readings.clock_shift",
            p.fmt(a),
            p.fmt(b),
            f"时钟偏移：{int(shifted.sum())} 个读数不在 {rules.interval_min} 分钟网格上"
            f"（最大偏移 {worst:g} 分钟，{p.span(a, b)}），已对齐到最近时段",
            f"clock shift: {int(shifted.sum())} readings off the {rules.interval_min}-minute "
            f"grid (up to {worst:g} min, {p.span(a, b)}); moved to the nearest interval",
        )
        ts = snapped
        keep = (ts >= p.start) & (ts < p.end)
        ts, val = ts[keep], val[keep]
    # duplicates
    order = np.argsort(ts, kind="stable")
    ts, val = ts[order], val[order]
    dup = np.zeros(ts.size, dtype=bool)
    dup[1:] = ts[1:] == ts[:-1]
    if dup.any():
        differ = int(np.sum(dup & (np.abs(val - np.roll(val, 1)) > 1e-12)))
        a, b = int(ts[dup].min()), int(ts[dup].max())
        _add(
            s,
            "warning",
            "readings.duplicate",
            p.fmt(a),
            p.fmt(b),
            f"{int(dup.sum())} 个重复时间戳（其中 {differ} 个数值不同，"
            f"{p.span(a, b)}），保留第一个",
            f"{int(dup.sum())} duplicate timestamps ({differ} with a different value, "
            f"{p.span(a, b)}); the first kept",
        )
        ts, val = ts[~dup], val[~dup]
    # negative and impossible
    hours = rules.interval_min / 60.0
    bad = val < 0
    if bad.any():
        a, b = int(ts[bad].min()), int(ts[bad].max())
        _add(
            s,
            "error",
            "readings.negative",
            p.fmt(a),
            p.fmt(b),
            f"{int(bad.sum())} 个负的时段电量（{p.span(a, b)}），已剔除并按缺测补齐",
            f"{int(bad.sum())} negative interval readings ({p.span(a, b)}) removed and "
            "filled as gaps",
        )
    if rules.max_kw is not None:
        high = val > rules.max_kw * hours * (1 + 1e-9)
        if high.any():
            a, b = int(ts[high].min()), int(ts[high].max())
            _add(
                s,
                "error",
                "readings.impossible",
                p.fmt(a),
                p.fmt(b),
                f"{int(high.sum())} 个时段电量超过互感器额定功率 {rules.max_kw:g} kW 所能计量的上限"
                f"（最大 {fmt_num(float(val[high].max()))}，{p.span(a, b)}），已剔除并按缺测补齐",
                f"{int(high.sum())} interval readings above what the CT rating {rules.max_kw:g} kW "
                f"allows (up to {fmt_num(float(val[high].max()))}, {p.span(a, b)}); removed and "
                "filled as gaps",
            )
            bad |= high
    s.resolution = _meter_resolution(rules, val)
    ts, val = ts[~bad], val[~bad]
    n = int((p.end - p.start) // step)
    s.n_expected = n
    s.n_used = int(ts.size)
    series = np.full(n, np.nan)
    series[((ts - p.start) // step).astype("int64")] = val
    s.energy_measured = float(np.sum(val))
    s.n_rounded = int(ts.size)
    if ts.size:
        s.first, s.last = p.fmt(int(ts[0])), p.fmt(int(ts[-1]))
    if rules.low_load_kw is not None:
        s.energy_low_load = float(np.sum(val[val < rules.low_load_kw * hours]))
    _fill(series, s, rules, p, step)


def _runs(missing: np.ndarray[Any, np.dtype[np.bool_]]) -> tuple[Any, Any]:
    """Start (inclusive) and end (exclusive) indices of the runs of True."""
    m = np.concatenate(([False], missing, [False])).astype(np.int8)
    d = np.diff(m)
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _fill(
    series: np.ndarray[Any, np.dtype[np.float64]],
    s: MeterSummary,
    rules: MeterRules,
    p: PeriodBounds,
    step: int,
) -> None:
    missing = np.isnan(series)
    if not missing.any():
        return
    starts, ends = _runs(missing)
    obs = series[~missing]
    n = series.size
    method = rules.gap_fill
    hours = rules.interval_min / 60.0
    if obs.size == 0:
        method = "bounded"
    per_gap_e = np.zeros(starts.size)
    per_gap_u = np.zeros(starts.size)
    length = (ends - starts).astype(float)
    if method == "interpolate":
        # residual of the two-sided mean on the meter's own data
        both = ~missing[1:-1] & ~missing[:-2] & ~missing[2:]
        resid = series[1:-1][both] - 0.5 * (series[:-2][both] + series[2:][both])
        s_r = float(np.std(resid, ddof=1)) if resid.size > 1 else float(np.std(obs))
        left = np.where(starts > 0, series[np.maximum(starts - 1, 0)], np.nan)
        right = np.where(ends < n, series[np.minimum(ends, n - 1)], np.nan)
        known = (~np.isnan(left)).astype(float) + (~np.isnan(right)).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            edge = (np.nan_to_num(left) + np.nan_to_num(right)) / known
        edge = np.where(known > 0, edge, float(np.mean(obs)))
        per_gap_e = edge * length
        per_gap_u = s_r * length
    elif method == "profile":
        slots_per_day = 1440 // rules.interval_min
        idx = np.arange(n)
        t = p.start + idx * step
        weekday = ((t // (86_400 * 10**9)) + 3) % 7  # 1970-01-01 was a Thursday (3)
        slot = idx % slots_per_day
        key = weekday * slots_per_day + slot
        nk = 7 * slots_per_day
        cnt = np.bincount(key[~missing], minlength=nk)
        tot = np.bincount(key[~missing], weights=series[~missing], minlength=nk)
        sq = np.bincount(key[~missing], weights=series[~missing] ** 2, minlength=nk)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = tot / cnt
            var = (sq - cnt * mean**2) / np.maximum(cnt - 1, 1)
        fallback_mean, fallback_sd = float(np.mean(obs)), float(np.std(obs))
        mean = np.where(cnt > 0, mean, fallback_mean)
        sd = np.where(cnt > 1, np.sqrt(np.maximum(var, 0.0)), fallback_sd)
        cum_e = np.concatenate(([0.0], np.cumsum(np.where(missing, mean[key], 0.0))))
        cum_u = np.concatenate(([0.0], np.cumsum(np.where(missing, sd[key], 0.0))))
        per_gap_e = cum_e[ends] - cum_e[starts]
        per_gap_u = cum_u[ends] - cum_u[starts]
    else:
        cap = rules.max_kw * hours if rules.max_kw is not None else float(np.max(obs, initial=0))
        per_gap_u = cap * length / math.sqrt(3.0)
    s.energy_filled = float(np.sum(per_gap_e))
    s.u_fill = float(math.sqrt(float(np.sum(per_gap_u**2))))
    total_missing = int(np.sum(ends - starts))
    longest = int(np.argmax(ends - starts))
    la, lb = int(starts[longest]), int(ends[longest])
    a_ns, b_ns = p.start + la * step, p.start + lb * step
    level = "warning" if total_missing > 0.01 * n or method == "bounded" else "info"
    _add(
        s,
        level,
        "readings.gap",
        p.fmt(p.start + int(starts[0]) * step),
        p.fmt(p.start + int(ends[-1]) * step),
        f"{starts.size} 处缺测共 {total_missing} 个时段（{total_missing * hours:g} h），最长 "
        f"{p.span(a_ns, b_ns)}；处理：{_FILL_ZH[method]}，补入 {fmt_num(s.energy_filled)}，"
        f"标准不确定度 {s.u_fill:.3g}",
        f"{starts.size} gaps, {total_missing} intervals ({total_missing * hours:g} h) missing, "
        f"the longest {p.span(a_ns, b_ns)}; action: {_FILL_EN[method]}, filled "
        f"{fmt_num(s.energy_filled)} with standard uncertainty {s.u_fill:.3g}",
    )


def _register(frame: pd.DataFrame, s: MeterSummary, rules: MeterRules, p: PeriodBounds) -> None:
    ts = frame["ts"].to_numpy(dtype="int64")
    val = frame["value"].to_numpy(dtype="float64")
    ser = (
        frame["serial"].astype("str").to_numpy()
        if "serial" in frame.columns
        else np.array([""] * ts.size, dtype=object)
    )
    _serials(frame, s, p)
    dup = np.zeros(ts.size, dtype=bool)
    dup[1:] = ts[1:] == ts[:-1]
    if dup.any():
        a, b = int(ts[dup].min()), int(ts[dup].max())
        _add(
            s,
            "warning",
            "readings.duplicate",
            p.fmt(a),
            p.fmt(b),
            f"{int(dup.sum())} 个重复时间戳（{p.span(a, b)}），保留第一个",
            f"{int(dup.sum())} duplicate timestamps ({p.span(a, b)}); the first kept",
        )
        ts, val, ser = ts[~dup], val[~dup], ser[~dup]
    # only the readings that bracket the period matter
    lo = max(int(np.searchsorted(ts, p.start, side="right")) - 1, 0)
    hi = min(int(np.searchsorted(ts, p.end, side="left")) + 1, ts.size)
    if lo > 0 or hi < ts.size:
        dropped = np.concatenate((ts[:lo], ts[hi:]))
        _add(
            s,
            "info",
            "readings.outside_period",
            p.fmt(int(dropped.min())),
            p.fmt(int(dropped.max())),
            f"{dropped.size} 个读数在评价周期外，已舍去（保留周期两端各一个用于分摊）",
            f"{dropped.size} readings outside the evaluation period left out (one kept at "
            "each end for pro-rating)",
        )
        ts, val, ser = ts[lo:hi], val[lo:hi], ser[lo:hi]
    s.resolution = _meter_resolution(rules, val)
    s.n_used = int(ts.size)
    if ts.size:
        s.first, s.last = p.fmt(int(ts[0])), p.fmt(int(ts[-1]))
    delta = np.diff(val)
    same = ser[1:] == ser[:-1]
    valid = np.ones(delta.size, dtype=bool)
    rollover = rules.rollover
    segments = 1
    for i in np.flatnonzero((delta < 0) | ~same):
        t0, t1 = int(ts[i]), int(ts[i + 1])
        if not same[i]:
            valid[i] = False  # replacement: the energy between the two meters is a gap
            segments += 1
            continue
        if rollover is not None and val[i] > 0.5 * rollover and val[i + 1] < 0.5 * rollover:
            delta[i] += rollover
            _add(
                s,
                "warning",
                "register.rollover",
                p.fmt(t0),
                p.fmt(t1),
                f"计度器翻转（{fmt_num(val[i])} → {fmt_num(val[i + 1])}，"
                f"{p.span(t0, t1)}），已加上 {rollover:g}",
                f"register roll-over ({fmt_num(val[i])} → {fmt_num(val[i + 1])}, "
                f"{p.span(t0, t1)}); {rollover:g} added",
            )
            continue
        valid[i] = False
        segments += 1
        _add(
            s,
            "error",
            "register.backwards",
            p.fmt(t0),
            p.fmt(t1),
            f"计度器读数倒退（{fmt_num(val[i])} → {fmt_num(val[i + 1])}，"
            f"{p.span(t0, t1)}），表号未变；按电表复位分段，该时段按缺测补齐",
            f"register went backwards ({fmt_num(val[i])} → {fmt_num(val[i + 1])}, "
            f"{p.span(t0, t1)}) with the same serial; treated as a reset, the interval filled "
            "as a gap",
        )
    t0s, t1s = ts[:-1], ts[1:]
    hours = (t1s - t0s) / NS_H
    if rules.max_kw is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            high = valid & (delta > rules.max_kw * hours * (1 + 1e-9))
        for i in np.flatnonzero(high):
            valid[i] = False
            _add(
                s,
                "error",
                "readings.impossible",
                p.fmt(int(t0s[i])),
                p.fmt(int(t1s[i])),
                f"计度器增量 {fmt_num(delta[i])} 超过互感器额定功率 {rules.max_kw:g} kW 的上限，"
                "已剔除并按缺测补齐",
                f"register increment {fmt_num(delta[i])} exceeds what the CT rating "
                f"{rules.max_kw:g} kW allows; removed and filled as a gap",
            )
    # overlap of each increment with the period
    a = np.maximum(t0s, p.start)
    b = np.minimum(t1s, p.end)
    span = np.maximum(t1s - t0s, 1)
    frac = np.clip((b - a) / span, 0.0, 1.0)
    used = valid & (frac > 0)
    e = delta * frac
    s.energy_measured = float(np.sum(e[used]))
    part = used & (frac < 1.0)
    s.u_prorate = float(
        math.sqrt(float(np.sum((np.minimum(frac, 1 - frac) * delta / math.sqrt(3.0))[part] ** 2)))
    )
    s.n_rounded = 2 * segments
    if rules.low_load_kw is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            low = used & (delta / np.maximum(hours, 1e-12) < rules.low_load_kw)
        s.energy_low_load = float(np.sum(e[low]))
    # uncovered parts of the period: gaps
    covered = sorted((int(x), int(y)) for x, y, u in zip(a, b, used, strict=True) if u and y > x)
    gaps: list[tuple[int, int]] = []
    cursor = p.start
    for x, y in covered:
        if x > cursor:
            gaps.append((cursor, x))
        cursor = max(cursor, y)
    if cursor < p.end:
        gaps.append((cursor, p.end))
    s.n_expected = int(delta.size)
    if not gaps:
        return
    rates = delta[valid] / np.maximum(hours[valid], 1e-12)
    mean_rate = float(np.sum(delta[valid]) / max(float(np.sum(hours[valid])), 1e-12))
    sd_rate = float(np.std(rates, ddof=1)) if rates.size > 1 else mean_rate
    method = rules.gap_fill if rates.size else "bounded"
    fill_e, fill_u = [], []
    for x, y in gaps:
        h = (y - x) / NS_H
        if method == "bounded":
            cap = rules.max_kw if rules.max_kw is not None else float(np.max(rates, initial=0))
            fill_e.append(0.0)
            fill_u.append(cap * h / math.sqrt(3.0))
        else:
            fill_e.append(mean_rate * h)
            fill_u.append(sd_rate * h)
    s.energy_filled = float(sum(fill_e))
    s.u_fill = float(math.sqrt(sum(u * u for u in fill_u)))
    total_h = sum((y - x) / NS_H for x, y in gaps)
    longest = max(gaps, key=lambda g: g[1] - g[0])
    how_zh = "不补，按上限计入不确定度" if method == "bounded" else "按平均功率补齐"
    how_en = "left out, bounded in u" if method == "bounded" else "filled at the mean rate"
    _add(
        s,
        "warning",
        "readings.gap",
        p.fmt(gaps[0][0]),
        p.fmt(gaps[-1][1]),
        f"{len(gaps)} 段周期未被读数覆盖，共 {total_h:.4g} h，最长 {p.span(*longest)}；处理："
        f"{how_zh}，补入 {fmt_num(s.energy_filled)}，标准不确定度 {s.u_fill:.3g}",
        f"{len(gaps)} parts of the period not covered by readings, {total_h:.4g} h, the longest "
        f"{p.span(*longest)}; action: {how_en}, filled {fmt_num(s.energy_filled)} with standard "
        f"uncertainty {s.u_fill:.3g}",
    )
