"""Who is acting: the principal behind a request, and the accounts interface it comes from.

The web layer never stores accounts itself; :class:`Accounts` is implemented over
``tanzuji.store`` (users with roles and Argon2id hashes, API clients, organisations).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["Accounts", "Principal", "Role"]


class Role(StrEnum):
    """The roles of a user within an organisation."""

    admin = "admin"
    editor = "editor"
    evaluator = "evaluator"
    viewer = "viewer"
    authority = "authority"

    @property
    def zh(self) -> str:
        return {
            "admin": "管理员",
            "editor": "编辑",
            "evaluator": "评价人员",
            "viewer": "只读用户",
            "authority": "主管部门",
        }[self.value]

    @property
    def en(self) -> str:
        return {
            "admin": "administrator",
            "editor": "editor",
            "evaluator": "evaluator",
            "viewer": "viewer",
            "authority": "authority",
        }[self.value]


@dataclass(frozen=True)
class Principal:
    """A signed-in user or a machine client, always acting for one organisation."""

    id: str
    org_id: str
    org_name: str
    role: Role
    name: str
    kind: str = "user"  # user | client
    login: str = ""  # the e-mail of a user, the client id of a client

    def has(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def actor_name(self) -> str:
        """How the audit trail names this principal."""
        return self.login if self.kind == "user" else f"client:{self.login}"


class Accounts(Protocol):
    """What the web layer needs from the account store."""

    def authenticate(self, email: str, password: str) -> Principal | None:
        """The user with this e-mail and password, else ``None`` (same time either way)."""

    def authenticate_client(self, client_id: str, secret: str) -> Principal | None:
        """The machine client with this id and secret, else ``None``."""

    def principal(self, subject: str) -> Principal | None:
        """The current state of a user or client named in a token (``None`` if gone)."""

    def remembered(self, subject: str) -> tuple[bool, Principal | None]:
        """``(True, principal(subject))`` when that answer is at hand without waiting on the
        store (so it may be given on the event loop), else ``(False, None)``."""

    def open_session(self, subject: str, jti: str, expires: int) -> None:
        """Record a browser session (``expires``: Unix time)."""

    def session_valid(self, jti: str) -> bool:
        """Whether a browser session is open (not signed out, not expired)."""

    def close_session(self, jti: str) -> None:
        """End a browser session (sign-out), on every worker."""
