"""The stored-result read ``GET /api/revisions/{rev}``, on SQLite and PostgreSQL.

The read is routed ahead of FastAPI's router and calls the documented route's dependencies
itself, and its document comes from a per-process cache: every read must still ask the
store, as it is at that moment, whether the principal's organisation may read the revision
(a share revoked a moment ago counts on the next read), a disabled account must stop
working within the principal cache's bound, and the answers (security headers, JSON
errors, roles, methods) must be those of the documented route.
"""

from __future__ import annotations

import json
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from store.conftest import create_pg_database, drop_pg_database
from tanzuji.web.app import create_app
from tanzuji.web.backend import StoreAccounts
from tanzuji.web.middleware import CSP
from tanzuji.web.settings import WebSettings

from .conftest import EXAMPLES, SECRET, csrf_of
from .storekit import PASSWORD

STUDY = EXAMPLES / "single-phase-meter" / "study.yaml"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reads.db'}"
        return
    url = create_pg_database()  # the store tests' throwaway database (skip/fail rules there)
    try:
        yield url
    finally:
        drop_pg_database(url)


@dataclass
class Site:
    client: TestClient
    store: Any
    tokens: dict[str, dict[str, str]]  # organisation → Authorization header of its client
    client_ids: dict[str, str]
    rev: str


def _bearer(c: TestClient, client_id: str, secret: str) -> dict[str, str]:
    r = c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


@pytest.fixture
def site(db_url: str) -> Iterator[Site]:
    from tanzuji.services.admin import add_api_client, add_org, add_user
    from tanzuji.services.context import Actor
    from tanzuji.store import UnitOfWork, open_store

    store = open_store(db_url)
    store.upgrade()
    setup = Actor(user="setup", org="maker")
    for org in ("maker", "lab", "rival", "gov"):
        add_org(UnitOfWork(store), setup, org)
    add_user(
        UnitOfWork(store), setup, "auth@gov.example", org="gov", role="authority", password=PASSWORD
    )
    add_user(
        UnitOfWork(store),
        setup,
        "view@maker.example",
        org="maker",
        role="viewer",
        password=PASSWORD,
    )
    creds = {
        org: add_api_client(UnitOfWork(store), setup, org=org, name=f"{org} ERP")
        for org in ("maker", "lab", "rival")
    }
    app = create_app(WebSettings(secret_key=SECRET), StoreAccounts(store), store=store)
    try:
        with TestClient(app, base_url="http://127.0.0.1") as c:
            tokens = {
                org: _bearer(c, cred["client_id"], cred["client_secret"])
                for org, cred in creds.items()
            }
            saved = c.post(
                "/api/studies",
                files={"file": ("s.yaml", STUDY.read_bytes())},
                headers=tokens["maker"],
            )
            assert saved.status_code == 201, saved.text
            ids = {org: cred["client_id"] for org, cred in creds.items()}
            yield Site(c, store, tokens, ids, saved.json()["revision"])
    finally:
        store.dispose()


def _security_headers(r: Any) -> None:
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def _not_found(r: Any) -> None:
    assert r.status_code == 404, (r.status_code, r.text[:300])
    assert r.headers["content-type"] == "application/json"
    assert [set(e) for e in r.json()["errors"]] == [{"message", "text"}]
    assert "ETag" not in r.headers and "单相" not in r.text
    _security_headers(r)


