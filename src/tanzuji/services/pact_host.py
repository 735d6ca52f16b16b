"""The PACT v3 host of the web platform, over the store (issue 13).

What the PACT host of the web platform lists (its backend is
:class:`tanzuji.services.pact_backend.StorePactHost`):

* a client (the platform's one client-credential system) acts as its organisation and sees
  the footprints published to everyone plus those shared privately with its organisation
  (and its own), nothing else;
* a footprint is the PACT export of the published revision (with the tanzuji uncertainty
  extension, ``dataSchema`` on this server's URL and the signed report's number and SHA-256);
  its id is a name-based UUID of the export and of the report, so the same revision and
  report give the same id;
* a publication withdrawn, or whose report was withdrawn or superseded, is ``Deprecated``; the
  publication of the amending report names it in ``precedingPfIds``;
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, tuple_

from tanzuji.errors import TanzujiError
from tanzuji.pact.export import PF_NAMESPACE, ExportOptions
from tanzuji.pact.extension import ReportRef
from tanzuji.pact.host import FILTERS, matches
from tanzuji.services.pact import export_content
from tanzuji.store import UnitOfWork
from tanzuji.store.models import Organisation, Report, StudyRevision
from tanzuji.store.web_models import Publication, PublicationRecipient

__all__ = [
    "SHARED_CACHE",
    "Cache",
    "Listed",
    "as_filters",
    "dedup",
    "footprint_by_id",
    "listed_footprints",
    "page_footprints",
    "publication_pf",
]

log = logging.getLogger(__name__)

CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"


@dataclass(frozen=True)
class Listed:
    """A publication as the PACT host lists it: its footprint and who may see it."""

    publication: str
    owner_id: int
    owner: str
    public: bool
    recipients: frozenset[int]
    footprint: dict[str, Any]

    def visible_to(self, org_id: int) -> bool:
        """Published to everyone, shared with ``org_id``, or owned by it."""
        return self.public or org_id == self.owner_id or org_id in self.recipients


def as_filters(data: Any) -> dict[str, list[str]]:
    """The v3 filter criteria of a request's data (a value or a list of values each)."""
    out: dict[str, list[str]] = {}
    for key in FILTERS:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            continue
        out[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


Cache = dict[tuple[str, str, str, str], dict[str, Any] | None]

SHARED_CACHE: Cache = {}
"""Exports by (store, revision, report SHA-256, base URL): a stored revision and its pinned
libraries never change, so its export is computed once per process. Beside them, under
``(_ID, store, base URL, footprint id)``, the (revision, report) of each footprint id, and
under ``(_ID, store, base URL, "")`` how many publications were indexed."""

_ID = "#footprint-id"


def _base_footprint(
    uow: UnitOfWork, rev: StudyRevision, report: Report, base_url: str, cache: Cache
) -> dict[str, Any] | None:
    """The export of a revision with its report (cached; ``None`` when it cannot export)."""
    key = (str(uow.store.url), rev.id, report.pdf_sha256, base_url)
    if key in cache:
        return cache[key]
    content = json.loads(rev.content)
    libs = [json.loads(lib.content) for lib in uow.libraries.pinned(rev.id)]
    options = ExportOptions(
        base_url=base_url, report=ReportRef(number=report.number, sha256=report.pdf_sha256)
    )
    pf: dict[str, Any] | None
    try:
        pf = export_content(content, libs, options)
    except TanzujiError as exc:  # a study without the PACT fields is not served
        log.warning("revision %s cannot be exported to PACT: %s", rev.id, exc)
        pf = None
    if pf is not None:
        pf["id"] = str(uuid.uuid5(PF_NAMESPACE, f"{pf['id']}|{report.pdf_sha256}"))
    if len(cache) > 4096:
        cache.clear()
    cache[key] = pf
    if pf is not None:  # where GetFootprint finds it (cleared with the exports)
        cache[_ID, key[0], base_url, pf["id"]] = {"revision": rev.id, "report": report.id}
    return pf


Row = tuple[Publication, Report, StudyRevision, Organisation]
Key = tuple[int, str]  # (organisation of a report, report number)


def _rows() -> Any:
    """Publications with their report, revision and owner, oldest first (a select)."""
    return (
        select(Publication, Report, StudyRevision, Organisation)
        .join(Report, Report.id == Publication.report_id)
        .join(StudyRevision, StudyRevision.id == Publication.revision_id)
        .join(Organisation, Organisation.id == Publication.org_id)
        .order_by(Publication.created_at, Publication.id)
    )


def _ids_by(
    uow: UnitOfWork, rows: Iterable[Row], key: Any, base_url: str, cache: Cache
) -> dict[Key, list[str]]:
    """Footprint ids of the exportable ``rows``, grouped by ``key(report)``."""
    out: dict[Key, list[str]] = {}
    for _pub, report, rev, _owner in rows:
        base = _base_footprint(uow, rev, report, base_url, cache)
        k = key(report)
        if base is not None and k[1] is not None:
            out.setdefault(k, []).append(base["id"])
    return out


def _build(
    uow: UnitOfWork,
    rows: Iterable[Row],
    base_url: str,
    cache: Cache,
    recipients: dict[str, set[int]],
    by_number: dict[Key, list[str]],
    amended_by: dict[Key, list[str]],
) -> list[Listed]:
    """The listed footprints of ``rows`` (unexportable ones left out), in their order.

    ``by_number``: footprint ids per (organisation, report number) — the ones a report
    amending that number names in ``precedingPfIds``; ``amended_by``: footprint ids per
    (organisation, number amended) — a footprint another one names is ``Deprecated``.
    """
    out: list[Listed] = []
    for pub, report, rev, owner in rows:
        base = _base_footprint(uow, rev, report, base_url, cache)
        if base is None:
            continue
        pf = copy.deepcopy(base)
        pf["created"] = _rfc3339(pub.created_at)
        named = any(pid != pf["id"] for pid in amended_by.get((report.org_id, report.number), ()))
        deprecated = (
            pub.status != "published" or report.status in ("withdrawn", "superseded") or named
        )
        pf["status"] = "Deprecated" if deprecated else "Active"
        preceding = [
            pid
            for pid in by_number.get((report.org_id, report.amends or ""), [])
            if pid != pf["id"]
        ]
        if preceding:
            pf["precedingPfIds"] = sorted(set(preceding))
        out.append(
            Listed(
                publication=pub.id,
                owner_id=owner.id,
                owner=owner.name,
                public=pub.public,
                recipients=frozenset(recipients.get(pub.id, set())),
                footprint=pf,
            )
        )
    return out


def listed_footprints(uow: UnitOfWork, base_url: str, cache: Cache) -> list[Listed]:
    """Every publication (in an entered unit of work) with its PACT footprint, oldest first."""
    rows = _all_rows(uow)
    recipients: dict[str, set[int]] = {}
    for pub_id, org_id in uow.session.execute(
        select(PublicationRecipient.publication_id, PublicationRecipient.org_id)
    ):
        recipients.setdefault(pub_id, set()).add(org_id)
    by_number = _ids_by(uow, rows, lambda r: (r.org_id, r.number), base_url, cache)
    amended_by = _ids_by(uow, rows, lambda r: (r.org_id, r.amends), base_url, cache)
    return _build(uow, rows, base_url, cache, recipients, by_number, amended_by)


def _visible(org_id: int) -> Any:
    """Published to everyone, owned by ``org_id`` or shared with it (a SQL condition)."""
    shared = select(PublicationRecipient.publication_id).where(
        PublicationRecipient.org_id == org_id
    )
    return or_(
        Publication.public.is_(True), Publication.org_id == org_id, Publication.id.in_(shared)
    )


def _groups(org_id: int) -> Any:
    """One row per footprint ``org_id`` may see, in listing order (a select).

    A footprint is a (revision, report) pair — its id is a name-based UUID of the export and
    of the report's SHA-256 — published once or more; it sits where its first visible
    publication does (oldest first, then by publication id), as :func:`dedup` keeps it.
    """
    first = func.row_number().over(
        partition_by=(Publication.revision_id, Publication.report_id),
        order_by=(Publication.created_at, Publication.id),
    )
    visible = (
        select(
            Publication.revision_id,
            Publication.report_id,
            Publication.created_at,
            Publication.id,
            first.label("n"),
        )
        .where(_visible(org_id))
        .subquery()
    )
    return (
        select(visible.c.revision_id, visible.c.report_id)
        .where(visible.c.n == 1)
        .order_by(visible.c.created_at, visible.c.id)
    )


def _group_footprints(
    uow: UnitOfWork, org_id: int, keys: list[tuple[str, int]], base_url: str, cache: Cache
) -> dict[tuple[str, int], dict[str, Any]]:
    """The footprint of each (revision, report) in ``keys`` as ``org_id`` sees it.

    Reads only the publications of these footprints and of the reports they amend or that
    amend them (for ``precedingPfIds`` and ``Deprecated``), never the whole table.
    """
    pair = tuple_(Publication.revision_id, Publication.report_id)
    rows: list[Row] = [
        tuple(r) for r in uow.session.execute(_rows().where(_visible(org_id), pair.in_(keys)))
    ]
    amends = {(r.org_id, r.amends) for _, r, _, _ in rows if r.amends}
    numbers = {(r.org_id, r.number) for _, r, _, _ in rows}
    by_number: dict[Key, list[str]] = {}
    if amends:
        named = uow.session.execute(
            _rows().where(tuple_(Report.org_id, Report.number).in_(list(amends)))
        )
        by_number = _ids_by(
            uow, [tuple(r) for r in named], lambda r: (r.org_id, r.number), base_url, cache
        )
    amending = uow.session.execute(
        _rows().where(tuple_(Report.org_id, Report.amends).in_(list(numbers)))
    )
    amended_by = _ids_by(
        uow, [tuple(r) for r in amending], lambda r: (r.org_id, r.amends), base_url, cache
    )
    key_of = {pub.id: (pub.revision_id, pub.report_id) for pub, _, _, _ in rows}
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for item in _build(uow, rows, base_url, cache, {}, by_number, amended_by):
        key = key_of[item.publication]
        prior = out.get(key)
        pf = item.footprint
        if prior is None or (prior["status"] == "Deprecated" and pf["status"] == "Active"):
            out[key] = pf
    return out


def page_footprints(
    uow: UnitOfWork,
    org_id: int,
    base_url: str,
    cache: Cache,
    *,
    offset: int = 0,
    limit: int | None = None,
    filters: dict[str, list[str]] | None = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the footprints ``org_id`` may see (in an entered unit of work), paged in SQL.

    The visible footprints are numbered in listing order by the database; from position
    ``offset`` on, batches of ``limit + 1`` (LIMIT/OFFSET) are read until ``limit``
    footprints that pass the v3 ``filters`` are found and one more shows that a next page
    exists. Returns the page and the position where the next page starts (``None``: last).
    Without ``limit`` (or a large one): read in batches of at most 1,000.
    Same footprints, order and content as :func:`dedup` of :func:`listed_footprints`.
    """
    if limit == 0:
        return [], None
    query = _groups(org_id)
    size = 500 if limit is None else min(limit + 1, 1000)
    page: list[dict[str, Any]] = []
    pos = offset
    while True:
        keys = [(rev, rep) for rev, rep in uow.session.execute(query.offset(pos).limit(size))]
        if not keys:
            return page, None
        found = _group_footprints(uow, org_id, keys, base_url, cache)
        for i, key in enumerate(keys):
            pf = found.get(key)
            if pf is None or (filters and not matches(pf, filters)):
                continue
            if limit is not None and len(page) == limit:
                return page, pos + i
            page.append(pf)
        pos += len(keys)
        if len(keys) < size:
            return page, None
        size = min(2 * size, 1000)


def footprint_by_id(
    uow: UnitOfWork, org_id: int | None, pf_id: str, base_url: str, cache: Cache
) -> tuple[dict[str, Any] | None, bool]:
    """The footprint ``pf_id`` as ``org_id`` sees it (``None``: not visible to it), and
    whether it exists at all (in an entered unit of work).

    Its id is a digest of its export, so the (revision, report) it belongs to is looked
    up among the exports already computed (the ``cache``); only when the id is not there
    and publications were added since the last look are the exports of every publication
    computed. Then, as :func:`page_footprints` does for a page, only the publications of
    that footprint and of the reports it amends or that amend it are read.
    """
    store = str(uow.store.url)
    found = cache.get((_ID, store, base_url, pf_id))
    if found is None:
        count = uow.session.scalar(select(func.count()).select_from(Publication)) or 0
        indexed = cache.get((_ID, store, base_url, ""))
        if indexed is None or indexed["publications"] != count:
            _ids_by(uow, _all_rows(uow), lambda r: (r.org_id, r.number), base_url, cache)
            cache[_ID, store, base_url, ""] = {"publications": count}
            found = cache.get((_ID, store, base_url, pf_id))
        if found is None:
            return None, False
    key = (str(found["revision"]), int(found["report"]))
    if org_id is not None:
        pf = _group_footprints(uow, org_id, [key], base_url, cache).get(key)
        if pf is not None and pf["id"] == pf_id:
            return pf, True
    published = uow.session.scalar(  # not visible: still published? (403, else 404)
        select(func.count())
        .select_from(Publication)
        .where(Publication.revision_id == key[0], Publication.report_id == key[1])
    )
    return None, bool(published)  # none: the store was emptied under the cache


def _all_rows(uow: UnitOfWork) -> list[Row]:
    return [tuple(r) for r in uow.session.execute(_rows()).all()]


def publication_pf(uow: UnitOfWork, pub_id: str, base_url: str, cache: Cache) -> Listed | None:
    """One publication as listed (in an entered unit of work), or ``None``."""
    return next(
        (x for x in listed_footprints(uow, base_url, cache) if x.publication == pub_id), None
    )


def _rfc3339(stamp: str) -> str:
    """A stored ISO time as RFC 3339 in UTC with ``Z``.

    >>> _rfc3339("2026-12-01T05:00:00.123456+00:00")
    '2026-12-01T05:00:00Z'
    """
    t = dt.datetime.fromisoformat(stamp)
    t = t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def dedup(items: Iterable[Listed]) -> list[dict[str, Any]]:
    """Footprints by id, once each (a revision published twice is one footprint)."""
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        pf = item.footprint
        prior = seen.get(pf["id"])
        if prior is None or (prior["status"] == "Deprecated" and pf["status"] == "Active"):
            seen[pf["id"]] = pf
    return list(seen.values())
