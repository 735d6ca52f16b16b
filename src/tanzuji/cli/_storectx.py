"""What the database commands share: consoles, option types, the command context, formats.

Imported by ``cli/store.py`` and ``cli/storeadmin.py`` (never the other way round).
A CLI pointed straight at a database is an administrator's tool: it acts as the configured
user of the configured organisation (``--org``, config ``user``), and every write is
recorded in the audit trail under that name; tenant isolation is the web platform's job.
Heavy libraries (SQLAlchemy, Alembic) are imported inside the functions.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from tanzuji.i18n import set_lang, tr

if TYPE_CHECKING:
    from tanzuji.services.context import Actor
    from tanzuji.store import Store

__all__ = ["DbOpt", "JsonOpt", "LangOpt", "OrgOpt", "err", "out"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
if not out.is_terminal:  # files and pipes: wide enough for the tables
    out.width = 140

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database: SQLAlchemy URL or a path (SQLite file). Default: TANZUJI_DATABASE_URL, "
        "config file, or tanzuji.db in the user data folder.",
    ),
]
OrgOpt = Annotated[
    str | None, typer.Option("--org", help="Organisation to act for (default: config org).")
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh or en.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@dataclass(frozen=True)
class _Ctx:
    store: Store
    actor: Actor


def _ctx(
    database_url: str | None, org: str | None, lang: str | None, *, create: bool = False
) -> _Ctx:
    """Settings, database and actor of a command. ``create``: a write command may create
    the *default* database (the SQLite file in the user data folder) on first use."""
    from tanzuji.config import load_config
    from tanzuji.services.context import actor_from_config, store_from_config

    cfg = load_config().with_overrides(database_url=database_url, org=org)
    if lang is not None:  # else the global --lang / TANZUJI_LANG / config, set by the root
        set_lang(lang)
    store = store_from_config(cfg)
    path = store.sqlite_path
    if create and cfg.database_url is None and path is not None and not path.exists():
        store.upgrade(create=True)
        err.print(tr(f"已创建数据库 {path}", f"created the database {path}"))
    return _Ctx(store=store, actor=actor_from_config(cfg))


def _uow(ctx: _Ctx, write: bool = True) -> Any:
    from tanzuji.store import UnitOfWork

    return UnitOfWork(ctx.store, write=write)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _pm(value: float | None, u: float | None, k: float | None) -> str:
    """``value ± U (k=2)`` with JJF 1059.1 rounding."""
    if value is None or u is None or k is None:
        return "—"
    from tanzuji.uncertainty import round_result

    if u > 0:
        r = round_result(value, k * u)
        return f"{r.value} ± {r.U} kgCO2e (k={k:g})"
    return f"{value:.4g} kgCO2e"
