"""Use cases of sharing and publishing (web platform, issue 12).

* :func:`share_revision` — a manufacturer shares a study revision with an evaluation
  institute, which may then read, evaluate and issue a report for it, and nothing else.
* :func:`readable_revision` — a revision the actor's organisation owns or was shared.
* :func:`publish` — the manufacturer (admin or editor) publishes a footprint whose signed
  report was issued: to everyone, or privately to named organisations. Valid from the
  issue until the end of the reference period plus three years (PACT's default).
* :func:`unpublish` — the manufacturer (admin or editor) withdraws a publication, with
  the reason; the public page then shows it withdrawn (audited).
* :func:`public_footprint` — what the public label page shows (with why and when it was
  withdrawn or superseded: the fields PACT's ``Deprecated`` status is mapped from).

>>> valid_until("2025-12-31")
'2028-12-31'
>>> valid_until("2024-02-29")
'2027-02-28'
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tanzuji.errors import ConflictError, InputError, NotFoundError
from tanzuji.i18n import tr
from tanzuji.services.context import Actor, resolve_org
from tanzuji.store import UnitOfWork
from tanzuji.store.hashing import now_iso
from tanzuji.store.models import Evaluation, Organisation, Report, StudyRevision
from tanzuji.store.web_models import Publication, PublicationRecipient, Share

__all__ = [
    "PublicView",
    "footprints_shared_with",
    "public_footprint",
    "publication_for_report",
    "publications_of",
    "publish",
    "readable_revision",
    "share_revision",
    "shared_with",
    "unpublish",
    "valid_until",
]

VALIDITY_YEARS = 3


def valid_until(period_end: str) -> str:
    """End of the reference period plus three years (29 February → 28 February)."""
    end = dt.date.fromisoformat(period_end)
    try:
        return end.replace(year=end.year + VALIDITY_YEARS).isoformat()
    except ValueError:
        return end.replace(year=end.year + VALIDITY_YEARS, day=28).isoformat()


def share_revision(uow: UnitOfWork, actor: Actor, rev_id: str, to_org: str) -> dict[str, Any]:
    """Share one revision of the actor's organisation with ``to_org``."""
    with uow:
        org = resolve_org(uow, actor)
        rev = uow.revisions.get(rev_id, org.id)
        target = uow.orgs.require(to_org)
        if target.id == org.id:
            raise InputError(tr("不能与本组织共享", "cannot share with your own organisation"))
        exists = uow.session.scalar(
            select(Share).where(Share.revision_id == rev.id, Share.to_org_id == target.id)
        )
        if exists is None:
            uow.session.add(
                Share(
                    revision_id=rev.id,
                    org_id=org.id,
                    to_org_id=target.id,
                    actor=actor.user,
                    created_at=now_iso(),
                )
            )
            uow.audit.append(
                actor=actor.user,
                action="revision.share",
                object_type="revision",
                object_id=f"{rev.id}>{target.name}",
                org_id=org.id,
            )
            uow.commit()
        return {"revision": rev.id, "shared_with": target.name}


def readable_revision(uow: UnitOfWork, org_id: int, rev_id: str) -> StudyRevision:
    """A revision (in an entered unit of work) the organisation owns or was shared."""
    try:
        return uow.revisions.get(rev_id, org_id)
    except NotFoundError:
        pass
    try:
        rev = uow.revisions.get(rev_id)
    except NotFoundError:
        rev = None
    shared = (
        uow.session.scalar(
            select(Share.id).where(Share.revision_id == rev.id, Share.to_org_id == org_id)
        )
        if rev is not None
        else None
    )
    if rev is None or shared is None:
        raise NotFoundError(tr(f"没有修订 {rev_id}", f"no revision {rev_id}"))
    return rev


def owner_actor(uow: UnitOfWork, actor: Actor, rev_id: str) -> tuple[Actor, str]:
    """The actor to read a readable revision with (its owner's organisation) and its id."""
    with uow:
        org = resolve_org(uow, actor)
        rev = readable_revision(uow, org.id, rev_id)
        owner = uow.orgs.by_id(rev.org_id)
        return Actor(user=actor.user, org=owner.name), rev.id


