"""Tenant isolation: every route of the application, walked as a user of another organisation.

The test enumerates ``app.routes`` and fails on any route (method and path) that the table
below does not cover, so a new route cannot be added without deciding how it is isolated.
Each case is called as the administrator of organisation "rival" against objects that
belong to the manufacturer "maker" (a study revision, its Monte Carlo job, a report issued
for it by the institute "lab", a private publication) and must neither read nor change them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from tanzuji.web.app import create_app
from tanzuji.web.backend import StoreAccounts
from tanzuji.web.publishing import StorePublications
from tanzuji.web.settings import WebSettings

from .conftest import EXAMPLES, SECRET, csrf_of
from .storekit import PASSWORD, issue_report, make_store, tiny_signed_pdf

SECRET_TEXT = "单相智能电能表"  # the maker's product name: must never show to "rival"

pytestmark = pytest.mark.usefixtures("partner_dns")


@dataclass
class World:
    """Objects of organisation "maker" that the other organisation must not reach."""

    rev: str
    study: str
    product: str
    job: str
    private_pub: str
    report: str
    study_yaml: bytes
    pdf: bytes


def _login(c: TestClient, email: str) -> str:
    c.cookies.clear()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 200, r.text  # followed to the dashboard
    return token


@pytest.fixture
def walk(tmp_path: Path) -> Iterator[tuple[TestClient, World]]:
    sw = make_store(tmp_path)
    app = create_app(
        WebSettings(secret_key=SECRET),
        StoreAccounts(sw.store),
        store=sw.store,
        publications=StorePublications(sw.store),
    )
    with TestClient(app, base_url="http://127.0.0.1") as c:
        t = _login(c, "ed@maker.example")
        study = (EXAMPLES / "single-phase-meter" / "study.yaml").read_bytes()
        saved = c.post(
            "/api/studies", files={"file": ("s.yaml", study)}, headers={"X-CSRF-Token": t}
        )
        assert saved.status_code == 201, saved.text
        rev = saved.json()["revision"]
        c.post(f"/api/revisions/{rev}/shares", data={"to": "lab"}, headers={"X-CSRF-Token": t})
        r = c.post(
            "/api/evaluate/monte-carlo",
            files={"file": ("s.yaml", study)},
            data={"trials": "1000", "seed": "1"},
            headers={"X-CSRF-Token": t},
        )
        job = r.json()["id"]
        deadline = time.monotonic() + 60
        while c.get(f"/api/jobs/{job}").json()["state"] not in {"done", "failed"}:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        pdf = tiny_signed_pdf(tmp_path)
        number = issue_report(sw.store, "lab", "eva@lab.example", rev, pdf)
        pub = c.post(
            f"/api/revisions/{rev}/publications", data={"to": "gov"}, headers={"X-CSRF-Token": t}
        )
        assert pub.status_code == 201, pub.text
        product = c.get("/api/products").json()[0]["key"]
        world = World(
            rev=rev,
            study=saved.json()["study"],
            product=product,
            job=job,
            private_pub=pub.json()["publication"],
            report=number,
            study_yaml=study,
            pdf=pdf,
        )
        yield c, world


Case = Callable[[TestClient, World, str], None]


def _denied(r: Any) -> None:
    assert r.status_code in {401, 403, 404}, (r.request.url, r.status_code, r.text[:300])
    # the maker's product name may only come back where the request itself carried it
    assert SECRET_TEXT not in r.text or SECRET_TEXT in dict(r.request.url.params).get("key", ""), (
        r.text
    )


def _public(r: Any) -> None:
    assert r.status_code < 500, (r.request.url, r.status_code)


def _own_only(r: Any) -> None:
    """Works for the other organisation, on its own data, showing nothing of the maker's."""
    assert r.status_code < 400, (r.request.url, r.status_code, r.text[:300])
    assert SECRET_TEXT not in r.text, r.request.url


def _no_maker(r: Any, w: World) -> None:
    _own_only(r)
    assert w.rev not in r.text and w.private_pub not in r.text


def _h(t: str) -> dict[str, str]:
    return {"X-CSRF-Token": t}


