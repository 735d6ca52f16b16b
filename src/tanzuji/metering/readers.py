"""Readers: CSV (also gzip), Excel and Parquet reading files → one long, validated frame.

A file is split into *pieces* (a whole CSV file, one Excel sheet, one Parquet row group);
each piece is read and validated on its own, so a Dask job reads them in parallel and never
holds more than a piece per worker. Every problem names the file, the row and the column:
rows are counted as a spreadsheet shows them (the header is row 1) for CSV and Excel, and
as the 1-based record number for Parquet.

The normalised frame has the columns ``meter`` (str), ``ts`` (int64, ns since the epoch,
UTC, the interval's *start*), ``value`` (float64, in the meter's canonical unit, already
multiplied by CT × PT for secondary readings) and, when the mapping names a serial column,
``serial`` (str).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping as TMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.metering.mapping import Mapping, MeterMapping, is_reactive
from tanzuji.model.derived import parse_ratio
from tanzuji.model.governance import Instrument
from tanzuji.units import CHINESE_UNITS, dimensionality, to_unit

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Piece",
    "canonical_unit",
    "empty_frame",
    "meter_scales",
    "plan_pieces",
    "read_piece",
]

_AWARE = re.compile(r"(?:Z|[+-]\d\d:?\d\d)\s*$")
_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)\s*$")


@dataclass(frozen=True)
class Piece:
    """A part of one input file read as a unit."""

    path: str
    fmt: str  # csv, excel, parquet
    sheet: str | None = None
    row_group: int | None = None
    first_row: int = 2  # the file row of the piece's first record
    lo: str | None = None
    """Smallest meter id in the piece (Parquet statistics), for partitioning without shuffle."""
    hi: str | None = None
    rows: int = 0


def _fmt(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return "csv"
    if name.endswith((".xlsx", ".xlsm")):
        return "excel"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    raise InputError(
        tr(
            "未知的文件类型；应为 .csv、.csv.gz、.xlsx 或 .parquet（或含这些文件的目录）",
            "unknown file type; expected .csv, .csv.gz, .xlsx or .parquet (or a directory of them)",
        ),
        file=str(path),
    )


_WATT_HOURS = re.compile(r"\s*[kKMG]?W\s*[·*.]?\s*h\s*")


@functools.lru_cache(maxsize=256)
def _unit_factor(unit: str) -> tuple[str, float]:
    # watt-hours (electricity, heat meters in MWh) in kWh; other units (Nm3, GJ) as read
    name = CHINESE_UNITS.get(unit.strip(), unit.strip())  # 度, 千瓦时 → kWh; 标准立方米 → Nm3
    watt_hours = _WATT_HOURS.fullmatch(name) and dimensionality(name) == dimensionality("kWh")
    canon = "kWh" if watt_hours else name
    return canon, to_unit(1.0, unit, canon)


def canonical_unit(unit: str) -> str:
    """The unit readings are expressed in after reading: kWh for watt-hours, else the unit
    itself (a heat meter in GJ stays in GJ, a gas meter in Nm3).

    >>> [canonical_unit(u) for u in ("MWh", "Wh", "度", "m**3", "标准立方米", "GJ")]
    ['kWh', 'kWh', 'kWh', 'm**3', 'Nm3', 'GJ']
    """
    return _unit_factor(unit)[0]


def meter_scales(mapping: Mapping, register: TMapping[str, Instrument]) -> dict[str, float]:
    """Factor from a meter's reading to its canonical unit (× CT × PT for secondary readings).
    Reactive meters (varh) are left out."""
    out: dict[str, float] = {}
    for m in mapping.meters:
        unit = mapping.meter_unit(m)
        if is_reactive(unit):
            continue
        factor = _unit_factor(unit)[1]
        if m.secondary:
            inst = register[m.instrument]
            for ratio in (inst.ct_ratio, inst.pt_ratio):
                if ratio is not None:
                    factor *= parse_ratio(ratio)
        out[m.id] = factor
    return out


def plan_pieces(paths: list[Path], mapping: Mapping) -> list[Piece]:
    """Check every file exists, is of a known type, is not empty and has the mapped columns;
    return its pieces. Directories are searched for Parquet/CSV/Excel files."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and not f.name.startswith((".", "_"))
            )
            found = [f for f in found if _known(f)]
            if not found:
                raise InputError(
                    tr("目录中没有读数文件", "the directory holds no reading files"), file=str(p)
                )
            files.extend(found)
        elif not p.exists():
            raise InputError(tr("文件不存在", "no such file"), file=str(p))
        else:
            files.append(p)
    pieces: list[Piece] = []
    for f in files:
        fmt = _fmt(f)
        if fmt == "parquet":
            pieces.extend(_parquet_pieces(f, mapping))
        elif fmt == "excel":
            pieces.extend(_excel_pieces(f, mapping))
        else:
            header = _csv_header(f)
            _check_columns(header, mapping, str(f), None)
            pieces.append(Piece(str(f), "csv"))
    return pieces


