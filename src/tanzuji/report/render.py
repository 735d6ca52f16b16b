"""Rendering the report: Jinja2 templates → HTML → PDF (WeasyPrint, A4), with an empty
signature field placed over the signature block so that signing later fills it.

>>> env = environment()
>>> sorted(env.list_templates())
['_metering.html.j2', 'report.css.j2', 'report.html.j2']
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from tanzuji.fileio import write_atomic
from tanzuji.report.context import ReportInput, build_context
from tanzuji.report.errors import ReportError
from tanzuji.report.numfmt import keep_together
from tanzuji.report.worker import render_pdf

__all__ = [
    "AssociatedFile",
    "RenderedReport",
    "add_signature_field",
    "environment",
    "html_to_pdf",
    "pdf_with_field",
    "render_html",
    "render_report",
    "write_atomic",
]

STAMP_ANCHOR = "tzj-stamp"
PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in


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


def _fonts() -> str:
    from tanzuji.report.errors import FontError
    from tanzuji.report.fonts import cjk_family

    try:
        family = cjk_family()
    except FontError:
        family = "Noto Sans CJK SC"
    names = [family, "Noto Sans CJK SC", "DejaVu Sans"]
    unique = list(dict.fromkeys(names))
    return ", ".join(f'"{n}"' for n in unique) + ", sans-serif"


def render_html(context: dict[str, Any]) -> str:
    """The self-contained HTML of a report (charts and picture inlined as data URIs)."""
    env = environment()
    ctx = dict(context, fonts=_fonts())
    css = env.get_template("report.css.j2").render(ctx)
    html = env.get_template("report.html.j2").render(ctx, css=Markup(css))
    return keep_together(html)


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class AssociatedFile:
    """A file embedded in the PDF/A-3 report and associated with the document (``/AF``)."""

    name: str
    data: bytes
    description: str
    relationship: str = "Data"
    """``Data``, ``Source``, ``Supplement`` … (ISO 32000-2, 14.13)."""


def html_to_pdf(
    html: str, attachments: Sequence[AssociatedFile] = ()
) -> tuple[bytes, int, tuple[int, Box] | None]:
    """PDF/A-3b bytes, page count and (page index, PDF box) of the signature block, if any.

    Document metadata (title, author, subject, keywords, language and tanzuji's own keys)
    come from the HTML head; ``attachments`` are embedded as associated files.
    """
    import logging

    from tanzuji.report.weasy import import_weasyprint

    weasyprint = import_weasyprint()
    HTML, Attachment = weasyprint.HTML, weasyprint.Attachment

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from tanzuji.report.assets import url_fetcher

    doc = HTML(string=html, url_fetcher=url_fetcher()).render()
    stamp = None
    for i, page in enumerate(doc.pages):
        anchor = page.anchors.get(STAMP_ANCHOR)
        if anchor is not None:
            x1, y1, x2, y2 = anchor
            h = page.height
            stamp = (
                i,
                (x1 * PX_TO_PT, (h - y2) * PX_TO_PT, x2 * PX_TO_PT, (h - y1) * PX_TO_PT),
            )
            break
    files = [
        Attachment(string=a.data, name=a.name, description=a.description,
                   relationship=a.relationship)
        for a in attachments
    ]  # fmt: skip
    pdf = doc.write_pdf(
        pdf_variant="pdf/a-3b", attachments=files, custom_metadata=True, pdf_tags=True
    )
    return bytes(pdf), len(doc.pages), stamp


def add_signature_field(pdf: bytes, page: int, box: Box) -> bytes:
    """Append the empty signature field ``tzj-issuer`` at ``box`` on ``page``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    from tanzuji.report.sign import FIELD_NAME

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    rect = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
    append_signature_field(writer, SigFieldSpec(FIELD_NAME, on_page=page, box=rect))
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def render_report(
    inp: ReportInput, lang: str = "zh", attachments: Sequence[AssociatedFile] = ()
) -> RenderedReport:
    """Build the context, render HTML and PDF/A-3b (with ``attachments``), and add the
    empty signature field of a report to be signed."""
    if lang not in ("zh", "en"):
        raise ReportError(f"unknown report language {lang!r}; expected zh or en")
    ctx = build_context(inp, lang)
    html = render_html(ctx)
    pdf, pages = render_pdf(pdf_with_field, html, tuple(attachments))
    return RenderedReport(number=str(ctx["number"]), html=html, pdf=pdf, pages=pages)


def pdf_with_field(html: str, attachments: Sequence[AssociatedFile] = ()) -> tuple[bytes, int]:
    """PDF/A-3b bytes and page count, with the empty signature field where the HTML
    places the signature block (run in the render worker when one was started)."""
    pdf, pages, stamp = html_to_pdf(html, attachments)
    if stamp is not None:
        pdf = add_signature_field(pdf, *stamp)
    return pdf, pages
