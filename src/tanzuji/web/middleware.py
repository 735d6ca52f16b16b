"""One ASGI middleware: language, CSRF cookie and security headers on every response."""

from __future__ import annotations

import json
from html import escape
from http.cookies import SimpleCookie
from typing import Any

from fastapi import HTTPException

from tanzuji.i18n import Lang, tr, use_lang
from tanzuji.web.negotiate import answer_kind, headers_of
from tanzuji.web.security import new_cookie_value

__all__ = ["CSP", "CSRF_COOKIE", "LANG_COOKIE", "SESSION_COOKIE", "WebMiddleware"]

SESSION_COOKIE = "tzj_session"
CSRF_COOKIE = "tzj_csrf"
LANG_COOKIE = "tzj_lang"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000")


def _cookies(scope: dict[str, Any]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is ignored, not fatal
                continue
    return {k: m.value for k, m in jar.items()}


async def _to_https(scope: dict[str, Any], send: Any) -> None:
    """Redirect a plain-HTTP request to the same URL over HTTPS (behind a trusted proxy)."""
    host = "localhost"
    for name, value in scope.get("headers", []):
        if name == b"host":
            host = value.decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    url = f"https://{host}{scope.get('raw_path', b'').decode('latin-1') or scope['path']}"
    if query and "?" not in url:
        url += "?" + query
    await send(
        {
            "type": "http.response.start",
            "status": 308,
            "headers": [(b"location", url.encode("latin-1")), *_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def _too_large_text() -> str:
    return tr("上传的内容过大", "the upload is too large")


class BodyTooLarge(HTTPException):
    """A request body that grew (or was declared) past the limit (413)."""

    def __init__(self) -> None:
        super().__init__(413, detail=_too_large_text())


def _limited(receive: Any, limit: int) -> Any:
    """``receive`` that stops a streamed body at ``limit`` bytes (before it is parsed)."""
    seen = 0

    async def wrapped() -> dict[str, Any]:
        nonlocal seen
        message: dict[str, Any] = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return wrapped


def _refusing(receive: Any) -> Any:
    """``receive`` that refuses the body at its first part (a declared length too large):
    the route's form reading raises :class:`BodyTooLarge`, which the handlers answer."""

    async def wrapped() -> dict[str, Any]:
        message: dict[str, Any] = await receive()
        if message["type"] == "http.request":
            raise BodyTooLarge
        return message

    return wrapped


async def _too_large(send: Any, htmx: bool = False) -> None:
    """413 before the body is read: JSON, or for htmx the error fragment (as the handlers'
    ``_errors.html``), in the language in force."""
    text = _too_large_text()
    item = {"message": text, "text": text}
    body = json.dumps({"errors": [item]}, ensure_ascii=False).encode()
    ctype = b"application/json"
    if htmx:
        title = escape(tr("无法完成此操作", "This could not be done"))
        text = escape(text)
        body = (
            f'<div class="errors" id="errors" role="alert"><h2>{title}</h2><table><tbody>'
            f'<tr class="error-row"><td class="message">{text}</td></tr></tbody></table></div>'
        ).encode()
        ctype = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", ctype), *_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _kind(scope: dict[str, Any]) -> str:
    """Who reads the answer (``htmx``, ``page``, ``json``; see :mod:`tanzuji.web.negotiate`)."""
    return answer_kind(scope.get("method", "GET"), scope.get("path", "/"), headers_of(scope))


class WebMiddleware:
    """Sets the language from the sticky cookie, gives each browser a CSRF cookie, and
    adds the security headers (HSTS when served over HTTPS)."""

    def __init__(
        self,
        app: Any,
        *,
        secure_cookies: bool = False,
        require_https: bool = False,
        max_body: int = 40 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.secure_cookies = secure_cookies
        self.require_https = require_https
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.require_https and scope.get("scheme") != "https" and scope["path"] != "/healthz":
            await _to_https(scope, send)
            return
        cookies = _cookies(scope)
        lang = Lang.en if cookies.get(LANG_COOKIE) == "en" else Lang.zh
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            kind = _kind(scope)
            if kind != "page" or scope.get("method") in ("GET", "HEAD"):
                with use_lang(lang):
                    await _too_large(send, kind == "htmx")
                return
            receive = _refusing(receive)  # a browser's own form: the error page says it
        receive = _limited(receive, self.max_body)
        state = scope.setdefault("state", {})
        state["cookies"] = cookies
        csrf = cookies.get(CSRF_COOKIE)
        new_csrf = None
        if not csrf or len(csrf) > 128:
            csrf = new_csrf = new_cookie_value()
        state["csrf_cookie"] = csrf
        https = scope.get("scheme") == "https"
        secure = self.secure_cookies or https

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() not in {k for k, _ in _HEADERS}
                ]
                headers += _HEADERS
                if https:
                    headers.append(_HSTS)
                if new_csrf is not None:
                    attrs = "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")
                    headers.append((b"set-cookie", f"{CSRF_COOKIE}={new_csrf}{attrs}".encode()))
                message["headers"] = headers
            await send(message)

        started = False

        async def send_tracking(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_wrapper(message)

        with use_lang(lang):
            try:
                await self.app(scope, receive, send_tracking)
            except BodyTooLarge:
                if not started:
                    await _too_large(send, _kind(scope) == "htmx")
