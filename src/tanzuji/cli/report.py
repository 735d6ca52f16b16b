"""Report commands: ``report``, ``sign``, ``verify``, ``keygen`` (thin shells over tanzuji.report).

WeasyPrint, matplotlib and pyHanko are imported inside the commands, so ``tanzuji --help``
and ``tanzuji evaluate`` never load them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tanzuji.cli._common import (
    ForceOption,
    LangOption,
    McOption,
    QuietOption,
    UncertaintyMethod,
    UncertaintyOption,
    apply_lang,
    err,
    out,
    output_path,
    warn,
    wrote,
)
from tanzuji.cli._signing import (
    PinStdinOption,
    Pkcs11CertOption,
    Pkcs11KeyOption,
    Pkcs11LibOption,
    Pkcs11TokenOption,
    SigningOptions,
    trust_roots_from_config,
)
from tanzuji.errors import IssuanceError
from tanzuji.i18n import tr

if TYPE_CHECKING:
    from tanzuji.services.authority import Review
    from tanzuji.services.issue import IssueOutcome, IssueRequest
    from tanzuji.services.issuing import ConfiguredStore
    from tanzuji.services.reports import ReportStatus

__all__ = ["register"]

# imported while the render worker lays out the pages: the empty signature field of every
# report; for a signed one the signature, its stamp and the stamp font's subset
FIELD_MODULES = ("pyhanko.sign.fields", "pyhanko.pdf_utils.incremental_writer")
SIGNING_MODULES = (
    "pyhanko.sign.signers",
    "pyhanko.stamp",
    "pyhanko.pdf_utils.font.opentype",
    "fontTools.subset",
)
DEFAULT_TRIALS = 200_000
DEFAULT_SEED = 1


def report(
    ctx: typer.Context,
    study: Annotated[
        Path | None,
        typer.Argument(help="Study file (YAML/JSON) or a directory with study.yaml."),
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--out", help="The PDF report to write (.pdf).")
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option(
            "--rev",
            help="Issue from a stored revision (id or unique prefix) instead of a file; "
            "the signed report is recorded in the store (default --out: report-NUMBER.pdf).",
        ),
    ] = None,
    lang: LangOption = None,
    also_out: Annotated[
        Path | None,
        typer.Option(
            "--also-out",
            help="Also write the other language's rendition (zh↔en) here (.pdf): the same "
            "report, number and signature.",
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as HTML (.html).")
    ] = None,
    key: Annotated[
        Path | None, typer.Option(help="Private key (PEM), or a PKCS#12 file, to sign with.")
    ] = None,
    cert: Annotated[
        Path | None, typer.Option(help="Certificate (PEM) of the key, optionally with its chain.")
    ] = None,
    pkcs11_lib: Pkcs11LibOption = None,
    pkcs11_token: Pkcs11TokenOption = None,
    pkcs11_key: Pkcs11KeyOption = None,
    pkcs11_cert: Pkcs11CertOption = None,
    pin_stdin: PinStdinOption = False,
    accept: Annotated[
        list[str] | None,
        typer.Option(
            "--accept",
            help="Accept one blocking finding of `check` by its id (e.g. "
            "CERTIFICATE_EXPIRED:JD-EM-2025-0107); needs its own --reason; repeatable.",
        ),
    ] = None,
    reason: Annotated[
        list[str] | None,
        typer.Option(
            "--reason",
            help="Why: one per --accept, in order (or, alone, the reason of --amends).",
        ),
    ] = None,
    signer_override: Annotated[
        str | None,
        typer.Option(
            "--signer-override",
            help="Reason to sign although the certificate's subject is not the study's "
            "evaluator (shown in the report).",
        ),
    ] = None,
    amends: Annotated[
        str | None, typer.Option("--amends", help="Number of the report this one replaces.")
    ] = None,
    amend_reason: Annotated[
        str | None,
        typer.Option("--amend-reason", help="Why the report is replaced (with --accept)."),
    ] = None,
    embed_study: Annotated[
        bool,
        typer.Option(
            "--embed-study",
            help="Embed the full study in the PDF (the evaluator's archival copy only; "
            "never for customers).",
        ),
    ] = False,
    uncertainty: UncertaintyOption = UncertaintyMethod.jjf,
    mc: McOption = False,
    trials: Annotated[
        int, typer.Option(help="Monte Carlo trials; 0 for the adaptive procedure.")
    ] = DEFAULT_TRIALS,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed (reproducible reports).")] = (
        DEFAULT_SEED
    ),
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Record the signed report in this store and take its number from it "
            "(default: TANZUJI_DATABASE_URL or the config file; none: not recorded).",
        ),
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation to act for.")] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Write the evaluation report (§8, Appendix B) as an A4 PDF/A: signed with --key/--cert
    or a PKCS#11 token (refused while `check` has errors not accepted by --accept), else a
    marked draft. With a timestamp authority configured the signature is PAdES-B-T, and
    with a CA-issued certificate PAdES-B-LT. With a store (--rev, or a configured database)
    a signed report is recorded there and numbered by it."""
    from tanzuji.report.worker import discard, meanwhile, prewarm

    code = apply_lang(lang)
    if (study is None) == (rev is None):
        raise IssuanceError(
            tr("给出研究文件或 --rev 修订，二者选一", "give a study file or --rev REV, not both")
        )
    target = pdf or (Path(f"report-{rev[:12]}.pdf") if rev else Path("report.pdf"))
    output_path(target, (".pdf",), force=force)
    # before anything else is imported: WeasyPrint (render worker) and matplotlib (chart
    # worker) load on the other core while the study is evaluated
    signs = key is not None or pkcs11_lib is not None
    prewarm(also_import=FIELD_MODULES + (SIGNING_MODULES if signs else ()), charts=True)
    ctx.call_on_close(discard)  # not left for a later command if this one is refused
    from tanzuji.config import load_config
    from tanzuji.services.issue import IssueRequest, acceptances
    from tanzuji.services.issuing import configured_store

    if html is not None:
        output_path(html, (".html", ".htm"), force=force)
    if also_out is not None:
        output_path(also_out, (".pdf",), force=force)
    ids, reasons = list(accept or ()), list(reason or ())
    if amends and amend_reason is None and len(reasons) == len(ids) + 1:
        if ids:
            raise IssuanceError(
                tr(
                    "同时使用 --amends 和 --accept 时，用 --amend-reason 给出替代理由",
                    "with both --amends and --accept, give the amendment's reason with "
                    "--amend-reason",
                )
            )
        amend_reason = reasons.pop(0)
    config = load_config()
    provider = SigningOptions(
        key, cert, pkcs11_lib, pkcs11_token, pkcs11_key, pkcs11_cert, pin_stdin
    ).provider()
    if provider is not None:
        meanwhile(provider.prepare)  # the key loads while the pages are laid out
    request = IssueRequest(
        pdf=target,
        lang=code,
        html=html,
        also=((("en" if code == "zh" else "zh"), also_out),) if also_out else (),
        provider=provider,
        trust_roots=trust_roots_from_config() if provider else (),
        accept=acceptances(ids, reasons),
        signer_override=signer_override,
        amends=amends,
        amend_reason=amend_reason,
        embed_study=embed_study,
        timestamp_url=config.timestamp_url if provider else None,
        full=uncertainty is UncertaintyMethod.full,
        monte_carlo=mc,
        trials=trials or None,
        seed=seed,
    )
    store = configured_store(database_url, org, required=rev is not None)
    outcome, recorded, review = _issue(study, rev, request, store, quiet)
    _print_issue(outcome, quiet)
    if not quiet:  # docs/cli.md: no status lines or warnings (errors are printed above)
        _print_recorded(outcome, recorded, review, amends)
        if outcome.signed:
            extra_zh = f"（已签名，签发人 {outcome.signer}，{outcome.level}）"
            extra_en = f" (signed by {outcome.signer}, {outcome.level})"
        else:
            extra_zh, extra_en = "（草稿，未签名）", " (draft, not signed)"
        wrote(
            target,
            f"{extra_zh}：报告编号 {outcome.number}，共 {outcome.pages} 页",
            f"{extra_en}: report No. {outcome.number}, {outcome.pages} pages",
        )
        if also_out:
            wrote(also_out)
        if html:
            wrote(html)


