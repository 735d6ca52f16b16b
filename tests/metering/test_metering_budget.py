"""The metered-energy uncertainty: a hand calculation and a Monte Carlo over the readings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tanzuji.metering.budget import aggregate, meter_energy
from tanzuji.metering.clean import NS_MIN, MeterRules, clean_meter
from tanzuji.metering.ingest import period_bounds
from tanzuji.metrology.measurement import register_difference_u
from tanzuji.model.base import Period
from tanzuji.model.derived import RegisterDifference
from tanzuji.model.governance import Instrument

WEEK = period_bounds(Period(start="2025-01-06", end="2025-01-12"), "UTC")
N = 7 * 96
TS = [WEEK.start + i * 15 * NS_MIN for i in range(N)]
RULES = MeterRules(kind="interval", interval_min=15, gap_fill="interpolate", resolution=0.01)


def inst(iid: str, cls: str, ct: str | None = None) -> Instrument:
    return Instrument(id=iid, name=iid, kind="electricity_meter", accuracy_class=cls, ct_class=ct)


def summary(values: np.ndarray, meter: str = "M", rules: MeterRules = RULES):
    return clean_meter(
        pd.DataFrame({"meter": meter, "ts": TS, "value": values}), meter, rules, WEEK
    )


def test_budget_hand_calculation_class_05s_with_ct():
    # 672 readings of 1.50 kWh: E = 1008 kWh.
    # meter 0.5S: 1008 · 0.005/√3 = 2.90985; CT 0.2: 1008 · 0.002/√3 = 1.16394;
    # resolution 0.01: 0.01·√(672/12) = 0.074833; u = √(2.90985² + 1.16394² + 0.074833²)
    e = meter_energy(summary(np.full(N, 1.5)), inst("EM", "0.5S", "0.2"), "kWh")
    assert e.energy == pytest.approx(1008.0)
    assert e.systematic.own == pytest.approx(2.90985, rel=1e-5)
    assert e.systematic.transformers == pytest.approx(1.16394, rel=1e-5)
    assert e.u_resolution == pytest.approx(0.074833, rel=1e-4)
    assert e.u == pytest.approx(math.sqrt(2.90985**2 + 1.16394**2 + 0.074833**2), rel=1e-5)


def test_budget_low_load_mpe_hand_calculation():
    # rated 40 kW, class 1: below 10 % (4 kW ↔ 1 kWh per 15 min) the MPE is 1.5 %.
    # half the intervals at 0.5 kWh (low), half at 3.0 kWh: E = 336·0.5 + 336·3 = 1176,
    # E_low = 168 → MPE_eff = (1008·1 % + 168·1.5 %)/1176 = 1.0714 %
    v = np.where(np.arange(N) % 2 == 0, 0.5, 3.0)
    rules = MeterRules(**{**RULES.__dict__, "low_load_kw": 4.0})
    e = meter_energy(summary(v, rules=rules), inst("EM", "1"), "kWh")
    assert e.mpe_eff == pytest.approx((1008 * 0.01 + 168 * 0.015) / 1176)
    assert e.systematic.own == pytest.approx(1176 * e.mpe_eff / math.sqrt(3))


def test_budget_register_resolution_matches_governance_measurement_model():
    # one register difference, d = 0.1: u = 0.1/√6 (the register_difference model)
    p = period_bounds(Period(start="2025-01-01", end="2025-01-01"), "UTC")
    df = pd.DataFrame({"meter": "R", "ts": [p.start, p.end], "value": [100.0, 1100.0]})
    rules = MeterRules(kind="register", interval_min=15, gap_fill="interpolate", resolution=0.1)
    s = clean_meter(df, "R", rules, p)
    e = meter_energy(s, inst("R", "1"), "kWh")
    expected = register_difference_u(RegisterDifference(start=100, end=1100, resolution=0.1), None)
    assert e.u_resolution == pytest.approx(expected.u)
    assert e.energy == pytest.approx(1000.0)


def test_budget_monte_carlo_confirms_group_u():
    """Three meters: a and b share a calibration (own errors fully correlated), c is
    independent; all have a CT. Simulate the readings many times — one draw of every meter's
    systematic error, readings rounded to 0.01 kWh — and compare the spread of the group sum
    with the analytic u."""
    rng = np.random.default_rng(20250101)
    true = {m: rng.uniform(0.5, 2.0, N) for m in "abc"}
    classes = {"a": ("0.5S", "0.2"), "b": ("0.5S", "0.2"), "c": ("1", "0.5")}
    cal = {"a": "CAL-1", "b": "CAL-1", "c": None}
    energies = [
        meter_energy(
            summary(np.round(true[m], 2), m),
            inst(m, *classes[m]),
            "kWh",
            calibration=cal[m],
        )
        for m in "abc"
    ]
    group = aggregate("g", energies)
    draws = 4000
    shared = rng.uniform(-0.005, 0.005, draws)
    totals = np.zeros(draws)
    for m in "abc":
        own = shared if cal[m] else rng.uniform(-0.01, 0.01, draws)
        ct_mpe = 0.002 if classes[m][1] == "0.2" else 0.005
        ct = rng.uniform(-ct_mpe, ct_mpe, draws)
        readings = np.round(true[m][None, :] * ((1 + own) * (1 + ct))[:, None], 2)
        totals += readings.sum(axis=1)
    mc_u = float(np.std(totals, ddof=1))
    # 4000 draws: the relative standard error of a standard deviation is ≈ 1/√(2·4000) = 1.1 %
    assert mc_u == pytest.approx(group.u, rel=0.05)
    assert float(np.mean(totals)) == pytest.approx(sum(t.sum() for t in true.values()), rel=2e-3)
    # and the correlation matters: treating a and b as independent understates u
    indep = math.sqrt(sum(e.u**2 for e in energies))
    assert indep < 0.9 * mc_u
