"""The use cases both shells (CLI, web) call: one function per action, over a unit of work.

Every function takes a *fresh* :class:`tanzuji.store.UnitOfWork` (not yet entered) and an
:class:`Actor` (user + organisation), opens the transaction itself and commits once, so a
use case is all-or-nothing. Typical use::

    store = open_store(url)                       # once per process
    result = save_study(UnitOfWork(store), Actor("a@b.cn", "ACME"), "study.yaml", message="m")

The names below are loaded on first use (module ``__getattr__``): a use case that needs no
database (``tanzuji report`` of a file) does not import SQLAlchemy by importing this package.

>>> from tanzuji.services import Actor
>>> Actor("a@b.cn").org
'default'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tanzuji.lazy import lazy_exports

if TYPE_CHECKING:
    from tanzuji.services.context import (
        DEFAULT_ORG,
        Actor,
        actor_from_config,
        resolve_org,
        store_from_config,
    )
    from tanzuji.services.query import (
        HistoryEntry,
        RevisionView,
        evaluate_revision,
        expiring_certificates,
        history,
        list_products,
        reproduce_evaluation,
        show_revision,
    )
    from tanzuji.services.save import SaveResult, save_loaded, save_study, store_evaluation

_WHERE = {
    "context": ("DEFAULT_ORG", "Actor", "actor_from_config", "resolve_org", "store_from_config"),
    "query": (
        "HistoryEntry",
        "RevisionView",
        "evaluate_revision",
        "expiring_certificates",
        "history",
        "list_products",
        "reproduce_evaluation",
        "show_revision",
    ),
    "save": ("SaveResult", "save_loaded", "save_study", "store_evaluation"),
}

__all__ = [
    "DEFAULT_ORG",
    "Actor",
    "HistoryEntry",
    "RevisionView",
    "SaveResult",
    "actor_from_config",
    "evaluate_revision",
    "expiring_certificates",
    "history",
    "list_products",
    "reproduce_evaluation",
    "resolve_org",
    "save_loaded",
    "save_study",
    "show_revision",
    "store_evaluation",
    "store_from_config",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
