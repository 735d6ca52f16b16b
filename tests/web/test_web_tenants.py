"""Tenant isolation: every route of the application, walked as a user of another organisation.

The test enumerates ``app.routes`` and fails on any route (method and path) that the table
below does not cover, so a new route cannot be added without deciding how it is isolated.
Each case is called as ``eva@lab.example`` (organisation "lab") against objects that belong
to organisation "maker", and must neither read nor change them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from .conftest import EXAMPLES, sign_in


@dataclass
class World:
    """Objects of organisation "maker" that the other organisation must not reach."""

    maker_job: str
    study_yaml: bytes


def _setup(client: TestClient) -> World:
    token = sign_in(client, "ed@maker.example", "pw-maker-1")
    study = (EXAMPLES / "single-phase-meter" / "study.yaml").read_bytes()
    r = client.post(
        "/api/evaluate/monte-carlo",
        files={"file": ("study.yaml", study)},
        data={"trials": "1000", "seed": "1"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 202
    job = r.json()["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/jobs/{job}").json()["state"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    client.post("/logout", data={"csrf_token": token})
    client.cookies.clear()
    return World(maker_job=job, study_yaml=study)


Case = Callable[[TestClient, World, str], None]


def _denied(r: Any) -> None:
    assert r.status_code in {401, 403, 404}, (r.request.url, r.status_code, r.text[:200])


def _public(r: Any) -> None:
    assert r.status_code < 500, (r.request.url, r.status_code)


def _own_only(r: Any) -> None:
    """A route without tenant data: it works for the other organisation on its own input."""
    assert r.status_code < 400, (r.request.url, r.status_code, r.text[:200])


CASES: dict[tuple[str, str], Case] = {
    # --- no tenant data: sign-in, language, tokens, public pages and documents
    ("GET", "/login"): lambda c, w, t: _public(c.get("/login")),
    ("POST", "/login"): lambda c, w, t: _public(
        c.post("/login", data={"email": "ed@maker.example", "password": "x", "csrf_token": t})
    ),
    ("POST", "/logout"): lambda c, w, t: None,  # walked last, by the fixture's sign-out
    ("POST", "/lang"): lambda c, w, t: _public(
        c.post("/lang", data={"lang": "zh", "csrf_token": t})
    ),
    ("POST", "/auth/token"): lambda c, w, t: _denied(
        c.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=("maker-client", "wrong")
        )
    ),
    ("GET", "/healthz"): lambda c, w, t: _public(c.get("/healthz")),
    ("GET", "/openapi.json"): lambda c, w, t: _public(c.get("/openapi.json")),
    ("GET", "/docs"): lambda c, w, t: _public(c.get("/docs")),
    ("GET", "/docs/oauth2-redirect"): lambda c, w, t: _public(c.get("/docs/oauth2-redirect")),
    ("GET", "/redoc"): lambda c, w, t: _public(c.get("/redoc")),
    ("GET", "/static"): lambda c, w, t: _public(c.get("/static/htmx.min.js")),
    ("GET", "/p/{pub_id}"): lambda c, w, t: _public(c.get("/p/pub-sample-1")),
    ("GET", "/p/{pub_id}/qr.svg"): lambda c, w, t: _public(c.get("/p/pub-sample-1/qr.svg")),
    ("GET", "/p/{pub_id}/label.{fmt}"): lambda c, w, t: _public(c.get("/p/pub-sample-1/label.svg")),
    ("GET", "/verify"): lambda c, w, t: _public(c.get("/verify")),
    ("POST", "/verify"): lambda c, w, t: _public(
        c.post("/verify", files={"file": ("x.pdf", b"%PDF-1.7")}, data={"csrf_token": t})
    ),
    ("POST", "/api/verify"): lambda c, w, t: _public(
        c.post("/api/verify", files={"file": ("x.pdf", b"%PDF-1.7")})
    ),
    # --- stateless evaluation and the shared factor libraries: own input only
    ("GET", "/"): lambda c, w, t: _own_only(c.get("/")),
    ("GET", "/upload"): lambda c, w, t: _own_only(c.get("/upload")),
    ("POST", "/upload"): lambda c, w, t: _own_only(
        c.post("/upload", files={"file": ("s.yaml", w.study_yaml)}, data={"csrf_token": t})
    ),
    ("POST", "/api/evaluate"): lambda c, w, t: _own_only(
        c.post(
            "/api/evaluate", files={"file": ("s.yaml", w.study_yaml)}, headers={"X-CSRF-Token": t}
        )
    ),
    ("POST", "/api/evaluate/monte-carlo"): lambda c, w, t: _own_only(
        c.post(
            "/api/evaluate/monte-carlo",
            files={"file": ("s.yaml", w.study_yaml)},
            data={"trials": "1000"},
            headers={"X-CSRF-Token": t},
        )
    ),
    ("GET", "/api/factors"): lambda c, w, t: _own_only(c.get("/api/factors")),
    ("GET", "/api/factors/{factor_id}"): lambda c, w, t: _public(
        c.get("/api/factors/no-such-factor")
    ),
    ("GET", "/factors"): lambda c, w, t: _own_only(c.get("/factors")),
    # --- objects of the other organisation
    ("GET", "/api/jobs/{job_id}"): lambda c, w, t: _denied(c.get(f"/api/jobs/{w.maker_job}")),
    ("GET", "/jobs/{job_id}"): lambda c, w, t: _denied(c.get(f"/jobs/{w.maker_job}")),
}


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


def _routes(app: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    _walk(app.routes, "", found)
    return found


def test_web_every_route_is_walked_as_another_tenant(client: TestClient) -> None:
    routes = _routes(client.app)
    uncovered = sorted(routes - CASES.keys())
    assert not uncovered, f"routes without a tenant-isolation case: {uncovered}"
    stale = sorted(CASES.keys() - routes)
    assert not stale, f"cases for routes that no longer exist: {stale}"
    world = _setup(client)
    token = sign_in(client, "eva@lab.example", "pw-lab-1")
    for key in sorted(CASES):
        CASES[key](client, world, token)