def _issue(
    study: Path | None,
    rev: str | None,
    request: IssueRequest,
    store: ConfiguredStore | None,
    quiet: bool,
) -> tuple[IssueOutcome, bool, Review | None]:
    """Issue through the one flow (store) or, without a store, from the file alone:
    the outcome, whether it was recorded, and the signing authority's review."""
    from tanzuji.services.issue import issue_report
    from tanzuji.services.issuing import issue_recorded, issue_stored_revision

    if rev is not None:
        assert store is not None
        issued = issue_stored_revision(store.new_uow, store.actor, rev, request)
        for note in () if quiet else issued.notes:  # already in the user's language
            warn(note, note)
        return issued.outcome, issued.recorded, issued.review
    from tanzuji.cli.study import warn_missing_uncertainty
    from tanzuji.report.assets import check_report_size
    from tanzuji.studyfiles import evaluate_file

    assert study is not None
    loaded, result = evaluate_file(study)  # with the cyclic GC paused while it builds
    # refused before the checks and the layout run (bounded time and memory, issue 9)
    check_report_size(len(loaded.study.activities))
    if not quiet:
        warn_missing_uncertainty(loaded)
    if store is None or not request.signing:
        return issue_report(loaded, result, request), False, None
    issued = issue_recorded(
        store.new_uow,
        store.actor,
        loaded,
        result,
        request,
        signer_subject=str(request.signing_provider().subject()),
    )
    return issued.outcome, issued.recorded, issued.review


