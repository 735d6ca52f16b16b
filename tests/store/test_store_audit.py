"""The audit trail: tampering behind the program's back is found at the right entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tanzuji.services import Actor, save_study
from tanzuji.services.admin import add_org
from tanzuji.services.audit import current_anchor, verify_audit
from tanzuji.store import Store, UnitOfWork
from tanzuji.store.hashing import GENESIS, audit_hash
from tanzuji.store.repositories import entry_fields

from .conftest import SP, TP
from .helpers import PCB_NEW, PCB_OLD, variant


def _fill(store: Store, actor: Actor, tmp_path: Path) -> None:
    """Entries: 1 org.add, 2 product.add, 3 revision.save, 4 evaluation.add, then more."""
    save_study(UnitOfWork(store), actor, SP)
    save_study(UnitOfWork(store), actor, variant(tmp_path, "v", PCB_OLD, PCB_NEW))
    save_study(UnitOfWork(store), actor, TP)
    add_org(UnitOfWork(store), actor, "Other")


def _tamper(store: Store, *sql: str, **params: object) -> None:
    """Edit the database directly (on PostgreSQL with the append-only triggers bypassed)."""
    engine = create_engine(store.url)
    with engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for stmt in sql:
            conn.execute(text(stmt), params)
    engine.dispose()


def _verify(store: Store, *anchors: Path):  # type: ignore[no-untyped-def]
    return verify_audit(UnitOfWork(store, write=False), list(anchors))


def _anchor_file(store: Store, tmp_path: Path, name: str = "anchor.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps({"audit_anchor": current_anchor(UnitOfWork(store, write=False))}))
    return p


def test_intact_trail_verifies_and_entries_are_chained(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    _fill(store, actor, tmp_path)
    res = _verify(store, _anchor_file(store, tmp_path))
    assert res.ok and res.entries >= 10 and res.anchors_checked == 1
    assert res.objects_checked == 3 + 3  # three revisions, three evaluations
    # Independent recomputation of the first link: SHA-256(prev + "\n" + canonical fields).
    engine = create_engine(store.url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM audit_log WHERE seq = 1")).mappings().one()
    engine.dispose()
    assert row["prev_hash"] == GENESIS and row["action"] == "org.add"
    fields = {
        k: row[k]
        for k in (
            "seq",
            "org_id",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_sha256",
            "at",
        )
    }
    import hashlib

    payload = (
        GENESIS
        + "\n"
        + json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    )
    assert row["hash"] == hashlib.sha256(payload.encode()).hexdigest()


def test_one_modified_entry_is_named(store: Store, actor: Actor, tmp_path: Path) -> None:
    _fill(store, actor, tmp_path)
    _tamper(store, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5")
    res = _verify(store)
    assert not res.ok
    assert (res.findings[0].seq, res.findings[0].kind) == (5, "modified")


def test_deleted_entry_is_named(store: Store, actor: Actor, tmp_path: Path) -> None:
    _fill(store, actor, tmp_path)
    _tamper(store, "DELETE FROM audit_log WHERE seq = 4")
    f = _verify(store).findings[0]
    assert (f.seq, f.kind) == (4, "deleted")


def test_reordered_entries_are_named(store: Store, actor: Actor, tmp_path: Path) -> None:
    _fill(store, actor, tmp_path)
    _tamper(
        store,
        "UPDATE audit_log SET seq = 1000 WHERE seq = 6",
        "UPDATE audit_log SET seq = 6 WHERE seq = 7",
        "UPDATE audit_log SET seq = 7 WHERE seq = 1000",
    )
    f = _verify(store).findings[0]
    assert (f.seq, f.kind) == (6, "reordered")


def test_cut_tail_is_found_by_the_head_and_by_an_anchor(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    _fill(store, actor, tmp_path)
    anchor = _anchor_file(store, tmp_path)
    n = _verify(store).entries
    _tamper(store, f"DELETE FROM audit_log WHERE seq > {n - 2}")
    f = _verify(store).findings[0]
    assert (f.seq, f.kind) == (n - 1, "truncated")
    # The forger also moves the head back: only the anchor still knows.
    engine = create_engine(store.url)
    with engine.connect() as conn:
        h = conn.execute(text(f"SELECT hash FROM audit_log WHERE seq = {n - 2}")).scalar()
    engine.dispose()
    _tamper(store, "UPDATE audit_head SET seq = :s, hash = :h", s=n - 2, h=h)
    assert _verify(store).ok
    f = _verify(store, anchor).findings[0]
    assert (f.seq, f.kind) == (n - 1, "truncated")


def _recompute_from(store: Store, start: int) -> None:
    """Rewrite the chain from ``start`` on with correct (unkeyed) hashes, like a forger."""
    engine = create_engine(store.url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_log ORDER BY seq")).mappings().all()
    engine.dispose()
    prev = GENESIS
    stmts = []
    for r in rows:
        if r["seq"] >= start:
            f = entry_fields(
                r["seq"],
                r["org_id"],
                r["actor"],
                r["action"],
                r["object_type"],
                r["object_id"],
                r["object_sha256"],
                r["at"],
            )
            h = audit_hash(f, prev)
            stmts.append(
                f"UPDATE audit_log SET prev_hash = '{prev}', hash = '{h}' WHERE seq = {r['seq']}"
            )
            prev = h
        else:
            prev = r["hash"]
    stmts.append(f"UPDATE audit_head SET hash = '{prev}'")
    _tamper(store, *stmts)


def test_recomputed_chain_is_caught_by_the_anchor(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    _fill(store, actor, tmp_path)
    anchor = _anchor_file(store, tmp_path)
    _tamper(store, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    _recompute_from(store, 3)
    assert _verify(store).ok  # a chain alone cannot see a recomputed rewrite …
    f = _verify(store, anchor).findings[0]  # … the anchor kept outside can
    assert f.kind == "anchor" and f.seq == _verify(store).entries


def test_recomputed_chain_is_caught_by_the_hmac_key(
    store: Store, actor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANZUJI_AUDIT_KEY", "kept-in-the-vault")
    _fill(store, actor, tmp_path)
    assert _verify(store).ok and _verify(store).keyed
    _tamper(store, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    _recompute_from(store, 3)
    f = _verify(store).findings[0]
    assert (f.seq, f.kind) == (3, "modified")
    monkeypatch.delenv("TANZUJI_AUDIT_KEY")
    assert _verify(store).findings[0].seq == 1  # without the key nothing verifies


def test_modified_revision_content_is_found(store: Store, actor: Actor, tmp_path: Path) -> None:
    _fill(store, actor, tmp_path)
    _tamper(store, "UPDATE study_revisions SET content = replace(content, '0.0135', '0.0100')")
    f = _verify(store).findings[0]
    assert f.kind == "object" and f.seq == 3  # the revision.save entry of the first save


def test_postgresql_refuses_update_and_delete_of_append_only_tables(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("triggers are PostgreSQL's; SQLite relies on the chain")
    from sqlalchemy.exc import DBAPIError

    save_study(UnitOfWork(store), actor, SP)
    engine = create_engine(store.url)
    for stmt in (
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "UPDATE study_revisions SET message = 'x'",
        "DELETE FROM evaluations",
        "TRUNCATE audit_log CASCADE",
    ):
        with pytest.raises(DBAPIError, match="refused"), engine.begin() as conn:
            conn.execute(text(stmt))
    engine.dispose()
    assert _verify(store).ok


def test_cli_audit_verify_exit_codes(store: Store, actor: Actor, tmp_path: Path) -> None:
    from .test_store_cli import invoke

    _fill(store, actor, tmp_path)
    r = invoke("audit", "anchor", "--out", str(tmp_path / "a.json"), db=store.url)
    assert r.exit_code == 0
    r = invoke("audit", "verify", "--anchor", str(tmp_path / "a.json"), "--json", db=store.url)
    assert r.exit_code == 0 and json.loads(r.stdout)["ok"] is True
    _tamper(store, "UPDATE audit_log SET action = 'x' WHERE seq = 2")
    r = invoke("audit", "verify", db=store.url)
    assert r.exit_code == 1 and "audit entry 2 was modified" in r.stderr


def test_edited_report_pdf_is_named_by_its_number(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    from tanzuji.services.reports import NumberContext, Rendition, record_issued_report

    def build(ctx: NumberContext) -> list[Rendition]:
        body = f"%PDF-1.7 report {ctx.number}".encode()
        return [Rendition("zh", body + b" zh"), Rendition("en", body + b" en")]

    _fill(store, actor, tmp_path)
    first = record_issued_report(UnitOfWork(store), actor, year=2026, build=build)
    second = record_issued_report(UnitOfWork(store), actor, year=2026, build=build)
    ok = _verify(store)
    assert ok.ok and ok.objects_checked >= 4  # 2 reports x 2 renditions among the objects
    # a byte of the second report's English PDF changes; its recorded SHA-256 stays
    _tamper(
        store,
        "UPDATE reports SET pdf = :pdf WHERE number = :n AND lang = 'en'",
        pdf=f"%PDF-1.7 report {second.number} EN".encode(),
        n=second.number,
    )
    res = _verify(store)
    assert not res.ok
    f = res.findings[0]
    assert f.kind == "report" and second.number in f.message and "(en)" in f.message
    assert first.number not in f.message
    # recomputing the stored SHA-256 too is still caught: the trail recorded the original
    _tamper(
        store,
        "UPDATE reports SET pdf_sha256 = :sha WHERE number = :n AND lang = 'en'",
        sha=__import__("hashlib")
        .sha256(f"%PDF-1.7 report {second.number} EN".encode())
        .hexdigest(),
        n=second.number,
    )
    f = _verify(store).findings[0]
    assert f.kind == "report" and second.number in f.message
