"""What the command line asks of the report adapter: write (and sign) a study's report.

:func:`write_report` serves ``tanzuji report`` and ``tanzuji evaluate --report``,
:func:`demo_report` serves ``tanzuji demo``; the commands themselves live in
:mod:`tanzuji.cli.report`. Heavy imports (WeasyPrint, matplotlib, pyHanko) happen inside
the functions, so ``tanzuji --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tanzuji.calculation import FootprintResult, compile_study
from tanzuji.errors import InputErrors
from tanzuji.jsonio import LoadedStudy, locate_errors
from tanzuji.report.errors import SignatureError

if TYPE_CHECKING:
    from tanzuji.calculation import FullResult, MeasurementModel, MonteCarloStudy
    from tanzuji.report.render import RenderedReport
    from tanzuji.report.views import MonteCarloView

__all__ = ["demo_report", "write_report"]


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
        ev = loaded.study.evaluator
        pdf = sign_pdf(
            pdf,
            key,
            cert,
            issuer=ev.name if ev else None,
            organisation=ev.organisation if ev else None,
        )
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
