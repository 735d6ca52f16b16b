"""The web layer's accounts over ``tanzuji.store`` (users, API clients, organisations)."""

from __future__ import annotations

from typing import Any

from tanzuji.web.accounts import Principal, Role

__all__ = ["StoreAccounts", "actor_of"]


def actor_of(principal: Principal) -> Any:
    """The services layer's actor for a principal (user or client of its organisation)."""
    from tanzuji.services.context import Actor

    return Actor(user=principal.actor_name, org=principal.org_name)


class StoreAccounts:
    """Users and clients as the store holds them (``services.admin``); each request
    re-reads its principal, so a disabled account or a changed role takes effect at once."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def _uow(self) -> Any:
        from tanzuji.store import UnitOfWork

        return UnitOfWork(self.store, write=False)

    def authenticate(self, email: str, password: str) -> Principal | None:
        from tanzuji.services.admin import authenticate_user

        return _principal(authenticate_user(self._uow(), email, password))

    def authenticate_client(self, client_id: str, secret: str) -> Principal | None:
        from tanzuji.services.admin import authenticate_client

        return _principal(authenticate_client(self._uow(), client_id, secret))

    def principal(self, subject: str) -> Principal | None:
        from tanzuji.services.admin import account

        return _principal(account(self._uow(), subject))

    def open_session(self, subject: str, jti: str, expires: int) -> None:
        import datetime as dt

        from tanzuji.services.sessions import open_session
        from tanzuji.store import UnitOfWork

        when = dt.datetime.fromtimestamp(expires, dt.UTC)
        open_session(UnitOfWork(self.store), subject, jti, when)

    def session_valid(self, jti: str) -> bool:
        from tanzuji.services.sessions import session_valid

        return session_valid(self._uow(), jti)

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