def test_the_owner_reads_the_stored_document_and_revalidates_it(site: Site) -> None:
    from tanzuji.services import Actor, show_revision
    from tanzuji.store import UnitOfWork

    c, auth, url = site.client, site.tokens["maker"], f"/api/revisions/{site.rev}"
    r = c.get(url, headers=auth)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    view = show_revision(UnitOfWork(site.store, write=False), Actor("t", "maker"), site.rev)
    assert r.json() == json.loads(json.dumps(view.to_dict()))
    _security_headers(r)
    assert r.headers["cache-control"] == "private, no-cache"
    assert r.headers["vary"] == "Authorization, Cookie"
    etag = r.headers["etag"]
    again = c.get(url, headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    _security_headers(again)
    by_prefix = c.get(f"/api/revisions/{site.rev[:12]}", headers=auth)  # not the one-query path
    assert by_prefix.status_code == 200 and by_prefix.content == r.content
    # a new evaluation changes the document and its tag
    added = c.post(url + "/evaluations", data={"method": "full"}, headers=auth)
    assert added.status_code == 201, added.text
    after = c.get(url, headers={**auth, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert [e["method"] for e in after.json()["evaluations"]] == ["jjf", "full"]


def test_another_organisation_gets_404_even_with_the_entity_tag(site: Site) -> None:
    c, url = site.client, f"/api/revisions/{site.rev}"
    etag = c.get(url, headers=site.tokens["maker"]).headers["etag"]  # the document is cached
    _not_found(c.get(url, headers=site.tokens["rival"]))
    _not_found(c.get(url, headers={**site.tokens["rival"], "If-None-Match": etag}))
    _not_found(c.get(f"/api/revisions/{site.rev[:12]}", headers=site.tokens["rival"]))


def test_a_share_counts_from_the_next_read_and_so_does_its_revocation(site: Site) -> None:
    from sqlalchemy import delete

    from tanzuji.store import UnitOfWork
    from tanzuji.store.web_models import Share

    c, url, lab = site.client, f"/api/revisions/{site.rev}", site.tokens["lab"]
    etag = c.get(url, headers=site.tokens["maker"]).headers["etag"]
    _not_found(c.get(url, headers=lab))
    shared = c.post(url + "/shares", data={"to": "lab"}, headers=site.tokens["maker"])
    assert shared.status_code == 201, shared.text
    assert c.get(url, headers=lab).status_code == 200
    assert c.get(url, headers={**lab, "If-None-Match": etag}).status_code == 304
    with UnitOfWork(site.store) as uow:  # the share revoked in the store, by anyone
        uow.session.execute(delete(Share).where(Share.revision_id == site.rev))
        uow.commit()
    _not_found(c.get(url, headers=lab))  # at once: the cached bytes are not an authorisation
    _not_found(c.get(url, headers={**lab, "If-None-Match": etag}))
    assert c.get(url, headers=site.tokens["maker"]).status_code == 200


def test_a_disabled_client_stops_within_the_principal_cache_bound(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import update

    from tanzuji.store import UnitOfWork
    from tanzuji.store.models import ApiClient
    from tanzuji.web import backend

    c, url, auth = site.client, f"/api/revisions/{site.rev}", site.tokens["maker"]
    assert c.get(url, headers=auth).status_code == 200  # the principal is now remembered
    with UnitOfWork(site.store) as uow:
        uow.session.execute(
            update(ApiClient)
            .where(ApiClient.client_id == site.client_ids["maker"])
            .values(active=False)
        )
        uow.commit()
    # StoreAccounts remembers a principal for 5 s (documented bound); past it, refused
    later = time.monotonic() + 5.5
    monkeypatch.setattr(backend, "time", types.SimpleNamespace(monotonic=lambda: later))
    r = c.get(url, headers=auth)
    assert r.status_code == 401 and r.json()["errors"][0]["message"]
    _security_headers(r)
    assert c.get(url, headers=site.tokens["lab"]).status_code == 404  # others unaffected


def test_credentials_roles_and_methods_are_checked_as_by_the_documented_route(
    site: Site,
) -> None:
    c, url = site.client, f"/api/revisions/{site.rev}"
    r = c.get(url)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["errors"][0]["text"]
    r = c.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    _security_headers(r)
    for method, allowed in (("HEAD", 405), ("POST", 405), ("DELETE", 405)):
        assert c.request(method, url, headers=site.tokens["maker"]).status_code == allowed
    # browser sessions take the same path: a viewer of the owner reads, an authority may not
    for email, status in (("view@maker.example", 200), ("auth@gov.example", 403)):
        c.cookies.clear()
        token = csrf_of(c.get("/login").text)
        c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        r = c.get(url)
        assert r.status_code == status, (email, r.text[:300])
    assert r.json()["errors"][0]["message"]


def test_the_direct_read_calls_exactly_the_documented_routes_dependencies(tmp_path: Path) -> None:
    """``revision_direct`` repeats by hand what FastAPI resolves for the documented route: if
    a dependency is added to (or removed from) that route, the direct read must follow."""
    import ast
    import inspect

    from fastapi.routing import APIRoute

    from tanzuji.store import open_store
    from tanzuji.web import deps
    from tanzuji.web.deps import csrf_guard, current_principal, optional_principal
    from tanzuji.web.routers import api

    store = open_store(f"sqlite:///{tmp_path / 'routes.db'}")
    try:
        app = create_app(WebSettings(secret_key=SECRET), StoreAccounts(store), store=store)
    finally:
        store.dispose()

    def api_routes(routes: Any, prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
        for r in routes:
            inner = getattr(r, "original_router", None)  # FastAPI's included router
            if inner is not None:
                context = getattr(r, "include_context", None)
                yield from api_routes(inner.routes, prefix + getattr(context, "prefix", ""))
            elif isinstance(r, APIRoute):
                yield prefix + r.path, r

    (route,) = [
        r
        for path, r in api_routes(app.router.routes)
        if path == "/api/revisions/{rev}" and "GET" in r.methods
    ]

    def calls(dependant: Any) -> set[Any]:
        found: set[Any] = set()
        for sub in dependant.dependencies:
            found |= {sub.call} | calls(sub)
        return found

    app_wide = {d.dependency for d in app.router.dependencies}
    assert calls(route.dependant) | app_wide == {
        csrf_guard,
        deps._state,  # get_state, awaited
        optional_principal,
        current_principal,
        api._member,
    }
    called = {
        node.func.id
        for node in ast.walk(ast.parse(inspect.getsource(api.revision_direct)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert {
        "get_state",
        "csrf_guard",
        "optional_principal",
        "current_principal",
        "_member",
    } <= called
    # the direct route is tried before every included router
    kinds = [type(r).__name__ for r in app.router.routes]
    assert kinds.index("ReadRoute") < min(
        i for i, r in enumerate(app.router.routes) if getattr(r, "original_router", None)
    )


def test_a_burst_of_reads_runs_on_a_few_threads_and_all_are_answered(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty threads (anyio's default) would only take turns holding the interpreter while
    the event loop waits to send their answers; the read has its own few."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from tanzuji.web.routers import api
    from tanzuji.web.state import READ_THREADS

    lock, inside, peak = threading.Lock(), [0], [0]
    real = api._revision_document

    def counted(*args: Any) -> Any:
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        try:
            time.sleep(0.02)  # a slow query: the burst piles up
            return real(*args)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(api, "_revision_document", counted)
    c, auth, url = site.client, site.tokens["maker"], f"/api/revisions/{site.rev}"
    with ThreadPoolExecutor(24) as pool:
        codes = list(pool.map(lambda _: c.get(url, headers=auth).status_code, range(72)))
    assert codes == [200] * 72
    assert 2 <= peak[0] <= READ_THREADS, peak[0]
    assert c.get("/healthz").json() == {"status": "ok"}
