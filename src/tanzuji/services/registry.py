"""Read-only use cases of the web platform: the audit log of one organisation and the
authority's registry of every published footprint."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import aliased, undefer

from tanzuji.services.context import Actor, resolve_org
from tanzuji.store import UnitOfWork
from tanzuji.store.models import AuditEntry, Evaluation, Organisation, Report, StudyRevision
from tanzuji.store.web_models import Publication, PublicationRecipient

__all__ = ["SEARCHED", "audit_entries", "registry_search", "report_pdf"]


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


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (its own % and _ taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: The fields a registry search matches (case-insensitively, anywhere in the text).
SEARCHED = ("manufacturer", "product", "model", "functional_unit", "period", "report", "evaluator")


def registry_search(
    uow: UnitOfWork, text: str | None, *, actor: Actor | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Every footprint published to everyone and, for an ``actor``, those shared privately
    with its organisation (newest first, at most ``limit``), matching ``text`` in the
    manufacturer, product, model, functional unit, period, report number or evaluator.

    Each row says whether it is ``public`` or ``shared`` (privately, with the actor)."""
    evaluator = aliased(Organisation)
    needle = (text or "").strip().lower()
    with uow:
        visible: ColumnElement[bool] = Publication.public.is_(True)
        if actor is not None:
            org = resolve_org(uow, actor)
            shared = exists().where(
                PublicationRecipient.publication_id == Publication.id,
                PublicationRecipient.org_id == org.id,
            )
            visible = or_(visible, shared)
        q = (
            select(Publication, StudyRevision, Report, Organisation, evaluator.name, Evaluation)
            .join(StudyRevision, StudyRevision.id == Publication.revision_id)
            .join(Report, Report.id == Publication.report_id)
            .join(Organisation, Organisation.id == Publication.org_id)
            .join(evaluator, evaluator.id == Report.org_id)
            .outerjoin(Evaluation, Evaluation.id == Report.evaluation_id)
            .options(undefer(StudyRevision.content))
            .where(visible, Publication.status == "published")
            .order_by(Publication.created_at.desc())
        )
        if needle:  # a superset in SQL (the study's text holds product, model, unit) ...
            pattern = _like(needle)
            q = q.where(
                or_(
                    *(
                        func.lower(col).like(pattern, escape="\\")
                        for col in (
                            Organisation.name,
                            evaluator.name,
                            Report.number,
                            StudyRevision.period,
                            StudyRevision.content,
                        )
                    )
                )
            )
        out: list[dict[str, Any]] = []
        for pub, rev, report, org, evaluator_name, pinned in uow.session.execute(q):
            product = json.loads(rev.content).get("product") or {}
            ev = pinned or uow.evaluations.latest(rev.id)
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
                "evaluator": evaluator_name,
                "valid_from": pub.valid_from,
                "valid_until": pub.valid_until,
                "visibility": "public" if pub.public else "shared",
            }
            # ... then exactly, on the fields shown
            hay = " ".join(str(row[k]) for k in SEARCHED if row[k] is not None).lower()
            if needle and needle not in hay:
                continue
            out.append(row)
            if len(out) >= limit:
                break
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
