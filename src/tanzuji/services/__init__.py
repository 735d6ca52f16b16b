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

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

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


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
