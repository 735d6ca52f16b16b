"""Benchmark of the product footprint database (issue 10), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_store.py                       # 100,000 revisions
    .venv/bin/python benchmarks/bench_store.py --revisions 10000 --backend sqlite

Fills a fresh database with generated variants of the single-phase example (each study
id gets ``--per-study`` revisions, each study its own product model, evaluation years
spread over 25 years) through the normal ``save`` use case without evaluation, then
measures on the full database:

* ``save`` of one study (without evaluation): median and p95 over ``--samples`` saves;
* ``history`` and ``trend`` of one product: p95 over ``--samples`` calls;
* database size per revision;
* ``export`` + ``import`` throughput in revisions/s.

Goals: save p95 < 50 ms, history/trend p95 < 20 ms at 100,000 revisions. PostgreSQL comes
from ``TZ_TEST_PG_URL`` (admin URL) or 127.0.0.1:5432; a database ``tz_store_bench_<hex>``
is created and dropped. Prints one Markdown table row per backend.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tanzuji.jsonio import LoadedStudy
from tanzuji.model import Study
from tanzuji.services import Actor, history, save_loaded
from tanzuji.services.backup import export_jsonl, import_jsonl
from tanzuji.services.trend import trend
from tanzuji.store import Store, UnitOfWork, open_store
from tanzuji.studyfiles import load_study

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "examples" / "single-phase-meter" / "study.yaml"
ACTOR = Actor("bench@example.cn", "default")
PG_ADMIN = os.environ.get("TZ_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _variant(base: LoadedStudy, study_no: int, rev_no: int) -> LoadedStudy:
    s = base.study
    acts = list(s.activities)
    i = rev_no % len(acts)
    a = acts[i]
    if hasattr(a, "quantity"):
        acts[i] = a.model_copy(update={"quantity": a.quantity * (1 + 1e-6 * (rev_no + 1))})
    product = s.product.model_copy(update={"model": f"BENCH-{study_no:05d}"})
    year = 2000 + study_no % 25
    period = s.period.model_copy(
        update={"start": s.period.start.replace(year=year), "end": s.period.end.replace(year=year)}
    )
    study: Study = s.model_copy(
        update={
            "id": f"BENCH-{study_no:05d}",
            "activities": tuple(acts),
            "product": product,
            "period": period,
            "title": f"rev {rev_no}",
        }
    )
    return dataclasses.replace(base, study=study)


def _p(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(q * (len(v) - 1)))]


def _size(store: Store) -> int:
    if store.sqlite_path is not None:
        return sum(
            p.stat().st_size for p in store.sqlite_path.parent.glob(store.sqlite_path.name + "*")
        )
    engine = create_engine(store.url)
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    return int(size or 0)


def _new_db(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / ('bench-' + secrets.token_hex(3) + '.db')}"
    name = "tz_store_bench_" + secrets.token_hex(4)
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    if url.startswith("sqlite"):
        return
    name = make_url(url).database
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def run(backend: str, revisions: int, per_study: int, samples: int) -> dict[str, float]:
    base = load_study(STUDY)
    studies = max(1, revisions // per_study)
    with tempfile.TemporaryDirectory(prefix="tz-bench-") as d:
        tmp = Path(d)
        urls = [_new_db(backend, tmp), _new_db(backend, tmp)]
        try:
            store = open_store(urls[0])
            store.upgrade()
            t0 = time.perf_counter()
            n = 0
            for r in range(per_study):
                for s in range(studies):
                    save_loaded(UnitOfWork(store), ACTOR, _variant(base, s, r), evaluate=False)
                    n += 1
                    if n % 5000 == 0:
                        rate = n / (time.perf_counter() - t0)
                        print(f"  {backend}: {n:,} revisions ({rate:.0f}/s)", file=sys.stderr)
            fill_s = time.perf_counter() - t0
            # save on the full database (each a new revision of an existing study)
            save_ms = []
            for i in range(samples):
                v = _variant(base, i % studies, per_study + i)
                t = time.perf_counter()
                save_loaded(UnitOfWork(store), ACTOR, v, evaluate=False)
                save_ms.append(1000 * (time.perf_counter() - t))
            total = n + samples
            hist_ms, trend_ms = [], []
            for i in range(samples):
                model = f"BENCH-{(i * 7919) % studies:05d}"
                t = time.perf_counter()
                history(UnitOfWork(store, write=False), ACTOR, model, limit=50)
                hist_ms.append(1000 * (time.perf_counter() - t))
                t = time.perf_counter()
                trend(UnitOfWork(store, write=False), ACTOR, model)
                trend_ms.append(1000 * (time.perf_counter() - t))
            size = _size(store)
            out = tmp / "export.jsonl"
            t = time.perf_counter()
            with out.open("w", encoding="utf-8") as fh:
                export_jsonl(UnitOfWork(store, write=False), fh)
            export_s = time.perf_counter() - t
            other = open_store(urls[1])
            other.upgrade()
            t = time.perf_counter()
            import_jsonl(UnitOfWork(other), ACTOR, out)
            import_s = time.perf_counter() - t
            store.dispose()
            other.dispose()
            return {
                "revisions": total,
                "fill_per_s": n / fill_s,
                "save_median_ms": statistics.median(save_ms),
                "save_p95_ms": _p(save_ms, 0.95),
                "history_p95_ms": _p(hist_ms, 0.95),
                "trend_p95_ms": _p(trend_ms, 0.95),
                "bytes_per_revision": size / total,
                "export_import_per_s": total / (export_s + import_s),
                "export_per_s": total / export_s,
                "import_per_s": total / import_s,
            }
        finally:
            for u in urls:
                _drop(u)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--revisions", type=int, default=100_000)
    ap.add_argument("--per-study", type=int, default=100)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = ap.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        "| backend | revisions | save median / p95 (ms) | history p95 (ms) | trend p95 (ms) "
        "| size / revision | export+import (rev/s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for b in backends:
        r = run(b, args.revisions, args.per_study, args.samples)
        print(
            f"| {b} | {r['revisions']:,.0f} | {r['save_median_ms']:.1f} / {r['save_p95_ms']:.1f} "
            f"| {r['history_p95_ms']:.1f} | {r['trend_p95_ms']:.1f} "
            f"| {r['bytes_per_revision'] / 1024:.1f} KiB "
            f"| {r['export_import_per_s']:.0f} (export {r['export_per_s']:.0f}, "
            f"import {r['import_per_s']:.0f}) |",
            flush=True,
        )


if __name__ == "__main__":
    main()
