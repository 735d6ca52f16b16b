"""PACT events of the web platform: footprint requests, partner hosts, outgoing events.

* :func:`record_request` — an incoming ``RequestCreated`` becomes a pending request of every
  data owner concerned (an organisation with a matching footprint the requester may see, or
  whose stored studies name the requested product or company); with no owner it is rejected
  at once (``NotFound``).
* :func:`fulfil_request` / :func:`reject_request` — the owner answers in the UI: with one of
  its publications the requester may see, or with a reason.
* :func:`add_partner` — an organisation registers the PACT host of a partner organisation
  (base URL and the credentials the partner gave it). **Outgoing events go there and only
  there**, never to an address taken from an incoming event.
* :func:`published_events` — a ``PublishedEvent`` for every registered partner that may see
  a footprint that was published, updated or withdrawn.
* :func:`deliver` — send one event (httpx, timeouts, few retries); the outcome (sent, or
  failed and why) is recorded, never raised to the publisher.

An outgoing event is queued as ``((sender_org_id, partner_org_id), event)``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from tanzuji.errors import ConflictError, InputError, NotFoundError, TanzujiError
from tanzuji.i18n import tr
from tanzuji.pact.host import ReceivedEvent, matches
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.pact_host import Listed, as_filters, listed_footprints
from tanzuji.store import UnitOfWork
from tanzuji.store.hashing import now_iso
from tanzuji.store.models import StudyRevision
from tanzuji.store.pact_models import PactDelivery, PactPartner, PactRequest

__all__ = [
    "Outgoing",
    "add_partner",
    "deliver",
    "deliveries",
    "fulfil_request",
    "list_partners",
    "list_requests",
    "published_events",
    "record_event",
    "record_request",
    "reject_request",
    "remove_partner",
]

Outgoing = tuple[tuple[int, int], dict[str, Any]]
SOURCE = "//tanzuji/3/events"
NO_PARTNER = "no partner host registered for this organisation"


def _event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": f"org.wbcsd.pact.ProductFootprint.{kind}.3",
        "specversion": "1.0",
        "id": secrets.token_hex(16),
        "source": SOURCE,
        "time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def _rejected(request_event_id: str, code: str, message: str) -> dict[str, Any]:
    return _event(
        "RequestRejectedEvent",
        {"requestEventId": request_event_id, "error": {"code": code, "message": message}},
    )


def _named_in_studies(uow: UnitOfWork, filters: dict[str, list[str]]) -> set[int]:
    """Organisations whose stored studies name a requested product or company id."""
    wanted_products = {v.casefold() for v in filters.get("productId", [])}
    wanted_companies = {v.casefold() for v in filters.get("companyId", [])}
    if not wanted_products and not wanted_companies:
        return set()
    owners: set[int] = set()
    for org_id, content in uow.session.execute(select(StudyRevision.org_id, StudyRevision.content)):
        product = json.loads(content).get("product") or {}
        ids = {str(x).casefold() for x in product.get("product_ids") or ()}
        if product.get("gtin"):
            ids.add(f"urn:gtin:{product['gtin']}".casefold())
        companies = {str(x).casefold() for x in product.get("company_ids") or ()}
        product_ok = not wanted_products or bool(ids & wanted_products)
        company_ok = not wanted_companies or bool(companies & wanted_companies)
        if product_ok and company_ok:
            owners.add(org_id)
    return owners


def record_request(uow: UnitOfWork, event: ReceivedEvent, listed: list[Listed]) -> list[Outgoing]:
    """Store a RequestCreated for each data owner concerned; answers to send at once."""
    filters = as_filters(event.data)
    with uow:
        requester = uow.orgs.require(event.org)
        owners = {
            x.owner_id
            for x in listed
            if x.visible_to(requester.id) and matches(x.footprint, filters)
        }
        owners |= _named_in_studies(uow, filters)
        owners.discard(requester.id)
        now = now_iso()
        criteria = json.dumps(dict(event.data), ensure_ascii=False)
        out: list[Outgoing] = []
        for owner in sorted(owners):
            uow.session.add(
                PactRequest(
                    id=secrets.token_urlsafe(12),
                    owner_org_id=owner,
                    from_org_id=requester.id,
                    event_id=event.id,
                    criteria=criteria,
                    status="pending",
                    created_at=now,
                )
            )
        if not owners:
            message = "no organisation on this host has a footprint matching the request"
            uow.session.add(
                PactRequest(
                    id=secrets.token_urlsafe(12),
                    owner_org_id=None,
                    from_org_id=requester.id,
                    event_id=event.id,
                    criteria=criteria,
                    status="rejected",
                    reason=message,
                    created_at=now,
                    answered_at=now,
                )
            )
        uow.audit.append(
            actor=f"pact:{event.org}",
            action="pact.request.received",
            object_type="pact_event",
            object_id=event.id[:200],
            org_id=requester.id,
        )
        uow.commit()
        return out


def record_event(uow: UnitOfWork, event: ReceivedEvent) -> None:
    """Record an accepted PublishedEvent / RequestFulfilled / RequestRejected (audit trail)."""
    with uow:
        org = uow.orgs.require(event.org)
        uow.audit.append(
            actor=f"pact:{event.org}",
            action="pact.event.received." + event.type.split(".")[-2],
            object_type="pact_event",
            object_id=event.id[:200],
            org_id=org.id,
        )
        uow.commit()


def list_requests(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """The footprint requests addressed to the actor's organisation, newest first."""
    with uow:
        org = resolve_org(uow, actor)
        rows = uow.session.scalars(
            select(PactRequest)
            .where(PactRequest.owner_org_id == org.id)
            .order_by(PactRequest.created_at.desc())
        ).all()
        return [
            {
                "id": r.id,
                "from": uow.orgs.by_id(r.from_org_id).name,
                "event_id": r.event_id,
                "criteria": json.loads(r.criteria),
                "status": r.status,
                "reason": r.reason,
                "publication": r.publication_id,
                "created_at": r.created_at,
                "answered_at": r.answered_at,
            }
            for r in rows
        ]


