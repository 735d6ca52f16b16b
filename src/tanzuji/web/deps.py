"""FastAPI dependencies: the app state, the acting principal, roles and CSRF."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from tanzuji.i18n import get_lang, tr
from tanzuji.web.accounts import Principal, Role
from tanzuji.web.middleware import SESSION_COOKIE
from tanzuji.web.state import AppState

__all__ = [
    "CurrentUser",
    "LoginRequired",
    "OptionalUser",
    "State",
    "csrf_guard",
    "get_state",
    "render",
    "require_roles",
]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# POST endpoints that use no cookie and change nothing a cookie could authorise
CSRF_EXEMPT = {"/auth/token", "/api/verify"}


class LoginRequired(Exception):
    """No valid session on a browser page: redirect to the sign-in page."""


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tz
    return state


async def _state(request: Request) -> AppState:
    # async (as are the other dependencies that do no I/O): FastAPI runs a plain ``def``
    # dependency in the thread pool, a hand-off that costs more than the work itself
    return get_state(request)


State = Annotated[AppState, Depends(_state)]


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _session_principal(state: AppState, cookie: str | None) -> Principal | None:
    """The principal of a browser session cookie that is valid and not signed out."""
    claims = state.tokens.read(cookie, kind="session") if cookie else None
    if claims is not None and state.accounts.session_valid(str(claims.get("jti"))):
        return state.accounts.principal(str(claims["sub"]))
    return None


async def optional_principal(request: Request, state: State) -> Principal | None:
    """The principal of a Bearer access token, else of the session cookie, else ``None``.

    Runs on the event loop; only what asks the store (a principal not read in the last
    seconds, whether a session was signed out) goes to the thread pool."""
    cached: Principal | bool | None = getattr(request.state, "principal", False)
    if cached is not False:
        return cached if isinstance(cached, Principal) else None
    principal = None
    token = _bearer(request)
    if token is not None:
        claims = state.tokens.read(token, kind="access")
        if claims is None:
            raise HTTPException(
                401,
                detail=tr("访问令牌无效或已过期", "invalid or expired access token"),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        subject = str(claims["sub"])
        known, principal = state.accounts.remembered(subject)
        if not known:
            principal = await run_in_threadpool(state.accounts.principal, subject)
    else:
        cookie = request.state.cookies.get(SESSION_COOKIE)
        if cookie:
            principal = await run_in_threadpool(_session_principal, state, cookie)
    request.state.principal = principal
    return principal


OptionalUser = Annotated[Principal | None, Depends(optional_principal)]


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/auth/", "/3/"))


async def current_principal(request: Request, principal: OptionalUser) -> Principal:
    """The signed-in principal; pages redirect to sign-in, the API answers 401."""
    if principal is None:
        if _is_page(request) and _bearer(request) is None:
            raise LoginRequired()
        raise HTTPException(
            401,
            detail=tr("需要登录或访问令牌", "sign-in or an access token is required"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting only principals with one of ``roles``."""

    async def check(principal: CurrentUser) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                403, detail=tr("您的角色无权执行此操作", "your role may not do this")
            )
        return principal

    return check


async def csrf_guard(request: Request, state: State) -> None:
    """Every unsafe request authenticated by cookie carries the CSRF token (form or header)."""
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    if request.url.path in CSRF_EXEMPT:
        return
    token = request.headers.get("x-csrf-token")
    if token is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form()
            value = form.get("csrf_token")
            token = value if isinstance(value, str) else None
    if not state.csrf.check(request.state.csrf_cookie, token):
        raise HTTPException(
            403, detail=tr("表单已过期，请刷新页面后重试", "the form expired; reload the page")
        )


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a template with the language, the CSRF token and the principal."""
    state = get_state(request)
    principal = getattr(request.state, "principal", None) or None
    ctx = {
        "request": request,
        "tr": tr,
        "lang": str(get_lang()),
        "csrf_token": state.csrf.token_for(request.state.csrf_cookie),
        "user": principal,
        **(context or {}),
    }
    html = state.templates.get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status_code)
