"""Sign-in, sign-out, the language switch and the OAuth2 client-credentials token endpoint."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from tanzuji.i18n import tr
from tanzuji.web.deps import OptionalUser, State, render
from tanzuji.web.middleware import LANG_COOKIE, SESSION_COOKIE

router = APIRouter(tags=["auth"])


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def _secure(request: Request, state: State) -> bool:
    return state.settings.secure_cookies or request.url.scheme == "https"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, user: OptionalUser) -> Response:
    return render(request, "login.html", {"error": None, "email": ""})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    state: State,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    key = f"{_client_ip(request)}|{email.strip().lower()}"
    if not state.limiter.allowed(key):
        msg = tr("登录失败次数过多，请稍后再试", "too many failed sign-ins; try again later")
        return render(request, "login.html", {"error": msg, "email": email}, status_code=429)
    principal = state.accounts.authenticate(email.strip(), password)
    if principal is None:
        state.limiter.fail(key)
        msg = tr("电子邮箱或密码不正确", "wrong e-mail or password")
        return render(request, "login.html", {"error": msg, "email": email}, status_code=401)
    state.limiter.reset(key)
    token = state.tokens.issue(
        {"sub": principal.id}, kind="session", minutes=state.settings.session_minutes
    )
    claims = state.tokens.read(token, kind="session")
    assert claims is not None
    state.accounts.open_session(principal.id, str(claims["jti"]), int(claims["exp"]))
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=60 * state.settings.session_minutes,
        httponly=True,
        samesite="lax",
        secure=_secure(request, state),
        path="/",
    )
    return resp


@router.post("/logout", include_in_schema=False)
def logout(request: Request, state: State) -> Response:
    cookie = request.state.cookies.get(SESSION_COOKIE)
    claims = state.tokens.read(cookie, kind="session") if cookie else None
    if claims is not None:  # ended on the server too: a copied cookie no longer works
        state.accounts.close_session(str(claims["jti"]))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return resp


@router.post("/lang", include_in_schema=False)
def switch_language(
    request: Request,
    state: State,
    lang: Annotated[str, Form(pattern="^(zh|en)$")],
    back: Annotated[str, Form(max_length=512)] = "/",
) -> Response:
    # only a local path is followed back (no open redirect)
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request, state),
        path="/",
    )
    return resp


def _invalid_client() -> HTTPException:
    return HTTPException(
        401,
        detail={"error": "invalid_client", "error_description": "client authentication failed"},
        headers={"WWW-Authenticate": 'Basic realm="tanzuji"'},
    )


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    cid, sep, secret = raw.partition(":")
    if not sep:
        return None
    return unquote(cid), unquote(secret)


@router.post(
    "/auth/token",
    summary="OAuth2 client-credentials token (HTTP Basic client authentication)",
)
def token(
    request: Request,
    state: State,
    grant_type: Annotated[str, Form()],
) -> Response:
    """Exchange a machine client's id and secret (HTTP Basic) for a bearer access token."""
    if grant_type != "client_credentials":
        return JSONResponse(
            {"error": "unsupported_grant_type", "error_description": "use client_credentials"},
            status_code=400,
        )
    creds = _basic(request)
    if creds is None:
        raise _invalid_client()
    key = f"client|{_client_ip(request)}|{creds[0]}"
    if not state.limiter.allowed(key):
        return JSONResponse(
            {"error": "invalid_client", "error_description": "too many failed attempts"},
            status_code=429,
        )
    principal = state.accounts.authenticate_client(*creds)
    if principal is None:
        state.limiter.fail(key)
        raise _invalid_client()
    minutes = state.settings.token_minutes
    access = state.tokens.issue({"sub": principal.id}, kind="access", minutes=minutes)
    return JSONResponse(
        {"access_token": access, "token_type": "Bearer", "expires_in": 60 * minutes},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
