"""A throwaway SQLite store with two manufacturers, an institute and an authority."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tanzuji.web.accounts import Role

from .conftest import SECRET, sign_in

PASSWORD = "correct horse battery staple"
USERS = {
    "admin@maker.example": ("maker", Role.admin),
    "ed@maker.example": ("maker", Role.editor),
    "view@maker.example": ("maker", Role.viewer),
    "eva@lab.example": ("lab", Role.evaluator),
    "admin@lab.example": ("lab", Role.admin),
    "ed@rival.example": ("rival", Role.editor),
    "admin@rival.example": ("rival", Role.admin),
    "eva@rival.example": ("rival", Role.evaluator),
    "auth@gov.example": ("gov", Role.authority),
}


@dataclass
class StoreWorld:
    store: Any
    client_id: str
    client_secret: str


def make_store(directory: Path) -> StoreWorld:
    from tanzuji.services.admin import add_api_client, add_org, add_user
    from tanzuji.services.context import Actor
    from tanzuji.store import UnitOfWork, open_store

    store = open_store(f"sqlite:///{directory / 'web.db'}")
    store.upgrade()
    admin = Actor(user="setup", org="maker")
    for org in ("maker", "lab", "rival", "gov"):
        add_org(UnitOfWork(store), admin, org)
    for email, (org, role) in USERS.items():
        add_user(UnitOfWork(store), admin, email, org=org, role=role.value, password=PASSWORD)
    client = add_api_client(UnitOfWork(store), admin, org="maker", name="maker ERP")
    return StoreWorld(store, client["client_id"], client["client_secret"])


def store_app(world: StoreWorld, **settings: Any) -> Any:
    """The web application over the world's store (``settings``: more WebSettings)."""
    from tanzuji.web.app import create_app
    from tanzuji.web.backend import StoreAccounts
    from tanzuji.web.publishing import StorePublications
    from tanzuji.web.settings import WebSettings

    return create_app(
        WebSettings(secret_key=SECRET, **settings),
        StoreAccounts(world.store),
        store=world.store,
        publications=StorePublications(world.store),
    )


@contextmanager
def store_client(world: StoreWorld, **settings: Any) -> Iterator[TestClient]:
    """A test client of :func:`store_app` (lifespan started)."""
    with TestClient(store_app(world, **settings), base_url="http://127.0.0.1") as c:
        yield c


def login(c: TestClient, email: str, lang: str | None = None) -> str:
    """Sign ``email`` in (password :data:`PASSWORD`), optionally switch the session's
    language; the CSRF token of the session."""
    c.cookies.clear()
    token = sign_in(c, email, PASSWORD)
    if lang is not None:
        c.post("/lang", data={"lang": lang, "back": "/", "csrf_token": token})
    return token


def tiny_signed_pdf(directory: Path) -> bytes:
    """A one-page PDF signed with a throwaway key (stands in for an issued report)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tanzuji.report.sign import keygen, sign_pdf

    fig = plt.figure(figsize=(8.27, 11.69))
    fig.text(0.1, 0.9, "report")
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    key, cert = keygen(directory / "keys", name="Eva Evaluator", force=True)
    return sign_pdf(buf.getvalue(), key, cert)


def issue_report(store: Any, org: str, user: str, revision: str, pdf: bytes) -> str:
    """Record an issued report for a revision (the report helper's issuance stands behind
    this in production); returns its number."""
    from tanzuji.services.context import Actor
    from tanzuji.services.reports import Rendition, record_issued_report
    from tanzuji.store import UnitOfWork

    issued = record_issued_report(
        UnitOfWork(store),
        Actor(user=user, org=org),
        year=2026,
        build=lambda ctx: [Rendition("zh", pdf, "Eva Evaluator")],
        revision_id=revision,
    )
    return issued.number


def make_p12(directory: Path, name: str, passphrase: str, organisation: str | None = None) -> bytes:
    """A PKCS#12 file (key + self-signed certificate issued to ``name``), encrypted."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    from tanzuji.report.sign import keygen

    key_path, cert_path = keygen(directory, name=name, organisation=organisation, force=True)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    cert = load_pem_x509_certificate(cert_path.read_bytes())
    return pkcs12.serialize_key_and_certificates(
        b"evaluator",
        key,  # type: ignore[arg-type]
        cert,
        None,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def authorise(store: Any, org: str, signer: str, revision: str, reviewer: str) -> None:
    """The signing authority an issue needs: ``signer`` becomes an authorised signatory of
    ``org`` and ``reviewer`` (another user of ``org``) approves ``revision``."""
    from tanzuji.services.authority import add_signatory, approve_revision
    from tanzuji.services.context import Actor
    from tanzuji.store import UnitOfWork

    add_signatory(UnitOfWork(store), Actor(user="setup", org=org), org=org, user=signer)
    approve_revision(UnitOfWork(store), Actor(user=reviewer, org=org), revision)


def sign_in_page(page: Any, email: str, lang: str, password: str = PASSWORD) -> None:
    """Sign in through the login page in a real browser (Playwright ``page``), switching
    the page to English first when ``lang`` is ``en``."""
    import re

    page.goto("/login")
    if lang == "en" and page.locator("#lang-switch").inner_text() == "English":
        page.click("#lang-switch")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/$"))
