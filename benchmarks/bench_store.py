"""Benchmark of the product footprint database (issue 10), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_store.py                       # 100,000 revisions
    .venv/bin/python benchmarks/bench_store.py --revisions 10000 --backend sqlite

Fills a fresh database with generated variants of the single-phase example (each study
id gets ``--per-study`` revisions, each study its own product model, evaluation years
spread over 25 years), then measures on the full database:

* ``save`` of one study (without evaluation): median and p95 over ``--samples`` saves,
  wall-clock and CPU time of this process (``time.process_time``; the database server's
  CPU is not in it);
* ``history`` and ``trend`` of one product: p95 over ``--samples`` calls (wall and CPU);
* database size per revision;
* ``export`` + ``import`` throughput in revisions/s.

The fill (``--fill bulk``, default): the first revision of every study goes through the
``save`` use case itself (products, studies, library pins, instruments, audit entries);
every later revision is computed as ``save`` computes it — the canonical content and its
SHA-256 by :func:`tanzuji.services.save.prepare_save`, the revision id by
:func:`tanzuji.store.hashing.revision_id` over the same fields, the same pins, the audit
entry by :func:`tanzuji.store.hashing.audit_hash` chained on the head — and inserted with
one multi-row INSERT per table per ``--batch`` revisions. ``audit verify`` runs on the
filled database (chain, head, revision hashes) and must pass. ``--fill save`` runs the
``save`` use case for every revision, one transaction each, as the CLI does (slow:
about 10–25 revisions/s on the loaded shared machine).

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tanzuji.jsonio import LoadedStudy
from tanzuji.model import Study
from tanzuji.services import Actor, history, save_loaded
from tanzuji.services.audit import verify_audit
from tanzuji.services.backup import export_jsonl, import_jsonl
from tanzuji.services.save import prepare_save
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


def _fill(
    store: Store,
    base: LoadedStudy,
    studies: int,
    per_study: int,
    mode: str,
    batch: int,
    checkpoint: Callable[[int], None] | None = None,
    at: frozenset[int] = frozenset(),
) -> int:
    """Store ``studies * per_study`` revisions, round-robin over the studies; call
    ``checkpoint(n)`` when ``n`` revisions (in ``at``) are stored."""
    t0 = time.perf_counter()
    n = 0
    pending: list[tuple[int, LoadedStudy]] = []
    for r in range(per_study):
        for s in range(studies):
            v = _variant(base, s, r)
            if mode == "save" or r == 0:
                save_loaded(UnitOfWork(store), ACTOR, v, evaluate=False)
            else:
                pending.append((r, v))
                if len(pending) >= batch:
                    _bulk(store, pending)
                    pending = []
            n += 1
            if n % 10000 == 0:
                rate = n / (time.perf_counter() - t0)
                print(f"  {store.dialect}: {n:,} revisions ({rate:.0f}/s)", file=sys.stderr)
            if n in at and checkpoint is not None:
                if pending:
                    _bulk(store, pending)
                    pending = []
                checkpoint(n)
    if pending:
        _bulk(store, pending)
    return n


@dataclasses.dataclass(frozen=True)
class _Head:
    id: str
    seq: int


def _bulk(store: Store, items: list[tuple[int, LoadedStudy]]) -> None:
    """Later revisions of existing studies, exactly as ``save`` makes them, in one batch."""
    from sqlalchemy import insert, select, update

    from tanzuji.store.hashing import audit_hash, now_iso, revision_id, sha256_hex
    from tanzuji.store.models import AuditEntry, RevisionLibrary, StudyRevision
    from tanzuji.store.models import Study as StudyRow
    from tanzuji.store.repositories import entry_fields

    with UnitOfWork(store) as uow:
        org = uow.orgs.require(ACTOR.org)
        keys = [v.study.id for _, v in items]
        rows = {
            st.study_key: st
            for st in uow.session.scalars(
                select(StudyRow).where(StudyRow.org_id == org.id, StudyRow.study_key.in_(keys))
            )
        }
        heads: dict[str, Any] = {
            rv.id: rv
            for rv in uow.session.scalars(
                select(StudyRevision).where(
                    StudyRevision.id.in_([st.head_revision_id for st in rows.values()])
                )
            )
        }
        head = uow.audit.head(lock=True)
        seq, prev = head.seq, head.hash
        revs, pins, entries = [], [], []
        moves: dict[int, dict[str, object]] = {}
        head_of = {st.study_key: st.head_revision_id or "" for st in rows.values()}
        count_of = {st.study_key: st.revision_count for st in rows.values()}
        libs_of: dict[int, list[Any]] = {}
        for _, v in items:
            prep = prepare_save(v, evaluate=False)
            st = rows[prep.study_id]
            parent = heads[head_of[prep.study_id]]
            if id(v.factors) not in libs_of:  # the variants share one library: one query
                libs_of[id(v.factors)] = uow.libraries.get_or_add_many(prep.libraries)
            libs = libs_of[id(v.factors)]
            t = now_iso()
            rid = revision_id(
                content_sha256=prep.content_sha256,
                parent=parent.id,
                study=prep.study_id,
                org=org.name,
                author=ACTOR.user,
                message="",
                time=t,
            )
            revs.append(
                {
                    "id": rid,
                    "study_id": st.id,
                    "org_id": org.id,
                    "product_id": st.product_id,
                    "seq": parent.seq + 1,
                    "parent_id": parent.id,
                    "content_sha256": prep.content_sha256,
                    "content": prep.content_text,
                    "period": prep.period,
                    "author": ACTOR.user,
                    "message": "",
                    "created_at": t,
                    "source_name": prep.source_name,
                    "source_sha256": sha256_hex(prep.source) if prep.source else None,
                }
            )
            pins += [
                {"revision_id": rid, "position": i, "library_revision_id": lib.id}
                for i, lib in enumerate(libs)
            ]
            seq += 1
            at = now_iso()
            fields = entry_fields(
                seq, org.id, ACTOR.user, "revision.save", "study_revision", rid,
                prep.content_sha256, at,
            )  # fmt: skip
            h = audit_hash(fields, prev, uow.audit.key)
            entries.append(fields | {"prev_hash": prev, "hash": h})
            prev = h
            count_of[prep.study_id] += 1
            moves[st.id] = {
                "id": st.id,
                "head_revision_id": rid,
                "revision_count": count_of[prep.study_id],
            }
            heads[rid] = _Head(rid, parent.seq + 1)
            head_of[prep.study_id] = rid
        uow.session.expunge_all()
        uow.session.execute(insert(StudyRevision), revs)
        uow.session.execute(insert(RevisionLibrary), pins)
        uow.session.execute(update(StudyRow), list(moves.values()))
        uow.session.execute(insert(AuditEntry), entries)
        head = uow.audit.head(lock=True)
        head.seq, head.hash = seq, prev
        uow.commit()


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, CPU ms of this process) of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return 1000 * (time.perf_counter() - w), 1000 * (time.process_time() - c)


def run(
    backend: str,
    revisions: int,
    per_study: int,
    samples: int,
    fill: str,
    batch: int,
    export: bool = True,
    checkpoints: frozenset[int] = frozenset(),
) -> dict[str, float]:
    base = load_study(STUDY)
    studies = max(1, revisions // per_study)
    with tempfile.TemporaryDirectory(prefix="tz-bench-") as d:
        tmp = Path(d)
        urls = [_new_db(backend, tmp), _new_db(backend, tmp)]
        try:
            store = open_store(urls[0])
            store.upgrade()
            extra = [0]

            def checkpoint(n: int) -> None:
                """Measure at a fill level (saves, history, trend, size) and print a row."""
                save = [
                    _timed(
                        lambda i=i: save_loaded(
                            UnitOfWork(store),
                            ACTOR,
                            _variant(base, i % studies, 10 * per_study + extra[0] + i),
                            evaluate=False,
                        )
                    )
                    for i in range(samples)
                ]
                extra[0] += samples
                hist, trnd = [], []
                for i in range(samples):
                    model = f"BENCH-{(i * 7919) % studies:05d}"
                    hist.append(
                        _timed(
                            lambda m=model: history(
                                UnitOfWork(store, write=False), ACTOR, m, limit=50
                            )
                        )
                    )
                    trnd.append(
                        _timed(lambda m=model: trend(UnitOfWork(store, write=False), ACTOR, m))
                    )
                total = n + extra[0]
                load = "/".join(f"{x:.1f}" for x in os.getloadavg())
                print(
                    f"| {backend} (checkpoint) | {total:,} "
                    f"| {statistics.median(w for w, _ in save):.1f} / "
                    f"{_p([w for w, _ in save], 0.95):.1f} "
                    f"[{statistics.median(c for _, c in save):.1f}] "
                    f"| {_p([w for w, _ in hist], 0.95):.1f} "
                    f"[{statistics.median(c for _, c in hist):.1f}] "
                    f"| {_p([w for w, _ in trnd], 0.95):.1f} "
                    f"[{statistics.median(c for _, c in trnd):.1f}] "
                    f"| {_size(store) / total / 1024:.1f} KiB | — | {load} |",
                    flush=True,
                )

            t0 = time.perf_counter()
            n = _fill(store, base, studies, per_study, fill, batch, checkpoint, checkpoints)
            fill_s = time.perf_counter() - t0
            t = time.perf_counter()
            audit = verify_audit(UnitOfWork(store, write=False))
            verify_s = time.perf_counter() - t
            assert audit.ok, audit.findings
            # save on the full database (each a new revision of an existing study)
            save = [
                _timed(
                    lambda i=i: save_loaded(
                        UnitOfWork(store),
                        ACTOR,
                        _variant(base, i % studies, per_study + i),
                        evaluate=False,
                    )
                )
                for i in range(samples)
            ]
            total = n + samples + extra[0]
            hist, trnd = [], []
            for i in range(samples):
                model = f"BENCH-{(i * 7919) % studies:05d}"
                hist.append(
                    _timed(
                        lambda m=model: history(UnitOfWork(store, write=False), ACTOR, m, limit=50)
                    )
                )
                trnd.append(_timed(lambda m=model: trend(UnitOfWork(store, write=False), ACTOR, m)))
            size = _size(store)
            if not export:
                store.dispose()
                nan = float("nan")
                return {
                    "revisions": total,
                    "fill_per_s": n / fill_s,
                    "verify_s": verify_s,
                    "save_median_ms": statistics.median(w for w, _ in save),
                    "save_p95_ms": _p([w for w, _ in save], 0.95),
                    "save_cpu_median_ms": statistics.median(c for _, c in save),
                    "history_p95_ms": _p([w for w, _ in hist], 0.95),
                    "history_cpu_median_ms": statistics.median(c for _, c in hist),
                    "trend_p95_ms": _p([w for w, _ in trnd], 0.95),
                    "trend_cpu_median_ms": statistics.median(c for _, c in trnd),
                    "bytes_per_revision": size / total,
                    "export_import_per_s": nan,
                    "export_per_s": nan,
                    "import_per_s": nan,
                }
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
                "verify_s": verify_s,
                "save_median_ms": statistics.median(w for w, _ in save),
                "save_p95_ms": _p([w for w, _ in save], 0.95),
                "save_cpu_median_ms": statistics.median(c for _, c in save),
                "history_p95_ms": _p([w for w, _ in hist], 0.95),
                "history_cpu_median_ms": statistics.median(c for _, c in hist),
                "trend_p95_ms": _p([w for w, _ in trnd], 0.95),
                "trend_cpu_median_ms": statistics.median(c for _, c in trnd),
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
    ap.add_argument("--fill", choices=["bulk", "save"], default="bulk")
    ap.add_argument("--batch", type=int, default=500, help="saves per transaction (bulk)")
    ap.add_argument("--no-export", action="store_true", help="skip export + import")
    ap.add_argument(
        "--checkpoints", default="", help="also measure at these fill levels (e.g. 25000,50000)"
    )
    args = ap.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        "| backend | revisions | save median / p95 (ms) [CPU] | history p95 (ms) [CPU] "
        "| trend p95 (ms) [CPU] | size / revision | export+import (rev/s) | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for b in backends:
        r = run(
            b,
            args.revisions,
            args.per_study,
            args.samples,
            args.fill,
            args.batch,
            export=not args.no_export,
            checkpoints=frozenset(int(x) for x in args.checkpoints.split(",") if x),
        )
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"| {b} | {r['revisions']:,.0f} | {r['save_median_ms']:.1f} / {r['save_p95_ms']:.1f} "
            f"[{r['save_cpu_median_ms']:.1f}] "
            f"| {r['history_p95_ms']:.1f} [{r['history_cpu_median_ms']:.1f}] "
            f"| {r['trend_p95_ms']:.1f} [{r['trend_cpu_median_ms']:.1f}] "
            f"| {r['bytes_per_revision'] / 1024:.1f} KiB "
            f"| {r['export_import_per_s']:.0f} (export {r['export_per_s']:.0f}, "
            f"import {r['import_per_s']:.0f}) | {load} |",
            flush=True,
        )
        print(
            f"  fill {r['fill_per_s']:.0f} rev/s ({args.fill}), audit verify of the filled "
            f"database {r['verify_s']:.1f} s",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    main()
