"""Cleaning a register meter (cumulative readings, daily frozen or irregular); see
:mod:`tanzuji.metering.clean`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tanzuji.metering.clean_base import (
    NS_H,
    MeterRules,
    MeterSummary,
    PeriodBounds,
    add_finding,
    fmt_num,
    meter_resolution,
    serial_findings,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["clean_register"]


def clean_register(
    frame: pd.DataFrame, s: MeterSummary, rules: MeterRules, p: PeriodBounds
) -> None:
    ts = frame["ts"].to_numpy(dtype="int64")
    val = frame["value"].to_numpy(dtype="float64")
    ser = (
        frame["serial"].astype("str").to_numpy()
        if "serial" in frame.columns
        else np.array([""] * ts.size, dtype=object)
    )
    serial_findings(frame, s, p)
    dup = np.zeros(ts.size, dtype=bool)
    dup[1:] = ts[1:] == ts[:-1]
    if dup.any():
        a, b = int(ts[dup].min()), int(ts[dup].max())
        add_finding(
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
        add_finding(
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
    s.resolution = meter_resolution(rules, val)
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
            add_finding(
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
        add_finding(
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
        electric = rules.rate_unit == "kW"
        what_zh = "互感器额定功率" if electric else "最大流量"
        what_en = "CT rating" if electric else "highest possible rate"
        with np.errstate(divide="ignore", invalid="ignore"):
            high = valid & (delta > rules.max_kw * hours * (1 + 1e-9))
        for i in np.flatnonzero(high):
            valid[i] = False
            add_finding(
                s,
                "error",
                "readings.impossible",
                p.fmt(int(t0s[i])),
                p.fmt(int(t1s[i])),
                f"计度器增量 {fmt_num(delta[i])} 超过{what_zh} {rules.max_kw:g} {rules.rate_unit} "
                "的上限，已剔除并按缺测补齐",
                f"register increment {fmt_num(delta[i])} exceeds what the {what_en} "
                f"{rules.max_kw:g} {rules.rate_unit} allows; removed and filled as a gap",
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
    add_finding(
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
