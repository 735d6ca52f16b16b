"""Use case: save a study file as a new revision, evaluate it and store the result.

The product picture the study names (``product.picture``, a file beside the study) is
kept with the revision, re-encoded as the report embeds it, so a report issued from the
store shows it. A picture that cannot be read is not stored; the save succeeds and says
so (:attr:`SaveResult.notes`), as a report issued from that revision will have none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tanzuji.errors import ConflictError
from tanzuji.i18n import tr
from tanzuji.jsonio import LoadedStudy
from tanzuji.model import Study
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.evaluation import (
    EvaluationOutcome,
    evaluate_content,
    library_contents,
    study_content,
)
from tanzuji.store import UnitOfWork
from tanzuji.store.hashing import canonical_json, now_iso, revision_id, sha256_hex
from tanzuji.store.models import Evaluation, Product, StudyRevision
from tanzuji.store.models import Study as StudyRow
from tanzuji.studyfiles import load_study

__all__ = [
    "PreparedSave",
    "SaveResult",
    "commit_prepared",
    "prepare_save",
    "product_fields",
    "save_loaded",
    "save_prepared",
    "save_study",
    "store_evaluation",
]


@dataclass(frozen=True)
class SaveResult:
    """What ``save`` did: the revision (new or the unchanged parent) and its evaluation."""

    revision_id: str
    parent_id: str | None
    created: bool
    study_key: str
    product_key: str
    seq: int
    evaluation_id: str | None
    total_value: float | None
    total_u: float | None
    total_k: float | None
    notes: tuple[str, ...] = ()
    """What the user must hear about the save (a product picture that was not stored)."""

    @property
    def expanded(self) -> float | None:
        """U = k·u."""
        if self.total_u is None or self.total_k is None:
            return None
        return self.total_k * self.total_u

    def to_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision_id,
            "parent": self.parent_id,
            "created": self.created,
            "study": self.study_key,
            "product": self.product_key,
            "seq": self.seq,
            "evaluation": self.evaluation_id,
            "total": None
            if self.total_value is None
            else {
                "value": self.total_value,
                "u": self.total_u,
                "k": self.total_k,
                "U": self.expanded,
            },
            "notes": list(self.notes),
        }


def product_fields(study: Study) -> dict[str, Any]:
    """The product register entry a study describes (key = what identifies the model)."""
    p = study.product
    manufacturer = p.manufacturer.name if p.manufacturer is not None else None
    ids: list[str] = []
    for attr in ("product_ids", "identifiers"):
        ids.extend(str(x) for x in getattr(p, attr, ()) or ())
    gtin = getattr(p, "gtin", None)
    if gtin:
        ids.append(f"urn:gtin:{gtin}")
    mass = getattr(p, "mass_kg", None)
    key = " | ".join(x or "" for x in (manufacturer, p.name, p.model, p.rating, p.accuracy_class))
    return {
        "key": key,
        "name": p.name,
        "manufacturer": manufacturer,
        "model": p.model,
        "rating": p.rating,
        "accuracy_class": p.accuracy_class,
        "identifiers": json.dumps(sorted(set(ids)), ensure_ascii=False),
        "mass_per_declared_unit_kg": float(mass) if mass is not None else None,
    }


def store_evaluation(
    uow: UnitOfWork, actor: Actor, rev: StudyRevision, outcome: EvaluationOutcome
) -> Evaluation:
    """Record an evaluation of a revision (once per identical outcome) and audit it."""
    ev_id = outcome.evaluation_id(rev.id)
    have = uow.evaluations.get(ev_id)
    if have is not None:
        return have
    ev = uow.evaluations.add(
        Evaluation(
            id=ev_id,
            revision_id=rev.id,
            org_id=rev.org_id,
            method=outcome.method,
            engine_version=outcome.engine_version,
            mc_trials=outcome.mc_trials,
            mc_seed=outcome.mc_seed,
            total_value=outcome.total_value,
            total_u=outcome.total_u,
            total_k=outcome.total_k,
            result=outcome.result_json,
            result_sha256=outcome.result_sha256,
            actor=actor.user,
            created_at=now_iso(),
        )
    )
    uow.audit.append(
        actor=actor.user,
        action="evaluation.add",
        object_type="evaluation",
        object_id=ev.id,
        object_sha256=ev.result_sha256,
        org_id=rev.org_id,
    )
    return ev


def save_study(
    uow: UnitOfWork,
    actor: Actor,
    path: str | Path,
    *,
    message: str = "",
    parent: str | None = None,
    evaluate: bool = True,
) -> SaveResult:
    """Save a study file (YAML/JSON/xlsx) as a revision of its study id in the actor's org.

    The parent is the study's newest revision; ``parent`` (an id or prefix) states which
    revision the edit was based on and fails with :class:`ConflictError` if another writer
    saved after it. Content equal to the parent's creates nothing.
    """
    loaded = load_study(path)
    return save_loaded(uow, actor, loaded, message=message, parent=parent, evaluate=evaluate)


@dataclass(frozen=True)
class PreparedSave:
    """What ``save`` stores, computed before the transaction (no database access)."""

    study_id: str
    product: dict[str, Any]
    period: str
    instruments: tuple[Any, ...]
    content_text: str
    content_sha256: str
    libraries: list[tuple[str, dict[str, Any]]]
    source: bytes | None
    source_name: str
    outcome: EvaluationOutcome | None = None
    picture: bytes | None = None
    """The product picture, re-encoded as PNG (:func:`revision_picture`)."""
    picture_note: str | None = None
    """Why the picture the study names was not stored (``None``: stored, or none named)."""


PICTURE_MEDIA_TYPE = "image/png"


def revision_picture(
    loaded: LoadedStudy, *, strict: bool = False
) -> tuple[bytes | None, str | None]:
    """The product picture a study names, re-encoded as the report embeds it (the file
    policy and the picture sanitiser of :mod:`tanzuji.report.assets`), or why it cannot be
    kept: ``(png, None)``, ``(None, note)``, or ``(None, None)`` when no picture is named.

    ``strict``: a picture that cannot be kept raises the :class:`ReportError` instead (the
    user handed the picture over with the study, so it must not be dropped silently)."""
    ref = loaded.study.product.picture
    if not ref:
        return None, None
    from tanzuji.report.assets import picture_png  # Pillow: only when there is a picture
    from tanzuji.report.errors import ReportError

    try:
        return picture_png(ref, loaded.path.parent), None
    except ReportError as exc:
        if strict:
            raise
        return None, tr(
            f"产品图片未保存（{exc.message}）；由此修订签发的报告将没有产品图片",
            f"the product picture was not stored ({exc.message}); reports issued from this "
            "revision will show no picture",
        )


def prepare_save(
    loaded: LoadedStudy,
    *,
    evaluate: bool = True,
    source: bytes | None = None,
    strict_picture: bool = False,
) -> PreparedSave:
    """The canonical content, its hash, the product entry and the libraries of a study.

    ``strict_picture``: a named picture that cannot be kept is an error, not a note
    (:func:`revision_picture`)."""
    content = study_content(loaded.study)
    content_text = canonical_json(content)
    libs = library_contents(loaded.factors)
    outcome = evaluate_content(content, [c for _, c in libs]) if evaluate else None
    if source is None:
        try:
            source = loaded.path.read_bytes()
        except OSError:
            source = None
    study = loaded.study
    picture, picture_note = revision_picture(loaded, strict=strict_picture)
    return PreparedSave(
        study_id=study.id,
        product=product_fields(study),
        period=study.period.start.isoformat(),
        instruments=tuple(study.instruments),
        content_text=content_text,
        content_sha256=sha256_hex(content_text),
        libraries=libs,
        source=source,
        source_name=loaded.path.name,
        outcome=outcome,
        picture=picture,
        picture_note=picture_note,
    )


def save_loaded(
    uow: UnitOfWork,
    actor: Actor,
    loaded: LoadedStudy,
    *,
    message: str = "",
    parent: str | None = None,
    evaluate: bool = True,
    source: bytes | None = None,
) -> SaveResult:
    """:func:`save_study` for an already loaded study."""
    prep = prepare_save(loaded, evaluate=evaluate, source=source)
    return commit_prepared(uow, actor, prep, message=message, parent=parent)


def commit_prepared(
    uow: UnitOfWork,
    actor: Actor,
    prep: PreparedSave,
    *,
    message: str = "",
    parent: str | None = None,
) -> SaveResult:
    """:func:`save_prepared` in a transaction of its own, committed (the web upload path:
    it prepares while the uploaded files exist, then stores)."""
    with uow:
        res = save_prepared(uow, actor, prep, message=message, parent=parent)
        uow.commit()
        return res


def save_prepared(
    uow: UnitOfWork,
    actor: Actor,
    prep: PreparedSave,
    *,
    message: str = "",
    parent: str | None = None,
) -> SaveResult:
    """The writes of ``save`` inside an entered unit of work (the caller commits).

    :func:`save_loaded` commits once per save; a bulk loader (the benchmark) may store
    many prepared saves in one transaction — the rows, hashes and audit chain are the same.
    """
    org = resolve_org(uow, actor, create_default=True)
    pf = prep.product
    product = uow.products.get_by_key(org.id, pf["key"])
    if product is None:
        product = uow.products.add(Product(org_id=org.id, created_at=now_iso(), **pf))
        uow.audit.append(
            actor=actor.user,
            action="product.add",
            object_type="product",
            object_id=pf["key"],
            org_id=org.id,
        )
    row = uow.revisions.study(org.id, prep.study_id)
    if row is None:
        row = uow.revisions.add_study(
            StudyRow(
                org_id=org.id,
                study_key=prep.study_id,
                product_id=product.id,
                head_revision_id=None,
                revision_count=0,
                created_at=now_iso(),
            )
        )
    head = uow.revisions.get(row.head_revision_id) if row.head_revision_id else None
    if parent is not None:
        wanted = uow.revisions.get(parent, org.id)
        if head is None or wanted.id != head.id:
            raise ConflictError(
                tr(
                    f"冲突：研究 {prep.study_id} 的最新修订已是 {_short(head)}，不是 {parent}；"
                    "未保存。请基于最新修订重新编辑后再保存",
                    f"conflict: the newest revision of study {prep.study_id} is now "
                    f"{_short(head)}, not {parent}; nothing was saved. Edit the newest "
                    "revision and save again",
                )
            )
    outcome = prep.outcome
    if head is not None and head.content_sha256 == prep.content_sha256:
        ev = uow.evaluations.latest(head.id)
        if ev is None and outcome is not None:
            ev = store_evaluation(uow, actor, head, outcome)
        return _result(head, row, pf["key"], False, ev, _notes(prep, head))
    time = now_iso()
    rev_id = revision_id(
        content_sha256=prep.content_sha256,
        parent=head.id if head else None,
        study=prep.study_id,
        org=org.name,
        author=actor.user,
        message=message,
        time=time,
    )
    source_sha = uow.revisions.put_blob(prep.source) if prep.source is not None else None
    picture_sha = uow.revisions.put_blob(prep.picture) if prep.picture is not None else None
    rev = uow.revisions.add(
        StudyRevision(
            id=rev_id,
            study_id=row.id,
            org_id=org.id,
            product_id=product.id,
            seq=(head.seq + 1) if head else 1,
            parent_id=head.id if head else None,
            content_sha256=prep.content_sha256,
            content=prep.content_text,
            period=prep.period,
            author=actor.user,
            message=message,
            created_at=time,
            source_name=prep.source_name,
            source_sha256=source_sha,
            picture_sha256=picture_sha,
            picture_media_type=PICTURE_MEDIA_TYPE if picture_sha else None,
        )
    )
    uow.libraries.pin(rev.id, uow.libraries.get_or_add_many(prep.libraries))
    if not uow.revisions.advance_head(row, head.id if head else None, rev.id):
        raise ConflictError(
            tr(
                f"冲突：另一写入者刚保存了研究 {prep.study_id} 的新修订；未保存，请重试",
                f"conflict: another writer just saved a new revision of study "
                f"{prep.study_id}; nothing was saved, try again",
            )
        )
    if head is None or _instruments_changed(head.content, prep.instruments):
        for inst in prep.instruments:
            uow.instruments.upsert(org.id, inst)
    uow.audit.append(
        actor=actor.user,
        action="revision.save",
        object_type="study_revision",
        object_id=rev.id,
        object_sha256=prep.content_sha256,
        org_id=org.id,
    )
    ev = store_evaluation(uow, actor, rev, outcome) if outcome is not None else None
    return _result(rev, row, pf["key"], True, ev, _notes(prep, rev))


def _notes(prep: PreparedSave, rev: StudyRevision) -> tuple[str, ...]:
    """What to say about the picture of the revision saved (or left unchanged)."""
    if prep.picture_note is not None:  # unless the unchanged revision has its picture
        return (prep.picture_note,) if rev.picture_sha256 is None else ()
    if prep.picture is None or rev.picture_sha256 == sha256_hex(prep.picture):
        return ()
    # unchanged content: the revision is immutable and keeps the picture it was saved with
    return (
        tr(
            f"研究内容未变，修订 {rev.id[:12]} 保持保存时的产品图片（或没有图片）；"
            "更换的图片文件未保存",
            f"the study is unchanged: revision {rev.id[:12]} keeps the product picture it "
            "was saved with (or none); the changed picture file was not stored",
        ),
    )


def _instruments_changed(parent_content: str, instruments: tuple[Any, ...]) -> bool:
    """Whether the instrument register differs from the parent revision's."""
    mine = [i.model_dump(mode="json") for i in instruments]
    return bool(json.loads(parent_content).get("instruments", []) != mine)


def _short(rev: StudyRevision | None) -> str:
    return rev.id[:12] if rev is not None else tr("（无）", "(none)")


def _result(
    rev: StudyRevision,
    row: StudyRow,
    product_key: str,
    created: bool,
    ev: Evaluation | None,
    notes: tuple[str, ...] = (),
) -> SaveResult:
    return SaveResult(
        revision_id=rev.id,
        parent_id=rev.parent_id,
        created=created,
        study_key=row.study_key,
        product_key=product_key,
        seq=rev.seq,
        evaluation_id=ev.id if ev else None,
        total_value=ev.total_value if ev else None,
        total_u=ev.total_u if ev else None,
        total_k=ev.total_k if ev else None,
        notes=notes,
    )
