"""``tanzuji pact partner add|list|remove``, ``pact announce`` and ``pact inbox``: the PACT
host of the web platform (``tanzuji serve``) from the command line, over the store."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any

import typer

from tanzuji.errors import InputError
from tanzuji.i18n import tr

__all__ = ["announce_quietly", "register"]

partner_app = typer.Typer(
    help="Partner PACT hosts of an organisation: where its outgoing PACT events go.",
    no_args_is_help=True,
)

DbOption = Annotated[str | None, typer.Option("--database-url", help="The store.")]
OrgOption = Annotated[str | None, typer.Option("--org", help="Organisation to act for.")]


def _store_and_actor(database_url: str | None, org: str | None) -> tuple[Any, Any]:
    from tanzuji.config import load_config
    from tanzuji.services.context import actor_from_config, store_from_config

    cfg = load_config().with_overrides(database_url=database_url, org=org)
    return store_from_config(cfg), actor_from_config(cfg)


@partner_app.command("add")
def partner_add(
    partner: Annotated[str, typer.Argument(help="The partner organisation (on this platform).")],
    base_url: Annotated[str, typer.Option("--base-url", help="Its PACT host (https://).")],
    client_id: Annotated[str, typer.Option("--client-id", help="The id it gave you.")],
    client_secret_stdin: Annotated[
        bool,
        typer.Option("--client-secret-stdin", help="Read the secret it gave you from stdin."),
    ] = False,
    auth_url: Annotated[
        str | None, typer.Option("--auth-url", help="Token URL if not BASE/auth/token.")
    ] = None,
    org: OrgOption = None,
    database_url: DbOption = None,
) -> None:
    """Register (or replace) a partner's PACT host; answers and notices go there only."""
    from tanzuji.services.pact_partners import add_partner
    from tanzuji.store import UnitOfWork

    if not client_secret_stdin:
        raise InputError(
            tr(
                "请用 --client-secret-stdin 从标准输入给出密钥（不在命令行中出现）",
                "give the secret on standard input with --client-secret-stdin "
                "(never on the command line)",
            ),
            path="--client-secret-stdin",
        )
    secret = sys.stdin.readline().rstrip("\r\n")
    store, actor = _store_and_actor(database_url, org)
    info = add_partner(
        UnitOfWork(store),
        actor,
        partner,
        base_url=base_url,
        client_id=client_id,
        client_secret=secret,
        auth_url=auth_url,
    )
    typer.echo(
        tr(
            f"已登记 {info['partner']} 的 PACT 主机：{info['base_url']}",
            f"registered the PACT host of {info['partner']}: {info['base_url']}",
        )
    )


@partner_app.command("list")
def partner_list(
    org: OrgOption = None,
    database_url: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The partner hosts of the organisation (secrets are never shown)."""
    from tanzuji.services.pact_partners import list_partners
    from tanzuji.store import UnitOfWork

    store, actor = _store_and_actor(database_url, org)
    rows = list_partners(UnitOfWork(store, write=False), actor)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['partner']}\t{r['base_url']}\t{r['client_id']}")


@partner_app.command("remove")
def partner_remove(
    partner: Annotated[str, typer.Argument(help="The partner organisation.")],
    org: OrgOption = None,
    database_url: DbOption = None,
) -> None:
    """Remove a partner registration."""
    from tanzuji.services.pact_partners import remove_partner
    from tanzuji.store import UnitOfWork

    store, actor = _store_and_actor(database_url, org)
    remove_partner(UnitOfWork(store), actor, partner)
    typer.echo(tr(f"已删除伙伴 {partner}", f"removed partner {partner}"))


def announce_quietly(
    store: Any, *, pub_ids: list[str] | None = None, report_number: str | None = None
) -> list[tuple[str, bool]]:
    """Send PublishedEvents to the owners' registered partners now (timeouts, outcomes
    recorded in the store, never raised); returns (partner event id, delivered)."""
    from tanzuji.services.pact_partners import announcements, deliver
    from tanzuji.store import UnitOfWork

    verify: bool | str = os.environ.get("TANZUJI_PACT_CA_FILE") or True
    out = []
    for target, event in announcements(
        UnitOfWork(store, write=False), pub_ids=pub_ids or [], report_number=report_number
    ):
        out.append((event["id"], deliver(store, target, event, verify=verify)))
    return out


def announce(
    publications: Annotated[
        list[str] | None, typer.Argument(help="Publication ids (as in /p/ID).")
    ] = None,
    report: Annotated[
        str | None, typer.Option("--report", help="Every publication of this report number.")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Send a PublishedEvent for publications (published, updated or withdrawn) to the
    registered partner hosts that may see them."""
    from tanzuji.config import load_config
    from tanzuji.services.context import store_from_config

    store = store_from_config(load_config().with_overrides(database_url=database_url))
    if not publications and not report:
        raise InputError(
            tr("请给出发布 ID 或 --report", "give publication ids or --report"), path="ARGS"
        )
    sent = announce_quietly(store, pub_ids=list(publications or []), report_number=report)
    ok = sum(1 for _, delivered in sent if delivered)
    typer.echo(
        tr(
            f"已发送 {ok} 个事件，失败 {len(sent) - ok} 个（见 PACT 请求页）",
            f"{ok} event(s) sent, {len(sent) - ok} failed (see the PACT requests page)",
        )
    )


def inbox(
    org: OrgOption = None,
    database_url: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Footprint requests (RequestCreated) addressed to the organisation in the store."""
    from tanzuji.services.pact_requests import list_requests
    from tanzuji.store import UnitOfWork

    store, actor = _store_and_actor(database_url, org)
    rows = list_requests(UnitOfWork(store, write=False), actor)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['id']}\t{r['from']}\t{r['status']}\t{json.dumps(r['criteria'])}")


def register(pact_app: typer.Typer) -> None:
    """Add the store-backed host commands to the ``pact`` group."""
    pact_app.add_typer(partner_app, name="partner")
    pact_app.command("announce")(announce)
    pact_app.command("inbox")(inbox)
