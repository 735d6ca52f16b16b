"""The one code path from reading files to per-meter summaries, on Dask DataFrame.

Pieces of the input files (:func:`tanzuji.metering.readers.plan_pieces`) become the
partitions of a Dask DataFrame (``dd.from_map``); a shuffle on the meter id brings every
meter's readings into one partition (Parquet sorted by meter, as ``meter convert`` writes
it, is bundled by its row-group statistics instead and needs no shuffle), and
:func:`tanzuji.metering.clean.clean_meter` runs per meter. The result is one small row per
meter. The same graph runs

- in-process on Dask's threaded scheduler (small inputs, the default),
- on a ``distributed.LocalCluster`` with bounded memory per worker (``workers`` > 0, or an
  input larger than :data:`LOCAL_CLUSTER_BYTES`), the shuffle then spilling to disk,
- on an existing cluster (``scheduler="tcp://HOST:8786"``).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections.abc import Callable, Iterator
from collections.abc import Mapping as TMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tanzuji.metering.clean import MeterRules, MeterSummary, PeriodBounds, clean_meter
from tanzuji.metering.mapping import Mapping
from tanzuji.metering.readers import (
    Piece,
    canonical_unit,
    empty_frame,
    meter_bundles,
    meter_scales,
    read_bundle,
    read_piece,
)
from tanzuji.model.governance import Instrument

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LOCAL_CLUSTER_BYTES", "Execution", "meter_rules", "summarize"]

LOCAL_CLUSTER_BYTES = 512 * 1024 * 1024
"""Inputs larger than this run on a LocalCluster with bounded memory."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Execution:
    """Where the Dask graph runs."""

    scheduler: str | None = None
    """``tcp://HOST:PORT`` of an existing cluster, or None."""
    workers: int = 0
    """> 0: start a LocalCluster with this many single-threaded workers."""
    memory_limit: str = "1GiB"
    """Per-worker memory limit of a LocalCluster."""


def meter_rules(mapping: Mapping, register: TMapping[str, Instrument]) -> dict[str, MeterRules]:
    """The cleaning rules of each mapped meter."""
    from tanzuji.metering.budget import low_load

    scales = meter_scales(mapping, register)  # resolution and roll-over are in reading units
    out = {}
    for m in mapping.meters:
        inst = register[m.instrument]
        k = scales.get(m.id, 1.0)
        low_kw = None
        if m.rated_kw is not None and inst.accuracy_class:
            ll = low_load(inst.accuracy_class)
            if ll is not None:
                low_kw = m.rated_kw * ll[0]
        out[m.id] = MeterRules(
            kind=m.kind,
            interval_min=mapping.interval_minutes,
            gap_fill=m.gap_fill,
            max_kw=m.max_kw if m.max_kw is not None else _scaled(m.max_rate, k),
            rate_unit="kW" if m.max_rate is None else f"{canonical_unit(mapping.meter_unit(m))}/h",
            resolution=m.resolution * k if m.resolution is not None else None,
            rollover=m.rollover * k if m.rollover is not None else None,
            low_load_kw=low_kw,
        )
    return out


def _scaled(value: float | None, k: float) -> float | None:
    return value * k if value is not None else None


