"""The one issuing flow over the store: every signed report that gets a number goes here.

Both shells call it — ``tanzuji report FILE`` with a store configured, ``tanzuji report
--rev REV`` and the web platform's issue form (:mod:`tanzuji.services.issue_revision`,
which only opens the evaluator's PKCS#12 first):

1. a signed report passes the signing-authority gate first (:func:`authorise`: an
   authorised signatory, the revision approved by another reviewer; audited if refused);
2. :func:`tanzuji.services.issue.issue_report` runs the issuance gate (``check``,
   acceptances, the signer identity) and renders the report;
3. a *signed* report is recorded by :func:`tanzuji.services.reports.record_issued_report`
   in **one transaction**: the amended report's check, the gap-free number, the signing
   (``build``), the PDF(s), the audit entries of the issue and of every accepted finding,
   and the amended report marked ``superseded`` with the reason and this report's number.
   A failed signing or a refused gate uses no number;
4. a draft (no key) is rendered but never recorded and gets no number from the store.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tanzuji.i18n import tr
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.issue import IssueOutcome, IssueRequest, issue_report

if TYPE_CHECKING:  # the store (SQLAlchemy) loads only when a database is used
    from tanzuji.calculation import FootprintResult
    from tanzuji.jsonio import LoadedStudy
    from tanzuji.report.certs import Subject
    from tanzuji.report.issueinfo import IssueInfo
    from tanzuji.services.authority import Review
    from tanzuji.store import UnitOfWork

__all__ = [
    "ConfiguredStore",
    "Issued",
    "StoredRevision",
    "configured_store",
    "issue_recorded",
    "issue_stored_revision",
    "stored_revision",
    "withdraw_report",
]

NewUow = Callable[[], "UnitOfWork"]


@dataclass(frozen=True)
class Issued:
    """An issued report: the outcome of the gate and rendering, and what the store holds."""

    outcome: IssueOutcome
    recorded: bool
    """Whether the report was recorded in the store (signed), else a draft."""
    pdf_sha256: str | None = None
    review: Review | None = None
    """The reviewer's approval and the signatory the signing-authority gate admitted."""
    notes: tuple[str, ...] = ()
    """What the user must hear (a product picture the stored revision does not have)."""


@dataclass(frozen=True)
class StoredRevision:
    """A stored revision as a loaded study (content and pinned libraries)."""

    loaded: LoadedStudy
    revision_id: str
    owner: str
    evaluation_id: str | None
    picture: bytes | None = None
    """The product picture kept with the revision (PNG), shown in its reports."""
    notes: tuple[str, ...] = ()
    """What the user must hear (the study names a picture the revision does not have)."""


def stored_revision(uow: UnitOfWork, org_id: int, rev_id: str, tmp: Path) -> StoredRevision:
    """A revision the organisation owns or was shared, rebuilt from its stored canonical
    JSON and pinned libraries (never from files on disk), inside an entered unit of work.

    The product picture is the one kept with the revision (re-encoded when it was saved);
    when the study names a picture the revision does not have (saved before pictures were
    kept, or unreadable at save time), the report has none and ``notes`` says so.
    """
    from tanzuji.jsonio import LoadedStudy
    from tanzuji.jsonio.documents import Document
    from tanzuji.model import Study
    from tanzuji.services.evaluation import rebuild_library
    from tanzuji.services.sharing import readable_revision

    rev = readable_revision(uow, org_id, rev_id)
    content = json.loads(rev.content)
    libs = [json.loads(lib.content) for lib in uow.libraries.pinned(rev.id)]
    path = tmp / "study.json"
    path.write_text(rev.content, encoding="utf-8")
    study = Study.model_validate(content)
    picture = uow.revisions.blob(rev.picture_sha256) if rev.picture_sha256 else None
    notes: tuple[str, ...] = ()
    if study.product.picture and picture is None:  # never read from files beside the study
        notes = (
            tr(
                f"研究指定了产品图片 {study.product.picture!r}，但修订 {rev.id[:12]} 没有保存"
                "该图片；报告中没有产品图片（再次保存研究及其图片文件可补上）",
                f"the study names the product picture {study.product.picture!r}, but revision "
                f"{rev.id[:12]} does not hold it; the report shows no picture (save the study "
                "again with its picture file to keep it)",
            ),
        )
        study = study.model_copy(
            update={"product": study.product.model_copy(update={"picture": None})}
        )
    loaded = LoadedStudy(
        study=study,
        factors=rebuild_library(libs),
        path=path,
        document=Document(path, content, None),
    )
    ev = uow.evaluations.latest(rev.id)
    owner = uow.orgs.by_id(rev.org_id).name
    return StoredRevision(loaded, rev.id, owner, ev.id if ev is not None else None, picture, notes)


