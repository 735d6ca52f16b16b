"""Other carriers end to end: natural gas (Nm3) and heat/steam (MWh) readings → findings,
quantity ± u, activities whose factor unit is checked (pint) → an evaluated study.
Expected numbers by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tanzuji.errors import InputError
from tanzuji.i18n import use_lang
from tanzuji.model.base import Period
from tanzuji.services.metering import ingest_readings

WEEK = Period(start="2025-01-06", end="2025-01-12")
HOURS = 7 * 24
SQ3 = math.sqrt(3.0)

MAPPING = """\
timezone: Asia/Shanghai
columns: {timestamp: time, meter: meter, value: reading}
interval: 1h
instruments:
  - {id: GM-01, name: 天然气表, kind: gas_flow_meter, accuracy_class: "1.5",
     certificate: {number: G1, date: 2024-12-20, valid_until: 2026-12-19}}
  - {id: HM-01, name: 蒸汽热量表, kind: other,
     certificate: {number: H1, date: 2024-12-20, valid_until: 2026-12-19,
                   expanded_uncertainty: 2.0, k: 2}}
meters:
  - {id: GM-01, instrument: GM-01, unit: 标准立方米, measures: other, resolution: 0.01,
     max_rate: 50}
  - {id: HM-01, instrument: HM-01, unit: MWh, measures: other, resolution: 0.001}
groups:
  - {id: gas, role: carrier, carrier: natural gas, meters: [GM-01],
     factor: fuel.natural-gas.co2.gbt32150}
  - {id: steam, role: carrier, carrier: steam, meters: [HM-01], factor: test.steam}
allocation:
  product_model: P
  models:
    - {model: P, output: 1000, bom_quantity: 1}
"""

LIBRARY = """\
library: {id: test-heat, name: {zh: 测试, en: test}, version: '1'}
factors:
  - id: test.steam
    name: {zh: 外购蒸汽（测试值）, en: purchased steam (test value)}
    value: 0.1
    unit: kgCO2e/MJ
    factor_type: national_database
    source: {citation: a test value}
"""

STUDY = """\
id: CARRIERS
product: {name: 灯}
period: {start: 2025-01-06, end: 2025-01-12}
boundary: [manufacturing]
factor_libraries: [builtin, lib.yaml]
activities:
  - {id: part, stage: manufacturing, name: 外壳加工热, quantity: 1, unit: MJ, factor: test.steam,
     uncertainty: {standard: 0}}
"""


def _files(tmp_path: Path, mapping: str = MAPPING) -> tuple[Path, Path, Path]:
    (tmp_path / "lib.yaml").write_text(LIBRARY, encoding="utf-8")
    study = tmp_path / "study.yaml"
    study.write_text(STUDY, encoding="utf-8")
    m = tmp_path / "mapping.yaml"
    m.write_text(mapping, encoding="utf-8")
    t = pd.date_range("2025-01-06", periods=HOURS, freq="h").strftime("%Y-%m-%d %H:%M")
    gas = pd.DataFrame({"time": t, "meter": "GM-01", "reading": np.full(HOURS, 12.5)})
    gas.loc[30, "reading"] = 80.0  # above 50 Nm3/h: impossible
    gas = gas.drop(index=[10])  # one hour missing
    heat = pd.DataFrame({"time": t, "meter": "HM-01", "reading": np.full(HOURS, 0.25)})
    data = tmp_path / "r.csv"
    pd.concat([gas, heat], ignore_index=True).to_csv(data, index=False)
    return m, data, study


def test_metering_gas_and_steam_readings_to_an_evaluated_study(tmp_path):
    from tanzuji.calculation import compile_study, evaluate_full
    from tanzuji.studyfiles import load_study

    m, data, study = _files(tmp_path)
    (tmp_path / "new").mkdir()
    out = tmp_path / "new" / "study.yaml"
    done = ingest_readings(m, [data], WEEK, study=study, out=out)
    r = done.result
    found = {(f.meter, f.code): f for f in r.findings}
    impossible = found[("GM-01", "readings.impossible")]
    assert "50 Nm3/h" in impossible.en and "CT" not in impossible.en
    assert ("GM-01", "readings.gap") in found
    # gas stays in Nm3: 168 h × 12.5, the missing and the impossible hour interpolated
    gas = r.meter("GM-01")
    assert gas.unit == "Nm3" and gas.energy == pytest.approx(HOURS * 12.5)
    assert gas.filled == pytest.approx(2 * 12.5)
    # class 1.5 gas meter: u = E·1.5 %/√3
    assert gas.systematic.total == pytest.approx(HOURS * 12.5 * 0.015 / SQ3, rel=1e-9)
    # heat meter in MWh is read in kWh; certificate U = 2 %, k = 2 → u = 1 % of E
    heat = r.meter("HM-01")
    assert heat.unit == "kWh" and heat.energy == pytest.approx(HOURS * 250.0)
    assert heat.systematic.total == pytest.approx(HOURS * 250.0 * 0.01, rel=1e-9)
    assert heat.u_resolution == pytest.approx(1.0 * math.sqrt(HOURS / 12))  # d = 1 kWh
    # the new study: one activity per carrier, the meter as its shared quantity
    loaded = load_study(out)
    acts = {a.id: a for a in loaded.study.activities}
    assert acts["metered-gas"].unit == "Nm3" and acts["metered-gas"].ref == "meter.GM-01"
    assert acts["metered-steam"].factor == "test.steam"
    model = compile_study(loaded.study, loaded.factors)
    full = evaluate_full(model)
    # per unit of P (output 1000): 2.1 Nm3 × 2.162 kgCO2/Nm3 + 42 kWh × 3.6 MJ/kWh × 0.1
    # (+ the study's own 1 MJ × 0.1)
    expected = HOURS * 12.5 / 1000 * 2.162 + HOURS * 250.0 / 1000 * 3.6 * 0.1 + 0.1
    assert full.total.value == pytest.approx(expected, rel=1e-9)
    assert model.inputs["Q:meter.GM-01.error"].u == pytest.approx(0.015 / SQ3, rel=1e-9)
    assert model.inputs["Q:meter.HM-01.error"].u == pytest.approx(0.01, rel=1e-9)


def test_metering_carrier_factor_unit_is_checked(tmp_path):
    # a steam meter booked against a gas factor per Nm3: an error naming the group
    mapping = MAPPING.replace("factor: test.steam", "factor: fuel.natural-gas.co2.gbt32150")
    m, data, study = _files(tmp_path, mapping)
    with use_lang("en"), pytest.raises(InputError) as exc:
        ingest_readings(m, [data], WEEK, study=study, out=tmp_path / "new.yaml")
    msg = str(exc.value)
    assert "groups[1].factor" in msg and "'steam'" in msg and "kWh" in msg and "Nm3" in msg
    assert not (tmp_path / "new.yaml").exists()


def test_metering_meters_in_different_units_cannot_be_added(tmp_path):
    mapping = MAPPING.replace("meters: [GM-01],", "meters: [GM-01, HM-01],")
    m, data, _ = _files(tmp_path, mapping)
    with use_lang("en"), pytest.raises(InputError) as exc:
        ingest_readings(m, [data], WEEK)
    msg = str(exc.value)
    assert "groups[0].meters" in msg and "GM-01 (Nm3)" in msg and "HM-01 (kWh)" in msg
