"""export / import: the round trip reproduces every row and hash; SQLite → PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tanzuji.errors import InputError, StoreError
from tanzuji.services import Actor, evaluate_revision, save_study
from tanzuji.services.admin import add_user
from tanzuji.services.audit import verify_audit
from tanzuji.services.backup import export_jsonl, import_jsonl
from tanzuji.services.reports import Rendition, record_issued_report
from tanzuji.store import Store, UnitOfWork, open_store
from tanzuji.store.models import Base

from .conftest import SP, TP, create_pg_database, drop_pg_database
from .helpers import PCB_NEW, PCB_OLD, variant


def _fill(store: Store, actor: Actor, tmp_path: Path) -> None:
    r = save_study(UnitOfWork(store), actor, SP)
    save_study(UnitOfWork(store), actor, variant(tmp_path, "v", PCB_OLD, PCB_NEW))
    save_study(UnitOfWork(store), actor, TP)
    evaluate_revision(UnitOfWork(store), actor, r.revision_id, mc_trials=500, mc_seed=3)
    add_user(
        UnitOfWork(store),
        actor,
        "eva@example.cn",
        org="default",
        role="evaluator",
        password="a long enough password",
    )
    record_issued_report(
        UnitOfWork(store),
        actor,
        year=2026,
        revision_id=r.revision_id,
        build=lambda c: [Rendition("zh", b"%PDF zh \x00\xff" + c.number.encode(), "CN=x")],
    )


def _dump(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a backend-independent sorted form."""
    engine = create_engine(store.url)
    out = {}
    with engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            rows = conn.execute(t.select()).all()
            out[t.name] = sorted(
                (tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows),
                key=repr,
            )
    engine.dispose()
    return out


def _export(store: Store, path: Path) -> dict[str, object]:
    with path.open("w", encoding="utf-8") as fh:
        summary = export_jsonl(UnitOfWork(store, write=False), fh)
    return summary.to_dict()


def _round_trip(src: Store, dst: Store, actor: Actor, tmp_path: Path) -> None:
    f = tmp_path / "backup.jsonl"
    exported = _export(src, f)
    imported = import_jsonl(UnitOfWork(dst), actor, f)
    assert imported.rows == exported["rows"]
    a, b = _dump(src), _dump(dst)
    n = len(a["audit_log"])
    assert len(b["audit_log"]) == n + 1  # … plus the import's own audit entry
    assert sorted(b["audit_log"], key=lambda r: r[0])[:n] == sorted(
        a["audit_log"], key=lambda r: r[0]
    )
    for table in a:
        if table not in {"audit_log", "audit_head"}:
            assert a[table] == b[table], table
    res = verify_audit(UnitOfWork(dst, write=False), [f])
    assert res.ok and res.anchors_checked == 1 and res.entries == n + 1


def test_round_trip_into_an_empty_database(
    store: Store, actor: Actor, tmp_path: Path, db_url: str
) -> None:
    _fill(store, actor, tmp_path)
    other = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    other.upgrade()
    _round_trip(store, other, actor, tmp_path)
    other.dispose()


def test_sqlite_to_postgresql_and_back(actor: Actor, tmp_path: Path) -> None:
    lite = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    lite.upgrade()
    _fill(lite, actor, tmp_path)
    url = create_pg_database()
    try:
        pg = open_store(url)
        pg.upgrade()
        _round_trip(lite, pg, actor, tmp_path)
        # The restored PostgreSQL database keeps working (sequences moved past the ids).
        from tanzuji.services.admin import add_org

        add_org(UnitOfWork(pg), actor, "After import")
        pg.dispose()
    finally:
        drop_pg_database(url)
    lite.dispose()


def test_import_refuses_non_empty_database_and_altered_files(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    _fill(store, actor, tmp_path)
    f = tmp_path / "b.jsonl"
    _export(store, f)
    with pytest.raises(StoreError, match="empty"):
        import_jsonl(UnitOfWork(store), actor, f)
    fresh = open_store(f"sqlite:///{tmp_path / 'f.db'}")
    fresh.upgrade()
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    row = next(i for i, ln in enumerate(lines) if '"mc_seed":3' in ln)
    lines[row] = lines[row].replace('"mc_seed":3', '"mc_seed":4')
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match="altered"):
        import_jsonl(UnitOfWork(fresh), actor, bad)
    bad.write_text("".join(lines[:-3]), encoding="utf-8")  # cut short
    with pytest.raises(InputError, match="incomplete"):
        import_jsonl(UnitOfWork(fresh), actor, bad)
    # Nothing was left behind by the failed imports.
    engine = create_engine(fresh.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM organisations")).scalar() == 0
    engine.dispose()
    fresh.dispose()


def test_export_header_carries_the_anchor(store: Store, actor: Actor, tmp_path: Path) -> None:
    _fill(store, actor, tmp_path)
    buf = io.StringIO()
    export_jsonl(UnitOfWork(store, write=False), buf)
    header = json.loads(buf.getvalue().splitlines()[0])
    res = verify_audit(UnitOfWork(store, write=False))
    assert header["audit_anchor"] == res.anchor
