"""A stored revision as JSON bytes, for readers that serve it as it is (the REST API).

:func:`revision_document` gives the same JSON object as ``show_revision(...).to_dict()``,
but built from the stored canonical JSON texts of the study and of its evaluations without
parsing and re-serialising them, in one unit of work, with an entity tag. A revision and its
pinned libraries never change and evaluations are only ever added (their ids are content
hashes), so the document of a revision is fully determined by the revision id and the list
of its evaluation ids: the bytes of that key are kept in a small per-process cache, and the
store is still asked, on every call, whether the actor may read the revision and which
evaluations it has. Nothing here depends on which process served an earlier request.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import undefer

from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.sharing import readable_revision
from tanzuji.store import Store, UnitOfWork
from tanzuji.store.models import (
    Evaluation,
    LibraryRevision,
    Organisation,
    RevisionLibrary,
    Study,
    StudyRevision,
)
from tanzuji.store.web_models import Share

__all__ = [
    "RevisionDocument",
    "evaluation_meta",
    "known_document",
    "revision_document",
    "revision_meta",
]

_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class RevisionDocument:
    """The JSON bytes of a revision (``show_revision(...).to_dict()``) and their entity tag."""

    etag: str
    body: bytes


class _Documents:
    """Least recently used documents, at most ``limit`` bytes in all (thread-safe)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.limit // 4:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _, old = self._items.popitem(last=False)
                self.size -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


_documents = _Documents(_CACHE_BYTES)


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _etag(rev_id: str, evaluation_ids: list[str]) -> str:
    return hashlib.sha256("\n".join([rev_id, *evaluation_ids]).encode()).hexdigest()[:40]


@functools.cache
def _readable_evaluations() -> Any:
    """Rows (revision id, evaluation id or NULL) of revision ``:rev`` if organisation
    ``:org`` owns it or was shared it (built once: building a statement costs more than
    running it)."""
    me = select(Organisation.id).where(Organisation.name == bindparam("org")).scalar_subquery()
    shared = exists().where(Share.revision_id == StudyRevision.id, Share.to_org_id == me)
    return (
        select(StudyRevision.id, Evaluation.id)
        .outerjoin(Evaluation, Evaluation.revision_id == StudyRevision.id)
        .where(StudyRevision.id == bindparam("rev"), or_(StudyRevision.org_id == me, shared))
        .order_by(Evaluation.created_at)
    )


def _cached(rows: Sequence[Any], rev_id: str) -> RevisionDocument | None:
    if not rows:
        return None
    etag = _etag(rev_id, [e for _, e in rows if e is not None])
    body = _documents.get(etag)
    return RevisionDocument(etag, body) if body is not None else None


def revision_meta(rev: StudyRevision, study_key: str | None) -> dict[str, Any]:
    """The ``revision`` part of a revision's document (the API's and ``show_revision``'s)."""
    return {
        "id": rev.id,
        "parent": rev.parent_id,
        "study": study_key,
        "seq": rev.seq,
        "author": rev.author,
        "message": rev.message,
        "time": rev.created_at,
        "content_sha256": rev.content_sha256,
        "source_name": rev.source_name,
        "source_sha256": rev.source_sha256,
        "picture_sha256": rev.picture_sha256,
    }


def evaluation_meta(ev: Evaluation) -> dict[str, Any]:
    """An evaluation's entry in a revision's document, without its result."""
    return {
        "id": ev.id,
        "method": ev.method,
        "engine_version": ev.engine_version,
        "mc_trials": ev.mc_trials,
        "mc_seed": ev.mc_seed,
        "time": ev.created_at,
        "result_sha256": ev.result_sha256,
    }


def known_document(store: Store, actor: Actor, rev_id: str) -> RevisionDocument | None:
    """The document of revision ``rev_id`` if the actor may read it and its bytes are in
    this process's cache, else ``None`` (then ask :func:`revision_document`, which also
    says why a revision cannot be read).

    The usual read: one statement on a pooled connection, no ORM session or unit of work
    (they cost more than the query). Whether the actor's organisation owns the revision or
    was shared it, and which evaluations it has, is read from the store on every call.
    """
    ident = rev_id.strip().lower()
    if len(ident) != 64:
        return None
    rows = store.read_rows(_readable_evaluations(), {"rev": ident, "org": actor.org})
    return _cached(rows, ident)


def revision_document(uow: UnitOfWork, actor: Actor, rev_id: str) -> RevisionDocument:
    """The revision ``rev_id`` (own, or shared with the actor's organisation) as JSON bytes.

    Raises ``NotFoundError`` exactly where ``sharing.owner_actor`` + ``show_revision`` do.
    """
    with uow:
        ident = rev_id.strip().lower()
        if len(ident) == 64:  # one query says readable + evaluations
            readable = uow.session.connection().execute(
                _readable_evaluations(), {"rev": ident, "org": actor.org}
            )
            known = _cached(readable.all(), ident)
            if known is not None:
                return known
        org = resolve_org(uow, actor)
        rev = readable_revision(uow, org.id, rev_id)
        evs = uow.session.execute(
            select(Evaluation.id)
            .where(Evaluation.revision_id == rev.id)
            .order_by(Evaluation.created_at)
        ).all()
        ids = [e.id for e in evs]
        etag = _etag(rev.id, ids)
        body = _documents.get(etag)
        if body is not None:
            return RevisionDocument(etag, body)
        s = uow.session
        content = s.scalar(
            select(type(rev).content).where(type(rev).id == rev.id)  # deferred column
        )
        study_key = s.scalar(select(Study.study_key).where(Study.id == rev.study_id))
        libs = s.execute(
            select(LibraryRevision.library_key, LibraryRevision.id, LibraryRevision.content_sha256)
            .join(RevisionLibrary, RevisionLibrary.library_revision_id == LibraryRevision.id)
            .where(RevisionLibrary.revision_id == rev.id)
            .order_by(RevisionLibrary.position)
        ).all()
        rows = s.scalars(
            select(Evaluation)
            .options(undefer(Evaluation.result))
            .where(Evaluation.revision_id == rev.id)
            .order_by(Evaluation.created_at)
        ).all()
        meta = revision_meta(rev, study_key)
        parts = [
            '{"revision":',
            _dumps(meta),
            ',"study":',
            content or "null",
            ',"libraries":',
            _dumps([{"library": k, "revision": i, "content_sha256": h} for k, i, h in libs]),
            ',"evaluations":[',
        ]
        for n, ev in enumerate(rows):
            head = _dumps(evaluation_meta(ev))
            parts += ["," if n else "", head[:-1], ',"result":', ev.result, "}"]
        parts.append("]}")
        body = "".join(parts).encode("utf-8")
        if [ev.id for ev in rows] == ids:  # no evaluation added between the two reads
            _documents.put(etag, body)
        else:
            etag = _etag(rev.id, [e.id for e in rows])
        return RevisionDocument(etag, body)