CASES: dict[tuple[str, str], Case] = {
    # --- no tenant data: sign-in, language, tokens, public pages and documents
    ("GET", "/login"): lambda c, w, t: _public(c.get("/login")),
    ("POST", "/login"): lambda c, w, t: _public(
        c.post("/login", data={"email": "ed@maker.example", "password": "x", "csrf_token": t})
    ),
    ("POST", "/logout"): lambda c, w, t: None,  # walked by every _login (cookie cleared)
    ("POST", "/lang"): lambda c, w, t: _public(
        c.post("/lang", data={"lang": "zh", "csrf_token": t})
    ),
    ("POST", "/auth/token"): lambda c, w, t: _denied(
        c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=("tzc_x", "wrong"))
    ),
    ("GET", "/healthz"): lambda c, w, t: _public(c.get("/healthz")),
    ("GET", "/openapi.json"): lambda c, w, t: _public(c.get("/openapi.json")),
    ("GET", "/docs"): lambda c, w, t: _public(c.get("/docs")),
    ("GET", "/docs/oauth2-redirect"): lambda c, w, t: _public(c.get("/docs/oauth2-redirect")),
    ("GET", "/redoc"): lambda c, w, t: _public(c.get("/redoc")),
    ("GET", "/static"): lambda c, w, t: _public(c.get("/static/htmx.min.js")),
    ("GET", "/verify"): lambda c, w, t: _public(c.get("/verify")),
    # verifying the maker's report shows its signature, not its (private) publication
    ("POST", "/verify"): lambda c, w, t: _no_maker(
        c.post("/verify", files={"file": ("r.pdf", w.pdf)}, data={"csrf_token": t}), w
    ),
    ("POST", "/api/verify"): lambda c, w, t: _no_maker(
        c.post("/api/verify", files={"file": ("r.pdf", w.pdf)}), w
    ),
    # a private publication has no public page, label or QR code
    ("GET", "/p/{pub_id}"): lambda c, w, t: _denied(c.get(f"/p/{w.private_pub}")),
    ("GET", "/p/{pub_id}/qr.svg"): lambda c, w, t: _denied(c.get(f"/p/{w.private_pub}/qr.svg")),
    ("GET", "/p/{pub_id}/label.{fmt}"): lambda c, w, t: _denied(
        c.get(f"/p/{w.private_pub}/label.svg")
    ),
    # --- stateless evaluation and the shared factor libraries: own input only
    ("GET", "/upload"): lambda c, w, t: _own_only(c.get("/upload")),
    ("POST", "/upload"): lambda c, w, t: _own_only(
        c.post("/upload", files={"file": ("s.yaml", b"id: x\n")}, data={"csrf_token": t})
    ),
    ("POST", "/api/evaluate"): lambda c, w, t: (
        _denied(c.post("/api/evaluate", headers=_h(t)))
        if False
        else _public(c.post("/api/evaluate", files={"file": ("s.yaml", b"id: x\n")}, headers=_h(t)))
    ),
    ("POST", "/api/evaluate/monte-carlo"): lambda c, w, t: _public(
        c.post("/api/evaluate/monte-carlo", files={"file": ("s.yaml", b"id: x\n")}, headers=_h(t))
    ),
    ("GET", "/api/factors"): lambda c, w, t: _own_only(c.get("/api/factors", params={"q": "x"})),
    ("GET", "/api/factors/{factor_id}"): lambda c, w, t: _public(c.get("/api/factors/none")),
    ("GET", "/factors"): lambda c, w, t: _own_only(c.get("/factors", params={"q": "zzz"})),
    ("GET", "/api/whoami"): lambda c, w, t: _own_only(c.get("/api/whoami")),
    # --- lists: the other organisation's own (empty) data only
    ("GET", "/"): lambda c, w, t: _no_maker(c.get("/"), w),
    ("GET", "/api/products"): lambda c, w, t: _no_maker(c.get("/api/products"), w),
    ("GET", "/api/shared"): lambda c, w, t: _no_maker(c.get("/api/shared"), w),
    ("GET", "/api/reports"): lambda c, w, t: _no_maker(c.get("/api/reports"), w),
    ("GET", "/api/certificates/expiring"): lambda c, w, t: _no_maker(
        c.get("/api/certificates/expiring", params={"days": 3650}), w
    ),
    ("GET", "/api/audit"): lambda c, w, t: _no_maker(c.get("/api/audit"), w),
    ("GET", "/audit"): lambda c, w, t: _no_maker(c.get("/audit"), w),
    ("POST", "/api/studies"): lambda c, w, t: _public(
        c.post("/api/studies", files={"file": ("s.yaml", b"id: x\n")}, headers=_h(t))
    ),
    ("POST", "/studies"): lambda c, w, t: _public(
        c.post("/studies", files={"file": ("s.yaml", b"id: x\n")}, data={"csrf_token": t})
    ),
    # the authority's registry is not for a manufacturer's administrator
    ("GET", "/api/registry"): lambda c, w, t: _denied(c.get("/api/registry")),
    ("GET", "/registry"): lambda c, w, t: _denied(c.get("/registry")),
    ("GET", "/registry.{fmt}"): lambda c, w, t: _denied(c.get("/registry.csv")),
    # --- objects of the other organisation
    ("GET", "/api/history/{what}"): lambda c, w, t: _denied(c.get(f"/api/history/{w.study}")),
    ("GET", "/product"): lambda c, w, t: _denied(c.get("/product", params={"key": w.product})),
    ("GET", "/api/revisions/{rev}"): lambda c, w, t: _denied(c.get(f"/api/revisions/{w.rev}")),
    ("GET", "/revisions/{rev}"): lambda c, w, t: _denied(c.get(f"/revisions/{w.rev}")),
    ("POST", "/api/revisions/{rev}/evaluations"): lambda c, w, t: _denied(
        c.post(f"/api/revisions/{w.rev}/evaluations", headers=_h(t))
    ),
    ("POST", "/revisions/{rev}/evaluate"): lambda c, w, t: _denied(
        c.post(f"/revisions/{w.rev}/evaluate", data={"method": "full", "csrf_token": t})
    ),
    ("POST", "/api/revisions/{rev}/shares"): lambda c, w, t: _denied(
        c.post(f"/api/revisions/{w.rev}/shares", data={"to": "rival"}, headers=_h(t))
    ),
    ("POST", "/revisions/{rev}/share"): lambda c, w, t: _denied(
        c.post(f"/revisions/{w.rev}/share", data={"to": "rival", "csrf_token": t})
    ),
    ("POST", "/api/revisions/{rev}/publications"): lambda c, w, t: _denied(
        c.post(f"/api/revisions/{w.rev}/publications", headers=_h(t))
    ),
    ("POST", "/revisions/{rev}/publish"): lambda c, w, t: _denied(
        c.post(f"/revisions/{w.rev}/publish", data={"csrf_token": t})
    ),
    # issuing: an evaluator of "rival" cannot issue for the maker's revision (see the
    # second test); the administrator walking here is refused by role or tenant
    ("POST", "/api/revisions/{rev}/reports"): lambda c, w, t: _denied(
        c.post(
            f"/api/revisions/{w.rev}/reports",
            files={"p12": ("k.p12", b"x")},
            data={"passphrase": "x"},
            headers=_h(t),
        )
    ),
    ("GET", "/revisions/{rev}/issue"): lambda c, w, t: _denied(c.get(f"/revisions/{w.rev}/issue")),
    ("POST", "/revisions/{rev}/issue"): lambda c, w, t: _denied(
        c.post(
            f"/revisions/{w.rev}/issue",
            files={"p12": ("k.p12", b"x")},
            data={"passphrase": "x", "csrf_token": t},
        )
    ),
    ("GET", "/api/reports/{number}/{lang}.pdf"): lambda c, w, t: _denied(
        c.get(f"/api/reports/{w.report}/zh.pdf")
    ),
    # the private publication was shared with "gov" only
    ("GET", "/footprints/{pub_id}"): lambda c, w, t: _denied(c.get(f"/footprints/{w.private_pub}")),
    ("POST", "/publications/{pub_id}/unpublish"): lambda c, w, t: _denied(
        c.post(f"/publications/{w.private_pub}/unpublish", data={"reason": "x", "csrf_token": t})
    ),
    ("POST", "/api/publications/{pub_id}/unpublish"): lambda c, w, t: _denied(
        c.post(f"/api/publications/{w.private_pub}/unpublish", data={"reason": "x"}, headers=_h(t))
    ),
    ("GET", "/api/diff"): lambda c, w, t: _denied(
        c.get("/api/diff", params={"a": w.rev, "b": w.rev})
    ),
    ("GET", "/diff"): lambda c, w, t: _denied(c.get("/diff", params={"a": w.rev, "b": w.rev})),
    # signing authority: the other organisation's own signatories; no approving of the
    # maker's revision (not shared with it)
    ("GET", "/signatories"): lambda c, w, t: _no_maker(c.get("/signatories"), w),
    ("GET", "/api/signatories"): lambda c, w, t: _no_maker(c.get("/api/signatories"), w),
    ("POST", "/signatories"): lambda c, w, t: _no_maker(
        c.post("/signatories", data={"email": "admin@rival.example", "csrf_token": t}), w
    ),
    ("POST", "/signatories/remove"): lambda c, w, t: _no_maker(
        c.post("/signatories/remove", data={"email": "admin@rival.example", "csrf_token": t}), w
    ),
    ("GET", "/revisions/{rev}/approvals"): lambda c, w, t: _denied(
        c.get(f"/revisions/{w.rev}/approvals")
    ),
    ("POST", "/revisions/{rev}/approve"): lambda c, w, t: _denied(
        c.post(f"/revisions/{w.rev}/approve", data={"csrf_token": t})
    ),
    ("POST", "/api/revisions/{rev}/approvals"): lambda c, w, t: _denied(
        c.post(f"/api/revisions/{w.rev}/approvals", headers=_h(t))
    ),
    ("GET", "/api/jobs/{job_id}"): lambda c, w, t: _denied(c.get(f"/api/jobs/{w.job}")),
    ("GET", "/jobs/{job_id}"): lambda c, w, t: _denied(c.get(f"/jobs/{w.job}")),
    # --- the PACT host (HTTPS, a client credential of "rival"): see test_web_pact.py
    ("GET", "/.well-known/openid-configuration"): lambda c, w, t: _public(
        c.get("https://127.0.0.1/.well-known/openid-configuration")
    ),
    ("GET", "/pact/extensions/tanzuji-uncertainty/1.0.0/"): lambda c, w, t: _public(
        c.get("https://127.0.0.1/pact/extensions/tanzuji-uncertainty/1.0.0/")
    ),
    ("GET", "/pact/extensions/tanzuji-uncertainty/1.0.0/schema.json"): lambda c, w, t: _public(
        c.get("https://127.0.0.1/pact/extensions/tanzuji-uncertainty/1.0.0/schema.json")
    ),
    # the maker's footprint went privately to "gov": not listed, not readable for "rival"
    ("GET", "/3/footprints"): lambda c, w, t: _no_maker(
        c.get("https://127.0.0.1/3/footprints", headers=_pact_bearer(c)), w
    ),
    ("GET", "/3/footprints/{pf_id}"): lambda c, w, t: _denied(
        c.get(f"https://127.0.0.1/3/footprints/{_pf_id(c, w)}", headers=_pact_bearer(c))
    ),
    ("POST", "/3/events"): lambda c, w, t: _own_only(
        c.post(
            "https://127.0.0.1/3/events",
            headers=_pact_bearer(c),
            json={
                "specversion": "1.0",
                "id": "e-1",
                "source": "https://x.test",
                "time": "2026-01-01T00:00:00Z",
                "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
                "data": {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]},
            },
        )
    ),
    # footprint requests and partner hosts are the organisation's own
    ("GET", "/pact/requests"): lambda c, w, t: _no_maker(c.get("/pact/requests"), w),
    ("POST", "/pact/requests/{req_id}/fulfil"): lambda c, w, t: _denied(
        c.post(
            f"/pact/requests/{_maker_request(c)}/fulfil",
            data={"publication": w.private_pub, "csrf_token": t},
        )
    ),
    ("POST", "/pact/requests/{req_id}/reject"): lambda c, w, t: _denied(
        c.post(f"/pact/requests/{_maker_request(c)}/reject", data={"reason": "x", "csrf_token": t})
    ),
    ("POST", "/pact/partners"): lambda c, w, t: _own_only(
        c.post(
            "/pact/partners",
            data={
                "partner": "lab",
                "base_url": "https://pact.lab.test",
                "client_id": "r",
                "client_secret": "s",
                "csrf_token": t,
            },
        )
    ),
    # the maker registered "gov"; "rival" has no such registration to delete
    ("POST", "/pact/partners/{partner}/delete"): lambda c, w, t: _denied(
        c.post(f"/pact/partners/{_maker_partner(c)}/delete", data={"csrf_token": t})
    ),
}