def _known(f: Path) -> bool:
    try:
        _fmt(f)
    except InputError:
        return False
    return True


def _csv_header(f: Path) -> list[str]:
    import pandas as pd

    try:
        head = pd.read_csv(f, nrows=1, dtype=str, sep=None if f.suffix == ".txt" else ",")
    except pd.errors.EmptyDataError:
        raise InputError(tr("文件为空", "the file is empty"), file=str(f)) from None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        raise InputError(
            tr(f"无法读取的 CSV 文件（{exc}）", f"not a readable CSV file ({exc})"), file=str(f)
        ) from None
    if head.empty:
        raise InputError(
            tr("文件只有表头，没有读数", "the file has a header but no readings"),
            file=str(f),
            row=2,
        )
    return [str(c) for c in head.columns]


def _parquet_pieces(f: Path, mapping: Mapping) -> list[Piece]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(f)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(
            tr(f"无法读取的 Parquet 文件（{exc}）", f"not a readable Parquet file ({exc})"),
            file=str(f),
        ) from None
    _check_columns(list(meta.schema_arrow.names), mapping, str(f), None)
    if meta.metadata.num_rows == 0:
        raise InputError(tr("文件中没有读数", "the file holds no readings"), file=str(f))
    out, first = [], 1
    names = list(meta.schema_arrow.names)
    col = names.index(mapping.columns.meter) if mapping.layout == "long" else None
    for i in range(meta.num_row_groups):
        rg = meta.metadata.row_group(i)
        lo = hi = None
        if col is not None:
            stats = rg.column(col).statistics
            if stats is not None and stats.has_min_max:
                lo, hi = _text(stats.min), _text(stats.max)
        out.append(
            Piece(str(f), "parquet", row_group=i, first_row=first, lo=lo, hi=hi, rows=rg.num_rows)
        )
        first += rg.num_rows
    return out


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def meter_bundles(pieces: list[Piece]) -> list[list[Piece]] | None:
    """Pieces grouped so that no meter spans two groups (by the Parquet min/max statistics of
    the meter column); None when a piece has no statistics. Data sorted by meter (as
    ``tanzuji meter convert`` writes it) then needs no shuffle.

    >>> spans = (("A", "C"), ("C", "E"), ("F", "G"))
    >>> a, b, c = (Piece("f", "parquet", lo=x, hi=y) for x, y in spans)
    >>> [[p.lo for p in g] for g in meter_bundles([a, b, c])]
    [['A', 'C'], ['F']]
    """
    if any(p.lo is None or p.hi is None for p in pieces):
        return None
    ordered = sorted(pieces, key=lambda p: (p.lo or "", p.hi or ""))
    bundles: list[list[Piece]] = []
    top = ""
    for p in ordered:
        if bundles and (p.lo or "") <= top:
            bundles[-1].append(p)
            top = max(top, p.hi or "")
        else:
            bundles.append([p])
            top = p.hi or ""
    return bundles


def read_bundle(
    bundle: list[Piece], mapping: Mapping, scales: TMapping[str, float]
) -> pd.DataFrame:
    """Read several pieces into one normalised frame."""
    import pandas as pd

    frames = [read_piece(p, mapping, scales) for p in bundle]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _excel_pieces(f: Path, mapping: Mapping) -> list[Piece]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(
            tr(
                "无法读取的 Excel 文件（不是有效的 .xlsx 工作簿，或已损坏）",
                f"not a readable Excel file ({exc})",
            ),
            file=str(f),
        ) from None
    out = []
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(min_row=1, max_row=2, values_only=True)
            first = next(rows, None)
            if first is None or all(c is None for c in first):
                continue
            header = [str(c) for c in first if c is not None]
            if next(rows, None) is None:
                continue
            _check_columns(header, mapping, str(f), ws.title)
            out.append(Piece(str(f), "excel", sheet=ws.title))
    finally:
        wb.close()
    if not out:
        raise InputError(tr("工作簿中没有读数", "the workbook holds no readings"), file=str(f))
    return out


