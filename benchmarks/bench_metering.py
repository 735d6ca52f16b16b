"""Benchmark of ``tanzuji meter ingest`` at scale (issue 14), with its data generator.

    .venv/bin/python benchmarks/bench_metering.py               # 1,000 meters, ~35 M rows
    .venv/bin/python benchmarks/bench_metering.py --meters 100     # a smaller run
    .venv/bin/python benchmarks/bench_metering.py --generate-only --data /tmp/m

The generator writes a year of 15-minute readings per meter as zstd Parquet, sorted by
meter and time (as ``tanzuji meter convert`` writes it), 50 meters per file, 10 per row
group, plus ``mapping.yaml`` (one class-1 register entry shared by all meters). About 1 %
of the intervals of each meter are missing, so the gap filling runs too.

Measured, in one run on the same files:

1. rows/s of the whole ingest (read + validate + clean + per-meter energy + u), in
   process, against pyarrow reading the same files and grouping them by meter
   (``Table.group_by().aggregate``); goal ≥ 0.5 of it;
2. peak memory (max RSS of a fresh process) for a quarter of the meters (1×) and all of them
   (4×); goal: flat;
3. wall time on a LocalCluster with 1 and with 2 workers (speed-up).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

PER_FILE = 50
PER_GROUP = 10


def generate(folder: Path, meters: int, *, year: int = 2025, seed: int = 14) -> int:
    """Write the data set; returns the number of rows."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    t = pd.date_range(
        f"{year}-01-01", f"{year + 1}-01-01", freq="15min", inclusive="left", tz="Asia/Shanghai"
    )
    ts = t.tz_convert("UTC").as_unit("ns").asi8
    n = ts.size
    hour = np.asarray(t.hour)
    shape = np.where((hour >= 8) & (hour < 24), 1.0, 0.3)
    rows = 0
    ids = [f"M{i:05d}" for i in range(meters)]
    for f0 in range(0, meters, PER_FILE):
        chunk = ids[f0 : f0 + PER_FILE]
        tables = []
        for mid in chunk:
            keep = rng.random(n) > 0.01
            level = rng.uniform(5, 50)
            v = np.round(level * shape * (1 + 0.1 * rng.standard_normal(n)), 2)
            v = np.abs(v)[keep]
            tables.append(
                pa.table(
                    {
                        "timestamp": pa.array(ts[keep], type=pa.timestamp("ns", tz="UTC")),
                        "meter": pa.array(np.full(v.size, mid, dtype=object), type=pa.string()),
                        "value": pa.array(v, type=pa.float64()),
                    }
                )
            )
            rows += v.size
        # one row group per PER_GROUP whole meters: no meter spans two row groups
        schema = tables[0].schema
        path = folder / f"part-{f0 // PER_FILE:05d}.parquet"
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            for g in range(0, len(tables), PER_GROUP):
                writer.write_table(
                    pa.concat_tables(tables[g : g + PER_GROUP]), row_group_size=PER_GROUP * n
                )
    lines = [
        "layout: long",
        "timezone: Asia/Shanghai",
        "unit: kWh",
        "instruments:",
        "  - {id: EM-C1, name: 分表, kind: electricity_meter, accuracy_class: '1',",
        "     certificate: {number: B1, date: 2024-12-01, valid_until: 2026-12-01}}",
        "meters:",
        *(f"  - {{id: {m}, instrument: EM-C1, gap_fill: interpolate}}" for m in ids),
        "groups:",
        f"  - {{id: all, role: grid, meters: [{', '.join(ids)}]}}",
    ]
    (folder / "mapping.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def baseline(folder: Path) -> tuple[float, int]:
    """pyarrow: read the files and sum the values per meter; (seconds, rows)."""
    import pyarrow.dataset as ds

    t0 = time.perf_counter()
    table = ds.dataset(sorted(folder.glob("*.parquet")), format="parquet").to_table(
        columns=["meter", "value"]
    )
    table.group_by("meter").aggregate([("value", "sum"), ("value", "count")])
    return time.perf_counter() - t0, table.num_rows


def run_ingest(folder: Path, workers: int = 0) -> float:
    """Seconds for one whole ingest."""
    from tanzuji.metering import Execution, ingest
    from tanzuji.model.base import Period

    t0 = time.perf_counter()
    r = ingest(
        folder / "mapping.yaml",
        [folder],
        Period.model_validate(2025),
        execution=Execution(workers=workers, memory_limit="1GiB"),
    )
    assert r.meters and r.groups[0].energy > 0
    return time.perf_counter() - t0


def peak_rss_mb(folder: Path) -> tuple[float, float]:
    """(seconds, max RSS in MB) of an ingest in a fresh process."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(folder)], stdout=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"child failed: {out}")
    return float(out.strip() or "nan"), usage.ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--meters", type=int, default=1000)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument(
        "--ratio-only", action="store_true", help="only the rows/s ratio (no RSS, no cluster)"
    )
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        print(f"{run_ingest(args.child):.3f}")
        return
    root = args.data or Path(tempfile.mkdtemp(prefix="tz-bench-meter-"))
    full, quarter = root / f"m{args.meters}", root / f"m{args.meters // 4}"
    t0 = time.perf_counter()
    rows = generate(full, args.meters) if not (full / "mapping.yaml").exists() else None
    if not (quarter / "mapping.yaml").exists():
        generate(quarter, args.meters // 4)
    print(f"data in {root} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    if args.generate_only:
        return
    c0 = time.process_time()
    base_s, rows = baseline(full)
    c1 = time.process_time()
    ingest_s = run_ingest(full)
    c2 = time.process_time()
    print(f"rows: {rows:,}")
    print(f"pyarrow read + group_by: {base_s:.2f} s = {rows / base_s:,.0f} rows/s")
    print(
        f"tanzuji ingest (threads): {ingest_s:.2f} s = {rows / ingest_s:,.0f} rows/s "
        f"= {base_s / ingest_s:.2f} of pyarrow"
    )
    # CPU seconds of the process (all threads): less sensitive to other jobs than wall time
    print(
        f"CPU: pyarrow {c1 - c0:.2f} s, ingest {c2 - c1:.2f} s; ratio {(c1 - c0) / (c2 - c1):.2f}"
    )
    print(f"cpu count: {os.cpu_count()}; load average: {os.getloadavg()}")
    if args.ratio_only:
        return
    q_s, q_mb = peak_rss_mb(quarter)
    f_s, f_mb = peak_rss_mb(full)
    print(
        f"peak RSS 1× ({args.meters // 4} meters): {q_mb:,.0f} MB ({q_s:.1f} s); "
        f"4× ({args.meters} meters): {f_mb:,.0f} MB ({f_s:.1f} s); ratio {f_mb / q_mb:.2f}"
    )
    w1 = run_ingest(full, workers=1)
    w2 = run_ingest(full, workers=2)
    print(f"LocalCluster 1 worker: {w1:.1f} s; 2 workers: {w2:.1f} s; speed-up {w1 / w2:.2f}")
    print(f"cpu count: {os.cpu_count()}; load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