def _store(c: TestClient) -> Any:
    return c.app.state.tz.store  # type: ignore[attr-defined]


def _pact_bearer(c: TestClient) -> dict[str, str]:
    """A platform access token of a client of "rival" (fresh client each call)."""
    from tanzuji.services.admin import add_api_client
    from tanzuji.services.context import Actor
    from tanzuji.store import UnitOfWork

    cl = add_api_client(
        UnitOfWork(_store(c)), Actor(user="setup", org="rival"), org="rival", name="pact"
    )
    r = c.post(
        "https://127.0.0.1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(cl["client_id"], cl["client_secret"]),
    )
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _pf_id(c: TestClient, w: World) -> str:
    host = c.app.state.pact_host  # type: ignore[attr-defined]
    return next(x.footprint["id"] for x in host.listed() if x.publication == w.private_pub)


def _maker_request(c: TestClient) -> str:
    """A footprint request addressed to "maker" (asked by "gov")."""
    import datetime as dt

    from tanzuji.pact.host import ReceivedEvent
    from tanzuji.services.pact_requests import record_request
    from tanzuji.store import UnitOfWork
    from tanzuji.store.pact_models import PactRequest

    host = c.app.state.pact_host  # type: ignore[attr-defined]
    product = "urn:pact:meter.example.cn:product-id:DDZY-X1"
    event = ReceivedEvent("gov", "x", "q-1", {"productId": [product]}, dt.datetime.now(dt.UTC))
    record_request(UnitOfWork(_store(c)), event, host.listed())
    with UnitOfWork(_store(c), write=False) as uow:
        maker = uow.orgs.require("maker")
        return str(
            uow.session.query(PactRequest.id)
            .filter(PactRequest.owner_org_id == maker.id)
            .first()[0]
        )


