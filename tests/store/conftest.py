"""Store test fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``TZ_TEST_PG_URL`` (an admin URL; ``make test`` starts a throwaway
cluster and sets it, see scripts/with-postgres.sh) or 127.0.0.1:5432 as user postgres.
Each test gets its own database ``tz_store_<random>``, dropped afterwards. Under
``CI=true`` an unreachable PostgreSQL fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tanzuji.services import Actor
from tanzuji.store import Store, open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SP = EXAMPLES / "single-phase-meter" / "study.yaml"
TP = EXAMPLES / "three-phase-meter" / "study.yaml"
PG_ADMIN = os.environ.get("TZ_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"PostgreSQL not reachable: {reason}")


def pg_admin_engine():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(
        PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def create_pg_database() -> str:
    """A fresh ``tz_store_<random>`` database; returns its URL."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    name = "tz_store_" + secrets.token_hex(5)
    engine = pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        _pg_unavailable(str(exc.orig).splitlines()[0])
    finally:
        engine.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name and name.startswith("tz_store_")
    engine = pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tz.db'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An initialised database."""
    s = open_store(db_url)
    s.upgrade()
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def actor() -> Actor:
    return Actor(user="tester@example.cn", org="default")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages in English (the tests match on them); restored afterwards."""
    from tanzuji.i18n import use_lang

    with use_lang("en"):
        yield
