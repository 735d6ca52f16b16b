"""Partner PACT hosts of the web platform and the events sent to them.

* :func:`add_partner` — an organisation registers the PACT host of a partner organisation
  (base URL and the credentials the partner gave it). **Outgoing events go there and only
  there**, never to an address taken from an incoming event.
* :func:`published_events` / :func:`announcements` — a ``PublishedEvent`` for every
  registered partner that may see a footprint that was published, updated or withdrawn.
* :func:`deliver` — send one event (httpx, timeouts, one retry); the outcome (sent, or
  failed and why) is recorded in ``pact_deliveries``, never raised to the publisher.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from tanzuji.errors import InputError, NotFoundError, TanzujiError
from tanzuji.i18n import tr
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.pact_host import listed_footprints
from tanzuji.services.pact_requests import NO_PARTNER, Outgoing, make_event
from tanzuji.store import UnitOfWork
from tanzuji.store.hashing import now_iso
from tanzuji.store.pact_models import PactDelivery, PactPartner

__all__ = [
    "add_partner",
    "announcements",
    "deliver",
    "deliveries",
    "list_partners",
    "published_events",
    "remove_partner",
]


def _check_url(url: str, path: str) -> str:
    """A partner URL that is safe to send to (public HTTPS host, checked by name lookup)."""
    from urllib.parse import urlsplit

    from tanzuji.pact.urlguard import check_url

    url = check_url(url, path)
    if urlsplit(url).query:
        raise InputError(
            tr("网址中不得含查询参数", "the URL must not contain a query"), path=path, got=url
        )
    return url


def add_partner(
    uow: UnitOfWork,
    actor: Actor,
    partner_org: str,
    *,
    base_url: str,
    client_id: str,
    client_secret: str,
    auth_url: str | None = None,
) -> dict[str, Any]:
    """Register (or replace) the PACT host of ``partner_org`` for the actor's organisation."""
    base = _check_url(base_url, "base_url")
    auth = _check_url(auth_url, "auth_url") if auth_url else None
    if not client_id.strip() or not client_secret:
        raise InputError(
            tr(
                "须给出对方提供的客户端 ID 和密钥", "give the client id and secret the partner gave"
            ),
            path="client_id",
        )
    with uow:
        org = resolve_org(uow, actor)
        partner = uow.orgs.require(partner_org)
        if partner.id == org.id:
            raise InputError(tr("不能登记本组织", "cannot register your own organisation"))
        row = uow.session.scalar(
            select(PactPartner).where(
                PactPartner.org_id == org.id, PactPartner.partner_org_id == partner.id
            )
        )
        if row is None:
            row = PactPartner(org_id=org.id, partner_org_id=partner.id)
            uow.session.add(row)
        row.base_url, row.auth_url = base, auth
        row.client_id, row.client_secret = client_id.strip(), client_secret
        row.actor, row.created_at = actor.user, now_iso()
        uow.audit.append(
            actor=actor.user,
            action="pact.partner.add",
            object_type="pact_partner",
            object_id=f"{org.name}>{partner.name}",
            org_id=org.id,
        )
        uow.commit()
        return {"partner": partner.name, "base_url": base, "client_id": row.client_id}


def remove_partner(uow: UnitOfWork, actor: Actor, partner_org: str) -> None:
    """Remove a partner registration of the actor's organisation."""
    with uow:
        org = resolve_org(uow, actor)
        partner = uow.orgs.require(partner_org)
        row = uow.session.scalar(
            select(PactPartner).where(
                PactPartner.org_id == org.id, PactPartner.partner_org_id == partner.id
            )
        )
        if row is None:
            raise NotFoundError(tr(f"未登记伙伴 {partner_org}", f"no partner {partner_org}"))
        uow.session.delete(row)
        uow.audit.append(
            actor=actor.user,
            action="pact.partner.remove",
            object_type="pact_partner",
            object_id=f"{org.name}>{partner.name}",
            org_id=org.id,
        )
        uow.commit()


