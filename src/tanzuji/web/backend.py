"""The web layer's accounts over ``tanzuji.store`` (users, API clients, organisations)."""

from __future__ import annotations

from typing import Any

from tanzuji.web.accounts import Principal, Role

__all__ = ["StoreAccounts", "actor_of"]

# verified against when the account does not exist, so that both answers take as long
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        from tanzuji.services.admin import hash_password

        _DUMMY_HASH = hash_password("not a real password, only for timing")
    return _DUMMY_HASH


def actor_of(principal: Principal) -> Any:
    """The services layer's actor for a principal (user or client of its organisation)."""
    from tanzuji.services.context import Actor

    return Actor(user=principal.actor_name, org=principal.org_name)


class StoreAccounts:
    """Users and clients as the store holds them; each request re-reads its principal."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def _uow(self) -> Any:
        from tanzuji.store import UnitOfWork

        return UnitOfWork(self.store, write=False)

    def authenticate(self, email: str, password: str) -> Principal | None:
        from tanzuji.services.admin import verify_password

        with self._uow() as uow:
            user = uow.users.get(email.strip().lower())
            if user is None or not user.active or not user.password_hash:
                verify_password(password, _dummy_hash())
                return None
            if not verify_password(password, user.password_hash):
                return None
            org = uow.orgs.by_id(user.org_id)
            return _user_principal(user, org)

    def authenticate_client(self, client_id: str, secret: str) -> Principal | None:
        from tanzuji.services.admin import verify_password

        with self._uow() as uow:
            client = uow.users.get_client(client_id)
            if client is None or not client.active:
                verify_password(secret, _dummy_hash())
                return None
            if not verify_password(secret, client.secret_hash):
                return None
            org = uow.orgs.by_id(client.org_id)
            return _client_principal(client, org)

    def principal(self, subject: str) -> Principal | None:
        from sqlalchemy import select

        from tanzuji.store.models import ApiClient, User

        kind, _, key = subject.partition(":")
        with self._uow() as uow:
            if kind == "user" and key.isdigit():
                user = uow.session.get(User, int(key))
                if user is None or not user.active:
                    return None
                return _user_principal(user, uow.orgs.by_id(user.org_id))
            if kind == "client":
                client = uow.session.scalar(select(ApiClient).where(ApiClient.client_id == key))
                if client is None or not client.active:
                    return None
                return _client_principal(client, uow.orgs.by_id(client.org_id))
        return None


def _user_principal(user: Any, org: Any) -> Principal:
    return Principal(
        id=f"user:{user.id}",
        org_id=str(org.id),
        org_name=org.name,
        role=Role(user.role),
        name=user.display_name or user.email,
        kind="user",
        login=user.email,
    )


def _client_principal(client: Any, org: Any) -> Principal:
    return Principal(
        id=f"client:{client.client_id}",
        org_id=str(org.id),
        org_name=org.name,
        role=Role.editor,
        name=client.name or client.client_id,
        kind="client",
        login=client.client_id,
    )
