"""Fixtures of the web tests: an application over in-memory accounts (two organisations)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from tanzuji.web.accounts import Principal, Role
from tanzuji.web.app import create_app
from tanzuji.web.public import PublicFootprint
from tanzuji.web.settings import WebSettings

if TYPE_CHECKING:
    from .storekit import StoreWorld

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SECRET = "t" * 48


@dataclass
class _Entry:
    principal: Principal
    password: str


class MemoryAccounts:
    """Accounts for tests only: a dict of users and clients."""

    def __init__(self) -> None:
        self.users: dict[str, _Entry] = {}
        self.clients: dict[str, _Entry] = {}
        self.sessions: dict[str, bool] = {}

    def add_user(self, email: str, password: str, org: str, role: Role) -> Principal:
        p = Principal(id=f"user:{email}", org_id=org, org_name=org, role=role, name=email)
        self.users[email] = _Entry(p, password)
        return p

    def add_client(self, cid: str, secret: str, org: str) -> Principal:
        p = Principal(
            id=f"client:{cid}", org_id=org, org_name=org, role=Role.editor, name=cid, kind="client"
        )
        self.clients[cid] = _Entry(p, secret)
        return p

    def authenticate(self, email: str, password: str) -> Principal | None:
        e = self.users.get(email)
        return e.principal if e and e.password == password else None

    def authenticate_client(self, client_id: str, secret: str) -> Principal | None:
        e = self.clients.get(client_id)
        return e.principal if e and e.password == secret else None

    def open_session(self, subject: str, jti: str, expires: int) -> None:
        self.sessions[jti] = True

    def session_valid(self, jti: str) -> bool:
        return self.sessions.get(jti, False)

    def close_session(self, jti: str) -> None:
        self.sessions[jti] = False

    def principal(self, subject: str) -> Principal | None:
        for e in [*self.users.values(), *self.clients.values()]:
            if e.principal.id == subject:
                return e.principal
        return None

    def remembered(self, subject: str) -> tuple[bool, Principal | None]:
        return True, self.principal(subject)  # in memory: always at hand


@pytest.fixture
def world(tmp_path: Path) -> StoreWorld:
    """A store-backed platform (``storekit.make_store``); a module with a world of its own
    defines its own fixture of that name."""
    from .storekit import make_store

    return make_store(tmp_path)


@pytest.fixture
def c(world: StoreWorld) -> Iterator[TestClient]:
    """A client of :func:`world`'s platform."""
    from .storekit import store_client

    with store_client(world) as client:
        yield client


@pytest.fixture
def accounts() -> MemoryAccounts:
    acc = MemoryAccounts()
    acc.add_user("ed@maker.example", "pw-maker-1", "maker", Role.editor)
    acc.add_user("eva@lab.example", "pw-lab-1", "lab", Role.evaluator)
    acc.add_client("maker-client", "s3cret-maker", "maker")
    return acc


class MemoryPublications:
    """Published footprints for tests only."""

    def __init__(self) -> None:
        self.items: dict[str, PublicFootprint] = {}

    def public(self, pub_id: str) -> PublicFootprint | None:
        return self.items.get(pub_id)

    def visible_to(self, pub_id: str, org_id: int | None) -> PublicFootprint | None:
        return self.items.get(pub_id)

    def for_report(self, sha256: str) -> str | None:
        return next((k for k, v in self.items.items() if v.report_sha256 == sha256), None)


SAMPLE = PublicFootprint(
    id="pub-sample-1",
    product="单相智能电能表 DDZY-X1",
    manufacturer="示例电表制造有限公司",
    value="59",
    U="12",
    u="6.0",
    k="2",
    unit="kgCO2e",
    functional_unit="1 台单相智能电能表",
    boundary_zh="从摇篮到坟墓",
    boundary_en="cradle to grave",
    period="2025",
    evaluator="示例计量院",
    report_number="TZJ-2026-0001",
    report_sha256="ab" * 32,
    issued_on="2026-03-01",
    valid_until="2028-12-31",
    status="valid",
    signature_ok=True,
)


@pytest.fixture
def publications() -> MemoryPublications:
    pubs = MemoryPublications()
    pubs.items[SAMPLE.id] = SAMPLE
    return pubs


@pytest.fixture
def client(accounts: MemoryAccounts, publications: MemoryPublications) -> Iterator[TestClient]:
    app = create_app(WebSettings(secret_key=SECRET), accounts, publications=publications)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(c: TestClient, email: str, password: str) -> str:
    """Sign in through the form; returns the CSRF token for later forms."""
    token = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return token


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real uvicorn server on 127.0.0.1 in a thread of the test process."""

    def __init__(self, app: object) -> None:
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def live(accounts: MemoryAccounts, publications: MemoryPublications) -> Iterator[LiveServer]:
    app = create_app(WebSettings(secret_key=SECRET), accounts, publications=publications)
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def partner_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The partner host names of these tests (``*.test``, ``*.cli``) resolve to a public
    address, without the network: a partner's host is looked up when it is registered."""
    import ipaddress

    from tanzuji.pact import urlguard

    def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        if host.endswith((".test", ".cli")):
            return [ipaddress.ip_address("93.184.215.14")]
        raise OSError("no DNS in the tests")

    monkeypatch.setattr(urlguard, "resolve_host", resolve)
