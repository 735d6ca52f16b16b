"""Readers (long/wide CSV, Excel, Parquet, register readings, units) and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tanzuji.errors import InputError
from tanzuji.i18n import use_lang
from tanzuji.metering import ingest
from tanzuji.model.base import Period

from .conftest import MAPPING, RATES, N, times

WEEK = Period(start="2025-01-06", end="2025-01-12")


def run(mapping: Path, *data: Path):
    return ingest(mapping, list(data), WEEK)


def test_readers_long_csv_energy_per_meter_group_and_line(week):
    r = run(*week)
    for m, rate in RATES.items():
        assert r.meter(m).energy == pytest.approx(N * rate)
    assert r.group("grid").energy == pytest.approx(N * 2.0)
    (line,) = r.lines
    assert line.id == "SMT" and line.energy == pytest.approx(N * 2.5)
    assert [f.code for f in r.findings] == []
    assert len(r.evidence) == 1 and len(r.evidence[0].sha256) == 64


def test_readers_wide_excel_units_and_reactive(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        MAPPING.replace(
            "columns: {timestamp: time, meter: meter, value: kwh}",
            "layout: wide\ncolumns: {timestamp: time}",
        )
        .replace(
            "{id: EM-01, measures: grid, instrument: EM-01, line: SMT}",
            "{id: EM-01, measures: grid, instrument: EM-01, line: SMT, column: 总表, unit: MWh}",
        )
        .replace(
            "{id: EM-04, measures: green_feeder, instrument: EM-04}",
            "{id: EM-04, measures: green_feeder, instrument: EM-04, unit: Wh}\n"
            "  - {id: Q-01, measures: other, instrument: EM-04, unit: kvarh}",
        ),
        encoding="utf-8",
    )
    df = pd.DataFrame(
        {
            "time": times().to_pydatetime(),
            "总表": np.full(N, 0.002),  # MWh → 2 kWh
            "EM-03": np.full(N, 0.5),
            "EM-04": np.full(N, 1000.0),  # Wh → 1 kWh
            "Q-01": np.full(N, 7.0),
        }
    )
    xlsx = tmp_path / "r.xlsx"
    df.to_excel(xlsx, index=False)
    r = run(mapping, xlsx)
    assert r.meter("EM-01").energy == pytest.approx(N * 2.0)
    assert r.meter("EM-04").energy == pytest.approx(N * 1.0)
    assert [f.code for f in r.findings] == ["meter.reactive_ignored"]


def test_readers_parquet_with_offsets_and_register_meter(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        MAPPING.replace("instrument: EM-03, line: SMT}", "instrument: EM-03, kind: register}"),
        encoding="utf-8",
    )
    t = times().tz_localize("Asia/Shanghai")
    frames = [
        pd.DataFrame({"time": t, "meter": m, "kwh": np.full(N, RATES[m])})
        for m in ("EM-01", "EM-04")
    ]
    # the register meter: daily frozen values at 00:00 local, 12 kWh per day, 8 readings
    days = pd.date_range("2025-01-06", periods=8, freq="D", tz="Asia/Shanghai")
    frames.append(pd.DataFrame({"time": days, "meter": "EM-03", "kwh": 500 + 12.0 * np.arange(8)}))
    pq = tmp_path / "r.parquet"
    pd.concat(frames, ignore_index=True).to_parquet(pq)
    r = run(mapping, pq)
    assert r.meter("EM-03").energy == pytest.approx(7 * 12.0)
    assert r.meter("EM-01").energy == pytest.approx(N * 2.0)


@pytest.mark.parametrize("rows_per_file", [672, 1000])  # one meter per file (no shuffle), or not
def test_readers_same_result_after_convert(week, tmp_path, rows_per_file):
    from tanzuji.metering.convert import convert

    out = tmp_path / "pq"
    rows, files = convert(week[0], [week[1]], out, rows_per_file=rows_per_file)
    assert rows == 3 * N and files == 3
    a, b = run(*week), run(out / "mapping.yaml", out)
    assert [m.energy for m in a.meters] == pytest.approx([m.energy for m in b.meters])


# ---------------------------------------------------------------------------- bad input


def bad(tmp_path: Path, week, text: str, lang: str = "en") -> str:
    f = tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8")
    with use_lang(lang), pytest.raises(InputError) as exc:
        run(week[0], f)
    return str(exc.value)


def test_readers_bad_wrong_column_names(tmp_path, week):
    msg = bad(tmp_path, week, "Time,meter,kwh\n2025-01-06 00:00,EM-01,1\n")
    assert "bad.csv" in msg and "row 1" in msg and "column 'time'" in msg


def test_readers_bad_unparseable_timestamp(tmp_path, week):
    msg = bad(tmp_path, week, "time,meter,kwh\n2025-01-06 00:00,EM-01,1\nyesterday,EM-01,1\n")
    assert "row 3" in msg and "column 'time'" in msg and "yesterday" in msg


def test_readers_bad_mixed_time_zones(tmp_path, week):
    msg = bad(
        tmp_path,
        week,
        "time,meter,kwh\n2025-01-06T00:00+08:00,EM-01,1\n2025-01-06 00:15,EM-01,1\n",
    )
    assert "mixed time zones" in msg and "row 3" in msg
    assert "时区混用" in bad(
        tmp_path,
        week,
        "time,meter,kwh\n2025-01-06T00:00+08:00,EM-01,1\n2025-01-06 00:15,EM-01,1\n",
        "zh",
    )
    msg = bad(
        tmp_path,
        week,
        "time,meter,kwh\n2025-01-06T00:00+08:00,EM-01,1\n2025-01-06T00:15+01:00,EM-01,1\n",
    )
    assert "mixed time zones" in msg and "row 3" in msg


def test_readers_bad_text_in_number_column(tmp_path, week):
    msg = bad(
        tmp_path, week, "time,meter,kwh\n2025-01-06 00:00,EM-01,1\n2025-01-06 00:15,EM-01,abc\n"
    )
    assert "row 3" in msg and "column 'kwh'" in msg and "abc" in msg


def test_readers_bad_meter_missing_from_register(tmp_path, week):
    msg = bad(tmp_path, week, "time,meter,kwh\n2025-01-06 00:00,EM-99,1\n")
    assert "row 2" in msg and "column 'meter'" in msg and "EM-99" in msg
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING.replace("instrument: EM-04}", "instrument: EM-77}"), "utf-8")
    with (
        use_lang("en"),
        pytest.raises(InputError, match=r"m.yaml: meters\[2\].instrument: .*EM-77"),
    ):
        run(mapping, week[1])


def test_readers_bad_empty_file(tmp_path, week):
    assert "empty" in bad(tmp_path, week, "")
    assert "row 2" in bad(tmp_path, week, "time,meter,kwh\n")


def test_readers_secondary_readings_scale_by_ct_and_resolution(tmp_path, week):
    from tanzuji.metering.engine import meter_rules
    from tanzuji.metering.mapping import load_mapping

    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        MAPPING.replace(
            "{id: EM-01, measures: grid, instrument: EM-01, line: SMT}",
            "{id: EM-01, measures: grid, instrument: EM-01, secondary: true, resolution: 0.01}",
        ),
        encoding="utf-8",
    )
    r = run(mapping, week[1])
    assert r.meter("EM-01").energy == pytest.approx(N * 2.0 * 80)  # CT 400/5
    m = load_mapping(mapping)
    rules = meter_rules(m, {i.id: i for i in m.instruments})
    assert rules["EM-01"].resolution == pytest.approx(0.8)  # 0.01 kWh secondary × 80


def test_readers_typed_parquet_fast_path_equals_general_path(week, tmp_path, monkeypatch):
    """Typed Parquet (zone-aware timestamps, numbers, dictionary ids) is read by pyarrow/numpy
    only; the result equals the general, validating path on the same file."""
    from tanzuji.metering import readers

    t = times().tz_localize("Asia/Shanghai")
    rng = np.random.default_rng(3)
    frames = [
        pd.DataFrame({"time": t, "meter": m, "kwh": np.round(rng.uniform(0, 3, N), 2)})
        for m in RATES
    ]
    data = pd.concat(frames, ignore_index=True).drop(index=[5, 6, 700])  # gaps
    data.loc[10, "kwh"] = np.nan  # a blank value
    path = tmp_path / "typed.parquet"
    data.to_parquet(path)
    calls: list[bool] = []
    real = readers._typed_parquet

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(readers, "_typed_parquet", spy)
    fast = run(week[0], path)
    assert calls and all(calls)
    monkeypatch.setattr(readers, "_typed_parquet", lambda *a, **k: None)
    slow = run(week[0], path)
    for a, b in zip(fast.meters, slow.meters, strict=True):
        assert (a.meter, a.energy, a.u) == (b.meter, pytest.approx(b.energy), pytest.approx(b.u))
    assert [f.code for f in fast.findings] == [f.code for f in slow.findings]


def test_readers_typed_parquet_unknown_meter_names_the_record(week, tmp_path):
    t = times().tz_localize("Asia/Shanghai")[:3]
    path = tmp_path / "typed.parquet"
    pd.DataFrame({"time": t, "meter": ["EM-01", "EM-99", "EM-01"], "kwh": 1.0}).to_parquet(path)
    with pytest.raises(InputError) as exc:
        run(week[0], path)
    assert "EM-99" in str(exc.value) and "typed.parquet" in str(exc.value)


@pytest.mark.parametrize("categorical", [False, True])
def test_readers_partition_split_by_meter_keeps_every_row_once(categorical):
    from tanzuji.metering.engine import _by_meter

    meters = pd.Series(["b", "a", "b", "c", "a"])
    frame = pd.DataFrame(
        {
            "meter": meters.astype("category") if categorical else meters,
            "ts": [5, 1, 6, 9, 2],
            "value": [0.5, 0.1, 0.6, 0.9, 0.2],
        }
    )
    got = {m: part["ts"].tolist() for m, part in _by_meter(frame)}
    assert got == {"a": [1, 2], "b": [5, 6], "c": [9]}


def test_readers_bad_typed_timestamp_out_of_range_names_the_record(week, tmp_path):
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    far = [dt.datetime(2025, 1, 6, tzinfo=dt.UTC), dt.datetime(2900, 1, 1, tzinfo=dt.UTC)]
    path = tmp_path / "far.parquet"
    pq.write_table(
        pa.table(
            {
                "time": pa.array(far, type=pa.timestamp("us", tz="UTC")),
                "meter": ["EM-01", "EM-01"],
                "kwh": [1.0, 2.0],
            }
        ),
        path,
    )
    with use_lang("en"), pytest.raises(InputError) as exc:
        run(week[0], path)
    msg = str(exc.value)
    assert "far.parquet" in msg and "row 2" in msg and "column 'time'" in msg and "2900" in msg


def test_readers_unsorted_typed_parquet_shuffles_to_the_same_result(week, tmp_path):
    """Row groups whose meter ranges overlap need the shuffle; the dictionary-coded meter
    ids of the typed path must hash and regroup like plain strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.read_csv(week[1])
    frame["time"] = pd.to_datetime(frame["time"]).dt.tz_localize("Asia/Shanghai")
    frame = frame.sample(frac=1.0, random_state=5).reset_index(drop=True)  # unsorted
    path = tmp_path / "unsorted.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=400)
    assert pq.ParquetFile(path).num_row_groups > 2
    a, b = run(*week), run(week[0], path)
    assert [(m.meter, m.energy) for m in b.meters] == [
        (m.meter, pytest.approx(m.energy)) for m in a.meters
    ]