def _print_recorded(
    outcome: IssueOutcome, recorded: bool, review: Review | None, amends: str | None
) -> None:
    """The signing authority's review and whether the report was recorded in the store."""
    if review is not None and outcome.signed:
        at = review.approved_at[:16].replace("T", " ") + " UTC"
        err.print(escape(tr(f"技术审核：{review.reviewer_name}（{at}）；"
                            f"授权签字人：{review.signatory}",
                            f"checked by {review.reviewer_name} ({at}); "
                            f"authorised signatory: {review.signatory}")))  # fmt: skip
    if recorded:
        err.print(escape(tr(f"已记录到数据库：报告编号 {outcome.number}",
                            f"recorded in the store: report No. {outcome.number}")))  # fmt: skip
        if amends:
            err.print(escape(tr(f"报告 {amends} 已标记为被替代（由 {outcome.number} 替代）",
                                f"report {amends} marked as superseded by "
                                f"{outcome.number}")))  # fmt: skip
    elif outcome.signed:
        warn(
            "未记录：没有配置数据库（--database-url 或 TANZUJI_DATABASE_URL）",
            "not recorded: no database configured (--database-url or TANZUJI_DATABASE_URL)",
        )


def _print_issue(outcome: IssueOutcome, quiet: bool = False) -> None:
    """Warnings, accepted deviations, override and draft status, in the user's language;
    with ``quiet`` only the errors of an unsigned report."""

    def line(style: str, label_zh: str, label_en: str, zh: str, en: str) -> None:
        label = escape(tr(label_zh, label_en))
        err.print(f"[{style}]{label}[/{style}] {escape(tr(zh, en))}", emoji=False)

    for f in () if quiet else outcome.warnings:
        # a warning needs no --accept: its message only, no internal code
        line("yellow", "警告:", "warning:", f.message_zh, f.message_en)
    for a in () if quiet else outcome.accepted:
        line(
            "yellow",
            "已接受的偏离:",
            "accepted deviation:",
            f"{a.message_zh}（编号 {a.id}）；理由：{a.reason}",
            f"{a.message_en} (id {a.id}); reason: {a.reason}",
        )
    if outcome.signer_override and not quiet:
        line(
            "yellow",
            "签发人不是评价人:",
            "issuer is not the evaluator:",
            f"{outcome.signer}；理由：{outcome.signer_override}",
            f"{outcome.signer}; reason: {outcome.signer_override}",
        )
    if outcome.signed:
        if outcome.level_note and not quiet:
            err.print(
                f"[yellow]{escape(tr('注意:', 'note:'))}[/yellow] {escape(outcome.level_note)}"
            )
        return
    for f in outcome.errors:
        # the id is what --accept takes: shown, and labelled as such
        line(
            "red",
            "错误:",
            "error:",
            f"{f.message_zh}（编号 {f.id}，可用 --accept 接受）",
            f"{f.message_en} (id {f.id}, for --accept)",
        )
    if quiet:
        return
    line(
        "yellow",
        "警告:",
        "warning:",
        "未签名：报告是草稿，每页标有“草稿 / DRAFT — 未签名 not signed”",
        "not signed: the report is a draft, marked “草稿 / DRAFT — 未签名 not signed” on "
        "every page",
    )


