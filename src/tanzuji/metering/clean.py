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

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from tanzuji.metering.clean_base import (
    NS_H,
    NS_MIN,
    MeterFinding,
    MeterRules,
    MeterSummary,
    PeriodBounds,
    add_finding,
    fmt_num,
    infer_resolution,
    meter_resolution,
    serial_findings,
)
from tanzuji.metering.register import clean_register

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NS_H",
    "NS_MIN",
    "MeterFinding",
    "MeterRules",
    "MeterSummary",
    "PeriodBounds",
    "clean_meter",
    "fmt_num",
    "infer_resolution",
]

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
    ts = frame["ts"].to_numpy()
    if ts.size > 1 and bool((ts[1:] < ts[:-1]).any()):  # sorted input (Parquet parts) stays
        frame = frame.sort_values("ts", kind="stable")
    if rules.kind == "interval":
        _interval(frame, s, rules, period)
    else:
        clean_register(frame, s, rules, period)
    return s


def _interval(frame: pd.DataFrame, s: MeterSummary, rules: MeterRules, p: PeriodBounds) -> None:
    step = rules.interval_min * NS_MIN
    ts = frame["ts"].to_numpy(dtype="int64")
    val = frame["value"].to_numpy(dtype="float64")
    serial_findings(frame, s, p)
    # outside the period
    outside = (ts < p.start) | (ts >= p.end)
    if outside.any():
        o = ts[outside]
        add_finding(
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
        add_finding(
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
        add_finding(
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
        add_finding(
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
        electric = rules.rate_unit == "kW"
        what_zh = "互感器额定功率" if electric else "最大流量"
        what_en = "CT rating" if electric else "highest possible rate"
        if high.any():
            a, b = int(ts[high].min()), int(ts[high].max())
            add_finding(
                s,
                "error",
                "readings.impossible",
                p.fmt(a),
                p.fmt(b),
                f"{int(high.sum())} 个时段读数超过{what_zh} {rules.max_kw:g} {rules.rate_unit} "
                f"所能计量的上限（最大 {fmt_num(float(val[high].max()))}，{p.span(a, b)}），"
                "已剔除并按缺测补齐",
                f"{int(high.sum())} interval readings above what the {what_en} "
                f"{rules.max_kw:g} {rules.rate_unit} allows (up to "
                f"{fmt_num(float(val[high].max()))}, {p.span(a, b)}); removed and filled as gaps",
            )
            bad |= high
    s.resolution = meter_resolution(rules, val)
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
    add_finding(
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
