"""Error answers: JSON bodies with the field path (like the CLI's one line per error) for API
clients; for htmx requests the HTML error fragment the pages swap into the form's target."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tanzuji.errors import ConflictError, InputError, InputErrors, NotFoundError, TanzujiError
from tanzuji.i18n import tr
from tanzuji.web.deps import LoginRequired, render
from tanzuji.web.validation import validation_item

__all__ = ["error_items", "install_handlers", "is_htmx"]


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


def _refused() -> str:
    return tr("无法完成此操作", "This could not be done")


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
    if not detail or detail == phrase or detail == "request body too large":
        return tr(*_STATUS_TEXTS.get(exc.status_code, ("请求被拒绝", "refused")))
    return detail


def install_handlers(app: FastAPI) -> None:
    """Register the handlers: user errors → 422 (not found 404, conflict 409), validation
    → 422, HTTP errors → JSON, or the HTML fragment for htmx; sign-in → the login page."""

    @app.exception_handler(TanzujiError)
    async def _tanzuji(request: Request, exc: TanzujiError) -> Response:
        status = 422
        if isinstance(exc, NotFoundError):
            status = 404  # also for another organisation's objects: indistinguishable
        elif isinstance(exc, ConflictError):
            status = 409
        if is_htmx(request):
            title = None if isinstance(exc, InputError | InputErrors) else _refused()
            return _fragment(request, error_items(exc), status, title=title)
        return JSONResponse({"errors": error_items(exc)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        items = [validation_item(e) for e in exc.errors()]
        if is_htmx(request):  # the field by its label, never by its key
            shown = [{"path": it["label"], "message": it["message"]} for it in items]
            return _fragment(request, shown, 422)
        out = []
        for it in items:
            text = f"{it['path']}: {it['message']}" if it["path"] else it["message"]
            out.append({"message": it["message"], "path": it["path"], "text": text})
        return JSONResponse({"errors": out}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc.detail, dict):  # OAuth2 error bodies pass through as they are
            return JSONResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
        if is_htmx(request):
            text = _http_text(exc)
            errors = [{"message": text, "text": text}]
            return _fragment(
                request, errors, exc.status_code, title=_refused(), headers=exc.headers
            )
        detail = exc.detail if isinstance(exc.detail, str) else tr("请求被拒绝", "refused")
        return JSONResponse(
            {"errors": [{"message": detail, "text": detail}]},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if is_htmx(request):  # the whole page goes to sign-in, not a login form in a div
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)
