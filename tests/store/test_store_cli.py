"""The database commands end to end (subprocess: exit codes and one-line errors)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from .conftest import SP, TP

TANZUJI = [sys.executable, "-m", "tanzuji.cli"]
_CONFIG = Path(tempfile.mkdtemp(prefix="tz_store_cfg")) / "config.toml"
_CONFIG.write_text("", encoding="utf-8")


def run(
    *args: str, db: str | None = None, lang: str = "en", stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ) | {"TANZUJI_LANG": lang, "TANZUJI_CONFIG": str(_CONFIG)} | env
    e.pop("TANZUJI_ORG", None)
    if db is not None:
        e["TANZUJI_DATABASE_URL"] = db
    return subprocess.run(
        [*TANZUJI, *args], capture_output=True, text=True, env=e, input=stdin, timeout=120
    )


def invoke(*args: str, db: str, lang: str = "en", stdin: str | None = None) -> Result:
    """In-process run (fast); errors come back as ``result.exception``."""
    from tanzuji.cli import app

    env = {
        "TANZUJI_LANG": lang,
        "TANZUJI_CONFIG": str(_CONFIG),
        "TANZUJI_DATABASE_URL": db,
        "TANZUJI_ORG": None,
    }
    return CliRunner().invoke(app, list(args), env=env, input=stdin)


def one_line_error(p: subprocess.CompletedProcess[str]) -> str:
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    return lines[0]


def test_save_history_show_on_each_backend(db_url: str) -> None:
    assert invoke("db", "init", db=db_url).exit_code == 0
    r = invoke("save", str(SP), "-m", "first", "--json", db=db_url)
    assert r.exit_code == 0, r.output
    saved = json.loads(r.stdout)
    assert saved["created"] and saved["total"]["k"] == 2.0
    r = invoke("save", str(TP), db=db_url, lang="zh")
    assert r.exit_code == 0 and "已保存修订" in r.stdout and "± " in r.stdout
    hist = json.loads(invoke("history", "EX-SP-2025", "--json", db=db_url).stdout)
    assert [h["revision"] for h in hist] == [saved["revision"]]
    shown = json.loads(invoke("show", saved["revision"][:8], "--json", db=db_url).stdout)
    assert shown["revision"]["message"] == "first"
    products = json.loads(invoke("products", "--json", db=db_url).stdout)
    assert sorted(p["model"] for p in products) == ["DDZY-X1（示例）", "DTZY-X3（示例）"]
    status = json.loads(invoke("db", "status", "--json", db=db_url).stdout)
    assert status["up_to_date"] is True


def test_org_and_user_add(tmp_path: Path) -> None:
    from tanzuji.errors import ConflictError, InputError

    db = str(tmp_path / "u.db")
    assert invoke("db", "init", db=db).exit_code == 0
    assert invoke("org", "add", "ACME", db=db).exit_code == 0
    r = invoke(
        "user",
        "add",
        "Eva@Example.cn",
        "--org",
        "ACME",
        "--role",
        "evaluator",
        "--password-stdin",
        "--json",
        db=db,
        stdin="correct horse battery\n",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {
        "id": 1,
        "email": "eva@example.cn",
        "org": "ACME",
        "role": "evaluator",
        "password_set": True,
    }
    with sqlite3.connect(tmp_path / "u.db") as c:
        (hashed,) = c.execute("SELECT password_hash FROM users").fetchone()
    assert hashed.startswith("$argon2id$") and "horse" not in hashed
    r = invoke("user", "add", "x@example.cn", "--org", "ACME", "--role", "boss", db=db)
    assert isinstance(r.exception, InputError) and "role" in str(r.exception)
    assert isinstance(invoke("org", "add", "ACME", db=db).exception, ConflictError)
    r = invoke(
        "user",
        "add",
        "y@example.cn",
        "--org",
        "ACME",
        "--role",
        "viewer",
        "--password-stdin",
        db=db,
        stdin="short\n",
    )
    assert isinstance(r.exception, InputError) and "short" in str(r.exception)


def test_missing_database_file_is_one_line(tmp_path: Path) -> None:
    line = one_line_error(run("history", "X", db=str(tmp_path / "none.db")))
    assert "does not exist" in line and "db init" in line
    assert not (tmp_path / "none.db").exists()


def test_uninitialised_and_newer_schema_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    sqlite3.connect(db).close()
    assert "db init" in str(invoke("history", "X", db=str(db)).exception)
    assert invoke("db", "init", db=str(db)).exit_code == 0
    with sqlite3.connect(db) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    line = one_line_error(run("save", str(SP), db=str(db)))
    assert "newer" in line and "9999" in line
    assert "newer" in str(invoke("db", "upgrade", db=str(db)).exception)


def test_older_schema_asks_for_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tanzuji.errors import SchemaVersionError
    from tanzuji.store import engine, open_store

    s = open_store(f"sqlite:///{tmp_path / 'o.db'}")
    s.upgrade()
    known = engine._known_revisions()  # every shipped migration (store's and web's)
    monkeypatch.setattr(engine, "_head_revision", lambda: "0002x")
    monkeypatch.setattr(engine, "_known_revisions", lambda: known | {"0002x"})
    with pytest.raises(SchemaVersionError, match=r"0002x.*tanzuji db upgrade"):
        s.check_schema()


def test_unreachable_postgresql_is_one_line() -> None:
    line = one_line_error(
        run("history", "X", db="postgresql+psycopg://postgres@127.0.0.1:1/tz_store_none")
    )
    assert "cannot connect" in line and "127.0.0.1:1" in line


def test_not_a_database_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    assert "not a database" in str(invoke("history", "X", db=str(bad)).exception)


def test_read_only_database_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "ro.db"
    assert invoke("db", "init", db=str(db)).exit_code == 0
    assert invoke("save", str(SP), db=str(db)).exit_code == 0
    ro = f"sqlite:///file:{db}?mode=ro&uri=true"
    assert invoke("history", "EX-SP-2025", db=ro).exit_code == 0  # reading works
    r = invoke("save", str(TP), db=ro)
    assert "read-only" in str(r.exception), r.exception
    assert len(str(r.exception).splitlines()) == 1
