"""Error answers, by who reads them (:func:`tanzuji.web.negotiate.answer_kind`): programs
get JSON bodies with the field path (like the CLI's one line per error); htmx the HTML
error fragment the pages swap into the form's target; a whole-page browser request the
HTML error page (the site's layout, the errors, a link back). An exception nothing else
handles is logged with its traceback under a short random incident id, the only thing of
it a user is told."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from tanzuji.errors import ConflictError, InputError, InputErrors, NotFoundError, TanzujiError
from tanzuji.i18n import tr
from tanzuji.web.deps import LoginRequired, render
from tanzuji.web.negotiate import AnswerKind, answer_kind
from tanzuji.web.validation import validation_item

__all__ = [
    "ServerErrors",
    "back_link",
    "error_items",
    "install_handlers",
    "is_htmx",
    "kind_of",
    "unhandled_response",
]

log = logging.getLogger(__name__)


def _item(e: InputError) -> dict[str, Any]:
    loc = e.location
    out: dict[str, Any] = {"message": e.message, "text": str(e)}
    for key in ("file", "sheet", "row", "column", "path"):
        value = getattr(loc, key)
        if value is not None:
            out[key] = value
    return out


def error_items(exc: TanzujiError) -> list[dict[str, Any]]:
    """The errors of an exception as dicts (message, text, file, sheet, row, column, path)."""
    if isinstance(exc, InputErrors):
        return [_item(e) for e in exc.errors]
    if isinstance(exc, InputError):
        return [_item(exc)]
    return [{"message": str(exc), "text": str(exc)}]


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (its answer is swapped into the page)."""
    return request.headers.get("hx-request") == "true"


def kind_of(request: Request) -> AnswerKind:
    """Who reads the answer to ``request``: ``htmx``, ``page`` or ``json``."""
    return answer_kind(request.method, request.url.path, request.headers)


def _refused() -> str:
    return tr("无法完成此操作", "This could not be done")


def back_link(request: Request) -> str:
    """Where an error page links back to: the ``Referer`` when it is an address of this
    site (same host and port; its path and query only, so the link never leaves the site),
    else the home page. A page that failed on a link to itself goes home too."""
    referer = request.headers.get("referer", "")
    host = request.headers.get("host", "").lower()
    try:
        parts = urlsplit(referer)
    except ValueError:
        return "/"
    if parts.scheme not in ("http", "https") or not host or parts.netloc.lower() != host:
        return "/"
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    target = f"{path}?{parts.query}" if parts.query else path
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/" if request.method in ("GET", "HEAD") and target == here else target


def _fragment(
    request: Request,
    errors: list[dict[str, Any]],
    status: int,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error fragment (``_errors.html``) with the error's status code."""
    response = render(request, "_errors.html", {"errors": errors, "title": title}, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _page(
    request: Request,
    errors: list[dict[str, Any]],
    status: int,
    *,
    input_errors: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error page (``error.html``: base layout, ``_errors.html``, a link back)."""
    heading = tr("服务器出错", "Server error") if status >= 500 else _refused()
    title = None if input_errors else tr("出了什么问题", "What went wrong")
    back = back_link(request)
    context = {"errors": errors, "title": title, "heading": heading, "back": back}
    response = render(request, "error.html", {**context, "lang_back": back}, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _answer(
    request: Request,
    status: int,
    shown: list[dict[str, Any]],
    body: dict[str, Any],
    *,
    input_errors: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``shown`` as the fragment (htmx) or the error page (a browser), else ``body`` as
    JSON — each with ``status``."""
    kind = kind_of(request)
    if kind == "htmx":
        title = None if input_errors else _refused()
        return _fragment(request, shown, status, title=title, headers=headers)
    if kind == "page":
        return _page(request, shown, status, input_errors=input_errors, headers=headers)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}) or None)