def _pending(uow: UnitOfWork, org_id: int, req_id: str) -> PactRequest:
    req = uow.session.get(PactRequest, req_id)
    if req is None or req.owner_org_id != org_id:
        raise NotFoundError(tr(f"没有数据请求 {req_id}", f"no footprint request {req_id}"))
    if req.status != "pending":
        raise ConflictError(
            tr(f"该请求已答复（{req.status}）", f"the request was already answered ({req.status})")
        )
    return req


def fulfil_request(
    uow: UnitOfWork, actor: Actor, req_id: str, pub_id: str, *, base_url: str, cache: Any
) -> Outgoing:
    """Answer a request with one of the organisation's publications the requester may see."""
    with uow:
        org = resolve_org(uow, actor)
        req = _pending(uow, org.id, req_id)
        item = next(
            (x for x in listed_footprints(uow, base_url, cache) if x.publication == pub_id), None
        )
        if item is None or item.owner_id != org.id:
            raise NotFoundError(tr(f"没有发布 {pub_id}", f"no publication {pub_id}"))
        if item.footprint["status"] != "Active":
            raise ConflictError(
                tr(
                    "该足迹已撤回或被替代，请用现行的足迹答复",
                    "this footprint was withdrawn or superseded: answer with a current one",
                )
            )
        if not item.visible_to(req.from_org_id):
            raise ConflictError(
                tr(
                    "该足迹未向请求方公开或共享：请先发布或与其共享",
                    "this footprint is neither public nor shared with the requester: "
                    "publish or share it first",
                )
            )
        req.status = "fulfilled"
        req.publication_id = pub_id
        req.actor = actor.user
        req.answered_at = now_iso()
        uow.audit.append(
            actor=actor.user,
            action="pact.request.fulfil",
            object_type="pact_request",
            object_id=req.id,
            org_id=org.id,
        )
        answer = _event(
            "RequestFulfilledEvent", {"requestEventId": req.event_id, "pfs": [item.footprint]}
        )
        target = (org.id, req.from_org_id)
        uow.commit()
        return target, answer


def reject_request(uow: UnitOfWork, actor: Actor, req_id: str, reason: str) -> Outgoing:
    """Reject a request with the owner's reason."""
    reason = reason.strip()
    if not reason:
        raise InputError(tr("请说明拒绝理由", "give the reason of the rejection"), path="reason")
    with uow:
        org = resolve_org(uow, actor)
        req = _pending(uow, org.id, req_id)
        req.status = "rejected"
        req.reason = reason[:2000]
        req.actor = actor.user
        req.answered_at = now_iso()
        uow.audit.append(
            actor=actor.user,
            action="pact.request.reject",
            object_type="pact_request",
            object_id=req.id,
            org_id=org.id,
        )
        target = (org.id, req.from_org_id)
        event = _rejected(req.event_id, "NotFound", req.reason)
        uow.commit()
        return target, event


# --------------------------------------------------------------------------- partners


def _check_url(url: str, path: str) -> str:
    from urllib.parse import urlsplit

    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.query:
        raise InputError(
            tr(
                "应为 https:// 开头、不含用户名和查询参数的网址",
                "expected an https:// URL without user name or query",
            ),
            path=path,
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
                    ((org.id, p.partner_org_id), _event("PublishedEvent", {"pfIds": pf_ids}))
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
