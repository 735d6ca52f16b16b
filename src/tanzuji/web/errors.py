"""JSON error bodies with the field path, like the CLI's one line per error."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tanzuji.errors import ConflictError, InputError, InputErrors, NotFoundError, TanzujiError
from tanzuji.i18n import tr
from tanzuji.web.deps import LoginRequired

__all__ = ["error_items", "install_handlers"]


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


def _loc_path(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in {"body", "query", "path", "form", "header", "cookie"}]
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text


def install_handlers(app: FastAPI) -> None:
    """Register the handlers: user errors → 422 (not found 404, conflict 409), validation
    → 422, HTTP errors → JSON."""

    @app.exception_handler(TanzujiError)
    async def _tanzuji(request: Request, exc: TanzujiError) -> Response:
        status = 422
        if isinstance(exc, NotFoundError):
            status = 404  # also for another organisation's objects: indistinguishable
        elif isinstance(exc, ConflictError):
            status = 409
        return JSONResponse({"errors": error_items(exc)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        items = [
            {"message": e.get("msg", ""), "path": _loc_path(tuple(e.get("loc", ())))}
            for e in exc.errors()
        ]
        for it in items:
            it["text"] = f"{it['path']}: {it['message']}" if it["path"] else it["message"]
        return JSONResponse({"errors": items}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else tr("请求被拒绝", "refused")
        if isinstance(exc.detail, dict):  # OAuth2 error bodies pass through as they are
            return JSONResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
        return JSONResponse(
            {"errors": [{"message": detail, "text": detail}]},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)
