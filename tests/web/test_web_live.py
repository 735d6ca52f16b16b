"""The API over a real uvicorn server on 127.0.0.1 (httpx), and HTTPS behind a proxy."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from tanzuji.web.app import create_app
from tanzuji.web.settings import WebSettings

from .conftest import EXAMPLES, SECRET, LiveServer, MemoryAccounts


def test_web_live_server_token_and_evaluate(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=60) as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        r = c.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            auth=("maker-client", "s3cret-maker"),
        )
        assert r.status_code == 200, r.text
        auth = {"Authorization": "Bearer " + r.json()["access_token"]}
        study = EXAMPLES / "three-phase-meter" / "study.xlsx"
        r = c.post(
            "/api/evaluate", files={"file": ("study.xlsx", study.read_bytes())}, headers=auth
        )
        assert r.status_code == 200, r.text
        body = r.json()
        # Table A.8: the total is the sum of the stage values (formula (1) of the specification)
        stages = [s["value"] for s in body["stages"].values() if s is not None]
        assert abs(sum(stages) - body["total"]["value"]) < 1e-9 * body["total"]["value"]
        # the OpenAPI document lists the resources
        paths = c.get("/openapi.json").json()["paths"]
        assert "/api/evaluate" in paths and "/auth/token" in paths


def test_web_live_browser_form_flow(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=60) as c:
        page = c.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        r = c.post(
            "/login",
            data={"email": "ed@maker.example", "password": "pw-maker-1", "csrf_token": token[1]},
        )
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert "ed@maker.example" in c.get("/").text


def test_web_https_required_behind_a_proxy(accounts: MemoryAccounts) -> None:
    app = create_app(WebSettings(secret_key=SECRET, require_https=True), accounts)
    with TestClient(app, base_url="http://tanzuji.example") as c:
        r = c.get("/login?x=1", follow_redirects=False)
        assert r.status_code == 308
        assert r.headers["location"] == "https://tanzuji.example/login?x=1"
        assert c.get("/healthz").status_code == 200
    with TestClient(app, base_url="https://tanzuji.example") as c:
        r = c.get("/login")
        assert r.status_code == 200
        assert "max-age" in r.headers["strict-transport-security"]
        assert "Secure" in r.headers["set-cookie"]