def _maker_partner(c: TestClient) -> str:
    from tanzuji.services.context import Actor
    from tanzuji.services.pact_partners import add_partner
    from tanzuji.store import UnitOfWork

    add_partner(
        UnitOfWork(_store(c)),
        Actor(user="admin@maker.example", org="maker"),
        "gov",
        base_url="https://pact.gov.test",
        client_id="m",
        client_secret="s",
    )
    return "gov"


def _walk(routes: Any, prefix: str, found: set[tuple[str, str]]) -> None:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:  # FastAPI's included router: walk its routes with its prefix
            context = getattr(route, "include_context", None)
            _walk(inner.routes, prefix + getattr(context, "prefix", ""), found)
        elif isinstance(route, Mount):
            found.add(("GET", prefix + route.path))
        elif isinstance(route, APIRoute) or getattr(route, "methods", None):
            for m in route.methods or ():
                if m != "HEAD":
                    found.add((m, prefix + route.path))
        else:
            raise AssertionError(f"unknown kind of route: {route!r}")


def app_routes(app: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    _walk(app.routes, "", found)
    return found


def test_web_every_route_is_walked_as_another_tenant(walk: tuple[TestClient, World]) -> None:
    client, world = walk
    routes = app_routes(client.app)
    uncovered = sorted(routes - CASES.keys())
    assert not uncovered, f"routes without a tenant-isolation case: {uncovered}"
    stale = sorted(CASES.keys() - routes)
    assert not stale, f"cases for routes that no longer exist: {stale}"
    token = _login(client, "admin@rival.example")
    for key in sorted(CASES):
        CASES[key](client, world, token)
    # and the maker's objects are unchanged: still one revision, shared only with the lab
    _login(client, "ed@maker.example")
    view = client.get(f"/api/revisions/{world.rev}").json()
    assert view["revision"]["id"] == world.rev
    products = client.get("/api/products").json()
    assert sum(s["revisions"] for p in products for s in p["studies"]) == 1


def test_web_the_shared_institute_reads_but_a_third_party_does_not(
    walk: tuple[TestClient, World],
) -> None:
    client, world = walk
    _login(client, "eva@lab.example")
    assert client.get(f"/revisions/{world.rev}").status_code == 200
    assert client.get(f"/api/history/{world.study}").status_code == 404  # only the revision
    _login(client, "eva@rival.example")
    assert client.get(f"/revisions/{world.rev}").status_code == 404
    assert client.get(f"/revisions/{world.rev}/issue").status_code == 404
    assert client.get(f"/api/reports/{world.report}/zh.pdf").status_code == 404
    # the named customer sees the privately shared footprint; it has no public page
    _login(client, "auth@gov.example")
    page = client.get(f"/footprints/{world.private_pub}")
    assert page.status_code == 200 and world.report in page.text
    assert client.get(f"/p/{world.private_pub}").status_code == 404
