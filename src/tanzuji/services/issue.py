"""Issuing a report: the gate between a study and a signed report a customer can trust.

:func:`issue_report` is what ``tanzuji report`` (and the web flow) call:

1. **the gate** — ``check`` runs; a *signed* report is refused while it has errors, unless
   each blocking finding is accepted explicitly by its stable id with a reason
   (:class:`Acceptance`; an acceptance naming no blocking finding is an error, so a typo
   cannot pass). Accepted findings are listed in the report's deviations section and in
   the outcome (printed on the console, recorded with the report). Warnings are returned
   to be printed at issue time in the user's language. Drafts (no key) are never refused;
   they are marked "草稿 / DRAFT — 未签名 not signed" on every page.
2. **one identity** — the signing certificate's subject (name, organisation) is what the
   report's signature block, the stamp and ``tanzuji verify`` show. When the study names
   another evaluator, issue is refused unless overridden with a reason, which the report
   shows.
3. **render, sign, write** — with the report number given by ``record`` (the store's
   gap-free numbering, in the same transaction that records the report: the one flow of
   :mod:`tanzuji.services.issuing`) or, without a store, the reproducible hash number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tanzuji.errors import IssuanceError
from tanzuji.i18n import tr

if TYPE_CHECKING:
    from tanzuji.calculation import FootprintResult, MonteCarloStudy
    from tanzuji.governance.findings import Finding
    from tanzuji.jsonio import LoadedStudy
    from tanzuji.report.certs import Subject
    from tanzuji.report.issueinfo import AcceptedFinding, IssueInfo
    from tanzuji.report.signers import SigningProvider
    from tanzuji.services.authority import Review

__all__ = [
    "Acceptance",
    "IssueOutcome",
    "IssueRequest",
    "Recorder",
    "acceptances",
    "issue_demo_report",
    "issue_report",
    "plan_issue",
    "signer_name",
]

Build = Callable[[str, str | None], dict[str, bytes]]
"""``build(number, audit_anchor)``: render and sign the report for a given report number
and the store's audit chain head (printed in the report, ``None``: none); returns the PDF
of every rendition by language (the zh and en renditions of one issue share the number)."""
Recorder = Callable[[int, Build, "IssueInfo"], str]
"""``record(year, build, info)``: allocate a number, call ``build(number, anchor)``, record the
PDF with what ``info`` says (amends, accepted findings) — all or nothing — and return the
number (:func:`tanzuji.services.issuing.issue_recorded` is the one recorder)."""


@dataclass(frozen=True)
class Acceptance:
    """An explicit acceptance of one blocking finding, by its stable id, with a reason."""

    finding_id: str
    reason: str


def acceptances(ids: Sequence[str], reasons: Sequence[str]) -> tuple[Acceptance, ...]:
    """Pair ``--accept`` ids with ``--reason`` texts, in order (one reason per id).

    >>> acceptances(["A:1", "B:2"], ["ok", "fine"])[1]
    Acceptance(finding_id='B:2', reason='fine')
    >>> acceptances(["A:1"], [])
    Traceback (most recent call last):
    tanzuji.errors.IssuanceError: 每个 --accept 都需要一个 --reason（给了 1 个 --accept、...
    """
    if len(ids) != len(reasons) or any(not r.strip() for r in reasons):
        raise IssuanceError(
            tr(
                f"每个 --accept 都需要一个 --reason（给了 {len(ids)} 个 --accept、"
                f"{len(reasons)} 个 --reason）",
                f"every --accept needs its own non-empty --reason (got {len(ids)} --accept, "
                f"{len(reasons)} --reason)",
            )
        )
    return tuple(Acceptance(i.strip(), r.strip()) for i, r in zip(ids, reasons, strict=True))


@dataclass(frozen=True)
class IssueRequest:
    """What to issue: outputs, signing material and the issuer's explicit decisions."""

    pdf: Path
    lang: str = "zh"
    html: Path | None = None
    also: tuple[tuple[str, Path], ...] = ()
    """Further renditions ``(lang, pdf)`` of the same report (same number, same signer)."""
    key: Path | None = None
    cert: Path | None = None
    accept: tuple[Acceptance, ...] = ()
    signer_override: str | None = None
    amends: str | None = None
    amend_reason: str | None = None
    embed_study: bool = False
    timestamp_url: str | None = None
    provider: SigningProvider | None = None
    """Where the signature comes from (PKCS#11 token, PKCS#12, a future SM2 provider…);
    default: the key file ``key`` with its certificate ``cert``."""
    trust_roots: tuple[Any, ...] = ()
    """Trust anchors (the trust list) that may complete the chain for B-LT."""
    full: bool = True
    monte_carlo: bool = False
    trials: int | None = 200_000
    seed: int | None = 1
    mc_study: MonteCarloStudy | None = None
    review: Review | None = None
    """The technical reviewer's approval admitted by the signing-authority gate
    (:func:`tanzuji.services.authority.authorise_issue`); printed as "checked by"."""
    web: bool = False
    """Asked through the web platform: the gate's messages say what to do without naming
    command-line options (``--accept``, ``--signer-override``)."""
    picture: bytes | None = None
    """The product picture kept in the store with the revision (PNG), shown instead of
    the file the study names (:func:`tanzuji.services.issuing.issue_stored_revision`)."""

    @property
    def signing(self) -> bool:
        """Whether a signed report is asked for."""
        return self.provider is not None or (self.key is not None and self.cert is not None)

    def signing_provider(self) -> SigningProvider:
        """The provider to sign with: ``provider``, else the key file and certificate."""
        from tanzuji.report.signers import KeyFileProvider

        if self.provider is not None:
            return self.provider
        assert self.key is not None and self.cert is not None
        return KeyFileProvider(self.key, self.cert)


