"""Opening the database: engines, schema migrations and clear one-line errors.

SQLite write transactions start with ``BEGIN IMMEDIATE`` (one writer at a time, waiting up
to 30 s for the lock) so that read-then-write never deadlocks; PostgreSQL uses READ
COMMITTED with row locks on the counters and the audit head.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from tanzuji.errors import SchemaVersionError, StoreError
from tanzuji.i18n import os_reason, tr

__all__ = ["SchemaStatus", "Store", "describe_db_error", "open_store"]

_MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands relative to this version of tanzuji."""

    url: str
    current: str | None
    head: str
    initialised: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _alembic_config(connection: Any = None) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def safe_url(url: str) -> str:
    """The URL without its password (for messages)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def describe_db_error(exc: BaseException, url: str) -> str:
    """One line saying what went wrong with the database, in the user's language."""
    raw = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = raw[0] if raw else type(exc).__name__
    low = first.lower()
    where = safe_url(url)
    if "readonly database" in low or "read-only" in low:
        return tr(f"数据库为只读，无法写入：{where}", f"the database is read-only: {where}")
    if "unable to open database file" in low:
        return tr(f"无法打开数据库文件：{where}", f"cannot open the database file: {where}")
    if "database is locked" in low:
        return tr(
            f"数据库被其他进程锁定，请稍后重试：{where}",
            f"the database is locked by another process; try again: {where}",
        )
    if "connection" in low and ("refused" in low or "failed" in low or "timeout" in low):
        return tr(
            f"无法连接数据库服务器 {where}（{first}）",
            f"cannot connect to the database server {where} ({first})",
        )
    if "does not exist" in low and "database" in low:
        return tr(f"数据库不存在：{where}（{first}）", f"no such database: {where} ({first})")
    if "file is not a database" in low:
        return tr(f"不是数据库文件：{where}", f"not a database file: {where}")
    return tr(f"数据库错误（{where}）：{first}", f"database error ({where}): {first}")


