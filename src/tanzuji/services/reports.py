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
from tanzuji.store.models import Organisation, Report

__all__ = [
    "IssuedReport",
    "NumberContext",
    "Rendition",
    "ReportStatus",
    "default_number_format",
    "list_reports",
    "record_issued_report",
    "report_status",
    "set_report_status",
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
    amend_reason: str | None = None,
    accepted: Sequence[tuple[str, str]] = (),
    number_format: Callable[[str, int, int], str] = default_number_format,
) -> IssuedReport:
    """Allocate the next number, build (render + sign) the renditions, store them, audit.

    All in one transaction; an exception from ``build`` (a failed signing) or from a
    wrong ``amends`` leaves no trace and uses no number. With
    ``amends`` (and ``amend_reason``) the amended report is marked ``superseded`` by this
    one in the same transaction (a withdrawn one stays withdrawn and names this one as its
    successor; a superseded one is refused: amend the report in force); each
    ``accepted`` finding ``(id, reason)`` is audited.
    """
    from tanzuji.errors import IssuanceError
    from tanzuji.i18n import tr

    with uow:
        org = resolve_org(uow, actor)
        # the issuing institute's own revision, or one a manufacturer shared with it
        rev_id = readable_revision(uow, org.id, revision_id).id if revision_id else None
        amended = list(uow.reports.by_number(org.id, amends)) if amends else []
        if amends and not amended:
            raise IssuanceError(
                tr(
                    f"--amends {amends}：数据库中没有此编号的报告",
                    f"--amends {amends}: no report with this number in the store",
                )
            )
        if amended and amended[0].status == "superseded":
            successor = amended[0].superseded_by or "—"
            raise IssuanceError(
                tr(
                    f"--amends {amends}：该报告已被 {successor} 替代，请替代现行版本",
                    f"--amends {amends}: that report was already superseded by {successor}; "
                    "amend the report in force",
                )
            )
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
        for finding_id, reason in accepted:  # each acknowledgement into the audit trail
            uow.audit.append(
                actor=actor.user,
                action="report.accept_finding",
                object_type="finding",
                object_id=f"{number}:{finding_id}: {reason}"[:200],
                object_sha256=next(iter(shas.values()), None),
                org_id=org.id,
            )
        if amended and amended[0].status == "withdrawn":  # stays withdrawn, names successor
            for old in amended:
                old.superseded_by = number
        elif amended:
            _mark(uow, actor, org.id, amended, "superseded", amend_reason or "", number)
        uow.commit()
        return IssuedReport(number, year, seq, shas, anchor)


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
        _mark(uow, actor, org.id, rows, status, reason, superseded_by)
        uow.commit()
        return len(rows)


def _mark(
    uow: UnitOfWork,
    actor: Actor,
    org_id: int,
    rows: Sequence[Report],
    status: str,
    reason: str,
    superseded_by: str | None,
) -> None:
    """Set the status, reason, time (and successor) of every rendition; audit each."""
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
            object_id=f"{r.number}/{r.lang}",
            object_sha256=r.pdf_sha256,
            org_id=org_id,
        )
    uow.session.flush()


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


@dataclass(frozen=True)
class ReportStatus:
    """What the store knows of an issued report PDF (ISO/IEC 17025 §7.8.8)."""

    number: str
    lang: str
    issuer: str
    issued_at: str
    status: str  # issued | withdrawn | superseded
    reason: str | None
    changed_at: str | None
    superseded_by: str | None

    @property
    def in_force(self) -> bool:
        return self.status == "issued"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "lang": self.lang,
            "issuer": self.issuer,
            "issued_at": self.issued_at,
            "status": self.status,
            "reason": self.reason,
            "changed_at": self.changed_at,
            "superseded_by": self.superseded_by,
        }

    def lines(self) -> list[str]:
        """The status in the user's language, one line each (the CLI and the web show it)."""
        from tanzuji.i18n import tr

        head = tr(
            f"数据库记录：报告 {self.number}（{self.issuer}，签发于 {self.issued_at[:10]}）",
            f"recorded in the store: report {self.number} ({self.issuer}, issued "
            f"{self.issued_at[:10]})",
        )
        if self.status == "withdrawn":
            state = tr(
                f"已撤回（{self.changed_at}），理由：{self.reason or '—'}",
                f"WITHDRAWN on {self.changed_at}, reason: {self.reason or '—'}",
            )
            if self.superseded_by:
                state += tr(
                    f"；更正后的报告：{self.superseded_by}",
                    f"; corrected report: {self.superseded_by}",
                )
        elif self.status == "superseded":
            state = tr(
                f"已被报告 {self.superseded_by or '—'} 替代（{self.changed_at}），"
                f"理由：{self.reason or '—'}",
                f"SUPERSEDED by report {self.superseded_by or '—'} on {self.changed_at}, "
                f"reason: {self.reason or '—'}",
            )
        else:
            state = tr("有效（未撤回、未被替代）", "in force (neither withdrawn nor superseded)")
        return [head, state]


def report_status(uow: UnitOfWork, pdf_sha256: str) -> ReportStatus | None:
    """The recorded status of the report whose PDF has this SHA-256 (any organisation:
    whoever holds the exact PDF may learn whether it is still in force), else ``None``."""
    from sqlalchemy import select

    with uow:
        row = uow.session.execute(
            select(Report, Organisation.name)
            .join(Organisation, Organisation.id == Report.org_id)
            .where(Report.pdf_sha256 == pdf_sha256.lower())
            .order_by(Report.id)
        ).first()
        if row is None:
            return None
        r, issuer = row
        return ReportStatus(
            number=r.number,
            lang=r.lang,
            issuer=issuer,
            issued_at=r.created_at,
            status=r.status,
            reason=r.status_reason,
            changed_at=r.status_changed_at,
            superseded_by=r.superseded_by,
        )
