"""Who acts, and on which database: the context every use case runs in."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tanzuji.config import Config
from tanzuji.errors import NotFoundError
from tanzuji.i18n import tr

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only by a use case that opens one
    from tanzuji.store import Store, UnitOfWork
    from tanzuji.store.models import Organisation

__all__ = ["DEFAULT_ORG", "Actor", "actor_from_config", "resolve_org", "store_from_config"]

DEFAULT_ORG = "default"
"""The organisation a CLI acts for when none is configured (created on first save)."""


@dataclass(frozen=True)
class Actor:
    """The user and organisation a use case acts for (recorded in the audit trail).

    ``user`` is an e-mail (web) or ``cli:<login>`` (a command line with no configured user).
    """

    user: str
    org: str = DEFAULT_ORG


def actor_from_config(config: Config) -> Actor:
    """The actor of a CLI command: the configured user and organisation."""
    user = config.user
    if not user:
        try:
            user = "cli:" + getpass.getuser()
        except (KeyError, OSError):  # no login name (containers)
            user = "cli"
    return Actor(user=user, org=config.org or DEFAULT_ORG)


def store_from_config(config: Config) -> Store:
    """The database the configuration points at."""
    from tanzuji.store import open_store

    return open_store(config.effective_database_url)


def resolve_org(uow: UnitOfWork, actor: Actor, *, create_default: bool = False) -> Organisation:
    """The actor's organisation; the default one is created on first write."""
    org = uow.orgs.get(actor.org)
    if org is not None:
        return org
    if create_default and actor.org == DEFAULT_ORG:
        org = uow.orgs.add(actor.org)
        uow.audit.append(
            actor=actor.user,
            action="org.add",
            object_type="organisation",
            object_id=actor.org,
            org_id=org.id,
        )
        return org
    raise NotFoundError(
        tr(
            f"数据库中没有组织 {actor.org!r}（用 tanzuji org add {actor.org} 添加）",
            f"no organisation {actor.org!r} in the database (add it with "
            f"tanzuji org add {actor.org})",
        )
    )