#: The texts of errors raised with the standard reason phrase only (an unknown address,
#: a method not allowed, a body too large …), by status code.
_STATUS_TEXTS: dict[int, tuple[str, str]] = {
    400: ("请求无效", "the request is not valid"),
    401: ("需要登录", "sign-in is required"),
    403: ("您无权执行此操作", "you may not do this"),
    404: ("没有找到所请求的内容", "not found"),
    405: ("不支持此请求方式", "this request method is not allowed here"),
    413: ("上传的内容过大", "the upload is too large"),
    429: ("请求过于频繁，请稍后再试", "too many requests; try again later"),
    503: ("服务暂时不可用", "the service is not available"),
}


def _http_text(exc: StarletteHTTPException) -> str:
    """The detail of an HTTP error in the user's language (our own details are worded with
    ``tr()`` where they are raised; the standard phrases are translated here)."""
    detail = exc.detail if isinstance(exc.detail, str) else ""
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = ""
    if not detail or detail == phrase:
        return tr(*_STATUS_TEXTS.get(exc.status_code, ("请求被拒绝", "refused")))
    return detail


def install_handlers(app: FastAPI) -> None:
    """Register the handlers: user errors → 422 (not found 404, conflict 409), validation
    → 422, HTTP errors with their status — JSON, the fragment (htmx) or the error page (a
    browser); sign-in → the login page. Unhandled exceptions: :class:`ServerErrors`."""

    @app.exception_handler(TanzujiError)
    async def _tanzuji(request: Request, exc: TanzujiError) -> Response:
        status = 422
        if isinstance(exc, NotFoundError):
            status = 404  # also for another organisation's objects: indistinguishable
        elif isinstance(exc, ConflictError):
            status = 409
        items = error_items(exc)
        is_input = isinstance(exc, InputError | InputErrors)
        return _answer(request, status, items, {"errors": items}, input_errors=is_input)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        items = [validation_item(e) for e in exc.errors()]
        # a page names the field by its label, never by its key
        shown = [{"path": it["label"], "message": it["message"]} for it in items]
        out = []
        for it in items:
            text = f"{it['path']}: {it['message']}" if it["path"] else it["message"]
            out.append({"message": it["message"], "path": it["path"], "text": text})
        return _answer(request, 422, shown, {"errors": out}, input_errors=True)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc.detail, dict):  # OAuth2 error bodies pass through as they are
            return JSONResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
        text = _http_text(exc)
        detail = exc.detail if isinstance(exc.detail, str) else tr("请求被拒绝", "refused")
        body = {"errors": [{"message": detail, "text": detail}]}
        shown = [{"message": text, "text": text}]
        return _answer(request, exc.status_code, shown, body, headers=exc.headers)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if is_htmx(request):  # the whole page goes to sign-in, not a login form in a div
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)


def unhandled_response(request: Request, exc: BaseException) -> Response:
    """The answer to an exception nothing handled (500): logged with its traceback under a
    new incident id; the user reads a generic message naming that id, never the exception.
    The id also goes in the ``X-Incident-Id`` header (app.js shows it for htmx)."""
    incident = secrets.token_hex(4)
    log.error(
        "unhandled error, incident %s: %s %s",
        incident,
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    text = tr(
        f"服务器出错，操作未完成（事件编号 {incident}）。请稍后重试；如果问题持续，"
        "请联系管理员并告知此编号。",
        f"The server ran into a problem and the action was not completed (incident "
        f"{incident}). Please try again later; if it keeps happening, tell your "
        "administrator this number.",
    )
    errors = [{"message": text, "text": text}]
    headers = {"X-Incident-Id": incident}
    try:
        return _answer(request, 500, errors, {"errors": errors}, headers=headers)
    except Exception:  # the page itself failed (a template, the state): plain text
        log.exception("incident %s: the error page could not be drawn", incident)
        return PlainTextResponse(text, status_code=500, headers=headers)


class ServerErrors:
    """ASGI middleware (inside :class:`~tanzuji.web.middleware.WebMiddleware`, so the
    answer has the session's language, the security headers and the CSRF cookie) that
    answers an exception nothing else handled with :func:`unhandled_response`. HTTP errors
    pass on; so does an exception after the answer began (it can no longer be changed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except StarletteHTTPException:
            raise
        except Exception as exc:
            if started:
                raise
            await unhandled_response(Request(scope, receive), exc)(scope, receive, send)
