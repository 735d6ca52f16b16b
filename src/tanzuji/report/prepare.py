"""What the command line and the issuance use case ask of the report adapter.

* :func:`prepare_report` compiles the study and runs the uncertainty views once; its
  :meth:`PreparedReport.build` renders (and, for a signed issue, signs) the PDF for given
  issue facts — called by :mod:`tanzuji.services.issue` with the report number the store
  allocates;
* :func:`write_report` writes an unsigned draft (``tanzuji evaluate --report``).

Heavy imports (WeasyPrint, matplotlib, pyHanko) happen inside the functions, so
``tanzuji --help`` stays fast.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tanzuji.calculation import FootprintResult
from tanzuji.errors import InputErrors
from tanzuji.jsonio import LoadedStudy, compile_loaded, locate_errors

if TYPE_CHECKING:
    from tanzuji.calculation import FullResult, MeasurementModel, MonteCarloStudy
    from tanzuji.report.context import ReportInput
    from tanzuji.report.issueinfo import IssueInfo
    from tanzuji.report.render import AssociatedFile, RenderedReport
    from tanzuji.report.signers import SigningProvider
    from tanzuji.report.views import MonteCarloView

__all__ = ["PreparedReport", "prepare_report", "write_outputs", "write_report"]


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


@dataclass
class PreparedReport:
    """A study ready to render: the report input without its issue facts, and how to sign."""

    inp: ReportInput
    lang: str
    loaded: LoadedStudy
    key: Path | None = None
    cert: Path | None = None
    timestamp_url: str | None = None
    embed_study: bool = False
    provider: SigningProvider | None = None
    """Where the signature comes from (default: the key file ``key`` with ``cert``)."""
    trust_roots: tuple[Any, ...] = ()
    last_pdf: bytes = b""
    last: RenderedReport | None = None

    def attachments(self) -> list[AssociatedFile]:
        """The associated files: the result JSON and the study's SHA-256 — and the full study
        only for the evaluator's archival copy (``embed_study``; it holds the bill of
        materials and supplier data, confidential to the manufacturer)."""
        import hashlib
        import json

        from tanzuji.jsonio import result_to_dict
        from tanzuji.report.render import AssociatedFile

        study = self.loaded.study
        result = result_to_dict(self.inp.result, study, self.loaded.factors)
        raw = self.loaded.path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        files = [
            AssociatedFile(
                "result.json",
                (json.dumps(result, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
                "评价结果（tanzuji 结果 JSON） / evaluation result (tanzuji result JSON)",
                "Data",
            ),
            AssociatedFile(
                "study.sha256",
                f"{digest}  {self.loaded.path.name}\n".encode("ascii", "replace"),
                "研究文件的 SHA-256 / SHA-256 of the study file",
                "Supplement",
            ),
        ]
        if self.embed_study:
            files.append(
                AssociatedFile(
                    self.loaded.path.name,
                    raw,
                    "完整研究（评价机构存档副本，勿交客户） / the full study (evaluator's "
                    "archival copy, not for customers)",
                    "Source",
                )
            )
        return files

    def build(self, info: IssueInfo) -> tuple[bytes, RenderedReport]:
        """Render for ``info``; sign when ``info.signed`` (key and certificate given)."""
        from tanzuji.report.render import render_report
        from tanzuji.report.sign import sign_pdf

        rendered = render_report(
            dataclasses.replace(self.inp, issue=info), self.lang, self.attachments()
        )
        pdf = rendered.pdf
        if info.signed:
            pdf = sign_pdf(
                pdf,
                self.key,
                self.cert,
                timestamp_url=self.timestamp_url,
                provider=self.provider,
                trust_roots=self.trust_roots,
            )
        self.last_pdf, self.last = pdf, rendered
        return pdf, rendered


def prepare_report(
    loaded: LoadedStudy,
    result: FootprintResult,
    *,
    lang: str = "zh",
    key: Path | None = None,
    cert: Path | None = None,
    full: bool = True,
    monte_carlo: bool = False,
    trials: int | None = DEFAULT_TRIALS,
    seed: int | None = DEFAULT_SEED,
    mc_study: MonteCarloStudy | None = None,
    timestamp_url: str | None = None,
    embed_study: bool = False,
    provider: SigningProvider | None = None,
    trust_roots: tuple[Any, ...] = (),
    picture: bytes | None = None,
) -> PreparedReport:
    """Compile the study, evaluate the views asked for, and collect the findings.

    ``picture`` is the product picture kept in the store (PNG), shown instead of the file
    the study names.

    With ``full`` the complete GUM evaluation is shown beside the specification's; with
    ``monte_carlo`` also its Monte Carlo validation (``trials=None``: adaptive); a
    Monte Carlo already run (``mc_study``, e.g. by ``evaluate --mc``) is shown as it is.
    """
    from tanzuji.calculation import evaluate_full
    from tanzuji.governance import check_study
    from tanzuji.report.context import ReportInput
    from tanzuji.report.views import gum_view, monte_carlo_view

    try:
        model = compile_loaded(loaded)  # component studies spliced in
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
        findings=list(check_study(loaded.study, loaded.factors).findings),
        full_gum=gum_view(full_result) if full_result is not None else None,
        monte_carlo=mc_view,
        picture=picture,
    )
    return PreparedReport(
        inp, lang, loaded, key, cert, timestamp_url, embed_study, provider, trust_roots
    )


def write_outputs(pdf_path: Path, pdf: bytes, rendered: RenderedReport, html: Path | None) -> None:
    """Write the PDF (and the HTML) atomically, as a pair: both files or neither (issue 9)."""
    from tanzuji.fileio import Content, write_atomic_many

    items: list[tuple[Path, Content]] = [(pdf_path, pdf)]
    if html is not None:
        items.insert(0, (html, rendered.html))
    write_atomic_many(items)


def write_report(
    loaded: LoadedStudy,
    result: FootprintResult,
    pdf_path: Path,
    *,
    lang: str = "zh",
    html_path: Path | None = None,
    full: bool = True,
    monte_carlo: bool = False,
    trials: int | None = DEFAULT_TRIALS,
    seed: int | None = DEFAULT_SEED,
    mc_study: MonteCarloStudy | None = None,
) -> RenderedReport:
    """Render an unsigned draft report (marked as such on every page) and write it.

    Signed reports are issued through :func:`tanzuji.services.issue.issue_report` (the
    issuance gate).
    """
    from tanzuji.report.issueinfo import IssueInfo

    prepared = prepare_report(
        loaded, result, lang=lang, full=full, monte_carlo=monte_carlo, trials=trials,
        seed=seed, mc_study=mc_study,
    )  # fmt: skip
    pdf, rendered = prepared.build(IssueInfo(signed=False))
    write_outputs(pdf_path, pdf, rendered, html_path)
    return rendered
