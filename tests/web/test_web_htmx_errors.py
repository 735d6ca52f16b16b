"""Errors of htmx requests: the HTML error fragment (swapped into the form's target) in the
session's language, the field by its label; API clients keep their JSON bodies."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tanzuji.i18n import use_lang

from .conftest import EXAMPLES, csrf_of
from .storekit import login

HX = {"HX-Request": "true"}
HX_OFF = {"HX-Request": "false"}
STUDY = (EXAMPLES / "single-phase-meter" / "study.yaml").read_bytes()


def _save(c: TestClient, token: str, message: str, htmx: bool) -> Any:
    return c.post(
        "/studies",
        files={"file": ("s.yaml", STUDY)},
        data={"message": message},
        headers={"X-CSRF-Token": token, **(HX if htmx else {})},
    )


def _fragment(r: Any) -> str:
    assert r.headers["content-type"].startswith("text/html"), r.text
    assert 'id="errors"' in r.text and 'role="alert"' in r.text
    return str(r.text)


@pytest.mark.parametrize(
    ("lang", "label", "expected"),
    [
        ("zh", "修订说明", "最多 2000 个字符（提交了 2001 个）"),
        ("en", "Revision message", "at most 2000 characters (2001 given)"),
    ],
)
def test_htmx_validation_error_is_the_fragment_in_the_session_language(
    c: TestClient, lang: str, label: str, expected: str
) -> None:
    token = login(c, "ed@maker.example", lang)
    r = _save(c, token, "x" * 2001, htmx=True)
    assert r.status_code == 422
    html = _fragment(r)
    assert f'<td class="path">{label}</td>' in html
    assert expected in html
    assert "body.message" not in html and "String should" not in html
    assert ("输入有误" in html) is (lang == "zh")
    assert ("Problems in the input" in html) is (lang == "en")


def test_api_validation_error_keeps_its_json(c: TestClient) -> None:
    token = login(c, "ed@maker.example")
    r = _save(c, token, "x" * 2001, htmx=False)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/json"
    (e,) = r.json()["errors"]
    assert set(e) == {"message", "path", "text"}
    assert e["path"] == "message"
    assert e["message"] == "最多 2000 个字符（提交了 2001 个）"
    assert e["text"] == "message: 最多 2000 个字符（提交了 2001 个）"


def test_htmx_role_refusal_is_the_fragment(c: TestClient) -> None:
    token = login(c, "view@maker.example")
    r = _save(c, token, "note", htmx=True)
    assert r.status_code == 403
    html = _fragment(r)
    assert "您的角色无权执行此操作" in html and "无法完成此操作" in html
    token = login(c, "view@maker.example", "en")
    r = _save(c, token, "note", htmx=True)
    assert r.status_code == 403 and "your role may not do this" in _fragment(r)
    # an API client still reads JSON
    r = _save(c, token, "note", htmx=False)
    assert r.status_code == 403
    assert r.json() == {
        "errors": [{"message": "your role may not do this", "text": "your role may not do this"}]
    }


def test_htmx_error_raised_outside_the_route_is_the_fragment(c: TestClient) -> None:
    """A TanzujiError the route does not catch (an unknown revision: 404), a form value
    off its pattern, an unknown address: each says so where the form shows its outcome."""
    token = login(c, "ed@maker.example")
    h = {"X-CSRF-Token": token, **HX}
    r = c.post(f"/revisions/{'0' * 64}/evaluate", data={"method": "full"}, headers=h)
    assert r.status_code == 404 and "无法完成此操作" in _fragment(r)
    r = c.post(f"/revisions/{'0' * 64}/evaluate", data={"method": "jjf"}, headers=h)
    assert r.status_code == 422
    html = _fragment(r)
    assert "评价方法" in html and "应为以下之一：full、mc" in html and "pattern" not in html
    r = c.get("/no/such/page", headers=h)
    assert r.status_code == 404 and "没有找到所请求的内容" in _fragment(r)
    assert "Not Found" not in r.text
    # without htmx: JSON, as before
    r = c.post(f"/revisions/{'0' * 64}/evaluate", data={"method": "full"}, headers=h | HX_OFF)
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"


def test_login_required_during_htmx_sends_the_browser_to_sign_in(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)  # a CSRF cookie, no session
    r = client.post(
        "/upload",
        files={"file": ("s.yaml", STUDY)},
        headers={"X-CSRF-Token": token, **HX},
        follow_redirects=False,
    )
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == "/login"
    assert r.text == ""  # no login page to swap into a div
    r = client.get("/jobs/x", headers=HX, follow_redirects=False)
    assert r.status_code == 401 and r.headers["HX-Redirect"] == "/login"
    # a page load (no htmx) is redirected as before
    r = client.get("/jobs/x", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_body_too_large_before_reading_is_the_fragment_for_htmx() -> None:
    from tanzuji.web.middleware import WebMiddleware

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the body is refused before the application")

    async def run(headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "path": "/upload", "headers": headers}
        await WebMiddleware(app, max_body=100)(scope, None, send)
        return sent

    big = [(b"content-length", b"1000")]
    start, body = asyncio.run(run([*big, (b"hx-request", b"true"), (b"cookie", b"tzj_lang=en")]))
    assert start["status"] == 413
    assert dict(start["headers"])[b"content-type"].startswith(b"text/html")
    assert b'id="errors"' in body["body"] and b"the upload is too large" in body["body"]
    start, body = asyncio.run(run(big))
    assert dict(start["headers"])[b"content-type"] == b"application/json"
    assert json.loads(body["body"])["errors"][0]["message"] == "上传的内容过大"  # zh: the default


def test_pages_configure_htmx_and_the_status_area(client: TestClient) -> None:
    for lang, text in (("zh", "服务器出错"), ("en", "The server ran into a problem")):
        if lang == "en":
            token = csrf_of(client.get("/login").text)
            client.post("/lang", data={"lang": "en", "back": "/", "csrf_token": token})
        html = client.get("/login").text
        meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
        assert meta
        config = json.loads(meta.group(1))
        assert config["allowEval"] is False and config["allowScriptTags"] is False
        rules = config["responseHandling"]
        assert rules[0] == {"code": "204", "swap": False}
        assert {"code": "4..", "swap": True, "error": True} in rules
        assert {"code": "5..", "swap": False, "error": True} in rules
        status = re.search(r'<div id="request-status"[^>]*>', html)
        assert status and 'aria-live="polite"' in status.group(0)
        assert text in status.group(0)
        assert '<script src="/static/app.js" defer></script>' in html
        assert "<script>" not in html  # no inline script (CSP: script-src 'self')
    js = client.get("/static/app.js")
    assert js.status_code == 200
    assert "htmx:responseError" in js.text and "eval(" not in js.text


ERRORS: list[dict[str, Any]] = [
    {"type": "missing", "loc": ("body", "file")},
    {"type": "string_too_long", "loc": ("body", "comment"), "ctx": {"max_length": 2000}},
    {"type": "string_too_short", "loc": ("body", "reason"), "ctx": {"min_length": 1}},
    {"type": "string_too_short", "loc": ("body", "reason"), "ctx": {"min_length": 3}},
    {"type": "string_pattern_mismatch", "loc": ("body", "lang"), "ctx": {"pattern": "^(zh|en)$"}},
    {"type": "string_pattern_mismatch", "loc": ("body", "x"), "ctx": {"pattern": "^[a-z]+$"}},
    {"type": "int_parsing", "loc": ("body", "seed")},
    {"type": "int_type", "loc": ("body", "seed")},
    {"type": "float_parsing", "loc": ("body", "x")},
    {"type": "greater_than", "loc": ("query", "limit"), "ctx": {"gt": 0}},
    {"type": "greater_than_equal", "loc": ("body", "trials"), "ctx": {"ge": 1000}},
    {"type": "less_than", "loc": ("body", "x"), "ctx": {"lt": 2.5}},
    {"type": "less_than_equal", "loc": ("body", "seed"), "ctx": {"le": 2**31 - 1}},
    {"type": "literal_error", "loc": ("body", "x"), "ctx": {"expected": "'a' or 'b'"}},
    {"type": "enum", "loc": ("body", "uncertainty"), "ctx": {"expected": "'jjf' or 'full'"}},
    {"type": "bool_parsing", "loc": ("body", "x")},
    {"type": "json_invalid", "loc": ("body", 12), "ctx": {"error": "Expecting value"}},
    {"type": "too_long", "loc": ("body", "to"), "ctx": {"max_length": 50}},
    {"type": "too_short", "loc": ("body", "to"), "ctx": {"min_length": 1}},
    {"type": "value_error", "loc": ("body", "file"), "msg": "Value error, Expected UploadFile"},
    {"type": "uuid_parsing", "loc": ("path", "id")},
    {"type": "date_parsing", "loc": ("query", "since")},
    {"type": "datetime_parsing", "loc": ("query", "since")},
    {"type": "something_new", "loc": ("header", "x"), "msg": "Some English"},
]
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("err", ERRORS, ids=lambda e: str(e["type"]))
def test_every_validation_error_is_said_in_the_language_in_force(err: dict[str, Any]) -> None:
    from tanzuji.web.validation import error_text, field_label

    zh = error_text(err), field_label(err["loc"])
    with use_lang("en"):
        en = error_text(err), field_label(err["loc"])
    for text in zh:
        assert CJK.search(text), text  # never pydantic's English in a Chinese session
        assert "body" not in text and "Value error" not in text
    for text in en:
        assert not CJK.search(text), text
        assert "Value error" not in text and "Some English" not in text
    for bound in ("2000", "1000", "2147483647", "50", "2.5", "3"):
        if bound in json.dumps(err.get("ctx", {}), default=str):
            assert bound in zh[0] and bound in en[0]


def test_validation_texts_name_the_choices_and_keep_our_own_words() -> None:
    from tanzuji.web.validation import error_text, field_label

    lang = {"type": "string_pattern_mismatch", "ctx": {"pattern": "^(zh|en)$"}}
    assert error_text(lang) == "应为以下之一：zh、en"
    with use_lang("en"):
        assert error_text(lang) == "expected one of zh, en"
        assert error_text({"type": "enum", "ctx": {"expected": "'jjf' or 'full'"}}) == (
            "expected one of jjf, full"
        )
        assert error_text({"type": "value_error", "msg": "Value error, too early"}) == ("too early")
    assert error_text({"type": "value_error", "msg": "Value error, 日期太早"}) == "日期太早"
    assert field_label(("body", "message")) == "修订说明"
    assert field_label(("body", "activities", 0, "quantity")) == "表单中的一项"
