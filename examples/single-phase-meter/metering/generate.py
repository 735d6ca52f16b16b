"""Generate the bundled metering example: one year (2025) of 15-minute readings.

ILLUSTRATIVE data, made to look like a meter factory's energy-management export:

- ``UT-01`` utility billing meter (class 0.2S, CT/PT), interval kWh;
- ``EM-01`` production grid incomer (class 0.5S, CT 400/5 class 0.2), interval kWh;
- ``EM-04`` green-power feeder (class 0.5S), interval kWh;
- ``EM-11`` SMT line and ``EM-12`` test/ageing line sub-meters (class 1), interval kWh;
- ``EM-02`` rooftop PV generation meter (class 1): a cumulative register, frozen daily at
  00:00 (the other rows of its column are empty).

Two shifts (08:00–24:00) on working days, a base load at night and on Sundays, PV by the
sun's height with clouds. A few real-world defects are written in on purpose, each of which
``tanzuji meter ingest`` reports as a finding: a 6-hour gap on EM-11 (filled by
interpolation), a 2-day gap on EM-12 (filled by the same-weekday profile), a duplicated row
and a clock that ran 2 minutes late for one day. The billing meter reads the incomer plus the
green feeder plus 0.3 % transformer losses, which the reconciliation finds within U.

Run from the repository root (writes ``readings-2025.csv.gz`` beside this script, < 1 MB)::

    .venv/bin/python examples/single-phase-meter/metering/generate.py
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(2025)
    t = pd.date_range("2025-01-01 00:00", "2026-01-01 00:00", freq="15min", inclusive="left")
    n = len(t)
    hour = np.asarray(t.hour + t.minute / 60.0)
    workday = np.asarray(t.day_of_week < 6)  # Monday–Saturday
    shift = workday & (hour >= 8)
    doy = np.asarray(t.day_of_year)
    # SMT line: 140 kW in shift, 25 kW otherwise; test/ageing: 70 kW round the clock on
    # working days (ageing racks), 30 kW on Sundays; auxiliaries 15 kW.
    smt = np.where(shift, 140.0, 25.0) * (1 + 0.05 * rng.standard_normal(n))
    test = np.where(workday, 70.0, 30.0) * (1 + 0.03 * rng.standard_normal(n))
    aux = 15.0 + 5.0 * np.sin(2 * np.pi * (doy - 200) / 365)  # summer cooling
    site_kw = smt + test + aux
    green_kw = np.full(n, 34.0) * (1 + 0.02 * rng.standard_normal(n))
    grid_kw = site_kw - np.minimum(green_kw, site_kw * 0.5)
    # PV: 90 kWp, by the sun's height, seasonal, clouds
    season = 0.75 + 0.25 * np.sin(2 * np.pi * (doy - 80) / 365)
    sun = np.clip(np.sin((hour - 6.0) / 12.0 * np.pi), 0.0, None)
    clouds = np.repeat(rng.uniform(0.35, 1.0, n // 96 + 1), 96)[:n]
    pv_kw = 90.0 * season * sun * clouds
    q = 0.25  # hours per interval
    data = pd.DataFrame(
        {
            "时间": t.strftime("%Y-%m-%d %H:%M"),
            "UT-01": np.round((grid_kw + green_kw) * q * 1.003, 2),
            "EM-01": np.round(grid_kw * q, 2),
            "EM-04": np.round(green_kw * q, 2),
            "EM-11": np.round(smt * q, 2),
            "EM-12": np.round(test * q, 2),
        }
    )
    register = 152_340.0 + np.concatenate(([0.0], np.cumsum(pv_kw * q)))[:n]
    daily = np.asarray((t.hour == 0) & (t.minute == 0))
    data["EM-02"] = np.where(daily, np.round(register, 1), np.nan)
    # the register's frozen value at the end of the year closes the period
    total = register[-1] + pv_kw[-1] * q
    end = {c: np.nan for c in data.columns}
    end.update({"时间": "2026-01-01 00:00", "EM-02": round(float(total), 1)})
    data = pd.concat([data, pd.DataFrame([end])], ignore_index=True)
    # defects
    stamp = pd.to_datetime(data["时间"])
    data.loc[(stamp >= "2025-03-12 09:00") & (stamp < "2025-03-12 15:00"), "EM-11"] = np.nan
    data.loc[(stamp >= "2025-07-08 00:00") & (stamp < "2025-07-10 00:00"), "EM-12"] = np.nan
    late = (stamp >= "2025-10-14 00:00") & (stamp < "2025-10-15 00:00")
    shifted = (stamp[late] + pd.Timedelta(minutes=2)).dt.strftime("%Y-%m-%d %H:%M")
    data.loc[late, "时间"] = shifted
    dup = data.iloc[[20_000]]
    data = pd.concat([data.iloc[:20_001], dup, data.iloc[20_001:]], ignore_index=True)
    out = HERE / "readings-2025.csv.gz"
    text = data.to_csv(index=False, na_rep="").encode("utf-8")
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as fh:  # reproducible bytes
        fh.write(text)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {len(data)} rows)")


if __name__ == "__main__":
    main()
