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