def sign(
    pdf: Annotated[Path, typer.Argument(help="The PDF to sign.")],
    key: Annotated[Path | None, typer.Option(help="Private key (PEM), or a PKCS#12 file.")] = None,
    cert: Annotated[
        Path | None, typer.Option(help="Certificate (PEM) of the key, optionally with its chain.")
    ] = None,
    pkcs11_lib: Pkcs11LibOption = None,
    pkcs11_token: Pkcs11TokenOption = None,
    pkcs11_key: Pkcs11KeyOption = None,
    pkcs11_cert: Pkcs11CertOption = None,
    pin_stdin: PinStdinOption = False,
    signed: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of replacing the file.")
    ] = None,
    force: ForceOption = False,
    lang: LangOption = None,
) -> None:
    """Sign a PDF (PAdES) with a visible stamp naming the certificate's subject: B-B, B-T
    with a timestamp authority configured, B-LT with a CA-issued certificate as well."""
    from tanzuji.config import load_config
    from tanzuji.fileio import write_atomic
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.pades import PadesOptions
    from tanzuji.report.sign import sign_pdf

    apply_lang(lang)
    if not pdf.is_file():
        raise SignatureError(tr("文件不存在", "file not found"), file=str(pdf))
    if signed is not None:
        output_path(signed, (".pdf",), force=force)
    provider = SigningOptions(
        key, cert, pkcs11_lib, pkcs11_token, pkcs11_key, pkcs11_cert, pin_stdin
    ).provider()
    if provider is None:
        raise SignatureError(
            tr("需要 --key/--cert 或 --pkcs11-lib 来签名",
               "give --key/--cert or --pkcs11-lib to sign with")
        )  # fmt: skip
    url, roots = load_config().timestamp_url, trust_roots_from_config()
    plan = provider.plan(PadesOptions(timestamp_url=url, trust_roots=roots))
    data = sign_pdf(pdf.read_bytes(), provider=provider, timestamp_url=url, trust_roots=roots)
    target = signed or pdf
    write_atomic(target, data)
    err.print(escape(tr(f"已签名 {target}（{plan.level}）", f"signed {target} ({plan.level})")))
    if plan.note:
        err.print(f"[yellow]{escape(tr('注意:', 'note:'))}[/yellow] {escape(plan.note)}")


