"""Small reading files and mappings for the metering tests (one week, 15-min intervals)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MAPPING = """\
timezone: Asia/Shanghai
unit: kWh
columns: {timestamp: time, meter: meter, value: kwh}
instruments:
  - {id: EM-01, name: 总表, kind: electricity_meter, accuracy_class: 0.5S, ct_ratio: 400/5,
     ct_class: "0.2", certificate: {number: C1, date: 2024-12-20, valid_until: 2026-12-19}}
  - {id: EM-03, name: 光伏表, kind: electricity_meter, accuracy_class: "1",
     certificate: {number: C3, date: 2024-12-20, valid_until: 2026-12-19}}
  - {id: EM-04, name: 绿电表, kind: electricity_meter, accuracy_class: "0.5S",
     certificate: {number: C4, date: 2024-12-20, valid_until: 2026-12-19}}
meters:
  - {id: EM-01, measures: grid, instrument: EM-01, line: SMT}
  - {id: EM-03, measures: onsite_pv, instrument: EM-03, line: SMT}
  - {id: EM-04, measures: green_feeder, instrument: EM-04}
groups:
  - {id: grid, role: grid, meters: [EM-01], factor: cn.electricity.footprint.2023}
  - {id: green, role: green_trading, meters: [EM-04], factor: cn.electricity.footprint.2023.wind}
  - {id: pv, role: onsite, meters: [EM-03], factor: cn.electricity.footprint.2023.pv}
allocation:
  product_model: DDZY-X1（示例）
  models:
    - {model: DDZY-X1（示例）, output: 1000, bom_quantity: 1}
    - {model: OTHER, output: 3000, bom_quantity: 1}
"""

PERIOD = "2025-01-06/2025-01-12"
N = 7 * 96
RATES = {"EM-01": 2.0, "EM-03": 0.5, "EM-04": 1.0}


def times() -> pd.DatetimeIndex:
    return pd.date_range("2025-01-06 00:00", periods=N, freq="15min")


@pytest.fixture
def week(tmp_path: Path) -> tuple[Path, Path]:
    """(mapping, long CSV): three meters with constant readings over one week."""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    t = times().strftime("%Y-%m-%d %H:%M")
    df = pd.concat(
        [pd.DataFrame({"time": t, "meter": m, "kwh": np.full(N, r)}) for m, r in RATES.items()],
        ignore_index=True,
    )
    data = tmp_path / "readings.csv"
    df.to_csv(data, index=False)
    return mapping, data
