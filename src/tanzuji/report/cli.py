"""Command-line commands of the report adapter: ``report``, ``sign``, ``verify``, ``keygen``.

:func:`register` adds them to the main ``tanzuji`` app; :func:`write_report` and
:func:`demo_report` serve ``tanzuji evaluate --report`` and ``tanzuji demo``. Heavy imports
(WeasyPrint, matplotlib, pyHanko) happen inside the commands, so ``tanzuji --help`` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from tanzuji.calculation import FootprintResult, compile_study
from tanzuji.errors import InputErrors
from tanzuji.jsonio import LoadedStudy, evaluate_file, locate_errors
from tanzuji.report.errors import SignatureError

if TYPE_CHECKING:
    from tanzuji.calculation import FullResult, MeasurementModel, MonteCarloStudy
    from tanzuji.report.render import RenderedReport
    from tanzuji.report.views import MonteCarloView

__all__ = ["demo_report", "register", "write_report"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class ReportLang(StrEnum):
    zh = "zh"
    en = "en"


class ReportUncertainty(StrEnum):
    jjf = "jjf"
    full = "full"


DEFAULT_TRIALS = 200_000
DEFAULT_SEED = 1


def run_monte_carlo(
    model: MeasurementModel, full: FullResult, trials: int | None, seed: int | None
) -> MonteCarloView:
    """Monte Carlo (JJF 1059.2) of the total footprint, validating the full GUM interval.

    ``trials=None`` runs the adaptive procedure; a fixed ``seed`` makes the report
    reproducible.
    """
    from tanzuji.calculation import evaluate_monte_carlo
    from tanzuji.report.views import monte_carlo_view

    mc = evaluate_monte_carlo(model, full, p=full.total.p, trials=trials, seed=seed)
    return monte_carlo_view(mc.result, mc.validation)


def _findings(loaded: LoadedStudy) -> list[Any]:
    """Findings of the data-governance check (``tanzuji check``)."""
    from tanzuji.governance import check_study

    return list(check_study(loaded.study, loaded.factors).findings)


def write_report(
    loaded: LoadedStudy,
    result: FootprintResult,
    pdf_path: Path,
    *,
    lang: str = "zh",
    html_path: Path | None = None,
    key: Path | None = None,
    cert: Path | None = None,
    full: bool = True,
    monte_carlo: bool = False,
    trials: int | None = DEFAULT_TRIALS,
    seed: int | None = DEFAULT_SEED,
    mc_study: MonteCarloStudy | None = None,
) -> RenderedReport:
    """Render the report of an evaluated study, sign it if a key is given, write the files.

    With ``full`` the complete GUM evaluation is shown beside the specification's; with
    ``monte_carlo`` also its Monte Carlo validation (``trials=None``: adaptive); a
    Monte Carlo already run (``mc_study``, e.g. by ``evaluate --mc``) is shown as it is.
    """
    from tanzuji.calculation import evaluate_full
    from tanzuji.report.context import ReportInput
    from tanzuji.report.render import render_report, write_atomic
    from tanzuji.report.sign import sign_pdf
    from tanzuji.report.views import gum_view, monte_carlo_view

    if (key is None) != (cert is None):
        raise SignatureError("give both --key and --cert to sign, or neither")
    try:
        model = compile_study(loaded.study, loaded.factors)
    except InputErrors as exc:
        raise locate_errors(exc, loaded) from None
    full_result = evaluate_full(model) if (full or monte_carlo or mc_study) else None
    mc_view = None
    if mc_study is not None:
        mc_view = monte_carlo_view(mc_study.result, mc_study.validation)
    elif monte_carlo and full_result is not None:
        mc_view = run_monte_carlo(model, full_result, trials, seed)
    inp = ReportInput(
        study=loaded.study,
        model=model,
        result=result,
        base_dir=loaded.path.parent,
        findings=_findings(loaded),
        full_gum=gum_view(full_result) if full_result is not None else None,
        monte_carlo=mc_view,
    )
    rendered = render_report(inp, lang)
    pdf = rendered.pdf
    if key is not None and cert is not None:
        pdf = sign_pdf(pdf, key, cert)
    if html_path is not None:
        write_atomic(html_path, rendered.html)
    write_atomic(pdf_path, pdf)
    return rendered


def demo_report(
    loaded: LoadedStudy, result: FootprintResult, target: Path, keys: Path, lang: str = "zh"
) -> Path:
    """Write ``target/report.pdf`` signed with the demo key in ``keys`` (made if missing)."""
    from tanzuji.report.sign import keygen

    key, cert = keys / "key.pem", keys / "cert.pem"
    if not (key.exists() and cert.exists()):
        keygen(keys, name="tanzuji 演示签发人 (demo, not for production)", force=True)
    pdf = target / "report.pdf"
    write_report(loaded, result, pdf, lang=lang, key=key, cert=cert, monte_carlo=True)
    return pdf


def report(
    study: Annotated[
        Path, typer.Argument(help="Study file (YAML/JSON) or a directory with study.yaml.")
    ],
    pdf: Annotated[Path, typer.Option("--out", help="The PDF report to write.")],
    lang: Annotated[ReportLang, typer.Option(help="Language of the report.")] = ReportLang.zh,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as HTML.")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="Private key (PEM) to sign with.")] = None,
    cert: Annotated[Path | None, typer.Option(help="Certificate (PEM) of the key.")] = None,
    uncertainty: Annotated[
        ReportUncertainty,
        typer.Option(
            help="full: show the complete GUM evaluation beside the specification's; "
            "jjf: the specification's method only."
        ),
    ] = ReportUncertainty.full,
    monte_carlo: Annotated[
        bool,
        typer.Option(
            "--monte-carlo/--no-monte-carlo",
            help="Validate the complete GUM by Monte Carlo (JJF 1059.2) and show it.",
        ),
    ] = False,
    trials: Annotated[
        int, typer.Option(help="Monte Carlo trials; 0 for the adaptive procedure.")
    ] = DEFAULT_TRIALS,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed (reproducible reports).")] = (
        DEFAULT_SEED
    ),
) -> None:
    """Write the evaluation report (§8, Appendix B) as an A4 PDF, signed if --key/--cert."""
    loaded, result = evaluate_file(study)
    rendered = write_report(
        loaded,
        result,
        pdf,
        lang=lang.value,
        html_path=html,
        key=key,
        cert=cert,
        full=uncertainty is ReportUncertainty.full,
        monte_carlo=monte_carlo,
        trials=trials or None,
        seed=seed,
    )
    signed = " (signed)" if key else ""
    err.print(f"wrote {pdf}{signed}: report No. {rendered.number}, {rendered.pages} pages")
    if html:
        err.print(f"wrote {html}")


def sign(
    pdf: Annotated[Path, typer.Argument(help="The PDF to sign.")],
    key: Annotated[Path, typer.Option(help="Private key (PEM).")],
    cert: Annotated[Path, typer.Option(help="Certificate (PEM) of the key.")],
    signed: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of replacing the file.")
    ] = None,
) -> None:
    """Sign a PDF (PAdES) with a visible stamp naming the certificate's subject."""
    from tanzuji.report.render import write_atomic
    from tanzuji.report.sign import sign_pdf

    if not pdf.is_file():
        raise SignatureError("file not found", file=str(pdf))
    data = sign_pdf(pdf.read_bytes(), key, cert)
    target = signed or pdf
    write_atomic(target, data)
    err.print(f"signed {target}")


