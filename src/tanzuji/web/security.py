"""Tokens, CSRF and login throttling for the web platform (no storage of its own).

* Session cookies and machine-client access tokens are JWTs (HS256) signed with the
  server secret; each carries its kind (``typ``) so one can never stand in for the other.
* CSRF: a random per-browser cookie and, in every form and htmx request, a token that is
  an HMAC of it under the server secret ("signed double-submit").
* Login attempts: a sliding window per (client address, account); in one process.

>>> tokens = TokenCodec("s" * 32)
>>> t = tokens.issue({"sub": "7", "org": "3"}, kind="session", minutes=5)
>>> tokens.read(t, kind="session")["sub"]
'7'
>>> tokens.read(t, kind="access") is None
True
>>> csrf = CsrfCodec("s" * 32)
>>> csrf.check("cookie-value", csrf.token_for("cookie-value"))
True
>>> csrf.check("cookie-value", csrf.token_for("other"))
False
>>> limiter = LoginLimiter(attempts=2, window_seconds=60)
>>> limiter.allowed("k", now=0.0), limiter.fail("k", now=1.0), limiter.fail("k", now=2.0)
(True, None, None)
>>> limiter.allowed("k", now=3.0), limiter.allowed("k", now=70.0)
(False, True)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from collections import deque
from typing import Any

__all__ = ["CsrfCodec", "LoginLimiter", "TokenCodec", "new_cookie_value"]

_ALGORITHM = "HS256"
_REMEMBERED = 10_000  # verified tokens remembered per process


def new_cookie_value() -> str:
    """A random value for the CSRF cookie."""
    return secrets.token_urlsafe(32)


class TokenCodec:
    """Issue and read signed JWTs of one kind (``session`` or ``access``)."""

    def __init__(self, secret: str, issuer: str = "tanzuji") -> None:
        self._key = hashlib.sha256(("jwt:" + secret).encode()).digest()
        self._issuer = issuer
        self._verified: dict[str, dict[str, Any]] = {}

    def issue(self, claims: dict[str, Any], *, kind: str, minutes: int) -> str:
        import jwt

        now = int(time.time())
        body = {
            **claims,
            "typ": kind,
            "iss": self._issuer,
            "iat": now,
            "exp": now + 60 * minutes,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(body, self._key, algorithm=_ALGORITHM)

    def read(self, token: str, *, kind: str) -> dict[str, Any] | None:
        """The claims of a valid, unexpired token of this kind, else ``None``.

        A token whose signature was verified is remembered (its claims cannot change), so
        that a client sending the same token on every request pays the verification once;
        its expiry is still checked each time."""
        known = self._verified.get(token)
        if known is not None:
            if known["exp"] <= time.time():
                self._verified.pop(token, None)
                return None
            return dict(known) if known.get("typ") == kind else None
        claims = self._decode(token)
        if claims is None:
            return None
        if len(self._verified) >= _REMEMBERED:
            self._verified.clear()
        self._verified[token] = claims
        return dict(claims) if claims.get("typ") == kind else None

    def _decode(self, token: str) -> dict[str, Any] | None:
        import jwt

        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "typ"]},
            )
        except jwt.PyJWTError:
            return None
        return claims


class CsrfCodec:
    """CSRF tokens bound to the browser's CSRF cookie by an HMAC."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("csrf:" + secret).encode()).digest()

    def token_for(self, cookie: str) -> str:
        mac = hmac.new(self._key, cookie.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def check(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        return hmac.compare_digest(self.token_for(cookie), token)


class LoginLimiter:
    """At most ``attempts`` failed sign-ins per key within ``window_seconds``."""

    def __init__(self, attempts: int, window_seconds: int) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def allowed(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._recent(key, now)) < self.attempts

    def fail(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(key, now).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