class Store:
    """One database: its engines and schema management. Open units of work with :meth:`uow`."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StoreError(
                tr(f"无法识别的数据库地址：{url}", f"not a database URL: {url}")
            ) from None
        self.dialect = parsed.get_backend_name()
        if self.dialect not in {"sqlite", "postgresql"}:
            raise StoreError(
                tr(
                    f"不支持的数据库 {self.dialect}：请使用 SQLite 文件或 postgresql+psycopg://",
                    f"unsupported database {self.dialect}: use an SQLite file or "
                    "postgresql+psycopg://",
                )
            )
        self.sqlite_path: Path | None = None
        if self.dialect == "sqlite":
            db = parsed.database
            if db and db.startswith("file:"):  # sqlite:///file:PATH?mode=ro&uri=true
                db = db[5:].split("?")[0]
            self.sqlite_path = Path(db) if db and db != ":memory:" else None
            self.engine = self._sqlite_engine(url, immediate=False)
            self.write_engine = self._sqlite_engine(url, immediate=True)
        else:
            if parsed.drivername == "postgresql":
                url = parsed.set(drivername="postgresql+psycopg").render_as_string(
                    hide_password=False
                )
            # A fixed pool of 15 (the most connections a process opened before, 5 + 10
            # overflow): an overflow connection is closed when it is returned, so under load
            # every burst above 5 forked a new PostgreSQL backend (several ms of CPU each).
            # A 16th concurrent unit of work waits for a connection instead.
            kwargs: dict[str, Any] = {
                "pool_size": 15,
                "max_overflow": 0,
                "pool_pre_ping": False,
                "connect_args": {"connect_timeout": 5},
            }
            self.engine = create_engine(url, **kwargs)
            self.write_engine = self.engine
        # reads of one statement at a time (``UnitOfWork(autocommit=True)``): PostgreSQL
        # without BEGIN and ROLLBACK, same pool; SQLite as any read
        self.autocommit_engine = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.dialect == "postgresql"
            else self.engine
        )
        self._checked = False
        self._sql: dict[Any, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    @staticmethod
    def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
        # Pooled: closing the last connection of a WAL database checkpoints it, which
        # would cost every unit of work a checkpoint. In-memory databases stay unpooled.
        pooled = ":memory:" not in url and url not in {"sqlite://", "sqlite:///"}
        kwargs: dict[str, Any] = (
            {"pool_size": 5, "max_overflow": 60, "pool_timeout": 120}
            if pooled
            else {"poolclass": NullPool}
        )
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # WAL + NORMAL: a crash never corrupts or half-applies a transaction; only a
            # power cut may lose the last commits (see docs/store.md).
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    # ------------------------------------------------------------------ schema

    def _require_file(self) -> None:
        if self.sqlite_path is not None and not self.sqlite_path.exists():
            raise StoreError(
                tr(
                    f"数据库文件不存在：{self.sqlite_path}（先运行 tanzuji db init）",
                    f"the database file does not exist: {self.sqlite_path} "
                    "(run tanzuji db init first)",
                )
            )

    def status(self) -> SchemaStatus:
        """The schema version of the database and of this code."""
        self._require_file()
        try:
            with self.engine.connect() as conn:
                names = set(inspect(conn).get_table_names())
                current = None
                if "alembic_version" in names:
                    current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError as exc:
            raise StoreError(describe_db_error(exc, self.url)) from None
        return SchemaStatus(
            url=safe_url(self.url),
            current=current,
            head=_head_revision(),
            initialised=current is not None,
        )

    def check_schema(self) -> None:
        """Refuse a database that is not initialised, older or newer than this code."""
        if self._checked:
            return
        st = self.status()
        if st.current is None:
            raise SchemaVersionError(
                tr(
                    f"数据库尚未初始化：{st.url}（运行 tanzuji db init）",
                    f"the database is not initialised: {st.url} (run tanzuji db init)",
                )
            )
        if st.current != st.head:
            if st.current not in _known_revisions():
                raise SchemaVersionError(
                    tr(
                        f"数据库结构版本 {st.current} 比本程序新，请升级 tanzuji",
                        f"the database schema ({st.current}) is newer than this tanzuji; "
                        "upgrade tanzuji",
                    )
                )
            raise SchemaVersionError(
                tr(
                    f"数据库结构版本 {st.current} 较旧（当前 {st.head}），"
                    "请运行 tanzuji db upgrade",
                    f"the database schema ({st.current}) is older than this tanzuji "
                    f"({st.head}); run tanzuji db upgrade",
                )
            )
        self._checked = True

    def upgrade(self, *, create: bool = True) -> SchemaStatus:
        """Create (``db init``) or migrate (``db upgrade``) the schema to this code's version."""
        from alembic import command

        if self.sqlite_path is not None:
            if not create:
                self._require_file()
            try:
                self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    tr(
                        f"无法创建数据库目录 {self.sqlite_path.parent}（{os_reason(exc)}）",
                        f"cannot create the database folder {self.sqlite_path.parent} "
                        f"({os_reason(exc)})",
                    )
                ) from None
        before = self.status() if self.sqlite_path is None or self.sqlite_path.exists() else None
        if before is not None and before.current and before.current not in _known_revisions():
            self.check_schema()  # raises: newer than the code
        try:
            with self.write_engine.begin() as conn:
                command.upgrade(_alembic_config(conn), "head")
            if self.sqlite_path is not None:
                raw = sqlite3.connect(self.sqlite_path, timeout=30)
                try:
                    raw.execute("PRAGMA journal_mode=WAL")
                finally:
                    raw.close()
        except (DBAPIError, OSError, sqlite3.Error) as exc:
            raise StoreError(describe_db_error(exc, self.url)) from None
        self._checked = False
        return self.status()

    def read_rows(self, statement: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of one read statement with plain bind parameters, run on its own.

        For a hot read that is a single statement: on a pooled connection of the DB-API
        driver, without an ORM session, a unit of work or SQLAlchemy's execution layer
        around it (they cost several times the query's own CPU); the statement is compiled
        once per dialect. PostgreSQL runs it outside a transaction (one round trip, as
        ``UnitOfWork(autocommit=True)``), SQLite as a read transaction of its own. Values
        come back as the driver gives them (no type conversion: plain columns only). The
        schema is checked as by a unit of work; database errors become ``StoreError``.
        """
        self.check_schema()
        sql, names, bound = self._compiled(statement)
        values = {**bound, **params} if bound else params
        args: Any = values if names is None else tuple(values[n] for n in names)
        pg = self.dialect == "postgresql"
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            raw = self.engine.raw_connection()
        except DBAPIError as exc:
            raise StoreError(describe_db_error(exc, self.url)) from None
        try:
            driver: Any = raw.driver_connection
            if pg:
                driver.autocommit = True
            try:
                cursor = raw.cursor()
                cursor.execute(sql, args)
                rows: list[tuple[Any, ...]] = list(cursor.fetchall())
                cursor.close()
            finally:
                if pg:
                    driver.autocommit = False  # back to the pool as the units of work want it
        except dbapi_error as exc:
            # whatever failed (a lost connection, or one left in autocommit), it does not go
            # back to the pool: the next read opens a fresh one
            raw.invalidate(exc)
            raise StoreError(describe_db_error(exc, self.url)) from None
        finally:
            raw.close()
        return rows

    def _compiled(self, statement: Any) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        """The SQL text of ``statement`` for this database, the names of its positional
        parameters in order (``None``: the driver takes them by name) and the values the
        statement binds itself (literals)."""
        hit = self._sql.get(statement)
        if hit is None:
            compiled = statement.compile(dialect=self.engine.dialect)
            if compiled.post_compile_params or compiled.literal_execute_params:
                raise ValueError("read_rows takes plain bind parameters only")
            names = tuple(compiled.positiontup) if compiled.positiontup is not None else None
            bound = {k: v for k, v in compiled.params.items() if not compiled.binds[k].required}
            hit = self._sql[statement] = (compiled.string, names, bound)
        return hit

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def open_store(url: str) -> Store:
    """A :class:`Store` for a SQLAlchemy URL (see ``tanzuji.config.database_url``)."""
    return Store(url)
