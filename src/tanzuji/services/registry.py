"""Read-only use cases of the web platform: the audit log of one organisation and the
authority's registry of every published footprint."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from tanzuji.services.context import Actor, resolve_org
from tanzuji.store import UnitOfWork
from tanzuji.store.models import AuditEntry, Evaluation, Organisation, Report, StudyRevision
from tanzuji.store.web_models import Publication

__all__ = ["audit_entries", "registry_search", "report_pdf"]


def audit_entries(uow: UnitOfWork, actor: Actor, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit entries of the actor's organisation."""
    with uow:
        org = resolve_org(uow, actor)
        rows = uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.org_id == org.id)
            .order_by(AuditEntry.seq.desc())
            .limit(limit)
        ).all()
        return [
            {
                "seq": e.seq,
                "time": e.at,
                "actor": e.actor,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object_sha256": e.object_sha256,
                "hash": e.hash,
            }
            for e in rows
        ]


def registry_search(
    uow: UnitOfWork, text: str | None, *, limit: int = 1000
) -> list[dict[str, Any]]:
    """Every footprint published to everyone (matching ``text`` in product, maker, number)."""
    with uow:
        rows = uow.session.execute(
            select(Publication, StudyRevision, Report, Organisation)
            .join(StudyRevision, StudyRevision.id == Publication.revision_id)
            .join(Report, Report.id == Publication.report_id)
            .join(Organisation, Organisation.id == Publication.org_id)
            .where(Publication.public.is_(True), Publication.status == "published")
            .order_by(Publication.created_at.desc())
            .limit(limit)
        ).all()
        needle = (text or "").strip().lower()
        out = []
        for pub, rev, report, org in rows:
            content = json.loads(rev.content)
            product = content.get("product") or {}
            ev = uow.session.get(Evaluation, report.evaluation_id) if report.evaluation_id else None
            ev = ev or uow.evaluations.latest(rev.id)
            row = {
                "publication": pub.id,
                "manufacturer": org.name,
                "product": product.get("name"),
                "model": product.get("model"),
                "functional_unit": product.get("functional_unit"),
                "period": rev.period,
                "value": ev.total_value if ev else None,
                "U": ev.total_k * ev.total_u if ev else None,
                "k": ev.total_k if ev else None,
                "unit": "kgCO2e",
                "report": report.number,
                "evaluator": uow.orgs.by_id(report.org_id).name,
                "valid_from": pub.valid_from,
                "valid_until": pub.valid_until,
            }
            hay = " ".join(str(v) for v in row.values() if v is not None).lower()
            if needle and needle not in hay:
                continue
            out.append(row)
        return out


def report_pdf(uow: UnitOfWork, actor: Actor, number: str, lang: str) -> bytes:
    """An issued report's PDF: one the actor's organisation issued, or issued for one of
    its revisions (a manufacturer downloads the report its institute issued)."""
    from tanzuji.errors import NotFoundError
    from tanzuji.i18n import tr

    with uow:
        org = resolve_org(uow, actor)
        rows = uow.session.execute(
            select(Report, StudyRevision)
            .outerjoin(StudyRevision, StudyRevision.id == Report.revision_id)
            .where(Report.number == number, Report.lang == lang)
        ).all()
        for report, rev in rows:
            if report.org_id == org.id or (rev is not None and rev.org_id == org.id):
                return bytes(report.pdf)
        raise NotFoundError(tr(f"没有报告 {number}", f"no report {number}"))
