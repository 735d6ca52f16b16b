"""Use case support for issuing reports: gap-free numbers allocated in the issuing transaction.

The report helper's issuance use case (``services/issue.py``) calls
:func:`record_issued_report` with a ``build`` callback that renders and signs the PDF(s)
for the number it is given. The number is taken, the PDFs stored and the audit entry
written in one transaction: if ``build`` raises (a failed signing), everything rolls back
and the number is used by the next report instead — no gaps, no duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.sharing import readable_revision
from tanzuji.store import UnitOfWork
from tanzuji.store.hashing import now_iso, sha256_hex
from tanzuji.store.models import Report

__all__ = [
    "IssuedReport",
    "NumberContext",
    "Rendition",
    "default_number_format",
    "list_reports",
    "record_issued_report",
    "set_report_status",
    "store_recorder",
]


@dataclass(frozen=True)
class Rendition:
    """One signed PDF of a report (zh or en)."""

    lang: str
    pdf: bytes
    signer_subject: str | None = None


@dataclass(frozen=True)
class NumberContext:
    """What ``build`` gets: the report number and the audit anchor to print in the report."""

    number: str
    year: int
    seq: int
    org: str
    audit_anchor: str  # "tzanchor:<seq>:<hash>": the audit chain head before this report


@dataclass(frozen=True)
class IssuedReport:
    """What was recorded."""

    number: str
    year: int
    seq: int
    pdf_sha256: dict[str, str]
    audit_anchor: str


def default_number_format(org: str, year: int, seq: int) -> str:
    """``<year>-<seq:05d>`` (e.g. ``2026-00042``).

    >>> default_number_format("ACME", 2026, 42)
    '2026-00042'
    """
    return f"{year}-{seq:05d}"


def record_issued_report(
    uow: UnitOfWork,
    actor: Actor,
    *,
    year: int,
    build: Callable[[NumberContext], Sequence[Rendition]],
    revision_id: str | None = None,
    evaluation_id: str | None = None,
    amends: str | None = None,
    number_format: Callable[[str, int, int], str] = default_number_format,
) -> IssuedReport:
    """Allocate the next number, build (render + sign) the renditions, store them, audit.

    All in one transaction; an exception from ``build`` leaves no trace and uses no number.
    """
    with uow:
        org = resolve_org(uow, actor)
        # the issuing institute's own revision, or one a manufacturer shared with it
        rev_id = readable_revision(uow, org.id, revision_id).id if revision_id else None
        head = uow.audit.head(lock=True)
        anchor = f"tzanchor:{head.seq}:{head.hash}"
        seq = uow.reports.next_number(org.id, year)
        number = number_format(org.name, year, seq)
        renditions = build(NumberContext(number, year, seq, org.name, anchor))
        shas: dict[str, str] = {}
        for r in renditions:
            sha = sha256_hex(r.pdf)
            shas[r.lang] = sha
            uow.reports.add(
                Report(
                    org_id=org.id,
                    revision_id=rev_id,
                    evaluation_id=evaluation_id,
                    year=year,
                    seq=seq,
                    number=number,
                    lang=r.lang,
                    pdf=r.pdf,
                    pdf_sha256=sha,
                    signer_subject=r.signer_subject,
                    status="issued",
                    amends=amends,
                    audit_anchor=head.hash,
                    actor=actor.user,
                    created_at=now_iso(),
                )
            )
            uow.audit.append(
                actor=actor.user,
                action="report.issue",
                object_type="report",
                object_id=f"{number}/{r.lang}",
                object_sha256=sha,
                org_id=org.id,
            )
        uow.commit()
        return IssuedReport(number, year, seq, shas, anchor)


def store_recorder(
    new_uow: Callable[[], UnitOfWork],
    actor: Actor,
    *,
    revision_id: str | None = None,
    lang: str = "zh",
    signer_subject: str | None = None,
    number_format: Callable[[str, int, int], str] = default_number_format,
) -> Callable[[int, Callable[[str], bytes], str | None], str]:
    """A ``Recorder`` for ``services.issue``: ``record(year, build, amends) -> number``.

    ``build(number)`` renders and signs the PDF; it runs inside the issuing transaction.
    """

    def record(year: int, build: Callable[[str], bytes], amends: str | None) -> str:
        issued = record_issued_report(
            new_uow(),
            actor,
            year=year,
            revision_id=revision_id,
            amends=amends,
            number_format=number_format,
            build=lambda ctx: [Rendition(lang, build(ctx.number), signer_subject)],
        )
        return issued.number

    return record


def set_report_status(
    uow: UnitOfWork,
    actor: Actor,
    number: str,
    status: str,
    *,
    reason: str = "",
    superseded_by: str | None = None,
) -> int:
    """Mark every rendition of an issued report ``withdrawn`` or ``superseded`` (audited).

    The PDF and its number stay; a corrected report is a new issue with ``amends=number``.
    The reason (ISO/IEC 17025 §7.8.8), the time of the change and, for ``superseded``, the
    number of the replacing report (``superseded_by``) are stored with every rendition.
    """
    from tanzuji.errors import InputError, NotFoundError
    from tanzuji.i18n import tr

    if status not in {"withdrawn", "superseded"}:
        raise InputError(
            tr("状态应为 withdrawn 或 superseded", "status must be withdrawn or superseded"),
            got=status,
        )
    with uow:
        org = resolve_org(uow, actor)
        rows = uow.reports.by_number(org.id, number)
        if not rows:
            raise NotFoundError(tr(f"没有编号为 {number} 的报告", f"no report numbered {number}"))
        changed_at = now_iso()
        for r in rows:
            r.status = status
            r.status_reason = reason.strip() or None
            r.status_changed_at = changed_at
            if status == "superseded" and superseded_by:
                r.superseded_by = superseded_by
            uow.audit.append(
                actor=actor.user,
                action=f"report.{status}",
                object_type="report",
                object_id=f"{number}/{r.lang}",
                object_sha256=r.pdf_sha256,
                org_id=org.id,
            )
        uow.session.flush()
        uow.commit()
        return len(rows)


def list_reports(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """The organisation's issued reports (without the PDF bytes)."""
    with uow:
        org = resolve_org(uow, actor)
        return [
            {
                "number": r.number,
                "year": r.year,
                "seq": r.seq,
                "lang": r.lang,
                "revision": r.revision_id,
                "pdf_sha256": r.pdf_sha256,
                "status": r.status,
                "signer": r.signer_subject,
                "amends": r.amends,
                "time": r.created_at,
                "status_reason": r.status_reason,
                "status_changed_at": r.status_changed_at,
                "superseded_by": r.superseded_by,
            }
            for r in uow.reports.list(org.id)
        ]
