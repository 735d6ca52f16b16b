"""How a report is issued, as the report shows it: signed or draft, by whom, what was accepted.

Decided by the issuance use case (:mod:`tanzuji.services.issue`) before the report is
rendered, because the report must say it: a draft carries a "草稿 / DRAFT — 未签名 not
signed" mark on every page; a signed report names the signing certificate's subject (the
same identity the stamp and ``tanzuji verify`` show), lists each accepted blocking finding
with its id and reason among the deviations, and names the report it amends.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AcceptedFinding", "IssueInfo"]


@dataclass(frozen=True)
class AcceptedFinding:
    """A blocking finding the issuer accepted explicitly, with the reason given."""

    id: str
    clause: str
    message_zh: str
    message_en: str
    reason: str

    def message(self, lang: str) -> str:
        """The finding's message in ``lang``."""
        return self.message_zh if lang == "zh" else self.message_en


@dataclass(frozen=True)
class IssueInfo:
    """Issue facts shown in the report (``signed=False``: a draft)."""

    signed: bool = False
    signer: str | None = None
    """The signing certificate's subject name (CN)."""
    signer_org: str | None = None
    """The signing certificate's organisation (O)."""
    accepted: tuple[AcceptedFinding, ...] = ()
    signer_override: str | None = None
    """Why the certificate's subject signs although the study names another evaluator."""
    study_evaluator: str | None = None
    amends: str | None = None
    amend_reason: str | None = None
    timestamped: bool = False
    level: str | None = None
    """The PAdES level the signature reaches (``PAdES-B-T``…; see :mod:`tanzuji.report.pades`)."""
    level_note: str | None = None
    """Why not a higher level (printed at issue time)."""
    number: str | None = None
    """A report number allocated by the store (else the reproducible hash number)."""
    reviewer: str | None = None
    """The technical reviewer who approved the revision ("checked by", Table A.1)."""
    reviewer_org: str | None = None
    reviewed_at: str | None = None
    """ISO-8601 UTC time of the approval."""
    audit_anchor: str | None = None
    """The store's audit chain head when the report was issued (``tzanchor:<seq>:<hash>``);
    ``None`` for a report not issued through a store."""
