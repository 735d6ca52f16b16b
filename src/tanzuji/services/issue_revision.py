"""Issuing a signed report for a stored study revision (web platform, issue 12).

The evaluator's signing key arrives as a PKCS#12 file with its passphrase at signing time
and is never stored: it is opened in memory, written for the few seconds of signing to a
private temporary directory (0700, key 0600) and removed. The server alone can never sign.

Issuing itself is the one flow of :mod:`tanzuji.services.issuing` (the same the CLI's
``report --rev`` runs): the gate, the identity rule, the rendering, and the gap-free
number allocated in the transaction that records the report.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tanzuji.errors import InputError, IssuanceError
from tanzuji.i18n import tr
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.issue import Acceptance, IssueOutcome, IssueRequest, plan_issue
from tanzuji.services.issuing import issue_stored_revision, scratch, stored_revision
from tanzuji.store import UnitOfWork

__all__ = [
    "BlockingFinding",
    "blocking_findings",
    "issue_revision",
    "pkcs12_to_pem",
    "revision_findings",
]


@contextmanager
def pkcs12_to_pem(p12: bytes, passphrase: str) -> Iterator[tuple[Path, Path]]:
    """The key and certificate of a PKCS#12 file as PEM files in a private temporary
    directory, removed when the block ends."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(p12, passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise InputError(
            tr(
                "无法打开 PKCS#12 文件：口令错误或文件损坏",
                "cannot open the PKCS#12 file: wrong passphrase or damaged file",
            )
        ) from None
    if key is None or cert is None:
        raise InputError(
            tr("PKCS#12 文件中没有私钥和证书", "the PKCS#12 file holds no key and certificate")
        )
    tmp = Path(tempfile.mkdtemp(prefix="tzj-sign-"))
    try:
        key_path, cert_path = tmp / "key.pem", tmp / "cert.pem"
        import os

        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        yield key_path, cert_path
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass(frozen=True)
class BlockingFinding:
    """A finding of ``check`` that blocks a signed report unless accepted."""

    id: str
    clause: str
    message_zh: str
    message_en: str


def blocking_findings(uow: UnitOfWork, actor: Actor, rev_id: str) -> list[BlockingFinding]:
    """The blocking findings of a revision (what the issue form asks to accept)."""
    with scratch() as tmp:
        with uow:
            org = resolve_org(uow, actor)
            loaded = stored_revision(uow, org.id, rev_id, tmp).loaded
        _, _, blocking = plan_issue(loaded, IssueRequest(pdf=tmp / "draft.pdf"))
        return [BlockingFinding(f.id, f.clause, f.message_zh, f.message_en) for f in blocking]


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
) -> tuple[IssueOutcome, str]:
    """Sign with the evaluator's PKCS#12 a report for a revision (the actor's own or shared
    with it) through the one issuing flow; returns the outcome and the report's SHA-256.

    ``signer_name`` is the signed-in account's name: the certificate must be issued to it.
    """
    from tanzuji.config import load_config
    from tanzuji.report.sign import signer_subject

    def same_person(cert: Path) -> None:
        subject = signer_subject(cert)
        if " ".join(subject.name.split()).casefold() != " ".join(signer_name.split()).casefold():
            raise IssuanceError(
                tr(
                    f"证书持有人 {subject.name} 不是当前登录的评价人员 {signer_name}",
                    f"the certificate is issued to {subject.name}, not to the signed-in "
                    f"evaluator {signer_name}",
                )
            )

    with scratch() as tmp, pkcs12_to_pem(p12, passphrase) as (key, cert):
        request = IssueRequest(
            pdf=tmp / "report.pdf",
            lang=lang,
            key=key,
            cert=cert,
            accept=tuple(accept),
            signer_override=signer_override or None,
            timestamp_url=load_config().timestamp_url,  # B-T/B-LT as on the command line
        )
        issued = issue_stored_revision(
            new_uow, actor, rev_id, request, check_signer=same_person, account=actor.user
        )
    return issued.outcome, issued.pdf_sha256 or ""
