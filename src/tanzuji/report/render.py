"""Rendering the report: Jinja2 templates → HTML → PDF (WeasyPrint, A4, made by
:mod:`tanzuji.report.pdfout`, in the render worker when one was started), with an empty
signature field placed over the signature block so that signing later fills it.

>>> env = environment()
>>> sorted(env.list_templates())
['_metering.html.j2', 'report.css.j2', 'report.html.j2']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from tanzuji.fileio import write_atomic
from tanzuji.report import chartwork
from tanzuji.report.context import ReportInput, build_context
from tanzuji.report.errors import ReportError
from tanzuji.report.numfmt import keep_together
from tanzuji.report.pdfout import (
    PX_TO_PT,
    STAMP_ANCHOR,
    AssociatedFile,
    Box,
    add_signature_field,
    html_to_pdf,
    pdf_with_field,
)
from tanzuji.report.worker import render_pdf

__all__ = [  # the PDF names are pdfout's, kept here for callers
    "PX_TO_PT",
    "STAMP_ANCHOR",
    "AssociatedFile",
    "Box",
    "RenderedReport",
    "add_signature_field",
    "environment",
    "html_to_pdf",
    "pdf_with_field",
    "render_html",
    "render_report",
    "write_atomic",
]


@dataclass(frozen=True)
class RenderedReport:
    """A rendered report: its number, HTML and (unsigned) PDF bytes."""

    number: str
    html: str
    pdf: bytes
    pages: int


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the package templates (HTML autoescaped)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("tanzuji.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(context: dict[str, Any]) -> str:
    """The self-contained HTML of a report (charts and picture inlined as data URIs)."""
    env = environment()
    from tanzuji.report.fonts import css_font_list

    ctx = dict(context, fonts=css_font_list())
    css = env.get_template("report.css.j2").render(ctx)
    html = env.get_template("report.html.j2").render(ctx, css=Markup(css))
    return keep_together(html)


def render_report(
    inp: ReportInput, lang: str = "zh", attachments: Sequence[AssociatedFile] = ()
) -> RenderedReport:
    """Build the context, render HTML and PDF/A-3b (with ``attachments``), and add the
    empty signature field of a report to be signed."""
    if lang not in ("zh", "en"):
        raise ReportError(f"unknown report language {lang!r}; expected zh or en")
    with chartwork.batch() as charts:  # drawn by the chart worker while the HTML is made
        ctx = build_context(inp, lang)
        draft = render_html(ctx)
        # the render worker lays out and writes the PDF, getting each chart as it is
        # drawn; the signature field is added here (pyHanko is loaded here meanwhile for
        # the signing, so the worker need not load it)
        pdf, pages, stamp = render_pdf(html_to_pdf, draft, tuple(attachments), charts=charts)
        html = charts.resolve(draft)
    if stamp is not None:
        pdf = add_signature_field(pdf, *stamp)
    return RenderedReport(number=str(ctx["number"]), html=html, pdf=pdf, pages=pages)