def shared_with(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """Revisions other organisations shared with the actor's organisation (newest first)."""
    with uow:
        org = resolve_org(uow, actor)
        rows = uow.session.execute(
            select(Share, StudyRevision, Organisation)
            .join(StudyRevision, StudyRevision.id == Share.revision_id)
            .join(Organisation, Organisation.id == Share.org_id)
            .where(Share.to_org_id == org.id)
            .order_by(Share.created_at.desc())
        ).all()
        out = []
        for share, rev, owner in rows:
            content = json.loads(rev.content)
            out.append(
                {
                    "revision": rev.id,
                    "owner": owner.name,
                    "study": content.get("id"),
                    "product": (content.get("product") or {}).get("name"),
                    "period": rev.period,
                    "shared_at": share.created_at,
                }
            )
        return out


def _issued_report(uow: UnitOfWork, rev: StudyRevision) -> Report:
    report = uow.session.scalar(
        select(Report)
        .where(Report.revision_id == rev.id, Report.status == "issued")
        .order_by(Report.created_at.desc(), Report.lang)
    )
    if report is None:
        raise ConflictError(
            tr(
                "该修订尚无已签发的评价报告：须先由评价机构签发报告才能发布",
                "this revision has no issued report: an evaluator must issue one before it "
                "can be published",
            )
        )
    return report


def publish(
    uow: UnitOfWork, actor: Actor, rev_id: str, *, to: list[str] | None = None
) -> dict[str, Any]:
    """Publish the footprint of a revision with an issued report (``to``: privately)."""
    with uow:
        org = resolve_org(uow, actor)
        rev = uow.revisions.get(rev_id, org.id)
        report = _issued_report(uow, rev)
        recipients = [uow.orgs.require(name) for name in (to or [])]
        period_end = json.loads(rev.content)["period"]["end"]
        pub = Publication(
            id=secrets.token_urlsafe(12),
            org_id=org.id,
            revision_id=rev.id,
            report_id=report.id,
            public=not recipients,
            valid_from=report.created_at[:10],
            valid_until=valid_until(period_end),
            status="published",
            actor=actor.user,
            created_at=now_iso(),
        )
        uow.session.add(pub)
        uow.session.flush()
        for r in recipients:
            uow.session.add(PublicationRecipient(publication_id=pub.id, org_id=r.id))
        uow.audit.append(
            actor=actor.user,
            action="footprint.publish" if pub.public else "footprint.share",
            object_type="publication",
            object_id=pub.id,
            object_sha256=report.pdf_sha256,
            org_id=org.id,
        )
        uow.commit()
        return {
            "publication": pub.id,
            "public": pub.public,
            "to": [r.name for r in recipients],
            "revision": rev.id,
            "report": report.number,
            "valid_from": pub.valid_from,
            "valid_until": pub.valid_until,
        }


def unpublish(uow: UnitOfWork, actor: Actor, pub_id: str, *, reason: str) -> dict[str, Any]:
    """Withdraw a publication of the actor's organisation, with the reason (audited).

    The public label page then shows it withdrawn with the reason and time; the row, its
    report and the audit trail stay. Withdrawing twice is refused (the first reason stays).
    """
    if not reason.strip():
        raise InputError(
            tr("撤回发布需要 --reason 说明理由", "withdrawing a publication needs a --reason")
        )
    with uow:
        org = resolve_org(uow, actor)
        pub = uow.session.get(Publication, pub_id)
        if pub is None or pub.org_id != org.id:
            raise NotFoundError(tr(f"没有发布 {pub_id}", f"no publication {pub_id}"))
        if pub.status == "withdrawn":
            raise ConflictError(
                tr(
                    f"发布 {pub_id} 已于 {pub.withdrawn_at} 撤回",
                    f"publication {pub_id} was already withdrawn on {pub.withdrawn_at}",
                )
            )
        pub.status = "withdrawn"
        pub.withdrawn_reason = reason.strip()
        pub.withdrawn_at = now_iso()
        pub.withdrawn_by = actor.user
        report = uow.session.get(Report, pub.report_id)
        uow.audit.append(
            actor=actor.user,
            action="footprint.unpublish",
            object_type="publication",
            object_id=pub.id,
            object_sha256=report.pdf_sha256 if report is not None else None,
            org_id=org.id,
        )
        uow.commit()
        return {
            "publication": pub.id,
            "revision": pub.revision_id,
            "status": pub.status,
            "reason": pub.withdrawn_reason,
            "withdrawn_at": pub.withdrawn_at,
        }


def publications_of(uow: UnitOfWork, actor: Actor, rev_id: str) -> list[dict[str, Any]]:
    """The publications of one of the actor's organisation's revisions (newest first)."""
    with uow:
        org = resolve_org(uow, actor)
        rev = uow.revisions.get(rev_id, org.id)
        pubs = uow.session.scalars(
            select(Publication)
            .where(Publication.revision_id == rev.id, Publication.org_id == org.id)
            .order_by(Publication.created_at.desc())
        ).all()
        return [
            {
                "publication": p.id,
                "public": p.public,
                "status": p.status,
                "valid_until": p.valid_until,
                "created_at": p.created_at,
                "reason": p.withdrawn_reason,
                "withdrawn_at": p.withdrawn_at,
            }
            for p in pubs
        ]


@dataclass(frozen=True)
class PublicView:
    """The facts of a publication (numbers unformatted; the shells format them)."""

    id: str
    product: str
    manufacturer: str
    value: float
    u: float
    k: float
    unit: str
    functional_unit: str
    stages: list[str]
    period: str
    evaluator: str
    report_number: str
    report_sha256: str
    report_pdf: bytes
    issued_on: str
    valid_until: str
    status: str
    """valid | expired | withdrawn (the publication or its report) | superseded"""
    public: bool
    org_id: int
    recipients: list[int]
    status_reason: str | None = None
    """Why it was withdrawn (the publication's or the report's reason) or superseded."""
    status_changed_at: str | None = None
    superseded_by: str | None = None
    """The number of the report that replaced this publication's report."""


def public_footprint(
    uow: UnitOfWork, pub_id: str, *, today: dt.date | None = None
) -> PublicView | None:
    """A publication with its product, footprint, report and validity, else ``None``."""
    with uow:
        pub = uow.session.get(Publication, pub_id)
        if pub is None:
            return None
        rev = uow.session.get(StudyRevision, pub.revision_id)
        report = uow.session.get(Report, pub.report_id)
        if rev is None or report is None:
            return None
        ev = uow.session.get(Evaluation, report.evaluation_id) if report.evaluation_id else None
        if ev is None:
            ev = uow.evaluations.latest(rev.id)
        if ev is None:
            return None
        content = json.loads(rev.content)
        result = json.loads(ev.result)
        product = content.get("product") or {}
        maker = product.get("manufacturer") or {}
        evaluator = uow.orgs.by_id(report.org_id).name
        recipients = list(
            uow.session.scalars(
                select(PublicationRecipient.org_id).where(
                    PublicationRecipient.publication_id == pub.id
                )
            )
        )
        today = today or dt.date.today()
        reason = changed = None
        if pub.status == "withdrawn":
            status, reason, changed = "withdrawn", pub.withdrawn_reason, pub.withdrawn_at
        elif report.status in {"withdrawn", "superseded"}:
            status, reason, changed = report.status, report.status_reason, report.status_changed_at
        elif today.isoformat() > pub.valid_until:
            status = "expired"
        else:
            status = "valid"
        name = " ".join(str(b) for b in (product.get("name"), product.get("model")) if b)
        return PublicView(
            id=pub.id,
            product=name,
            manufacturer=str(maker.get("name") or uow.orgs.by_id(pub.org_id).name),
            value=ev.total_value,
            u=ev.total_u,
            k=ev.total_k,
            unit=str(result.get("unit", "kgCO2e")),
            functional_unit=str(product.get("functional_unit", "")),
            stages=[k for k, v in (result.get("stages") or {}).items() if v is not None],
            period=_period_text(content.get("period") or {}, rev.period),
            evaluator=evaluator,
            report_number=report.number,
            report_sha256=report.pdf_sha256,
            report_pdf=report.pdf,
            issued_on=pub.valid_from,
            valid_until=pub.valid_until,
            status=status,
            public=pub.public,
            org_id=pub.org_id,
            recipients=recipients,
            status_reason=reason,
            status_changed_at=changed,
            superseded_by=report.superseded_by if status == "superseded" else None,
        )


def footprints_shared_with(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """Footprints other organisations shared privately with the actor's organisation."""
    with uow:
        org = resolve_org(uow, actor)
        rows = uow.session.execute(
            select(Publication, StudyRevision, Organisation)
            .join(PublicationRecipient, PublicationRecipient.publication_id == Publication.id)
            .join(StudyRevision, StudyRevision.id == Publication.revision_id)
            .join(Organisation, Organisation.id == Publication.org_id)
            .where(PublicationRecipient.org_id == org.id, Publication.status == "published")
            .order_by(Publication.created_at.desc())
        ).all()
        return [
            {
                "publication": pub.id,
                "owner": owner.name,
                "product": (json.loads(rev.content).get("product") or {}).get("name"),
                "period": rev.period,
                "valid_until": pub.valid_until,
            }
            for pub, rev, owner in rows
        ]


def _period_text(period: dict[str, Any], fallback: str) -> str:
    """``2025`` for a calendar year, else ``start – end``.

    >>> _period_text({"start": "2025-01-01", "end": "2025-12-31"}, "")
    '2025'
    >>> _period_text({"start": "2025-07-01", "end": "2026-06-30"}, "")
    '2025-07-01 – 2026-06-30'
    """
    start, end = str(period.get("start", "")), str(period.get("end", ""))
    if not start or not end:
        return fallback
    if start[5:] == "01-01" and end[5:] == "12-31" and start[:4] == end[:4]:
        return start[:4]
    return f"{start} – {end}"


def publication_for_report(uow: UnitOfWork, sha256: str) -> str | None:
    """The public publication whose report PDF has this SHA-256, if any."""
    with uow:
        return uow.session.scalar(
            select(Publication.id)
            .join(Report, Report.id == Publication.report_id)
            .where(Report.pdf_sha256 == sha256.lower(), Publication.public.is_(True))
            .order_by(Publication.created_at.desc())
        )
