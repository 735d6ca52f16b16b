"""Issuing a signed report for a stored study revision (web platform, issue 12).

The evaluator's signing key arrives as a PKCS#12 file with its passphrase at signing time
and is never stored: it is decrypted in memory for the request (:func:`pkcs12_provider`)
and never written to a file, not even a temporary one. The server alone can never sign.

Issuing itself is the one flow of :mod:`tanzuji.services.issuing` (the same the CLI's
``report --rev`` runs): the gate, the identity rule, the rendering, and the gap-free
number allocated in the transaction that records the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tanzuji.errors import InputError, IssuanceError
from tanzuji.i18n import tr
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.issue import Acceptance, IssueOutcome, IssueRequest, plan_issue
from tanzuji.services.issuing import issue_stored_revision, scratch, stored_revision
from tanzuji.store import UnitOfWork

if TYPE_CHECKING:
    from tanzuji.report.certs import Subject
    from tanzuji.report.signers import Pkcs12Provider

__all__ = [
    "BlockingFinding",
    "blocking_findings",
    "issue_preview",
    "issue_revision",
    "pkcs12_provider",
    "revision_findings",
]


def pkcs12_provider(p12: bytes, passphrase: str) -> Pkcs12Provider:
    """The signing provider of an uploaded PKCS#12 file, opened now and in memory only.

    The decrypted key lives in this process's memory for the request and is never written
    to a file; signing happens in this process after the pages are laid out (the render
    worker only ever sees the HTML), so the key crosses no process boundary either.
    A wrong passphrase or a damaged file is an :class:`InputError`.
    """
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.signers import Pkcs12Provider

    where = tr("上传的 PKCS#12 文件", "the uploaded PKCS#12 file")
    provider = Pkcs12Provider(p12, passphrase.encode("utf-8"), where=where)
    try:
        provider.certificate  # noqa: B018 - decrypts now: a wrong passphrase fails here
    except SignatureError as exc:
        raise InputError(exc.message) from None
    return provider


@dataclass(frozen=True)
class BlockingFinding:
    """A finding of ``check`` that blocks a signed report unless accepted."""

    id: str
    clause: str
    message_zh: str
    message_en: str


def blocking_findings(uow: UnitOfWork, actor: Actor, rev_id: str) -> list[BlockingFinding]:
    """The blocking findings of a revision (what the issue form asks to accept)."""
    return issue_preview(uow, actor, rev_id)[0]


def issue_preview(
    uow: UnitOfWork, actor: Actor, rev_id: str
) -> tuple[list[BlockingFinding], tuple[str, ...]]:
    """What the issue form shows before signing: the blocking findings to accept, and
    notes the user must hear (a product picture the revision does not hold)."""
    with scratch() as tmp:
        with uow:
            org = resolve_org(uow, actor)
            rev = stored_revision(uow, org.id, rev_id, tmp)
        _, _, blocking = plan_issue(rev.loaded, IssueRequest(pdf=tmp / "draft.pdf"))
        found = [BlockingFinding(f.id, f.clause, f.message_zh, f.message_en) for f in blocking]
        return found, rev.notes


def revision_findings(uow: UnitOfWork, actor: Actor, rev_id: str) -> list[dict[str, Any]]:
    """Every finding of ``check`` (instruments, certificates, cut-off, data quality) for a
    revision the actor's organisation owns or was shared."""
    from tanzuji.governance import check_study

    with scratch("tzj-check-") as tmp:
        with uow:
            org = resolve_org(uow, actor)
            loaded = stored_revision(uow, org.id, rev_id, tmp).loaded
        return [
            {
                "id": f.id,
                "level": f.level.value,
                "clause": f.clause,
                "message_zh": f.message_zh,
                "message_en": f.message_en,
                "path": f.path,
            }
            for f in check_study(loaded.study, loaded.factors).findings
        ]


def issue_revision(
    new_uow: Any,
    actor: Actor,
    rev_id: str,
    *,
    p12: bytes,
    passphrase: str,
    signer_name: str,
    lang: str = "zh",
    accept: Sequence[Acceptance] = (),
    signer_override: str | None = None,
) -> tuple[IssueOutcome, str, tuple[str, ...]]:
    """Sign with the evaluator's PKCS#12 a report for a revision (the actor's own or shared
    with it) through the one issuing flow; returns the outcome, the report's SHA-256 and
    the notes the user must hear (a product picture the revision does not hold).

    ``signer_name`` is the signed-in account's name: the certificate must be issued to it.
    """
    from tanzuji.config import load_config

    def same_person(subject: Subject) -> None:
        if " ".join(subject.name.split()).casefold() != " ".join(signer_name.split()).casefold():
            raise IssuanceError(
                tr(
                    f"证书持有人 {subject.name} 不是当前登录的评价人员 {signer_name}",
                    f"the certificate is issued to {subject.name}, not to the signed-in "
                    f"evaluator {signer_name}",
                )
            )

    provider = pkcs12_provider(p12, passphrase)
    with scratch() as tmp:
        request = IssueRequest(
            pdf=tmp / "report.pdf",
            lang=lang,
            provider=provider,
            accept=tuple(accept),
            signer_override=signer_override or None,
            web=True,  # messages name no command-line options
            timestamp_url=load_config().timestamp_url,  # B-T/B-LT as on the command line
        )
        issued = issue_stored_revision(
            new_uow, actor, rev_id, request, check_signer=same_person, account=actor.user
        )
    return issued.outcome, issued.pdf_sha256 or "", issued.notes