def _verify_line(c: Any, when: str, trusted: str) -> str:
    from tanzuji.i18n import tr

    org = f" / {c.organisation}" if c.organisation else ""
    yes, no = tr("是", "yes"), tr("否", "NO")
    return tr(
        f"{c.field}：签名人 {c.signer}{org}，签名时间 {when}，覆盖{c.coverage}，"
        f"完整 {yes if c.intact else no}，签名值{'有效' if c.valid else '无效'}，受信任 {trusted}",
        f"{c.field}: signer {c.signer}{org}, signed {when}, covers {c.coverage}, "
        f"intact {'yes' if c.intact else 'NO'}, signature {'valid' if c.valid else 'INVALID'}, "
        f"trusted {trusted}",
    )


def verify(
    pdf: Annotated[Path, typer.Argument(help="The signed PDF.")],
    trust: Annotated[
        list[Path] | None,
        typer.Option("--trust", help="Trusted certificate (PEM); may be repeated."),
    ] = None,
    lang: Annotated[
        ReportLang | None, typer.Option(help="Language of the messages (default: settings).")
    ] = None,
) -> None:
    """Verify the signatures of a PDF: exit 0 if all are intact, valid and unaltered, else 1.

    Every revision added after a signature is listed with what it changes.
    """
    from tanzuji.i18n import set_lang, tr

    if lang is not None:
        set_lang(lang.value)
    from tanzuji.report.sign import verify_pdf

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
        trusted = {None: tr("未检查（未给 --trust）", "not checked (no --trust)"), True: yes,
                   False: no}[c.trusted]  # fmt: skip
        mark = "[green]✓[/green]" if c.ok else "[red]✗[/red]"
        out.print(f"{mark} " + escape(_verify_line(c, when, trusted)))
        if c.certified:
            out.print(
                "  " + escape(tr(f"认证签名：{c.certified}", f"certification: {c.certified}"))
            )
        for rev in c.later:
            sign = "  · " if rev.harmless else "  [red]✗[/red] "
            out.print(sign + escape(rev.describe()))
        for note in c.notes:
            out.print("  " + escape(note))
        if not c.ok:
            bad.append(f"{c.field}: {c.problem}")
    if bad:
        raise SignatureError(
            tr("签名检查未通过：", "signature check failed: ") + "; ".join(bad), file=str(pdf)
        )


def keygen_cmd(
    directory: Annotated[Path, typer.Argument(help="Directory for key.pem and cert.pem.")],
    name: Annotated[str, typer.Option(help="Signer name (certificate CN).")] = (
        "tanzuji demo signer"
    ),
    organisation: Annotated[str | None, typer.Option(help="Organisation (O).")] = None,
    force: Annotated[bool, typer.Option(help="Replace existing files.")] = False,
) -> None:
    """Make a self-signed key and certificate for trying signatures (NOT for production)."""
    from tanzuji.report.sign import keygen

    key, cert = keygen(directory, name=name, organisation=organisation, force=force)
    err.print(f"wrote {key} (mode 0600) and {cert}")
    err.print(
        "[yellow]warning:[/yellow] a self-signed certificate proves nothing about its holder; "
        "use it to try signing, not to issue real reports"
    )


def register(app: typer.Typer) -> None:
    """Add the report commands to the ``tanzuji`` app."""
    app.command("report")(report)
    app.command("sign")(sign)
    app.command("verify")(verify)
    app.command("keygen")(keygen_cmd)
