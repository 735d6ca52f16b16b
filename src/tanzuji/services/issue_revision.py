"""Issuing a signed report for a stored study revision (web platform, issue 12).

The evaluator's signing key arrives as a PKCS#12 file with its passphrase at signing time
and is never stored: it is opened in memory, written for the few seconds of signing to a
private temporary directory (0700, key 0600) and removed. The server alone can never sign.

The gate, the identity rule and the rendering are the report issuance use case's
(:func:`tanzuji.services.issue.issue_report`); the number comes from the store's gap-free
numbering, in the same transaction that records the report
(:func:`tanzuji.services.reports.record_issued_report`).
"""

from __future__ import annotations

import json
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
from tanzuji.services.issue import Acceptance, IssueOutcome, IssueRequest, issue_report, plan_issue
from tanzuji.services.sharing import readable_revision
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


def _loaded(uow: UnitOfWork, org_id: int, rev_id: str, tmp: Path) -> tuple[Any, str, str]:
    """The revision as a loaded study (content and pinned libraries), its id and owner."""
    from tanzuji.jsonio import LoadedStudy
    from tanzuji.jsonio.documents import Document
    from tanzuji.model import Study
    from tanzuji.services.evaluation import rebuild_library

    rev = readable_revision(uow, org_id, rev_id)
    content = json.loads(rev.content)
    libs = [json.loads(lib.content) for lib in uow.libraries.pinned(rev.id)]
    path = tmp / "study.json"
    path.write_text(rev.content, encoding="utf-8")
    loaded = LoadedStudy(
        study=Study.model_validate(content),
        factors=rebuild_library(libs),
        path=path,
        document=Document(path, content, None),
    )
    owner = uow.orgs.by_id(rev.org_id).name
    return loaded, rev.id, owner


@dataclass(frozen=True)
class BlockingFinding:
    """A finding of ``check`` that blocks a signed report unless accepted."""

    id: str
    clause: str
    message_zh: str
    message_en: str


def blocking_findings(uow: UnitOfWork, actor: Actor, rev_id: str) -> list[BlockingFinding]:
    """The blocking findings of a revision (what the issue form asks to accept)."""
    tmp = Path(tempfile.mkdtemp(prefix="tzj-issue-"))
    try:
        with uow:
            org = resolve_org(uow, actor)
            loaded, _, _ = _loaded(uow, org.id, rev_id, tmp)
        _, _, blocking = plan_issue(loaded, IssueRequest(pdf=tmp / "draft.pdf"))
        return [BlockingFinding(f.id, f.clause, f.message_zh, f.message_en) for f in blocking]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def revision_findings(uow: UnitOfWork, actor: Actor, rev_id: str) -> list[dict[str, Any]]:
    """Every finding of ``check`` (instruments, certificates, cut-off, data quality) for a
    revision the actor's organisation owns or was shared."""
    from tanzuji.governance import check_study

    tmp = Path(tempfile.mkdtemp(prefix="tzj-check-"))
    try:
        with uow:
            org = resolve_org(uow, actor)
            loaded, _, _ = _loaded(uow, org.id, rev_id, tmp)
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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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
    """Gate, render, sign with the evaluator's PKCS#12 and record a report for a revision
    (the actor's own or shared with it); returns the outcome and the report's SHA-256.

    ``signer_name`` is the signed-in account's name: the certificate must be issued to it.
    """
    from tanzuji.calculation import compile_study, evaluate_jjf
    from tanzuji.report.sign import signer_subject
    from tanzuji.services.reports import Rendition, record_issued_report
    from tanzuji.store.hashing import sha256_hex

    tmp = Path(tempfile.mkdtemp(prefix="tzj-issue-"))
    try:
        with new_uow() as uow:
            org = resolve_org(uow, actor)
            loaded, full_id, _owner = _loaded(uow, org.id, rev_id, tmp)
        result = evaluate_jjf(compile_study(loaded.study, loaded.factors))
        with pkcs12_to_pem(p12, passphrase) as (key, cert):
            subject = signer_subject(cert)
            if (
                " ".join(subject.name.split()).casefold()
                != " ".join(signer_name.split()).casefold()
            ):
                raise IssuanceError(
                    tr(
                        f"证书持有人 {subject.name} 不是当前登录的评价人员 {signer_name}",
                        f"the certificate is issued to {subject.name}, not to the signed-in "
                        f"evaluator {signer_name}",
                    )
                )
            from tanzuji.services.authority import authorise_issue

            review = authorise_issue(  # signatory + another reviewer's approval of full_id
                new_uow(), actor, signer_name=subject.name, signer_org=subject.organisation,
                account=actor.user, revision_id=full_id,
            )  # fmt: skip
            pdf_sha: dict[str, str] = {}

            def record(year: int, build: Any, amends: str | None) -> str:
                def renditions(ctx: Any) -> list[Rendition]:
                    pdf = build(ctx.number)
                    pdf_sha["sha"] = sha256_hex(pdf)
                    return [Rendition(lang, pdf, str(subject))]

                issued = record_issued_report(
                    new_uow(),
                    actor,
                    year=year,
                    build=renditions,
                    revision_id=full_id,
                    amends=amends,
                )
                return issued.number

            request = IssueRequest(
                pdf=tmp / "report.pdf",
                lang=lang,
                key=key,
                cert=cert,
                accept=tuple(accept),
                signer_override=signer_override or None,
                review=review,
            )
            outcome = issue_report(loaded, result, request, record=record)
        if outcome.accepted:  # each acknowledgement into the audit trail as well
            with new_uow() as uow:
                org = resolve_org(uow, actor)
                for a in outcome.accepted:
                    uow.audit.append(
                        actor=actor.user,
                        action="report.accept_finding",
                        object_type="finding",
                        object_id=f"{outcome.number}:{a.id}: {a.reason}"[:200],
                        object_sha256=pdf_sha.get("sha"),
                        org_id=org.id,
                    )
                uow.commit()
        return outcome, pdf_sha.get("sha", "")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
