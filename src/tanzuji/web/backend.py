"""The web layer's accounts over ``tanzuji.store`` (users, API clients, organisations)."""

from __future__ import annotations

import threading
import time
from typing import Any

from tanzuji.web.accounts import Principal, Role

__all__ = ["StoreAccounts", "actor_of"]


def actor_of(principal: Principal) -> Any:
    """The services layer's actor for a principal (user or client of its organisation)."""
    from tanzuji.services.context import Actor

    return Actor(user=principal.actor_name, org=principal.org_name)


class StoreAccounts:
    """Users and clients as the store holds them (``services.admin``).

    A request's principal (the account behind a valid token or session) is read from the
    store and remembered for ``cache_seconds`` (default 5 s) in this process, so that a busy
    API client does not cost two queries a request: a disabled account or a changed role
    takes effect within that time on every worker, at once on the worker that made the
    change (:meth:`forget`). ``cache_seconds=0`` reads the store on every request. Whether a
    browser session was signed out is still asked of the store on every request."""

    def __init__(self, store: Any, cache_seconds: float = 5.0) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def forget(self, subject: str | None = None) -> None:
        """Drop the remembered principal of ``subject`` (of everyone when ``None``)."""
        with self._lock:
            if subject is None:
                self._cache.clear()
            else:
                self._cache.pop(subject, None)

    def _uow(self, *, autocommit: bool = False) -> Any:
        from tanzuji.store import UnitOfWork

        return UnitOfWork(self.store, write=False, autocommit=autocommit)

    def authenticate(self, email: str, password: str) -> Principal | None:
        from tanzuji.services.admin import authenticate_user

        return _principal(authenticate_user(self._uow(), email, password))

    def authenticate_client(self, client_id: str, secret: str) -> Principal | None:
        from tanzuji.services.admin import authenticate_client

        return _principal(authenticate_client(self._uow(), client_id, secret))

    def remembered(self, subject: str) -> tuple[bool, Principal | None]:
        """The principal of ``subject`` if it was read from the store less than
        ``cache_seconds`` ago: ``(True, principal)``, else ``(False, None)`` (no I/O)."""
        hit = self._cache.get(subject)
        if hit is not None and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def principal(self, subject: str) -> Principal | None:
        from tanzuji.services.admin import account

        known, remembered = self.remembered(subject)
        if known:
            return remembered
        now = time.monotonic()
        found = _principal(account(self._uow(autocommit=True), subject))
        if self.cache_seconds > 0:
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[subject] = (now + self.cache_seconds, found)
        return found

    def open_session(self, subject: str, jti: str, expires: int) -> None:
        import datetime as dt

        from tanzuji.services.sessions import open_session
        from tanzuji.store import UnitOfWork

        when = dt.datetime.fromtimestamp(expires, dt.UTC)
        open_session(UnitOfWork(self.store), subject, jti, when)

    def session_valid(self, jti: str) -> bool:
        from tanzuji.services.sessions import session_valid

        return session_valid(self._uow(autocommit=True), jti)

    def close_session(self, jti: str) -> None:
        from tanzuji.services.sessions import close_session
        from tanzuji.store import UnitOfWork

        close_session(UnitOfWork(self.store), jti)


def _principal(info: Any) -> Principal | None:
    if info is None:
        return None
    return Principal(
        id=info.subject,
        org_id=str(info.org_id),
        org_name=info.org_name,
        role=Role(info.role),
        name=info.name,
        kind=info.kind,
        login=info.subject.partition(":")[2],
    )
