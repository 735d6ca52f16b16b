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

from sqlalchemy import select

from tanzuji.errors import TanzujiError
from tanzuji.pact.export import PF_NAMESPACE, ExportOptions
from tanzuji.pact.extension import ReportRef
from tanzuji.pact.host import FILTERS
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
    "listed_footprints",
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
libraries never change, so its export is computed once per process."""


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
    return pf


def listed_footprints(uow: UnitOfWork, base_url: str, cache: Cache) -> list[Listed]:
    """Every publication (in an entered unit of work) with its PACT footprint, oldest first."""
    rows = uow.session.execute(
        select(Publication, Report, StudyRevision, Organisation)
        .join(Report, Report.id == Publication.report_id)
        .join(StudyRevision, StudyRevision.id == Publication.revision_id)
        .join(Organisation, Organisation.id == Publication.org_id)
        .order_by(Publication.created_at, Publication.id)
    ).all()
    recipients: dict[str, set[int]] = {}
    for pub_id, org_id in uow.session.execute(
        select(PublicationRecipient.publication_id, PublicationRecipient.org_id)
    ):
        recipients.setdefault(pub_id, set()).add(org_id)
    by_number: dict[tuple[int, str], list[str]] = {}
    built: list[tuple[Publication, Report, Organisation, dict[str, Any]]] = []
    for pub, report, rev, owner in rows:
        base = _base_footprint(uow, rev, report, base_url, cache)
        if base is None:
            continue
        built.append((pub, report, owner, base))
        by_number.setdefault((report.org_id, report.number), []).append(base["id"])
    out: list[Listed] = []
    for pub, report, owner, base in built:
        pf = copy.deepcopy(base)
        pf["created"] = _rfc3339(pub.created_at)
        deprecated = pub.status != "published" or report.status in ("withdrawn", "superseded")
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
    # a footprint another names as its predecessor is deprecated too
    named = {pid for item in out for pid in item.footprint.get("precedingPfIds", ())}
    for item in out:
        if item.footprint["id"] in named:
            item.footprint["status"] = "Deprecated"
    return out


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
