"""Use cases of administration: organisations, users, API clients, passwords."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from tanzuji.errors import ConflictError, InputError
from tanzuji.i18n import tr
from tanzuji.services.context import Actor
from tanzuji.store import UnitOfWork
from tanzuji.store.hashing import now_iso
from tanzuji.store.models import ROLES, ApiClient, User

__all__ = [
    "AccountInfo",
    "account",
    "add_api_client",
    "add_org",
    "add_user",
    "authenticate_client",
    "authenticate_user",
    "hash_password",
    "list_orgs",
    "list_users",
    "verify_password",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12


def _hasher() -> Any:
    from pwdlib import PasswordHash

    return PasswordHash.recommended()  # Argon2id


def hash_password(password: str) -> str:
    """An Argon2id hash of a password (pwdlib)."""
    return str(_hasher().hash(password))


def verify_password(password: str, hashed: str) -> bool:
    """Whether ``password`` matches an Argon2 hash from :func:`hash_password`."""
    return bool(_hasher().verify(password, hashed))


def add_org(uow: UnitOfWork, actor: Actor, name: str) -> dict[str, Any]:
    """Add an organisation (names are unique)."""
    name = name.strip()
    if not name:
        raise InputError(tr("组织名称不能为空", "the organisation name is empty"))
    with uow:
        if uow.orgs.get(name) is not None:
            raise ConflictError(tr(f"组织 {name!r} 已存在", f"organisation {name!r} exists"))
        org = uow.orgs.add(name)
        uow.audit.append(
            actor=actor.user,
            action="org.add",
            object_type="organisation",
            object_id=name,
            org_id=org.id,
        )
        uow.commit()
        return {"id": org.id, "name": org.name}


def list_orgs(uow: UnitOfWork) -> list[dict[str, Any]]:
    """All organisations."""
    with uow:
        return [{"id": o.id, "name": o.name} for o in uow.orgs.list()]


def add_user(
    uow: UnitOfWork,
    actor: Actor,
    email: str,
    *,
    org: str,
    role: str,
    password: str | None = None,
    display_name: str | None = None,
) -> dict[str, Any]:
    """Add a user; the password (if any) is stored as an Argon2 hash, never in clear."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InputError(tr("不是有效的电子邮件地址", "not a valid e-mail address"), got=email)
    if role not in ROLES:
        raise InputError(
            tr(
                f"未知角色；应为 {', '.join(ROLES)} 之一",
                f"unknown role; expected one of {', '.join(ROLES)}",
            ),
            got=role,
        )
    if password is not None and len(password) < MIN_PASSWORD:
        raise InputError(
            tr(
                f"密码太短：至少 {MIN_PASSWORD} 个字符",
                f"password too short: at least {MIN_PASSWORD} characters",
            )
        )
    hashed = hash_password(password) if password is not None else None
    with uow:
        o = uow.orgs.require(org)
        if uow.users.get(email) is not None:
            raise ConflictError(tr(f"用户 {email} 已存在", f"user {email} exists"))
        user = uow.users.add(
            User(
                email=email,
                org_id=o.id,
                role=role,
                display_name=display_name,
                password_hash=hashed,
                active=True,
                created_at=now_iso(),
            )
        )
        uow.audit.append(
            actor=actor.user, action="user.add", object_type="user", object_id=email, org_id=o.id
        )
        uow.commit()
        return {
            "id": user.id,
            "email": email,
            "org": o.name,
            "role": role,
            "password_set": hashed is not None,
        }


def list_users(uow: UnitOfWork, org: str | None = None) -> list[dict[str, Any]]:
    """Users (of one organisation)."""
    with uow:
        org_id = uow.orgs.require(org).id if org else None
        return [
            {"email": u.email, "org_id": u.org_id, "role": u.role, "active": u.active}
            for u in uow.users.list(org_id)
        ]


def add_api_client(
    uow: UnitOfWork, actor: Actor, *, org: str, name: str, scopes: list[str] | None = None
) -> dict[str, Any]:
    """Add a machine client; returns its id and secret (shown once, stored hashed)."""
    client_id = "tzc_" + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with uow:
        o = uow.orgs.require(org)
        uow.users.add_client(
            ApiClient(
                client_id=client_id,
                secret_hash=hash_password(secret),
                org_id=o.id,
                name=name,
                scopes=json.dumps(scopes or []),
                active=True,
                created_at=now_iso(),
            )
        )
        uow.audit.append(
            actor=actor.user,
            action="api_client.add",
            object_type="api_client",
            object_id=client_id,
            org_id=o.id,
        )
        uow.commit()
    return {"client_id": client_id, "client_secret": secret, "org": org}


@dataclass(frozen=True)
class AccountInfo:
    """A user or machine client as the web layer needs it (maps onto ``web.Principal``).

    ``subject`` is ``user:<email>`` or ``client:<client_id>``: put it in tokens and give it
    back to :func:`account`.
    """

    subject: str
    org_id: int
    org_name: str
    role: str
    name: str
    kind: str  # user | client


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_hex(16)))
    return _DUMMY_HASH[0]


def authenticate_user(uow: UnitOfWork, email: str, password: str) -> AccountInfo | None:
    """The active user with this e-mail and password, else ``None`` (same work either way)."""
    with uow:
        user = uow.users.get(email.strip().lower())
        hashed = user.password_hash if user is not None and user.active else None
        ok = verify_password(password, hashed or _dummy_hash())
        if user is None or hashed is None or not ok:
            return None
        org = uow.orgs.by_id(user.org_id)
        return AccountInfo(
            f"user:{user.email}",
            org.id,
            org.name,
            user.role,
            user.display_name or user.email,
            "user",
        )


def authenticate_client(uow: UnitOfWork, client_id: str, secret: str) -> AccountInfo | None:
    """The active machine client with this id and secret, else ``None``."""
    with uow:
        client = uow.users.get_client(client_id)
        hashed = client.secret_hash if client is not None and client.active else None
        ok = verify_password(secret, hashed or _dummy_hash())
        if client is None or hashed is None or not ok:
            return None
        org = uow.orgs.by_id(client.org_id)
        return AccountInfo(
            f"client:{client.client_id}",
            org.id,
            org.name,
            "editor",
            client.name or client.client_id,
            "client",
        )


def account(uow: UnitOfWork, subject: str) -> AccountInfo | None:
    """The current state of ``user:<email>`` / ``client:<id>`` (``None`` if gone/disabled)."""
    kind, _, ident = subject.partition(":")
    with uow:
        if kind == "user":
            user = uow.users.get(ident)
            if user is None or not user.active:
                return None
            org = uow.orgs.by_id(user.org_id)
            return AccountInfo(
                subject, org.id, org.name, user.role, user.display_name or user.email, "user"
            )
        if kind == "client":
            client = uow.users.get_client(ident)
            if client is None or not client.active:
                return None
            org = uow.orgs.by_id(client.org_id)
            return AccountInfo(
                subject, org.id, org.name, "editor", client.name or client.client_id, "client"
            )
    return None