@contextmanager
def scratch(prefix: str = "tzj-issue-") -> Iterator[Path]:
    """A private temporary directory, removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def issue_recorded(
    new_uow: NewUow,
    actor: Actor,
    loaded: LoadedStudy,
    result: FootprintResult,
    request: IssueRequest,
    *,
    revision_id: str | None = None,
    evaluation_id: str | None = None,
    signer_subject: str | None = None,
    account: str | None = None,
) -> Issued:
    """Gate, render, sign and record a report in the store (see the module docstring).

    ``revision_id`` links the report to the stored revision it was made from; a report
    from a file is linked to the stored revision with the same content that the reviewer
    approved. ``account`` is the signed-in web user who issues (the command line has
    none: its certificate must be an authorised signatory). Drafts are written but not
    recorded.
    """
    from tanzuji.services.reports import Rendition, record_issued_report
    from tanzuji.store.hashing import sha256_hex

    with new_uow() as uow:  # the default organisation exists before the first issue
        resolve_org(uow, actor, create_default=True)
        uow.commit()
    if request.signing and request.review is None:
        review = authorise(new_uow, actor, loaded, request, revision_id, account)
        request = dataclasses.replace(request, review=review)
        revision_id = revision_id or review.revision_id
    shas: dict[str, str] = {}

    def record(
        year: int, build: Callable[[str, str | None], dict[str, bytes]], info: IssueInfo
    ) -> str:
        def renditions(ctx: Any) -> list[Rendition]:
            pdfs = build(ctx.number, ctx.audit_anchor)  # the anchor goes into the report
            shas.update({lang: sha256_hex(pdf) for lang, pdf in pdfs.items()})
            return [Rendition(lang, pdf, signer_subject) for lang, pdf in pdfs.items()]

        issued = record_issued_report(
            new_uow(),
            actor,
            year=year,
            build=renditions,
            revision_id=revision_id,
            evaluation_id=evaluation_id,
            amends=info.amends,
            amend_reason=info.amend_reason,
            accepted=[(a.id, a.reason) for a in info.accepted],
        )
        return issued.number

    outcome = issue_report(loaded, result, request, record=record)
    return Issued(
        outcome, recorded=bool(shas), pdf_sha256=shas.get(request.lang), review=request.review
    )


def authorise(
    new_uow: NewUow,
    actor: Actor,
    loaded: LoadedStudy,
    request: IssueRequest,
    revision_id: str | None,
    account: str | None,
) -> Review:
    """The signing-authority gate (:func:`tanzuji.services.authority.authorise_issue`):
    an authorised signatory, and the revision approved by another reviewer. Runs before
    anything is rendered (the reviewer is named in the report) and before a number is
    allocated; a refusal is audited and uses no number."""
    from tanzuji.services.authority import authorise_issue, study_sha256

    subject = request.signing_provider().subject()
    return authorise_issue(
        new_uow(),
        actor,
        signer_name=subject.name,
        signer_org=subject.organisation,
        account=account,
        revision_id=revision_id,
        content_sha256=None if revision_id else study_sha256(loaded.study),
    )


def issue_stored_revision(
    new_uow: NewUow,
    actor: Actor,
    rev_id: str,
    request: IssueRequest,
    *,
    check_signer: Callable[[Subject], None] | None = None,
    account: str | None = None,
) -> Issued:
    """Issue a report for a stored revision (the actor's own or one shared with it).

    The study and its factors come from the store; the footprint is evaluated again from
    them (bit for bit the stored evaluation). ``check_signer(subject)`` may refuse a
    certificate by its holder before anything is rendered (the web: it must name the
    signed-in user).
    """
    from tanzuji.calculation import compile_study, evaluate_jjf

    with scratch() as tmp:
        with new_uow() as uow:
            org = resolve_org(uow, actor, create_default=True)
            rev = stored_revision(uow, org.id, rev_id, tmp)
        result = evaluate_jjf(compile_study(rev.loaded.study, rev.loaded.factors))
        request = dataclasses.replace(request, picture=rev.picture)
        subject = None
        if request.signing:
            holder = request.signing_provider().subject()
            if check_signer is not None:
                check_signer(holder)
            subject = str(holder)
        issued = issue_recorded(
            new_uow,
            actor,
            rev.loaded,
            result,
            request,
            revision_id=rev.revision_id,
            evaluation_id=rev.evaluation_id,
            signer_subject=subject,
            account=account,
        )
        return dataclasses.replace(issued, notes=issued.notes + rev.notes)


@dataclass(frozen=True)
class ConfiguredStore:
    """The store and actor of a command line (``--database-url``, ``--org``, config)."""

    new_uow: NewUow
    actor: Actor


def configured_store(
    database_url: str | None, org: str | None, *, required: bool = False
) -> ConfiguredStore | None:
    """The configured store, or ``None`` when no database is configured explicitly
    (``--database-url``, ``TANZUJI_DATABASE_URL`` or the config file) and ``required`` is
    false; with ``required`` the default SQLite database is used."""
    from tanzuji.config import load_config
    from tanzuji.services.context import actor_from_config, store_from_config

    cfg = load_config().with_overrides(database_url=database_url, org=org)
    if not cfg.database_url and not required:
        return None
    from tanzuji.store import UnitOfWork  # SQLAlchemy: only when a store is used

    store = store_from_config(cfg)
    return ConfiguredStore(lambda: UnitOfWork(store), actor_from_config(cfg))


def withdraw_report(database_url: str | None, org: str | None, number: str, reason: str) -> int:
    """Withdraw an issued report (ISO/IEC 17025 §7.8.8): every rendition is marked
    ``withdrawn`` in the store, audited with the reason; returns how many were marked."""
    from tanzuji.errors import IssuanceError
    from tanzuji.i18n import tr
    from tanzuji.services.reports import set_report_status

    if not reason.strip():
        raise IssuanceError(tr("撤回报告需要 --reason 说明理由", "withdrawing needs a --reason"))
    cs = configured_store(database_url, org, required=True)
    assert cs is not None
    return set_report_status(cs.new_uow(), cs.actor, number, "withdrawn", reason=reason)
