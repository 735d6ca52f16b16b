"""Reads outside a transaction (``UnitOfWork(autocommit=True)``), as the web platform's
stored-result read and principal lookup run them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tanzuji.errors import NotFoundError
from tanzuji.services import Actor, save_study, show_revision
from tanzuji.services.admin import add_org
from tanzuji.services.documents import revision_document
from tanzuji.services.sharing import share_revision
from tanzuji.store import Store, UnitOfWork

from .conftest import SP


def _transaction_ids(uow: UnitOfWork) -> tuple[int, int]:
    with uow:
        first = uow.session.scalar(text("SELECT txid_current()"))
        second = uow.session.scalar(text("SELECT txid_current()"))
    return int(first), int(second)


def test_an_autocommit_read_runs_each_statement_on_its_own(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite reads have no round trips to save; autocommit is ignored there")
    a, b = _transaction_ids(UnitOfWork(store, write=False))
    assert a == b  # one read transaction
    a, b = _transaction_ids(UnitOfWork(store, write=False, autocommit=True))
    assert a != b  # one transaction per statement: no BEGIN, no ROLLBACK
    # the connection goes back to the pool in transaction mode for the next unit of work
    a, b = _transaction_ids(UnitOfWork(store, write=False))
    assert a == b


def test_autocommit_is_refused_for_a_writing_unit_of_work(store: Store) -> None:
    with pytest.raises(ValueError, match="read-only"):
        UnitOfWork(store, autocommit=True)


def test_a_stored_revision_read_outside_a_transaction(store: Store, actor: Actor) -> None:
    rev = save_study(UnitOfWork(store), actor, SP).revision_id
    expected = json.loads(
        json.dumps(show_revision(UnitOfWork(store, write=False), actor, rev).to_dict())
    )

    def read(who: Actor, ident: str) -> object:
        doc = revision_document(UnitOfWork(store, write=False, autocommit=True), who, ident)
        return json.loads(doc.body)

    assert read(actor, rev) == expected  # one statement (full id)
    assert read(actor, rev[:12]) == expected  # several statements (a prefix)
    add_org(UnitOfWork(store), actor, "LAB")
    lab = Actor(user="eva@lab.example", org="LAB")
    for ident in (rev, rev[:12]):  # tenant isolation holds on both paths
        with pytest.raises(NotFoundError):
            read(lab, ident)
    share_revision(UnitOfWork(store), actor, rev, "LAB")
    assert read(lab, rev) == expected


def test_read_rows_gives_the_rows_of_one_statement_and_leaves_the_pool_as_it_was(
    store: Store, actor: Actor
) -> None:
    from sqlalchemy import bindparam, select

    from tanzuji.errors import StoreError
    from tanzuji.store.models import StudyRevision

    rev = save_study(UnitOfWork(store), actor, SP).revision_id
    query = select(StudyRevision.id, StudyRevision.seq).where(StudyRevision.id == bindparam("rev"))
    assert store.read_rows(query, {"rev": rev}) == [(rev, 1)]
    assert store.read_rows(query, {"rev": "0" * 64}) == []
    with pytest.raises(StoreError, match="nope"):  # a database error, in a sentence
        store.read_rows(text("SELECT * FROM nope"), {})
    assert store.read_rows(query, {"rev": rev}) == [(rev, 1)]
    if store.dialect == "postgresql":
        # the connection went back to the pool in transaction mode for the next unit of work
        a, b = _transaction_ids(UnitOfWork(store, write=False))
        assert a == b


def test_read_rows_reports_a_lost_connection_and_opens_a_fresh_one(store: Store) -> None:
    from sqlalchemy import literal, select

    from tanzuji.errors import StoreError

    from .conftest import pg_admin_engine

    if store.dialect != "postgresql":
        pytest.skip("a server connection to lose: PostgreSQL only")
    one = select(literal(1))
    assert store.read_rows(one, {}) == [(1,)]  # a pooled connection now exists
    admin = pg_admin_engine()
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": store.engine.url.database},
            ).scalar()
    finally:
        admin.dispose()
    assert ended and ended >= 1
    with pytest.raises(StoreError, match="database"):
        store.read_rows(one, {})
    # the broken connection was not returned to the pool: the next read works
    assert store.read_rows(one, {}) == [(1,)]
    a, b = _transaction_ids(UnitOfWork(store, write=False))
    assert a == b


def test_a_cached_document_is_served_only_while_the_store_says_it_is_readable(
    store: Store, actor: Actor
) -> None:
    from sqlalchemy import delete

    from tanzuji.services.documents import known_document
    from tanzuji.store.web_models import Share

    rev = save_study(UnitOfWork(store), actor, SP).revision_id
    lab = Actor(user="eva@lab.example", org="LAB")
    add_org(UnitOfWork(store), actor, "LAB")
    assert known_document(store, lab, rev) is None  # not readable (and not cached yet)
    doc = revision_document(UnitOfWork(store, write=False, autocommit=True), actor, rev)
    assert known_document(store, actor, rev) == doc  # now from memory after one query
    assert known_document(store, actor, rev.upper()) == doc
    assert known_document(store, actor, rev[:12]) is None  # prefixes take the full path
    assert known_document(store, lab, rev) is None  # cached, yet still not readable
    share_revision(UnitOfWork(store), actor, rev, "LAB")
    assert known_document(store, lab, rev) == doc
    with UnitOfWork(store) as uow:  # the share revoked: the next read refuses at once
        uow.session.execute(delete(Share).where(Share.revision_id == rev))
        uow.commit()
    assert known_document(store, lab, rev) is None
    with pytest.raises(NotFoundError):
        revision_document(UnitOfWork(store, write=False, autocommit=True), lab, rev)
    assert known_document(store, actor, rev) == doc