def list_partners(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """The partner hosts of the actor's organisation (secrets are never shown)."""
    with uow:
        org = resolve_org(uow, actor)
        rows = uow.session.scalars(select(PactPartner).where(PactPartner.org_id == org.id)).all()
        return [
            {
                "partner": uow.orgs.by_id(r.partner_org_id).name,
                "base_url": r.base_url,
                "auth_url": r.auth_url,
                "client_id": r.client_id,
                "registered": r.created_at,
            }
            for r in rows
        ]


def published_events(
    uow: UnitOfWork, org_name: str, pub_ids: Sequence[str], *, base_url: str, cache: Any
) -> list[Outgoing]:
    """A PublishedEvent for each partner of ``org_name`` that may see the footprints."""
    with uow:
        org = uow.orgs.require(org_name)
        items = [
            x
            for x in listed_footprints(uow, base_url, cache)
            if x.publication in pub_ids and x.owner_id == org.id
        ]
        partners = uow.session.scalars(select(PactPartner).where(PactPartner.org_id == org.id))
        out: list[Outgoing] = []
        for p in partners:
            pf_ids = sorted({x.footprint["id"] for x in items if x.visible_to(p.partner_org_id)})
            if pf_ids:
                out.append(
                    ((org.id, p.partner_org_id), make_event("PublishedEvent", {"pfIds": pf_ids}))
                )
        return out


def deliver(
    store: Any,
    target: tuple[int, int],
    event: dict[str, Any],
    *,
    verify: bool | str = True,
    timeout: float = 10.0,
) -> bool:
    """Send ``event`` to the partner host the sender registered; record the outcome.

    Never raises: a failure (no registered partner, TLS, auth, HTTP error) is recorded in
    ``pact_deliveries`` with its reason. Returns whether the event was delivered.
    """
    from tanzuji.pact.client import PactClient

    sender, partner_org = target
    with UnitOfWork(store, write=False) as uow:
        row = uow.session.scalar(
            select(PactPartner).where(
                PactPartner.org_id == sender, PactPartner.partner_org_id == partner_org
            )
        )
        partner = (row.base_url, row.auth_url, row.client_id, row.client_secret) if row else None
    status, detail = "sent", None
    if partner is None:
        status, detail = "failed", NO_PARTNER
    else:
        base, auth, cid, secret = partner
        try:
            with PactClient(
                base, cid, secret, auth_url=auth, verify=verify, retries=1, timeout=timeout
            ) as client:
                client.post_event(event)
        except TanzujiError as exc:
            status, detail = "failed", str(exc)[:2000]
        except Exception as exc:  # recorded, never raised to the publisher
            status, detail = "failed", f"{type(exc).__name__}: {exc}"[:2000]
    with UnitOfWork(store) as uow:
        uow.session.add(
            PactDelivery(
                org_id=sender,
                partner_org_id=partner_org,
                event_type=str(event.get("type", "")),
                event_id=str(event.get("id", "")),
                status=status,
                detail=detail,
                created_at=now_iso(),
            )
        )
        uow.commit()
    return status == "sent"


def deliveries(uow: UnitOfWork, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The latest outgoing events of the actor's organisation and their outcome."""
    with uow:
        org = resolve_org(uow, actor)
        rows = uow.session.scalars(
            select(PactDelivery)
            .where(PactDelivery.org_id == org.id)
            .order_by(PactDelivery.id.desc())
            .limit(limit)
        ).all()
        return [
            {
                "to": uow.orgs.by_id(r.partner_org_id).name,
                "type": r.event_type.split(".")[-2] if "." in r.event_type else r.event_type,
                "event_id": r.event_id,
                "status": r.status,
                "detail": tr("未登记该组织的伙伴主机", NO_PARTNER)
                if r.detail == NO_PARTNER
                else r.detail,
                "at": r.created_at,
            }
            for r in rows
        ]


def announcements(
    uow: UnitOfWork,
    *,
    pub_ids: Sequence[str] = (),
    report_number: str | None = None,
    cache: Any = None,
) -> list[Outgoing]:
    """PublishedEvents for publications (by id, or of a report number) to their owners'
    registered partners that may see them — after a publication, update or withdrawal.

    The footprint ids do not depend on the server's URL, so none is needed here.
    """
    from tanzuji.store.models import Report
    from tanzuji.store.web_models import Publication

    cache = {} if cache is None else cache
    with uow:
        query = select(Publication.id, Publication.org_id)
        if report_number is not None:
            query = query.join(Report, Report.id == Publication.report_id).where(
                Report.number == report_number
            )
        else:
            query = query.where(Publication.id.in_(list(pub_ids)))
        by_owner: dict[int, list[str]] = {}
        for pub_id, org_id in uow.session.execute(query):
            by_owner.setdefault(org_id, []).append(pub_id)
        owners = {org_id: uow.orgs.by_id(org_id).name for org_id in by_owner}
    out: list[Outgoing] = []
    for org_id, ids in by_owner.items():
        out += published_events(
            UnitOfWork(uow.store, write=False),
            owners[org_id],
            ids,
            base_url="https://localhost",
            cache=cache,
        )
    return out
