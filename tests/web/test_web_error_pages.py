"""Errors of full-page browser requests: the HTML error page (base layout, the errors, a way
back) in the session's language with the status kept; API clients keep their JSON; an
unhandled exception is logged with an incident id that the user is told, nothing more."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from .conftest import EXAMPLES
from .storekit import StoreWorld, login, store_client

STUDY = (EXAMPLES / "single-phase-meter" / "study.yaml").read_bytes()
BASE = "http://127.0.0.1"
#: what a browser sends when it navigates (a link, a native form)
NAVIGATE = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CJK = re.compile(r"[\u3400-\u9fff]")


def _revision(c: TestClient, token: str) -> str:
    r = c.post("/api/studies", files={"file": ("s.yaml", STUDY)}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    return str(r.json()["revision"])


def _page(r: Any) -> str:
    """The text of an HTML error page (the whole layout, with the error table)."""
    assert r.headers["content-type"].startswith("text/html"), r.text
    html = str(r.text)
    assert html.lstrip().startswith("<!doctype html>") and 'id="errors"' in html
    assert 'href="/static/app.css"' in html  # base.html's layout
    return html


def _back(html: str) -> str:
    m = re.search(r'<a [^>]*id="error-back"[^>]*href="([^"]*)"', html)
    assert m, html
    return m.group(1)


@pytest.mark.parametrize(
    ("lang", "heading", "back_text"),
    [("zh", "无法完成此操作", "返回"), ("en", "This could not be done", "Back")],
)
def test_native_form_failure_is_an_html_page_in_the_session_language(
    c: TestClient, lang: str, heading: str, back_text: str
) -> None:
    token = login(c, "ed@maker.example", lang)
    rev = _revision(c, token)
    r = c.post(
        f"/revisions/{rev}/share",
        data={"to": "no-such-institute", "csrf_token": token},
        headers={"Accept": NAVIGATE, "Referer": f"{BASE}/revisions/{rev}?tab=x"},
        follow_redirects=False,
    )
    api = c.post(
        f"/api/revisions/{rev}/shares",
        data={"to": "no-such-institute"},
        headers={"X-CSRF-Token": token, "Accept": NAVIGATE},
    )
    assert api.headers["content-type"] == "application/json"  # the API: JSON, as before
    (error,) = api.json()["errors"]
    assert r.status_code == api.status_code == 404
    html = _page(r)
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    assert f"<h1>{heading}</h1>" in html and f"<title>{heading} · tanzuji</title>" in html
    assert str(escape(error["message"])) in html and "no-such-institute" in html
    assert bool(CJK.search(error["message"])) is (lang == "zh")
    assert _back(html) == f"/revisions/{rev}?tab=x"  # where the form was
    assert f">{back_text}" in html
    assert '{"errors"' not in html


def test_native_form_validation_error_is_a_page_with_the_field_label(c: TestClient) -> None:
    token = login(c, "ed@maker.example")
    r = c.post(
        "/lang",
        data={"lang": "fr", "back": "/", "csrf_token": token},
        headers={"Referer": "http://elsewhere.example/phish"},
    )
    assert r.status_code == 422
    html = _page(r)
    assert '<td class="path">语言</td>' in html and "应为以下之一：zh、en" in html
    assert "body.lang" not in html and "pattern" not in html
    assert _back(html) == "/"  # a foreign Referer is never linked: home instead
    # the same post by a script (the CSRF token in a header) reads JSON
    r = c.post("/lang", data={"lang": "fr", "back": "/"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    assert r.json()["errors"][0]["path"] == "lang"


def test_browser_navigation_to_a_missing_page_is_an_html_page(c: TestClient) -> None:
    login(c, "ed@maker.example", "en")
    r = c.get(f"/revisions/{'0' * 64}", headers={"Accept": NAVIGATE})
    assert r.status_code == 404
    html = _page(r)
    assert "ed@maker.example" in html  # the signed-in layout (navigation, who)
    assert _back(html) == "/"  # no Referer: home
    # the same address read without a preference for HTML, or under /api/: JSON
    r = c.get(f"/revisions/{'0' * 64}")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    r = c.get(f"/api/revisions/{'0' * 64}", headers={"Accept": NAVIGATE})
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    r = c.get("/no/such/page", headers={"Accept": NAVIGATE})
    assert r.status_code == 404 and "not found" in _page(r) and "Not Found" not in r.text
    # PACT and the token endpoint answer programs, whatever a browser asks for
    r = c.post(
        "/auth/token", data={"grant_type": "client_credentials"}, headers={"Accept": NAVIGATE}
    )
    assert r.status_code in {400, 401} and r.headers["content-type"] == "application/json"
    r = c.get("/3/footprints", headers={"Accept": NAVIGATE})
    assert r.status_code in {401, 403} and r.headers["content-type"] == "application/json"
    # a page that needs sign-in still sends the browser there
    c.cookies.clear()
    r = c.get("/upload", headers={"Accept": NAVIGATE}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def _broken_share(monkeypatch: pytest.MonkeyPatch) -> None:
    from tanzuji.services import sharing

    def share_revision(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom in /srv/secret/path.py")

    monkeypatch.setattr(sharing, "share_revision", share_revision)


def _incident(caplog: pytest.LogCaptureFixture) -> str:
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info and record.exc_info[0] is RuntimeError  # the traceback is logged
    m = re.search(r"incident ([0-9a-f]{8})", record.getMessage())
    assert m, record.getMessage()
    caplog.clear()
    return m.group(1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unhandled_error_names_an_incident_and_hides_the_exception(
    c: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, lang: str
) -> None:
    token = login(c, "ed@maker.example", lang)
    rev = _revision(c, token)
    _broken_share(monkeypatch)
    caplog.set_level(logging.ERROR)
    # an API client: JSON, the generic message with the incident id
    r = c.post(f"/api/revisions/{rev}/shares", data={"to": "lab"}, headers={"X-CSRF-Token": token})
    incident = _incident(caplog)
    assert r.status_code == 500 and r.headers["content-type"] == "application/json"
    (error,) = r.json()["errors"]
    assert set(error) == {"message", "text"} and incident in error["message"]
    assert bool(CJK.search(error["message"])) is (lang == "zh")
    assert r.headers["x-incident-id"] == incident
    # a browser's form: the error page; htmx: the fragment (the status area says it)
    r = c.post(
        f"/revisions/{rev}/share",
        data={"to": "lab", "csrf_token": token},
        headers={"Accept": NAVIGATE, "Referer": f"{BASE}/revisions/{rev}"},
    )
    incident = _incident(caplog)
    assert r.status_code == 500
    html = _page(r)
    assert incident in html and _back(html) == f"/revisions/{rev}"
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    r = c.post(
        f"/revisions/{rev}/share",
        data={"to": "lab"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    incident = _incident(caplog)
    assert r.status_code == 500 and r.headers["x-incident-id"] == incident
    assert 'id="errors"' in r.text and "<html" not in r.text
    for text in (html, r.text):
        assert "boom" not in text and "RuntimeError" not in text and "/srv/" not in text


def test_pages_carry_the_incident_wording_for_app_js(c: TestClient) -> None:
    html = c.get("/login").text
    status = re.search(r'<div id="request-status"[^>]*>', html)
    assert status and 'data-server-error-incident="服务器出错，操作未完成（事件编号 {id}）' in (
        status.group(0)
    )
    js = c.get("/static/app.js").text
    assert "X-Incident-Id" in js and "server-error-incident" in js


def test_body_too_large_for_a_native_form_is_the_error_page(world: StoreWorld) -> None:
    with store_client(world, max_upload_bytes=1024) as c:
        token = login(c, "ed@maker.example", "en")
        big = b"%PDF" + b"0" * (32 * 1024 * 1024)
        r = c.post(
            "/verify",
            files={"file": ("r.pdf", big)},
            data={"csrf_token": token},
            headers={"Accept": NAVIGATE},
        )
        assert r.status_code == 413
        assert "the upload is too large" in _page(r)


def test_body_too_large_json_is_worded_in_the_language_in_force() -> None:
    import asyncio
    import json

    from tanzuji.web.middleware import WebMiddleware

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the body is refused before the application")

    async def run(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/api/studies", "headers": headers}
        await WebMiddleware(app, max_body=100)(scope, None, send)
        assert sent[0]["status"] == 413
        return dict(json.loads(sent[1]["body"]))

    big = [(b"content-length", b"1000")]
    assert asyncio.run(run(big))["errors"][0]["message"] == "上传的内容过大"
    en = asyncio.run(run([*big, (b"cookie", b"tzj_lang=en")]))
    assert en["errors"][0] == {
        "message": "the upload is too large",
        "text": "the upload is too large",
    }
