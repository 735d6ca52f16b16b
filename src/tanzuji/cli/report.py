"""Report commands: ``report``, ``sign``, ``verify``, ``keygen`` (thin shells over tanzuji.report).

WeasyPrint, matplotlib and pyHanko are imported inside the commands, so ``tanzuji --help``
and ``tanzuji evaluate`` never load them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    lang_value,
    out,
    output_path,
    warn,
    wrote,
)
from tanzuji.i18n import tr

__all__ = ["register"]

_COVERAGE_ZH = {"entire file": "整个文件", "part of the file only": "仅文件的一部分"}
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
    uncertainty: UncertaintyOption = UncertaintyMethod.jjf,
    mc: McOption = False,
    trials: Annotated[
        int, typer.Option(help="Monte Carlo trials; 0 for the adaptive procedure.")
    ] = DEFAULT_TRIALS,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed (reproducible reports).")] = (
        DEFAULT_SEED
    ),
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Write the evaluation report (§8, Appendix B) as an A4 PDF, signed if --key/--cert."""
    from tanzuji.cli.study import warn_missing_uncertainty
    from tanzuji.jsonio import evaluate_file
    from tanzuji.report.cli import write_report

    code = apply_lang(lang)
    output_path(pdf, (".pdf",), force=force)
    if html is not None:
        output_path(html, (".html", ".htm"), force=force)
    loaded, result = evaluate_file(study)
    if not quiet:
        warn_missing_uncertainty(loaded)
    rendered = write_report(
        loaded,
        result,
        pdf,
        lang=code,
        html_path=html,
        key=key,
        cert=cert,
        full=uncertainty is UncertaintyMethod.full,
        monte_carlo=mc,
        trials=trials or None,
        seed=seed,
    )
    if not quiet:
        signed_zh, signed_en = ("（已签名）", " (signed)") if key else ("", "")
        wrote(
            pdf,
            f"{signed_zh}：报告编号 {rendered.number}，共 {rendered.pages} 页",
            f"{signed_en}: report No. {rendered.number}, {rendered.pages} pages",
        )
        if html:
            wrote(html)


def sign(
    pdf: Annotated[Path, typer.Argument(help="The PDF to sign.")],
    key: Annotated[Path, typer.Option(help="Private key (PEM).")],
    cert: Annotated[Path, typer.Option(help="Certificate (PEM) of the key.")],
    signed: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of replacing the file.")
    ] = None,
    issuer: Annotated[
        str | None, typer.Option(help="Issuer named in the stamp (default: certificate CN).")
    ] = None,
    organisation: Annotated[str | None, typer.Option(help="Organisation in the stamp.")] = None,
    force: ForceOption = False,
    lang: LangOption = None,
) -> None:
    """Sign a PDF (PAdES-B-B) with a visible stamp naming the issuer."""
    from tanzuji.fileio import write_atomic
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.sign import sign_pdf

    apply_lang(lang)
    if not pdf.is_file():
        raise SignatureError(tr("文件不存在", "file not found"), file=str(pdf))
    if signed is not None:
        output_path(signed, (".pdf",), force=force)
    data = sign_pdf(pdf.read_bytes(), key, cert, issuer=issuer, organisation=organisation)
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
    """Verify the signatures of a PDF: exit 0 if all are intact and valid, else 1."""
    from tanzuji.report.errors import SignatureError
    from tanzuji.report.sign import verify_pdf

    apply_lang(lang)
    if not pdf.is_file():
        raise SignatureError(tr("文件不存在", "file not found"), file=str(pdf))
    try:
        checks = verify_pdf(pdf.read_bytes(), trust or ())
    except SignatureError as exc:
        raise SignatureError(exc.message, file=str(pdf)) from None
    bad = []
    yes, no = tr("是", "yes"), tr("否", "NO")
    for c in checks:
        when = c.signed_at.isoformat(timespec="seconds") if c.signed_at else "?"
        trusted = {
            None: tr("未检查（未给 --trust）", "not checked (no --trust)"),
            True: yes,
            False: no,
        }[c.trusted]
        mark = "[green]✓[/green]" if c.ok else "[red]✗[/red]"
        valid = tr("有效", "valid") if c.valid else tr("无效", "INVALID")
        coverage = _COVERAGE_ZH.get(c.coverage, c.coverage) if lang_value() == "zh" else c.coverage
        intact = yes if c.intact else no
        out.print(
            f"{mark} {escape(c.field)}: "
            + escape(
                tr(
                    f"签名人 {c.signer}，签署于 {when}，覆盖范围 {coverage}，"
                    f"未被改动 {intact}，签名 {valid}，受信任 {trusted}",
                    f"signer {c.signer}, signed {when}, covers {c.coverage}, intact {intact}, "
                    f"signature {valid}, trusted {trusted}",
                )
            )
        )
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


def register(app: typer.Typer) -> None:
    """Add the report commands to the ``tanzuji`` app."""
    app.command("report")(report)
    app.command("sign")(sign)
    app.command("verify")(verify)
    app.command("keygen")(keygen)