@dataclass(frozen=True)
class IssueOutcome:
    """What was issued: number, pages, signed or draft, and what the console must show."""

    number: str
    pages: int
    signed: bool
    signer: Subject | None
    warnings: tuple[Finding, ...]
    errors: tuple[Finding, ...]
    """Blocking findings (of a draft, or accepted ones of a signed report)."""
    accepted: tuple[AcceptedFinding, ...] = field(default_factory=tuple)
    signer_override: str | None = None
    amends: str | None = None
    level: str | None = None
    """The PAdES level of the signature (``PAdES-B-B``, ``-B-T``, ``-B-LT``)."""
    level_note: str | None = None
    """Why the signature does not reach a higher level (to print at issue time)."""


def _same_person(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def plan_issue(
    loaded: LoadedStudy, request: IssueRequest
) -> tuple[IssueInfo, list[Finding], list[Finding]]:
    """The gate: (what the report shows, warnings, blocking findings) or :class:`IssuanceError`.

    Reads the certificate (for its subject) and runs ``check``; writes nothing.
    """
    from tanzuji.governance import check_study
    from tanzuji.governance.findings import Level
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.issueinfo import AcceptedFinding, IssueInfo

    if request.provider is None and (request.key is None) != (request.cert is None):
        raise SignatureError(
            tr(
                "签名需要同时给出 --key 和 --cert，或都不给",
                "give both --key and --cert to sign, or neither",
            )
        )
    if request.amends and not (request.amend_reason or "").strip():
        raise IssuanceError(
            tr(
                "--amends 需要 --reason 说明替代的理由",
                "--amends needs a --reason saying why the report is replaced",
            )
        )
    findings = list(check_study(loaded.study, loaded.factors).findings)
    blocking = [f for f in findings if f.level is Level.ERROR]
    warnings = [f for f in findings if f.level is Level.WARNING]
    by_id = {f.id: f for f in blocking}
    for a in request.accept:
        if a.finding_id not in by_id:
            known = ", ".join(by_id) or tr("无", "none")
            raise IssuanceError(
                tr(
                    f"接受的发现 {a.finding_id} 不是阻断性发现（阻断性发现：{known}）",
                    f"the accepted finding {a.finding_id} is not a blocking finding "
                    f"(blocking findings: {known})",
                )
                if request.web
                else tr(
                    f"--accept {a.finding_id}：没有这个编号的阻断性发现（阻断性发现：{known}）",
                    f"--accept {a.finding_id}: no blocking finding has this id "
                    f"(blocking findings: {known})",
                )
            )
        if not a.reason.strip():
            raise IssuanceError(
                tr(
                    f"接受发现 {a.finding_id} 需要说明理由（写入报告与审计日志）",
                    f"accepting the finding {a.finding_id} needs a reason (printed in the "
                    "report and the audit trail)",
                )
                if request.web
                else tr(
                    f"--accept {a.finding_id} 需要非空的 --reason",
                    f"--accept {a.finding_id} needs a non-empty --reason",
                )
            )
    reasons = {a.finding_id: a.reason for a in request.accept}
    accepted = tuple(
        AcceptedFinding(f.id, f.clause, f.message_zh, f.message_en, reasons[f.id])
        for f in blocking
        if f.id in reasons
    )
    if not request.signing:
        info = IssueInfo(signed=False, amends=request.amends, amend_reason=request.amend_reason)
        return info, warnings, blocking
    open_errors = [f for f in blocking if f.id not in reasons]
    if open_errors:
        listed_zh = "；".join(f"{f.id}（{f.message_zh}）" for f in open_errors)
        listed_en = "; ".join(f"{f.id} ({f.message_en})" for f in open_errors)
        how_zh, how_en = (
            ("逐项明确接受并说明理由", "accept each explicitly with a reason")
            if request.web
            else ("逐项明确接受：--accept 编号 --reason 理由", "accept each explicitly with "
                  "--accept ID --reason TEXT")
        )  # fmt: skip
        raise IssuanceError(
            tr(
                f"拒绝签发：数据治理检查有 {len(open_errors)} 个错误：{listed_zh}。"
                f"修正研究，或{how_zh}",
                f"refusing to issue a signed report: check has {len(open_errors)} "
                f"error(s): {listed_en}. Fix the study, or {how_en}",
            )
        )
    from tanzuji.report.pades import PadesOptions

    provider = request.signing_provider()
    subject = provider.subject()
    plan = provider.plan(
        PadesOptions(timestamp_url=request.timestamp_url, trust_roots=request.trust_roots)
    )
    ev = loaded.study.evaluator
    override = None
    if ev is not None and not (
        _same_person(ev.name, subject.name)
        and (not ev.organisation or not subject.organisation
             or _same_person(ev.organisation, subject.organisation))
    ):  # fmt: skip
        named = ev.name + (f" / {ev.organisation}" if ev.organisation else "")
        if not (request.signer_override or "").strip():
            raise IssuanceError(
                tr(
                    f"拒绝签发：签名证书的持有人 {subject} 不是研究中记载的评价人 {named}；"
                    "用评价人的证书签名，或说明由您签发的理由（报告中会注明）",
                    f"refusing to issue: the signing certificate's subject {subject} is not the "
                    f"evaluator named in the study, {named}; sign with the evaluator's "
                    "certificate, or give the reason you sign instead (the report shows it)",
                )
                if request.web
                else tr(
                    f"拒绝签发：签名证书的持有人 {subject} 不是研究中记载的评价人 {named}；"
                    "用评价人的证书签名，或以 --signer-override 理由 明确确认（报告中会注明）",
                    f"refusing to issue: the signing certificate's subject {subject} is not the "
                    f"evaluator named in the study, {named}; sign with the evaluator's "
                    "certificate, or confirm explicitly with --signer-override REASON (the "
                    "report shows it)",
                )
            )
        override = (request.signer_override or "").strip()
    info = IssueInfo(
        signed=True,
        signer=subject.name,
        signer_org=subject.organisation,
        accepted=accepted,
        signer_override=override,
        study_evaluator=named if override else None,
        amends=request.amends,
        amend_reason=request.amend_reason,
        timestamped=bool(request.timestamp_url),
        level=plan.level,
        level_note=plan.note,
        reviewer=request.review.reviewer_name if request.review else None,
        reviewer_org=request.review.organisation if request.review else None,
        reviewed_at=request.review.approved_at if request.review else None,
    )
    return info, warnings, blocking


def issue_report(
    loaded: LoadedStudy,
    result: FootprintResult,
    request: IssueRequest,
    *,
    record: Recorder | None = None,
) -> IssueOutcome:
    """Gate, render, sign and write a report (see the module docstring)."""
    from tanzuji.report.certs import Subject
    from tanzuji.report.prepare import prepare_report, write_outputs

    info, warnings, blocking = plan_issue(loaded, request)
    prepared = prepare_report(
        loaded,
        result,
        lang=request.lang,
        key=request.key,
        cert=request.cert,
        full=request.full,
        monte_carlo=request.monte_carlo,
        trials=request.trials,
        seed=request.seed,
        mc_study=request.mc_study,
        timestamp_url=request.timestamp_url,
        embed_study=request.embed_study,
        provider=request.signing_provider() if info.signed else None,
        trust_roots=request.trust_roots,
        picture=request.picture,
    )

    others = [
        (dataclasses.replace(prepared, lang=lang, last_pdf=b"", last=None), path)
        for lang, path in request.also
        if lang != request.lang
    ]

    def build(number: str, audit_anchor: str | None = None) -> dict[str, bytes]:
        numbered = dataclasses.replace(info, number=number, audit_anchor=audit_anchor)
        out = {request.lang: prepared.build(numbered)[0]}
        for other, _ in others:
            out[other.lang] = other.build(numbered)[0]
        return out

    if record is not None and info.signed:
        record(loaded.study.period.start.year, build, info)
    else:
        for each in (prepared, *(o for o, _ in others)):
            each.build(info)
    rendered = prepared.last
    assert rendered is not None
    write_outputs(request.pdf, prepared.last_pdf, rendered, request.html)
    for other, path in others:
        assert other.last is not None
        write_outputs(path, other.last_pdf, other.last, None)
    return IssueOutcome(
        number=rendered.number,
        pages=rendered.pages,
        signed=info.signed,
        signer=Subject(info.signer, info.signer_org) if info.signer else None,
        warnings=tuple(warnings),
        errors=tuple(blocking),
        accepted=info.accepted,
        signer_override=info.signer_override,
        amends=info.amends,
        level=info.level,
        level_note=info.level_note,
    )


def issue_demo_report(
    loaded: LoadedStudy, result: FootprintResult, target: Path, keys: Path, lang: str = "zh"
) -> Path:
    """``tanzuji demo``: ``target/report.pdf`` signed with a self-signed demo key in the
    evaluator's name (made if missing or if it names someone else), through the gate."""
    from tanzuji.report.sign import keygen, signer_subject

    key, cert = keys / "key.pem", keys / "cert.pem"
    ev = loaded.study.evaluator
    name = ev.name if ev else "tanzuji 演示签发人 (demo, not for production)"
    org = ev.organisation if ev else None
    if not (key.exists() and cert.exists()) or signer_subject(cert).name != name:
        keygen(keys, name=name, organisation=org, force=True)
    pdf = target / "report.pdf"
    issue_report(
        loaded, result, IssueRequest(pdf=pdf, lang=lang, key=key, cert=cert, monte_carlo=True)
    )
    return pdf


def signer_name(cert: Path) -> str:
    """The subject of a certificate file as recorded with the report (``name / org``)."""
    from tanzuji.report.sign import signer_subject

    return str(signer_subject(cert))
