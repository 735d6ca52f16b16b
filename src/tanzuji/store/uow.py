"""The unit of work: one transaction, the repositories over it, errors made readable.

>>> # with UnitOfWork(store) as uow:
>>> #     org = uow.orgs.require("ACME"); ...; uow.commit()

Leaving the ``with`` block without :meth:`UnitOfWork.commit` rolls everything back, so a
command that fails (or is killed) leaves the database as it was.
"""

from __future__ import annotations

import os
from types import TracebackType

from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from tanzuji.errors import ConflictError, StoreError
from tanzuji.i18n import tr
from tanzuji.store.engine import Store, describe_db_error
from tanzuji.store.repositories import (
    AuditRepository,
    EvaluationRepository,
    InstrumentRepository,
    LibraryRepository,
    OrgRepository,
    ProductRepository,
    ReportRepository,
    RevisionRepository,
    UserRepository,
)

__all__ = ["UnitOfWork", "audit_key"]


def audit_key() -> bytes | None:
    """The optional HMAC key of the audit chain (``TANZUJI_AUDIT_KEY``, kept outside the DB)."""
    value = os.environ.get("TANZUJI_AUDIT_KEY", "")
    return value.encode("utf-8") if value else None


class UnitOfWork:
    """One transaction on a :class:`~tanzuji.store.engine.Store` and its repositories.

    ``write=False`` opens a read-only transaction (SQLite: no write lock taken).
    ``autocommit=True`` (reads only) runs each statement on its own, outside a transaction:
    on PostgreSQL that saves the BEGIN and ROLLBACK round trips, and sees the same data
    (under READ COMMITTED, the store's isolation level, every statement of a transaction
    takes its own snapshot anyway); not for server-side cursors (``yield_per``), which need
    a transaction. SQLite ignores it.
    ``check_schema=False`` skips the schema-version check (``db`` commands only).
    """

    orgs: OrgRepository
    users: UserRepository
    products: ProductRepository
    revisions: RevisionRepository
    libraries: LibraryRepository
    evaluations: EvaluationRepository
    reports: ReportRepository
    instruments: InstrumentRepository
    audit: AuditRepository
    session: Session

    def __init__(
        self,
        store: Store,
        *,
        write: bool = True,
        autocommit: bool = False,
        check_schema: bool = True,
    ) -> None:
        if write and autocommit:
            raise ValueError("autocommit is for read-only units of work")
        self.store = store
        self.write = write
        self.autocommit = autocommit
        self._check = check_schema
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        if self._check:
            self.store.check_schema()
        if self.write:
            engine = self.store.write_engine
        else:
            engine = self.store.autocommit_engine if self.autocommit else self.store.engine
        self.session = Session(bind=engine, expire_on_commit=False, autoflush=True)
        s = self.session
        self.orgs = OrgRepository(s)
        self.users = UserRepository(s)
        self.products = ProductRepository(s)
        self.revisions = RevisionRepository(s)
        self.libraries = LibraryRepository(s)
        self.evaluations = EvaluationRepository(s)
        self.reports = ReportRepository(s)
        self.instruments = InstrumentRepository(s)
        self.audit = AuditRepository(s, audit_key())
        self._committed = False
        return self

    def commit(self) -> None:
        """Make every change of this unit of work durable, at once."""
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        """Forget every change of this unit of work."""
        self.session.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        except SQLAlchemyError:
            pass
        finally:
            self.session.close()
        if isinstance(exc, IntegrityError):
            raise ConflictError(
                tr(
                    "另一写入者同时修改了同一对象，未保存任何内容，请重试："
                    + describe_db_error(exc, self.store.url),
                    "another writer changed the same object at the same time; nothing was "
                    "saved, try again: " + describe_db_error(exc, self.store.url),
                )
            ) from None
        if isinstance(exc, DBAPIError):
            raise StoreError(describe_db_error(exc, self.store.url)) from None