def verify(
    pdf: Annotated[Path, typer.Argument(help="The signed PDF.")],
    trust: Annotated[
        list[Path] | None,
        typer.Option("--trust", help="Trusted certificate (PEM); may be repeated."),
    ] = None,
    trust_list: Annotated[
        Path | None,
        typer.Option(
            "--trust-list",
            help="Trust list (TOML) of trusted CAs and institutes (default: the config "
            "file's trust_list).",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Also look the report up in this store: withdrawn or superseded? "
            "(default: TANZUJI_DATABASE_URL or the config file; none: not looked up).",
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Verify the signatures of a PDF: exit 0 if all are intact, valid and unaltered, else 1.

    Every revision added after a signature is listed with what it changes. With a store
    configured, the report's recorded status is shown too (ISO/IEC 17025 §7.8.8): a report
    withdrawn or superseded also exits 1, with the reason, time and successor.
    """
    from tanzuji.config import load_config
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.trustlist import load_trust_list
    from tanzuji.report.verify import check_lines, verify_pdf

    apply_lang(lang)
    if not pdf.is_file():
        raise SignatureError(tr("文件不存在", "file not found"), file=str(pdf))
    list_path = trust_list or load_config().trust_list
    tl = load_trust_list(list_path) if list_path is not None else None
    try:
        checks = verify_pdf(pdf.read_bytes(), trust or (), tl)
    except SignatureError as exc:
        raise SignatureError(exc.message, file=str(pdf)) from None
    bad = []
    for c in checks:
        for ok, line in check_lines(c):
            indent = "  " if line.startswith(" ") else ""
            mark = "" if indent and ok else ("[green]✓[/green] " if ok else "[red]✗[/red] ")
            out.print(indent + mark + escape(line.strip()))
        if not c.ok:
            bad.append(f"{c.field}: {c.problem}")
    status = _recorded_status(pdf, database_url)
    if status is not None and not status.in_force:
        bad.append(status.lines()[1])
    if bad:
        raise SignatureError(
            tr("签名检查未通过：", "signature check failed: ") + "; ".join(bad), file=str(pdf)
        )


def _recorded_status(pdf: Path, database_url: str | None) -> ReportStatus | None:
    """Print what the configured store records of this exact PDF (if a store is set)."""
    import hashlib

    from tanzuji.services.issuing import configured_store
    from tanzuji.services.reports import report_status

    store = configured_store(database_url, None)
    if store is None:
        return None
    status = report_status(store.new_uow(), hashlib.sha256(pdf.read_bytes()).hexdigest())
    if status is None:
        out.print(
            escape(tr("数据库中没有此 PDF 的签发记录", "this PDF is not recorded in the store"))
        )
        return None
    head, state = status.lines()
    mark = "[green]✓[/green] " if status.in_force else "[red]✗[/red] "
    out.print(escape(head))
    out.print(mark + escape(state))
    return status


def keygen(
    directory: Annotated[Path, typer.Argument(help="Directory for key.pem and cert.pem.")],
    name: Annotated[str, typer.Option(help="Signer name (certificate CN).")] = (
        "tanzuji demo signer"
    ),
    organisation: Annotated[str | None, typer.Option(help="Organisation (O).")] = None,
    force: ForceOption = False,
    lang: LangOption = None,
) -> None:
    """Make a self-signed key and certificate for trying signatures (NOT for production)."""
    from tanzuji.report.sign import keygen as make_keys

    apply_lang(lang)
    key, cert = make_keys(directory, name=name, organisation=organisation, force=force)
    err.print(
        escape(tr(f"已写入 {key}（权限 0600）和 {cert}", f"wrote {key} (mode 0600) and {cert}"))
    )
    warn(
        "自签名证书不能证明持有人的身份；只用于试用签名，不要用于签发正式报告",
        "a self-signed certificate proves nothing about its holder; use it to try signing, "
        "not to issue real reports",
    )


def withdraw(
    number: Annotated[str, typer.Argument(help="Number of the issued report.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the report is withdrawn.")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="The store the report is recorded in.")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation to act for.")] = None,
    lang: LangOption = None,
) -> None:
    """Withdraw an issued report (ISO/IEC 17025 §7.8.8): recorded in the store, audited."""
    from tanzuji.services.issuing import withdraw_report

    apply_lang(lang)
    n = withdraw_report(database_url, org, number, reason)
    _announce_withdrawal(database_url, number)
    err.print(escape(tr(f"已撤回报告 {number}（{n} 个语言版本），理由：{reason}",
                        f"withdrew report {number} ({n} rendition(s)), "
                        f"reason: {reason}")))  # fmt: skip


def _announce_withdrawal(database_url: str | None, number: str) -> None:
    """PublishedEvent (the footprint is now Deprecated) to the owners' PACT partners."""
    from tanzuji.cli.pacthost import announce_quietly
    from tanzuji.config import load_config
    from tanzuji.services.context import store_from_config

    store = store_from_config(load_config().with_overrides(database_url=database_url))
    announce_quietly(store, report_number=number)


def register(app: typer.Typer) -> None:
    """Add the report commands to the ``tanzuji`` app."""
    app.command("report")(report)
    app.command("withdraw")(withdraw)
    app.command("sign")(sign)
    app.command("verify")(verify)
    app.command("keygen")(keygen)