def _by_meter(frame: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each meter's rows as a slice of ``frame`` (no per-row Python work): the meter codes
    (Categorical from typed Parquet, else factorized), stably sorted when not already
    grouped, split where the code changes."""
    import numpy as np
    import pandas as pd

    if frame.empty:
        return
    col = frame["meter"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy()
        names = [str(c) for c in col.cat.categories]
    else:
        codes, uniques = pd.factorize(col.astype("str"))
        names = [str(u) for u in uniques]
    if codes.size > 1 and bool((codes[1:] < codes[:-1]).any()):
        order = np.argsort(codes, kind="stable")
        frame, codes = frame.iloc[order], codes[order]
    cuts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    bounds = [0, *cuts.tolist(), codes.size]
    for a, b in itertools.pairwise(bounds):
        yield names[codes[a]], frame.iloc[a:b]


def _clean_partition(
    frame: pd.DataFrame, rules: dict[str, MeterRules], period: PeriodBounds
) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for meter, part in _by_meter(frame):
        s = clean_meter(part, meter, rules[meter], period)
        rows.append({"meter": meter, "payload": json.dumps(s.to_dict())})
    return pd.DataFrame(
        {
            "meter": pd.Series([r["meter"] for r in rows], dtype="str"),
            "payload": pd.Series([r["payload"] for r in rows], dtype="str"),
        }
    )


def _out_meta() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {"meter": pd.Series([], dtype="str"), "payload": pd.Series([], dtype="str")}
    )


def input_bytes(pieces: list[Piece]) -> int:
    """Total size of the input files."""
    return sum(os.path.getsize(p) for p in {pc.path for pc in pieces})


def summarize(
    pieces: list[Piece],
    mapping: Mapping,
    register: TMapping[str, Instrument],
    period: PeriodBounds,
    *,
    execution: Execution | None = None,
    progress: Progress | None = None,
) -> list[MeterSummary]:
    """Clean every meter of the input; one :class:`MeterSummary` per meter with readings."""
    import dask.dataframe as dd

    execution = execution or Execution()
    scales = meter_scales(mapping, register)
    rules = meter_rules(mapping, register)
    bundles = meter_bundles(pieces)
    if bundles is not None and len(bundles) > 1:
        # sorted Parquet: every meter in one bundle, no shuffle
        frame = dd.from_map(
            read_bundle,
            bundles,
            mapping=mapping,
            scales=scales,
            meta=empty_frame(mapping),
            enforce_metadata=False,
            divisions=None,
        )
    else:
        frame = dd.from_map(
            read_piece,
            pieces,
            mapping=mapping,
            scales=scales,
            meta=empty_frame(mapping),
            enforce_metadata=False,
            divisions=None,
        )
        if frame.npartitions > 1:
            frame = frame.shuffle(on="meter")
    result = frame.map_partitions(_clean_partition, rules, period, meta=_out_meta())
    with _runner(execution, pieces) as compute:
        df = compute(result, progress)
    out = [MeterSummary.from_dict(json.loads(p)) for p in df["payload"]]
    return sorted(out, key=lambda s: s.meter)


Compute = Callable[[Any, Progress | None], "pd.DataFrame"]


@contextmanager
def _runner(execution: Execution, pieces: list[Piece]) -> Iterator[Compute]:
    workers = execution.workers
    if execution.scheduler is None and workers == 0 and input_bytes(pieces) > LOCAL_CLUSTER_BYTES:
        workers = min(os.cpu_count() or 1, 4)
    if execution.scheduler is not None or workers > 0:
        from distributed import Client, LocalCluster

        if execution.scheduler is not None:
            client = Client(execution.scheduler, set_as_default=False)
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                memory_limit=execution.memory_limit,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # HTTP routes on a free local port
                processes=True,
                silence_logs=logging.CRITICAL,  # no heartbeat noise when the cluster closes
            )
            client = Client(cluster, set_as_default=False)
        try:

            def on_cluster(coll: Any, progress: Progress | None) -> pd.DataFrame:
                return _distributed(client, coll, progress)

            yield on_cluster
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return

    def local(coll: Any, progress: Progress | None) -> pd.DataFrame:
        from dask.callbacks import Callback

        class _Bar(Callback):
            def _start_state(self, dsk: Any, state: Any) -> None:
                self._total = sum(len(state[k]) for k in ("ready", "waiting", "running"))
                self._done = 0

            def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker: Any) -> None:
                self._done += 1
                if progress is not None:
                    progress(self._done, self._total)

        import dask.threaded

        with _Bar():
            # the threaded scheduler as a function: the name "threads" makes dask import
            # distributed (0.6 s) only to look for a default client
            out: pd.DataFrame = coll.compute(scheduler=dask.threaded.get)
        return out

    yield local


def _distributed(client: Any, coll: Any, progress: Progress | None) -> pd.DataFrame:
    import time

    future = client.compute(coll)
    if progress is not None:
        while not future.done():
            progress(0, 0)
            time.sleep(0.2)
    out: pd.DataFrame = future.result()
    return out
