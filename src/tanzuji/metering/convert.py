"""``tanzuji meter convert``: CSV/Excel readings → partitioned Parquet + a mapping for it.

The readings are read and validated exactly as by ``ingest`` (same readers, same errors),
sorted by meter and time, and written as ``part-00000.parquet`` … of at most
``rows_per_file`` rows (zstd), with the columns ``timestamp`` (UTC), ``meter``, ``value``
(in the canonical unit, CT × PT already applied) and ``serial`` when mapped. Beside them,
``mapping.yaml`` is the input mapping rewritten for that layout, so
``tanzuji meter ingest OUT/mapping.yaml OUT`` gives the same result as on the input files.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tanzuji.metering.mapping import Columns, load_mapping
from tanzuji.metering.readers import canonical_unit, meter_scales, plan_pieces, read_piece

__all__ = ["convert"]


def convert(
    mapping_path: Path, data: list[Path], out: Path, *, rows_per_file: int = 5_000_000
) -> tuple[int, int]:
    """Convert; returns (rows written, Parquet files written)."""
    import pandas as pd
    import pyarrow as pa
    import yaml

    from tanzuji.fileio import write_atomic

    mapping = load_mapping(mapping_path)
    register = {i.id: i for i in mapping.instruments}
    scales = meter_scales(mapping, register)
    pieces = plan_pieces(data, mapping)
    frame = pd.concat([read_piece(p, mapping, scales) for p in pieces], ignore_index=True)
    frame = frame.sort_values(["meter", "ts"], kind="stable").reset_index(drop=True)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    table = pa.table(
        {
            "timestamp": pa.array(frame["ts"].to_numpy(), type=pa.timestamp("ns", tz="UTC")),
            "meter": pa.array(frame["meter"].to_numpy(dtype=object), type=pa.string()),
            "value": pa.array(frame["value"].to_numpy(), type=pa.float64()),
            **(
                {"serial": pa.array(frame["serial"].to_numpy(dtype=object), type=pa.string())}
                if "serial" in frame.columns
                else {}
            ),
        }
    )
    files = 0
    for start in range(0, max(table.num_rows, 1), rows_per_file):
        part = table.slice(start, rows_per_file)
        _write_part(part, out / f"part-{files:05d}.parquet")
        files += 1
    raw: dict[str, Any] = mapping.model_dump(mode="json", exclude_none=True)
    raw["layout"] = "long"
    raw["label"] = "start"
    raw["columns"] = Columns(serial="serial" if mapping.columns.serial else None).model_dump(
        exclude_none=True
    )
    for m in raw["meters"]:
        m["unit"] = canonical_unit(mapping.meter_unit(mapping.meter(m["id"])))
        m["secondary"] = False
        m.pop("column", None)
    write_atomic(
        out / "mapping.yaml",
        "# Written by `tanzuji meter convert` for the Parquet parts beside it.\n"
        + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=100),
    )
    return table.num_rows, files


def _write_part(part: Any, path: Path, group_rows: int = 1_000_000) -> None:
    """One Parquet file whose row groups end at meter boundaries (about ``group_rows`` rows
    each), so that ingest can partition by the row-group statistics without a shuffle."""
    import numpy as np
    import pyarrow.parquet as pq

    meters = part.column("meter").to_numpy(zero_copy_only=False)
    change = np.flatnonzero(meters[1:] != meters[:-1]) + 1 if len(meters) else np.array([])
    bounds = [0]
    for c in change:
        if c - bounds[-1] >= group_rows:
            bounds.append(int(c))
    bounds.append(len(meters))
    with pq.ParquetWriter(path, part.schema, compression="zstd") as writer:
        for a, b in itertools.pairwise(bounds):
            if b > a or len(meters) == 0:
                writer.write_table(part.slice(a, b - a), row_group_size=max(b - a, 1))
