"""Withdrawn and superseded reports keep why, when and by which report (ISO/IEC 17025 §7.8.8)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import inspect

from tanzuji.services import Actor
from tanzuji.services.admin import add_org
from tanzuji.services.audit import verify_audit
from tanzuji.services.backup import export_jsonl, import_jsonl
from tanzuji.services.reports import (
    NumberContext,
    Rendition,
    list_reports,
    record_issued_report,
    set_report_status,
)
from tanzuji.store import Store, UnitOfWork, open_store
from tanzuji.store.hashing import now_iso

from .test_store_cli import invoke

WITHDRAW_REASON = "the PCB mass was entered in g instead of kg / 质量单位错误"
AMEND_REASON = "new transport distances from the supplier"


def _build(ctx: NumberContext) -> Sequence[Rendition]:
    body = f"%PDF-1.7 report {ctx.number}".encode()
    return [Rendition("zh", body + b" zh", "CN=Tester"), Rendition("en", body + b" en", None)]


@pytest.fixture
def org_store(store: Store, actor: Actor) -> Store:
    add_org(UnitOfWork(store), actor, actor.org)
    return store


def _rows(store: Store, actor: Actor, number: str) -> list[dict[str, object]]:
    rows = [r for r in list_reports(UnitOfWork(store, write=False), actor) if r["number"] == number]
    assert {r["lang"] for r in rows} == {"zh", "en"}
    return rows


def test_withdraw_stores_and_shows_reason_and_time(org_store: Store, actor: Actor) -> None:
    a = record_issued_report(UnitOfWork(org_store), actor, year=2026, build=_build)
    for r in _rows(org_store, actor, a.number):
        assert (r["status"], r["status_reason"], r["status_changed_at"]) == ("issued", None, None)
    before = now_iso()
    n = set_report_status(
        UnitOfWork(org_store), actor, a.number, "withdrawn", reason=WITHDRAW_REASON
    )
    after = now_iso()
    assert n == 2
    rows = _rows(org_store, actor, a.number)
    for r in rows:
        assert r["status"] == "withdrawn"
        assert r["status_reason"] == WITHDRAW_REASON
        assert r["superseded_by"] is None
        assert isinstance(r["status_changed_at"], str)
        assert before <= r["status_changed_at"] <= after
    assert len({r["status_changed_at"] for r in rows}) == 1  # one change, one time
    assert verify_audit(UnitOfWork(org_store, write=False)).ok


def test_supersede_stores_the_successor(org_store: Store, actor: Actor) -> None:
    a = record_issued_report(UnitOfWork(org_store), actor, year=2026, build=_build)
    b = record_issued_report(UnitOfWork(org_store), actor, year=2026, build=_build, amends=a.number)
    set_report_status(
        UnitOfWork(org_store),
        actor,
        a.number,
        "superseded",
        reason=AMEND_REASON,
        superseded_by=b.number,
    )
    for r in _rows(org_store, actor, a.number):
        assert (r["status"], r["status_reason"], r["superseded_by"]) == (
            "superseded",
            AMEND_REASON,
            b.number,
        )
    for r in _rows(org_store, actor, b.number):
        assert (r["status"], r["amends"], r["superseded_by"]) == ("issued", a.number, None)


def test_cli_withdraw_records_the_reason(org_store: Store, actor: Actor, db_url: str) -> None:
    a = record_issued_report(UnitOfWork(org_store), actor, year=2026, build=_build)
    res = invoke("withdraw", a.number, "--reason", WITHDRAW_REASON, db=db_url)
    assert res.exit_code == 0, res.output
    shown = " ".join(res.output.split())  # the console may wrap the line
    assert a.number in shown and WITHDRAW_REASON in shown
    for r in _rows(org_store, actor, a.number):
        assert (r["status"], r["status_reason"]) == ("withdrawn", WITHDRAW_REASON)
        assert r["status_changed_at"]


def test_status_reason_survives_export_and_import(
    org_store: Store, actor: Actor, tmp_path: Path
) -> None:
    a = record_issued_report(UnitOfWork(org_store), actor, year=2026, build=_build)
    b = record_issued_report(UnitOfWork(org_store), actor, year=2026, build=_build, amends=a.number)
    set_report_status(
        UnitOfWork(org_store),
        actor,
        a.number,
        "superseded",
        reason=AMEND_REASON,
        superseded_by=b.number,
    )
    f = tmp_path / "backup.jsonl"
    with f.open("w", encoding="utf-8") as fh:
        export_jsonl(UnitOfWork(org_store, write=False), fh)
    other = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        other.upgrade()
        import_jsonl(UnitOfWork(other), actor, f)
        assert list_reports(UnitOfWork(other, write=False), actor) == list_reports(
            UnitOfWork(org_store, write=False), actor
        )
        restored = _rows(other, actor, a.number)
        assert {(r["status_reason"], r["superseded_by"]) for r in restored} == {
            (AMEND_REASON, b.number)
        }
    finally:
        other.dispose()


def test_database_before_the_migration_asks_for_upgrade_then_has_the_columns(
    db_url: str,
) -> None:
    from alembic import command

    from tanzuji.errors import SchemaVersionError
    from tanzuji.store.engine import _alembic_config

    s = open_store(db_url)
    try:
        with s.write_engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "w002")  # the schema before this change
        with pytest.raises(SchemaVersionError, match=r"tanzuji db upgrade"):
            s.check_schema()
        s.upgrade()
        s.check_schema()
        with s.write_engine.connect() as conn:
            cols = {c["name"] for c in inspect(conn).get_columns("reports")}
        assert {"status_reason", "status_changed_at", "superseded_by"} <= cols
    finally:
        s.dispose()


def test_cli_unpublish_withdraws_a_publication_with_its_reason(
    org_store: Store, actor: Actor, db_url: str
) -> None:
    from tanzuji.services import save_study
    from tanzuji.services.sharing import public_footprint, publish

    from .conftest import SP

    rev = save_study(UnitOfWork(org_store), actor, SP).revision_id
    a = record_issued_report(UnitOfWork(org_store), actor, year=2025, build=_build,
                             revision_id=rev)  # fmt: skip
    pid = publish(UnitOfWork(org_store), actor, rev)["publication"]
    view = public_footprint(UnitOfWork(org_store, write=False), pid)
    assert view is not None and (view.status, view.status_reason) == ("valid", None)
    res = invoke("unpublish", pid, "--reason", WITHDRAW_REASON, "--org", actor.org, db=db_url)
    assert res.exit_code == 0, res.output
    assert WITHDRAW_REASON in " ".join(res.output.split())
    view = public_footprint(UnitOfWork(org_store, write=False), pid)
    assert view is not None
    assert (view.status, view.status_reason) == ("withdrawn", WITHDRAW_REASON)
    assert view.status_changed_at and view.superseded_by is None
    res = invoke("unpublish", pid, "--reason", "again", "--org", actor.org, db=db_url)
    assert res.exit_code != 0  # already withdrawn
    # a superseded report shows through a (still published) publication of it
    pid2 = publish(UnitOfWork(org_store), actor, rev)["publication"]
    set_report_status(UnitOfWork(org_store), actor, a.number, "superseded", reason=AMEND_REASON,
                      superseded_by="2025-00009")  # fmt: skip
    view = public_footprint(UnitOfWork(org_store, write=False), pid2)
    assert view is not None
    assert (view.status, view.status_reason, view.superseded_by) == (
        "superseded", AMEND_REASON, "2025-00009",
    )  # fmt: skip
    assert verify_audit(UnitOfWork(org_store, write=False)).ok


def test_amending_keeps_a_withdrawn_report_withdrawn_and_refuses_a_superseded_one(
    org_store: Store, actor: Actor
) -> None:
    import hashlib

    from tanzuji.errors import IssuanceError
    from tanzuji.services.reports import report_status

    a = record_issued_report(UnitOfWork(org_store), actor, year=2026, build=_build)
    set_report_status(UnitOfWork(org_store), actor, a.number, "withdrawn", reason=WITHDRAW_REASON)
    b = record_issued_report(
        UnitOfWork(org_store), actor, year=2026, build=_build, amends=a.number,
        amend_reason=AMEND_REASON,
    )  # fmt: skip
    sha = hashlib.sha256(f"%PDF-1.7 report {a.number}".encode() + b" en").hexdigest()
    st = report_status(UnitOfWork(org_store, write=False), sha)
    assert st is not None and (st.number, st.lang) == (a.number, "en")
    assert (st.status, st.reason, st.superseded_by) == ("withdrawn", WITHDRAW_REASON, b.number)
    assert not st.in_force and b.number in st.lines()[1]
    c = record_issued_report(
        UnitOfWork(org_store), actor, year=2026, build=_build, amends=b.number,
        amend_reason=AMEND_REASON,
    )  # fmt: skip
    rows = {r["number"]: r for r in list_reports(UnitOfWork(org_store, write=False), actor)}
    assert (rows[b.number]["status"], rows[b.number]["superseded_by"]) == ("superseded", c.number)
    assert rows[b.number]["status_reason"] == AMEND_REASON
    with pytest.raises(IssuanceError, match=c.number):  # amend the report in force
        record_issued_report(UnitOfWork(org_store), actor, year=2026, build=_build,
                             amends=b.number, amend_reason="x")  # fmt: skip
    assert [r["number"] for r in list_reports(UnitOfWork(org_store, write=False), actor)].count(
        "2026-00004"
    ) == 0  # the refused amendment used no number
    assert report_status(UnitOfWork(org_store, write=False), "0" * 64) is None