def _check_columns(header: list[str], mapping: Mapping, file: str, sheet: str | None) -> None:
    cols = mapping.columns
    need = [cols.timestamp]
    if mapping.layout == "long":
        need += [cols.meter, cols.value]
    if cols.serial:
        need.append(cols.serial)
    has = ", ".join(repr(h) for h in header[:12])
    for name in need:
        if name not in header:
            raise InputError(
                tr(
                    f"缺少映射文件指定的列 {name!r}；文件中的列为 {has}",
                    f"column {name!r} named in the mapping is missing; the file has {has}",
                ),
                file=file,
                sheet=sheet,
                row=1,
                column=name,
            )
    if mapping.layout == "wide":
        mapped = {m.source_column for m in mapping.meters}
        extra = [h for h in header if h not in mapped and h not in need]
        if extra:
            raise InputError(
                tr(
                    f"列 {extra[0]!r} 不是映射文件中的电能表（该表不在映射文件及计量器具登记中）",
                    f"column {extra[0]!r} is not a mapped meter (a meter missing from the "
                    "mapping and instrument register)",
                ),
                file=file,
                sheet=sheet,
                row=1,
                column=extra[0],
            )
        if not any(m.source_column in header for m in mapping.meters):
            raise InputError(
                tr("没有任何已映射电能表的列", "no column of a mapped meter"),
                file=file,
                sheet=sheet,
                row=1,
            )


def empty_frame(mapping: Mapping) -> pd.DataFrame:
    """The (empty) normalised frame: Dask's ``meta``."""
    import pandas as pd

    data: dict[str, Any] = {
        "meter": pd.Series([], dtype="str"),
        "ts": pd.Series([], dtype="int64"),
        "value": pd.Series([], dtype="float64"),
    }
    if mapping.columns.serial:
        data["serial"] = pd.Series([], dtype="str")
    return pd.DataFrame(data)


def read_piece(piece: Piece, mapping: Mapping, scales: TMapping[str, float]) -> pd.DataFrame:
    """Read and validate one piece into the normalised frame."""
    import pandas as pd

    cols = mapping.columns
    if piece.fmt == "csv":
        raw = pd.read_csv(piece.path, dtype=str, keep_default_na=False, na_values=[""])
    elif piece.fmt == "excel":
        raw = pd.read_excel(piece.path, sheet_name=piece.sheet, dtype=object)
    else:
        import pyarrow.parquet as pq

        wanted = None
        if mapping.layout == "long":  # only the mapped columns
            wanted = [c for c in (cols.timestamp, cols.meter, cols.value, cols.serial) if c]
        # the meter id as a dictionary: no Python string per row (pandas Categorical)
        table = pq.ParquetFile(
            piece.path, read_dictionary=[cols.meter] if mapping.layout == "long" else None
        ).read_row_group(piece.row_group or 0, columns=wanted)
        fast = _typed_parquet(table, piece, mapping, scales)
        if fast is not None:
            return fast
        raw = table.to_pandas()
    raw.columns = [str(c) for c in raw.columns]
    where = {"file": piece.path, "sheet": piece.sheet}
    rows = pd.Series(range(piece.first_row, piece.first_row + len(raw)), index=raw.index)
    column: Any
    if mapping.layout == "wide":
        frames, factors = [], []
        for m in mapping.meters:
            if m.source_column not in raw.columns or m.id not in scales:
                continue
            part = pd.DataFrame(
                {
                    "meter": m.id,
                    "_t": raw[cols.timestamp],
                    "_v": raw[m.source_column],
                    "_row": rows,
                    "_col": m.source_column,
                }
            )
            if cols.serial:
                part["_s"] = raw[cols.serial]
            frames.append(part)
            factors.append(np.full(len(part), scales[m.id]))
        if not frames:
            return empty_frame(mapping)
        long = pd.concat(frames, ignore_index=True)
        long["meter"] = long["meter"].astype("str")
        factor = np.concatenate(factors)
        column = long["_col"]
    else:
        meters = raw[cols.meter]
        if isinstance(meters.dtype, pd.CategoricalDtype):
            meters = meters.cat.remove_unused_categories()
            codes = meters.cat.codes.to_numpy()
            uniques = [str(u) for u in meters.cat.categories]
        else:
            meters = meters.astype("str")
            codes, uniques = pd.factorize(meters)
        known = mapping_ids(mapping)
        unknown = [k for k, u in enumerate(uniques) if u not in known]
        if unknown or (codes < 0).any():
            i = int(np.argmax(np.isin(codes, [*unknown, -1])))
            raise InputError(
                tr(
                    "电能表不在映射文件中（计量器具登记中没有该表）",
                    "meter not in the mapping (missing from the instrument register)",
                ),
                **where,
                row=int(rows.iloc[i]),
                column=cols.meter,
                got=raw[cols.meter].iloc[i],
            )
        factor = np.array([scales.get(str(u), np.nan) for u in uniques])[codes]
        long = pd.DataFrame(
            {"meter": meters, "_t": raw[cols.timestamp], "_v": raw[cols.value], "_row": rows}
        )
        if cols.serial:
            long["_s"] = raw[cols.serial]
        keep = ~np.isnan(factor)
        if not keep.all():  # reactive meters
            long, factor = long[keep], factor[keep]
        column = cols.value
    ts = parse_timestamps(long["_t"], long["_row"], mapping, piece, cols.timestamp)
    value = _numbers(long["_v"], long["_row"], column, piece)
    out = pd.DataFrame({"meter": long["meter"], "ts": ts, "value": value * factor})
    if cols.serial:
        out["serial"] = long["_s"].fillna("").astype("str")
    out = out[out["value"].notna()]
    if mapping.label == "end":
        out["ts"] = out["ts"] - mapping.interval_minutes * 60_000_000_000
    return out.reset_index(drop=True)


