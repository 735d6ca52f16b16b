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
from tanzuji.errors import IssuanceError
from tanzuji.i18n import tr

if TYPE_CHECKING:
    from tanzuji.services.issue import IssueOutcome

__all__ = ["register"]

DEFAULT_TRIALS = 200_000
DEFAULT_SEED = 1


def report(
    study: Annotated[
        Path, typer.Argument(help="Study file (YAML/JSON) or a directory with study.yaml.")
    ],
    pdf: Annotated[Path, typer.Option("--out", help="The PDF report to write (.pdf).")],
    lang: LangOption = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as HTML (.html).")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="Private key (PEM) to sign with.")] = None,
    cert: Annotated[Path | None, typer.Option(help="Certificate (PEM) of the key.")] = None,
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
    """Write the evaluation report (§8, Appendix B) as an A4 PDF/A: signed if --key/--cert
    (refused while `check` has errors not accepted by --accept), else a marked draft."""
    from tanzuji.cli.study import warn_missing_uncertainty
    from tanzuji.config import load_config
    from tanzuji.jsonio import evaluate_file, gc_paused
    from tanzuji.report.assets import check_report_size
    from tanzuji.services.issue import (
        IssueRequest,
        acceptances,
        issue_report,
        signer_name,
        store_recording,
    )

    code = apply_lang(lang)
    output_path(pdf, (".pdf",), force=force)
    if html is not None:
        output_path(html, (".html", ".htm"), force=force)
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
    with gc_paused():  # a large study: no full collections over its millions of objects
        loaded, result = evaluate_file(study)
    # refused before the checks and the layout run (bounded time and memory, issue 9)
    check_report_size(len(loaded.study.activities))
    if not quiet:
        warn_missing_uncertainty(loaded)
    recording = None
    if key is not None and cert is not None:
        recording = store_recording(database_url, org, lang=code, signer=signer_name(cert))
        if recording is not None and amends and not recording.exists(amends):
            raise IssuanceError(
                tr(
                    f"--amends {amends}：数据库中没有此编号的报告",
                    f"--amends {amends}: no report with this number in the store",
                )
            )
    outcome = issue_report(
        loaded,
        result,
        record=recording.record if recording else None,
        request=IssueRequest(
            pdf=pdf,
            lang=code,
            html=html,
            key=key,
            cert=cert,
            accept=acceptances(ids, reasons),
            signer_override=signer_override,
            amends=amends,
            amend_reason=amend_reason,
            embed_study=embed_study,
            timestamp_url=config.timestamp_url if key else None,
            full=uncertainty is UncertaintyMethod.full,
            monte_carlo=mc,
            trials=trials or None,
            seed=seed,
        ),
    )
    _print_issue(outcome)
    if outcome.signed and recording is not None:
        err.print(escape(tr(f"已记录到数据库：报告编号 {outcome.number}",
                            f"recorded in the store: report No. {outcome.number}")))  # fmt: skip
        if amends:
            recording.supersede(amends, amend_reason or "", outcome.number)
            err.print(escape(tr(f"报告 {amends} 已标记为被替代",
                                f"report {amends} marked as superseded")))  # fmt: skip
    elif outcome.signed:
        warn(
            "未记录：没有配置数据库（--database-url 或 TANZUJI_DATABASE_URL）",
            "not recorded: no database configured (--database-url or TANZUJI_DATABASE_URL)",
        )
    if not quiet:
        if outcome.signed:
            extra_zh = f"（已签名，签发人 {outcome.signer}）"
            extra_en = f" (signed by {outcome.signer})"
        else:
            extra_zh, extra_en = "（草稿，未签名）", " (draft, not signed)"
        wrote(
            pdf,
            f"{extra_zh}：报告编号 {outcome.number}，共 {outcome.pages} 页",
            f"{extra_en}: report No. {outcome.number}, {outcome.pages} pages",
        )
        if html:
            wrote(html)


def _print_issue(outcome: IssueOutcome) -> None:
    """Warnings, accepted deviations, override and draft status, in the user's language."""

    def line(style: str, label_zh: str, label_en: str, zh: str, en: str) -> None:
        label = escape(tr(label_zh, label_en))
        err.print(f"[{style}]{label}[/{style}] {escape(tr(zh, en))}", emoji=False)

    for f in outcome.warnings:
        line("yellow", "警告:", "warning:", f"{f.id}：{f.message_zh}", f"{f.id}: {f.message_en}")
    for a in outcome.accepted:
        line(
            "yellow",
            "已接受的偏离:",
            "accepted deviation:",
            f"{a.id}：{a.message_zh}；理由：{a.reason}",
            f"{a.id}: {a.message_en}; reason: {a.reason}",
        )
    if outcome.signer_override:
        line(
            "yellow",
            "签发人不是评价人:",
            "issuer is not the evaluator:",
            f"{outcome.signer}；理由：{outcome.signer_override}",
            f"{outcome.signer}; reason: {outcome.signer_override}",
        )
    if outcome.signed:
        return
    for f in outcome.errors:
        line("red", "错误:", "error:", f"{f.id}：{f.message_zh}", f"{f.id}: {f.message_en}")
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
    key: Annotated[Path, typer.Option(help="Private key (PEM).")],
    cert: Annotated[Path, typer.Option(help="Certificate (PEM) of the key.")],
    signed: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of replacing the file.")
    ] = None,
    force: ForceOption = False,
    lang: LangOption = None,
) -> None:
    """Sign a PDF (PAdES) with a visible stamp naming the certificate's subject."""
    from tanzuji.fileio import write_atomic
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.sign import sign_pdf

    apply_lang(lang)
    if not pdf.is_file():
        raise SignatureError(tr("文件不存在", "file not found"), file=str(pdf))
    if signed is not None:
        output_path(signed, (".pdf",), force=force)
    data = sign_pdf(pdf.read_bytes(), key, cert)
    target = signed or pdf
    write_atomic(target, data)
    err.print(escape(tr(f"已签名 {target}", f"signed {target}")))


def verify(
    pdf: Annotated[Path, typer.Argument(help="The signed PDF.")],
    trust: Annotated[
        list[Path] | None,
        typer.Option("--trust", help="Trusted certificate (PEM); may be repeated."),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Verify the signatures of a PDF: exit 0 if all are intact, valid and unaltered, else 1.

    Every revision added after a signature is listed with what it changes.
    """
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.verify import check_lines, verify_pdf

    apply_lang(lang)
    if not pdf.is_file():
        raise SignatureError(tr("文件不存在", "file not found"), file=str(pdf))
    try:
        checks = verify_pdf(pdf.read_bytes(), trust or ())
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
    if bad:
        raise SignatureError(
            tr("签名检查未通过：", "signature check failed: ") + "; ".join(bad), file=str(pdf)
        )


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
    from tanzuji.services.issue import withdraw_report

    apply_lang(lang)
    n = withdraw_report(database_url, org, number, reason)
    err.print(escape(tr(f"已撤回报告 {number}（{n} 个语言版本），理由：{reason}",
                        f"withdrew report {number} ({n} rendition(s)), "
                        f"reason: {reason}")))  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the report commands to the ``tanzuji`` app."""
    app.command("report")(report)
    app.command("withdraw")(withdraw)
    app.command("sign")(sign)
    app.command("verify")(verify)
    app.command("keygen")(keygen)
