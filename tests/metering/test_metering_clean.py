"""Cleaning one meter: every finding, and the gap fills against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tanzuji.metering.clean import NS_MIN, MeterRules, clean_meter
from tanzuji.metering.ingest import period_bounds
from tanzuji.model.base import Period

DAY = Period(start="2025-01-01", end="2025-01-01")  # 96 intervals of 15 min, UTC
BOUNDS = period_bounds(DAY, "UTC")
STEP = 15 * NS_MIN


def frame(values: list[float] | np.ndarray, ts: list[int] | None = None, serial=None):
    n = len(values)
    data = {
        "meter": ["M"] * n,
        "ts": ts if ts is not None else [BOUNDS.start + i * STEP for i in range(n)],
        "value": np.asarray(values, dtype=float),
    }
    if serial is not None:
        data["serial"] = serial
    return pd.DataFrame(data)


def rules(**kw) -> MeterRules:
    base = {"kind": "interval", "interval_min": 15, "gap_fill": "interpolate"}
    base.update(kw)
    return MeterRules(**base)


def codes(summary) -> list[str]:
    return [f.code for f in summary.findings]


def test_clean_complete_day_has_no_findings_and_sums():
    s = clean_meter(frame([1.25] * 96), "M", rules(), BOUNDS)
    assert s.findings == []
    assert s.energy == pytest.approx(96 * 1.25)
    assert s.resolution == 0.01  # 1.25 has two decimals
    assert s.n_expected == 96


def test_clean_interpolate_gap_hand_calculation():
    # v_i = 1.0 (even i), 1.1 (odd i); gap at i = 10..13.
    v = np.array([1.0 + 0.1 * (i % 2) for i in range(96)])
    keep = [i for i in range(96) if not 10 <= i <= 13]
    s = clean_meter(frame(v[keep], [BOUNDS.start + i * STEP for i in keep]), "M", rules(), BOUNDS)
    # fill: mean of the neighbours v9 = 1.1 and v14 = 1.0 → 1.05 per interval, 4 intervals
    assert s.energy_filled == pytest.approx(4 * 1.05)
    # residuals r_i = v_i − (v_{i−1}+v_{i+1})/2 = ±0.1 on i = 1..8 and 15..94: 44 of each,
    # mean 0, s_r = 0.1·√(88/87); fully correlated within the gap: u = 4·s_r
    assert s.u_fill == pytest.approx(4 * 0.1 * math.sqrt(88 / 87))
    assert codes(s) == ["readings.gap"]
    f = s.findings[0]
    assert (f.start, f.end) == ("2025-01-01 02:30", "2025-01-01 03:30")


def test_clean_profile_gap_hand_calculation():
    period = Period(start="2025-01-06", end="2025-01-26")  # three weeks from a Monday
    b = period_bounds(period, "UTC")
    n = 21 * 96
    slot = np.arange(n) % 96
    week = np.arange(n) // (7 * 96)
    v = 1.0 + slot / 100 + np.where(week == 1, 0.2, 0.0)
    keep = [i for i in range(n) if not 40 <= i <= 43]  # Monday of week 1, slots 40..43
    df = pd.DataFrame({"meter": "M", "ts": [b.start + i * STEP for i in keep], "value": v[keep]})
    s = clean_meter(df, "M", rules(gap_fill="profile"), b)
    # same weekday and slot in weeks 2 and 3: (1 + slot/100 + 0.2) and (1 + slot/100)
    # → mean 1.1 + slot/100, sd = 0.2/√2; E = 4·1.1 + (40+41+42+43)/100 = 6.06
    assert s.energy_filled == pytest.approx(6.06)
    assert s.u_fill == pytest.approx(4 * 0.2 / math.sqrt(2))


def test_clean_bounded_gap_hand_calculation():
    keep = [i for i in range(96) if not 0 <= i <= 3]
    s = clean_meter(
        frame([1.0] * len(keep), [BOUNDS.start + i * STEP for i in keep]),
        "M",
        rules(gap_fill="bounded", max_kw=10.0),
        BOUNDS,
    )
    # left out; bounded by 10 kW × 1 h = 10 kWh, u = 10/√3
    assert s.energy_filled == 0.0
    assert s.u_fill == pytest.approx(10 / math.sqrt(3))
    assert s.findings[0].level == "warning"


def test_clean_duplicates_negative_impossible_outside_and_clock_shift():
    ts = [BOUNDS.start + i * STEP for i in range(96)]
    values = [1.0] * 96
    ts.append(ts[5])  # duplicate with a different value
    values.append(9.0)
    values[20] = -1.0  # negative
    values[30] = 50.0  # above 10 kW × 0.25 h
    ts[40] += 3 * NS_MIN  # clock shift by 3 minutes
    ts.append(BOUNDS.end + STEP)  # outside the period
    values.append(1.0)
    s = clean_meter(frame(values, ts), "M", rules(max_kw=10.0), BOUNDS)
    assert set(codes(s)) == {
        "readings.outside_period",
        "readings.clock_shift",
        "readings.duplicate",
        "readings.negative",
        "readings.impossible",
        "readings.gap",
    }
    # the duplicate kept the first (1.0); the two removed intervals filled by interpolation
    assert s.energy_measured == pytest.approx(94.0)
    assert s.energy_filled == pytest.approx(2.0)
    shift = next(f for f in s.findings if f.code == "readings.clock_shift")
    assert shift.start == "2025-01-01 10:03"


def test_clean_meter_replacement_on_interval_meter():
    s = clean_meter(frame([1.0] * 96, serial=["A"] * 50 + ["B"] * 46), "M", rules(), BOUNDS)
    assert codes(s) == ["meter.replaced"]
    assert s.serials == ["A", "B"]


def reg_frame(days: list[int], values: list[float], serial=None):
    ts = [BOUNDS.start + d * 96 * STEP for d in days]
    return frame(values, ts, serial)


def test_clean_register_rollover_and_period():
    week = period_bounds(Period(start="2025-01-01", end="2025-01-03"), "UTC")
    ts = [week.start + d * 96 * STEP for d in range(4)]
    df = frame([99_990.0, 99_995.0, 5.0, 15.0], ts)
    s = clean_meter(df, "M", rules(kind="register", rollover=100_000.0), week)
    assert codes(s) == ["register.rollover"]
    assert s.energy == pytest.approx(25.0)  # 5 + 10 + 10
    assert s.n_rounded == 2  # one segment: start and end reading


def test_clean_register_prorating_replacement_and_backwards():
    p = period_bounds(Period(start="2025-01-01", end="2025-01-04"), "UTC")
    half = 48 * STEP
    ts = [
        p.start - half,  # A 0     (before the period)
        p.start + half,  # A 24    → 24 kWh over 24 h, half inside: 12 ± 0.5·24/√3
        p.start + 96 * STEP + half,  # A 48
        p.start + 2 * 96 * STEP + half,  # B 0 (replaced): 24 h between meters → gap
        p.start + 3 * 96 * STEP + half,  # B 24
        p.start + 3 * 96 * STEP + 2 * half,  # B 20: backwards with the same serial
    ]
    df = frame([0.0, 24.0, 48.0, 0.0, 24.0, 20.0], ts, ["A", "A", "A", "B", "B", "B"])
    s = clean_meter(df, "M", rules(kind="register"), p)
    assert set(codes(s)) == {"meter.replaced", "register.backwards", "readings.gap"}
    assert s.energy_measured == pytest.approx(12 + 24 + 24)
    assert s.u_prorate == pytest.approx(0.5 * 24 / math.sqrt(3))
    # gaps: 24 h between the two meters, 12 h after the reset; mean rate 1 kWh/h, every
    # valid increment at the same rate → s_rate = 0
    assert s.energy_filled == pytest.approx(36.0)
    assert s.n_rounded == 2 * 3  # three segments


def test_clean_register_impossible_increment():
    p = period_bounds(Period(start="2025-01-01", end="2025-01-02"), "UTC")
    ts = [p.start + d * 96 * STEP for d in range(3)]
    df = frame([0.0, 24.0, 1000.0], ts)
    s = clean_meter(df, "M", rules(kind="register", max_kw=10.0), p)
    assert "readings.impossible" in codes(s)
    assert s.energy_measured == pytest.approx(24.0)
    assert s.energy_filled == pytest.approx(24.0)  # second day at the mean rate 1 kWh/h
