"""PACT events of the web platform: footprint requests, partner hosts, outgoing events.

* :func:`record_request` — an incoming ``RequestCreated`` becomes a pending request of every
  data owner concerned (an organisation with a matching footprint the requester may see, or
  whose stored studies name the requested product or company); with no owner it is rejected
  at once (``NotFound``).
* :func:`fulfil_request` / :func:`reject_request` — the owner answers in the UI: with one of
  its publications the requester may see, or with a reason.

Partner hosts, PublishedEvents and the delivery of outgoing events are in
:mod:`tanzuji.services.pact_partners`. An outgoing event is queued as
``((sender_org_id, partner_org_id), event)``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from sqlalchemy import select

from tanzuji.errors import ConflictError, InputError, NotFoundError
from tanzuji.i18n import tr
from tanzuji.pact.host import ReceivedEvent, matches
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.pact_host import Listed, as_filters, listed_footprints
from tanzuji.store import UnitOfWork
from tanzuji.store.hashing import now_iso
from tanzuji.store.models import StudyRevision
from tanzuji.store.pact_models import PactRequest

__all__ = [
    "NO_PARTNER",
    "SOURCE",
    "Outgoing",
    "fulfil_request",
    "list_requests",
    "make_event",
    "record_event",
    "record_request",
    "reject_request",
]

Outgoing = tuple[tuple[int, int], dict[str, Any]]
SOURCE = "//tanzuji/3/events"
NO_PARTNER = "no partner host registered for this organisation"


def make_event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": f"org.wbcsd.pact.ProductFootprint.{kind}.3",
        "specversion": "1.0",
        "id": secrets.token_hex(16),
        "source": SOURCE,
        "time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def _rejected(request_event_id: str, code: str, message: str) -> dict[str, Any]:
    return make_event(
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
        answer = make_event(
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