def _typed_parquet(
    table: Any, piece: Piece, mapping: Mapping, scales: TMapping[str, float]
) -> pd.DataFrame | None:
    """The normalised frame straight from a typed long Parquet row group (zone-aware
    timestamps, numeric values, dictionary meter ids) with pyarrow/numpy only: no Python
    object per row. None when the piece needs the general (validating) path."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = mapping.columns
    if cols.serial or mapping.layout != "long":
        return None
    t, v, m = (table.column(c) for c in (cols.timestamp, cols.value, cols.meter))
    typed = (
        pa.types.is_timestamp(t.type)
        and t.type.tz is not None
        and (pa.types.is_floating(v.type) or pa.types.is_integer(v.type))
        and pa.types.is_dictionary(m.type)
        and m.num_chunks == 1
    )
    if not typed or t.null_count or m.null_count:
        return None  # the general path names the row
    ids = m.chunk(0)
    uniques = [str(x) for x in ids.dictionary.to_pylist()]
    codes = ids.indices.to_numpy(zero_copy_only=False).astype("int32", copy=False)
    used = np.bincount(codes, minlength=len(uniques)) > 0
    known = mapping_ids(mapping)
    if any(u and uniques[k] not in known for k, u in enumerate(used)):
        return None  # the general path raises the error with the row
    factor = np.array([scales.get(u, np.nan) for u in uniques], dtype="float64")[codes]
    try:
        ts = pc.cast(pc.cast(t, pa.timestamp("ns", tz="UTC")), pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # e.g. out of the ns range: the general path says which row
    value = v.to_numpy().astype("float64", copy=False) * factor
    keep = ~np.isnan(value)  # blank values and reactive meters
    if not keep.all():
        codes, ts, value = codes[keep], ts[keep], value[keep]
    if mapping.label == "end":
        ts = ts - mapping.interval_minutes * 60_000_000_000
    return pd.DataFrame(
        {
            "meter": pd.Categorical.from_codes(codes, categories=uniques),
            "ts": ts,
            "value": value,
        },
        copy=False,  # the arrays are fresh: no second copy into a pandas block
    )


def mapping_ids(mapping: Mapping) -> set[str]:
    """All mapped meter ids (reactive ones included)."""
    return {m.id for m in mapping.meters}


def _numbers(values: pd.Series, rows: pd.Series, cols: pd.Series | str, piece: Piece) -> Any:
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64").to_numpy()
    num = pd.to_numeric(values, errors="coerce")
    text = values.astype("str").str.strip()
    blank = values.isna() | text.eq("") | text.str.lower().isin(["nan", "none", "null", "na"])
    bad = num.isna() & ~blank
    if bad.any():
        i = bad.idxmax()
        raise InputError(
            tr("应为数字", "expected a number"),
            file=piece.path,
            sheet=piece.sheet,
            row=int(rows[i]),
            column=cols if isinstance(cols, str) else str(cols[i]),
            got=values[i],
        )
    return num.astype("float64").to_numpy()


def parse_timestamps(
    values: pd.Series, rows: pd.Series, mapping: Mapping, piece: Piece, column: str
) -> Any:
    """Timestamps → int64 ns UTC. Naive values are in the mapping's zone; values with an
    offset must all carry one (no mixing with naive ones) and agree with the zone when they
    differ among themselves."""
    import pandas as pd

    where = {"file": piece.path, "sheet": piece.sheet, "column": column}
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        values.dtype
    ):
        _in_range(values, rows, where)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").astype("int64").to_numpy()
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return _localize(values.astype("datetime64[ns]"), rows, mapping, where)
    text = values.astype("str").str.strip()
    missing = values.isna() | text.eq("")
    if missing.any():
        i = missing.idxmax()
        raise InputError(tr("缺少时间戳", "missing timestamp"), **where, row=int(rows[i]))
    aware = text.str.contains(_AWARE)
    if aware.any() and not aware.all():
        i = (~aware).idxmax() if aware.iloc[0] else aware.idxmax()
        raise InputError(
            tr(
                "时区混用：部分时间戳带 UTC 偏移，部分不带",
                "mixed time zones: some timestamps carry a UTC offset and others do not",
            ),
            **where,
            row=int(rows[i]),
            got=values[i],
        )
    if aware.all():
        parsed = _to_datetime(text, rows, where, utc=True)
        offsets = text.str.extract(_OFFSET)
        has = offsets[0].notna()
        minutes = (
            offsets[1].where(has, "0").astype(int) * 60 + offsets[2].where(has, "0").astype(int)
        ) * offsets[0].map({"+": 1, "-": -1}).fillna(1)
        if minutes.nunique() > 1:
            local = parsed.dt.tz_convert(mapping.timezone)
            zone = (local.dt.tz_localize(None) - parsed.dt.tz_localize(None)).dt.total_seconds()
            wrong = (zone / 60).round().astype(int) != minutes.astype(int)
            if wrong.any():
                i = wrong.idxmax()
                raise InputError(
                    tr(
                        f"时区混用：各行 UTC 偏移不同，且本行与映射文件的时区 {mapping.timezone} "
                        "不符",
                        f"mixed time zones: UTC offsets differ between rows and this one does "
                        f"not match the mapping's time zone {mapping.timezone}",
                    ),
                    **where,
                    row=int(rows[i]),
                    got=values[i],
                )
        return parsed.astype("datetime64[ns, UTC]").astype("int64").to_numpy()
    naive = _to_datetime(text, rows, where, utc=False)
    return _localize(naive, rows, mapping, where)


def _to_datetime(text: pd.Series, rows: pd.Series, where: dict[str, Any], *, utc: bool) -> Any:
    import pandas as pd

    try:
        return pd.to_datetime(text, format="ISO8601", utc=utc)
    except (ValueError, TypeError):
        pass
    parsed = pd.to_datetime(text, format="mixed", errors="coerce", utc=utc)
    bad = parsed.isna()
    if bad.any():
        i = bad.idxmax()
        raise InputError(
            tr(
                "无法解析的时间戳；应如 2025-01-01 00:15 或 2025-01-01T00:15:00+08:00",
                "unparseable timestamp; expected e.g. 2025-01-01 00:15 or "
                "2025-01-01T00:15:00+08:00",
            ),
            **where,
            row=int(rows[i]),
            got=text[i],
        )
    return parsed


def _in_range(values: pd.Series, rows: pd.Series, where: dict[str, Any]) -> None:
    """Typed timestamps (Parquet, Excel) must fit int64 nanoseconds (1677 … 2262)."""
    import pandas as pd

    naive = values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz else values
    lo, hi = pd.Timestamp.min.as_unit("us"), pd.Timestamp.max.as_unit("us")
    bad = ((naive < lo) | (naive > hi)).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            tr(
                "时间戳超出可处理范围（1677–2262 年）",
                "timestamp out of the range that can be processed (years 1677 to 2262)",
            ),
            **where,
            row=int(rows.iloc[i]),
            got=str(values.iloc[i]),
        )


def _localize(naive: pd.Series, rows: pd.Series, mapping: Mapping, where: dict[str, Any]) -> Any:
    import pandas as pd

    try:
        local = naive.dt.tz_localize(mapping.timezone, ambiguous="raise", nonexistent="raise")
    except (ValueError, pd.errors.OutOfBoundsDatetime) as exc:
        raise InputError(
            tr(
                f"时间戳在 {mapping.timezone} 中不存在或有歧义（{exc}）；请给出带 UTC 偏移的时间戳",
                f"timestamp does not exist or is ambiguous in {mapping.timezone} ({exc}); give "
                "timestamps with a UTC offset",
            ),
            **where,
            row=int(rows.iloc[0]),
        ) from None
    return local.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").astype("int64").to_numpy()


def reactive_meters(mapping: Mapping) -> list[MeterMapping]:
    """Meters whose unit is reactive energy: ignored, with a warning."""
    return [m for m in mapping.meters if is_reactive(mapping.meter_unit(m))]
