"""Use cases that read: products, history, show a revision, re-evaluate, certificates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tanzuji.errors import NotFoundError
from tanzuji.i18n import tr
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.documents import evaluation_meta, revision_meta
from tanzuji.services.evaluation import EvaluationOutcome, evaluate_content
from tanzuji.services.save import store_evaluation
from tanzuji.store import UnitOfWork
from tanzuji.store.models import Evaluation, Product, StudyRevision

__all__ = [
    "HistoryEntry",
    "RevisionView",
    "evaluate_revision",
    "expiring_certificates",
    "history",
    "list_products",
    "reproduce_evaluation",
    "show_revision",
]


@dataclass(frozen=True)
class HistoryEntry:
    """One revision in a history listing, with its latest JJF result."""

    revision_id: str
    parent_id: str | None
    study_key: str
    seq: int
    period: str
    author: str
    message: str
    created_at: str
    total_value: float | None
    total_u: float | None
    total_k: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision_id,
            "parent": self.parent_id,
            "study": self.study_key,
            "seq": self.seq,
            "period_start": self.period,
            "author": self.author,
            "message": self.message,
            "time": self.created_at,
            "total": None
            if self.total_value is None
            else {"value": self.total_value, "u": self.total_u, "k": self.total_k},
        }


@dataclass(frozen=True)
class RevisionView:
    """A revision with its content, pinned libraries and evaluations."""

    revision: dict[str, Any]
    study: dict[str, Any]
    libraries: list[dict[str, str]]
    evaluations: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "study": self.study,
            "libraries": self.libraries,
            "evaluations": self.evaluations,
        }


def _product_dict(p: Product) -> dict[str, Any]:
    return {
        "key": p.key,
        "name": p.name,
        "manufacturer": p.manufacturer,
        "model": p.model,
        "rating": p.rating,
        "accuracy_class": p.accuracy_class,
        "identifiers": json.loads(p.identifiers),
        "mass_per_declared_unit_kg": p.mass_per_declared_unit_kg,
    }


def list_products(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """The organisation's products, each with its studies and revision counts."""
    with uow:
        org = resolve_org(uow, actor)
        out = []
        for p in uow.products.list(org.id):
            studies = uow.revisions.studies_of_product(p.id)
            out.append(
                _product_dict(p)
                | {
                    "studies": [
                        {
                            "study": s.study_key,
                            "revisions": s.revision_count,
                            "head": s.head_revision_id,
                        }
                        for s in studies
                    ]
                }
            )
        return out


def _entry(rev: StudyRevision, study_key: str, ev: Evaluation | None) -> HistoryEntry:
    return HistoryEntry(
        revision_id=rev.id,
        parent_id=rev.parent_id,
        study_key=study_key,
        seq=rev.seq,
        period=rev.period,
        author=rev.author,
        message=rev.message,
        created_at=rev.created_at,
        total_value=ev.total_value if ev else None,
        total_u=ev.total_u if ev else None,
        total_k=ev.total_k if ev else None,
    )


def history(
    uow: UnitOfWork, actor: Actor, what: str, *, limit: int | None = None
) -> list[HistoryEntry]:
    """Revisions (newest first) of a study id, or of every study of a product."""
    with uow:
        org = resolve_org(uow, actor)
        study = uow.revisions.study(org.id, what)
        studies = [study] if study is not None else []
        if not studies:
            products = uow.products.find(org.id, what)
            if len(products) > 1:
                names = "; ".join(p.key for p in products[:5])
                raise NotFoundError(
                    tr(
                        f"{what!r} 匹配多个产品：{names}；请写得更具体",
                        f"{what!r} matches several products: {names}; be more specific",
                    )
                )
            if products:
                studies = list(uow.revisions.studies_of_product(products[0].id))
        if not studies:
            raise NotFoundError(
                tr(
                    f"没有研究或产品 {what!r}（用 tanzuji products 查看）",
                    f"no study or product {what!r} (see tanzuji products)",
                )
            )
        out: list[HistoryEntry] = []
        for s in studies:
            revs = uow.revisions.history(s.id, limit)
            latest = uow.evaluations.latest_many([r.id for r in revs])
            out.extend(_entry(rev, s.study_key, latest.get(rev.id)) for rev in revs)
        out.sort(key=lambda e: e.created_at, reverse=True)
        return out[:limit] if limit else out


def show_revision(uow: UnitOfWork, actor: Actor, rev_id: str) -> RevisionView:
    """One revision: metadata, canonical study, pinned libraries, stored evaluations."""
    with uow:
        org = resolve_org(uow, actor)
        rev = uow.revisions.get(rev_id, org.id)
        study = uow.revisions.study(org.id, json.loads(rev.content)["id"])
        meta = revision_meta(rev, study.study_key if study else None)
        libs = [
            {"library": lib.library_key, "revision": lib.id, "content_sha256": lib.content_sha256}
            for lib in uow.libraries.pinned(rev.id)
        ]
        evs = [
            {**evaluation_meta(ev), "result": json.loads(ev.result)}
            for ev in uow.evaluations.of_revision(rev.id)
        ]
        return RevisionView(meta, json.loads(rev.content), libs, evs)


def reproduce_evaluation(
    uow: UnitOfWork,
    actor: Actor,
    rev_id: str,
    *,
    full: bool = False,
    mc_trials: int | None = None,
    mc_seed: int | None = None,
) -> EvaluationOutcome:
    """Evaluate a stored revision again from what the database holds (stores nothing)."""
    with uow:
        org = resolve_org(uow, actor)
        rev = uow.revisions.get(rev_id, org.id)
        content = json.loads(rev.content)
        libs = [json.loads(lib.content) for lib in uow.libraries.pinned(rev.id)]
    return evaluate_content(content, libs, full=full, mc_trials=mc_trials, mc_seed=mc_seed)


def evaluate_revision(
    uow: UnitOfWork,
    actor: Actor,
    rev_id: str,
    *,
    full: bool = False,
    mc_trials: int | None = None,
    mc_seed: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> dict[str, Any]:
    """Evaluate-and-store: run (full GUM / Monte Carlo) on a stored revision, record it.

    ``progress(done, total)`` is called as Monte Carlo trials are drawn (the web's bar).
    """
    with uow:
        org_id = resolve_org(uow, actor).id
        rev = uow.revisions.get(rev_id, org_id)
        full_id = rev.id
        content = json.loads(rev.content)
        libs = [json.loads(lib.content) for lib in uow.libraries.pinned(rev.id)]
    outcome = evaluate_content(
        content, libs, full=full, mc_trials=mc_trials, mc_seed=mc_seed, progress=progress
    )
    with uow:
        rev = uow.revisions.get(full_id, org_id)
        ev = store_evaluation(uow, actor, rev, outcome)
        uow.commit()
        return {
            "evaluation": ev.id,
            "revision": rev.id,
            "method": ev.method,
            "result": outcome.result,
        }


def expiring_certificates(
    uow: UnitOfWork, actor: Actor, within_days: int, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Current certificates of the organisation's instruments expiring within N days."""
    with uow:
        org = resolve_org(uow, actor)
        return [
            {
                "instrument": inst.instrument_key,
                "name": inst.name,
                "certificate": cert.number,
                "issuer": cert.issuer,
                "valid_until": cert.valid_until,
            }
            for inst, cert in uow.instruments.expiring(org.id, within_days, today)
        ]
