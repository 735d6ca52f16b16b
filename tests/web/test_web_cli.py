"""The web platform's commands: client add, publish, serve's option checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tanzuji.cli import app

from .conftest import EXAMPLES
from .storekit import issue_report, make_store, tiny_signed_pdf


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, object]:
    world = make_store(tmp_path)
    url = f"sqlite:///{tmp_path / 'web.db'}"
    monkeypatch.setenv("TANZUJI_DATABASE_URL", url)
    (tmp_path / "config.toml").write_text("")
    monkeypatch.setenv("TANZUJI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TANZUJI_LANG", "en")
    return url, world


def test_web_cli_client_add_prints_the_secret_once_and_it_works(env: tuple[str, object]) -> None:
    from tanzuji.services.admin import authenticate_client
    from tanzuji.store import UnitOfWork

    url, world = env
    r = CliRunner().invoke(app, ["client", "add", "maker", "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert info["org"] == "maker" and info["client_id"].startswith("tzc_")
    store = world.store  # type: ignore[attr-defined]
    ok = authenticate_client(UnitOfWork(store), info["client_id"], info["client_secret"])
    assert ok is not None and ok.org_name == "maker"
    # the secret is stored hashed: the database never holds it in clear
    db = Path(url.removeprefix("sqlite:///")).read_bytes()
    assert info["client_secret"].encode() not in db
    bad = CliRunner().invoke(app, ["client", "add", "no-such-org"])
    assert bad.exit_code != 0


def test_web_cli_publish_needs_an_issued_report(env: tuple[str, object], tmp_path: Path) -> None:
    from tanzuji.services.context import Actor
    from tanzuji.services.save import save_study
    from tanzuji.services.sharing import share_revision
    from tanzuji.store import UnitOfWork

    _, world = env
    store = world.store  # type: ignore[attr-defined]
    maker = Actor(user="ed@maker.example", org="maker")
    rev = save_study(UnitOfWork(store), maker, EXAMPLES / "single-phase-meter" / "study.yaml")
    r = CliRunner().invoke(app, ["publish", rev.revision_id, "--org", "maker"])
    assert r.exit_code != 0 and "no issued report" in str(r.exception)
    share_revision(UnitOfWork(store), maker, rev.revision_id, "lab")
    issue_report(store, "lab", "eva@lab.example", rev.revision_id, tiny_signed_pdf(tmp_path))
    r = CliRunner().invoke(
        app, ["publish", rev.revision_id[:12], "--org", "maker", "--to", "gov", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["public"] is False and out["to"] == ["gov"] and out["valid_until"] == "2028-12-31"


def test_web_cli_serve_refuses_half_a_tls_pair(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    r = CliRunner().invoke(app, ["serve", "--tls-cert", str(cert)])
    assert r.exit_code != 0 and "--tls-key" in str(r.exception)
