"""The evaluation report (§8, Appendix B): HTML and PDF, charts, PAdES signatures.

An adapter: it reads the pure core's results and writes files; the core never imports it.

* :func:`render_report` — study + model + result (+ findings, full GUM, Monte Carlo) → a
  :class:`RenderedReport` with the report number, self-contained HTML and A4 PDF;
* :func:`sign_pdf` / :func:`verify_pdf` / :func:`keygen` — PAdES-B-B signatures with pyHanko.

The names are loaded on first use (module ``__getattr__``), so that importing one
submodule (the render worker, the report errors) does not import the rest of the report
— Jinja2, the study model, pyHanko — before it is needed.

>>> from tanzuji.report import report_title
>>> report_title("三相智能电能表", None, "en")
'Electricity Meter Product Carbon Footprint Metrological Evaluation Report'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tanzuji.lazy import lazy_exports

if TYPE_CHECKING:
    from tanzuji.report.context import ReportInput, build_context
    from tanzuji.report.errors import FontError, ReportError, SignatureError
    from tanzuji.report.identity import report_number, report_title
    from tanzuji.report.render import RenderedReport, render_html, render_report, write_atomic
    from tanzuji.report.sign import keygen, sign_pdf
    from tanzuji.report.verify import SignatureCheck, verify_pdf
    from tanzuji.report.views import GumView, MonteCarloView, gum_view, monte_carlo_view

_WHERE = {
    "context": ("ReportInput", "build_context"),
    "errors": ("FontError", "ReportError", "SignatureError"),
    "identity": ("report_number", "report_title"),
    "render": ("RenderedReport", "render_html", "render_report", "write_atomic"),
    "sign": ("keygen", "sign_pdf"),
    "verify": ("SignatureCheck", "verify_pdf"),
    "views": ("GumView", "MonteCarloView", "gum_view", "monte_carlo_view"),
}

__all__ = [
    "FontError",
    "GumView",
    "MonteCarloView",
    "RenderedReport",
    "ReportError",
    "ReportInput",
    "SignatureCheck",
    "SignatureError",
    "build_context",
    "gum_view",
    "keygen",
    "monte_carlo_view",
    "render_html",
    "render_report",
    "report_number",
    "report_title",
    "sign_pdf",
    "verify_pdf",
    "write_atomic",
]

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
