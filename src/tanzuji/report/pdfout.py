"""The PDF of a report: HTML → PDF/A-3b (WeasyPrint, A4) with an empty signature field
placed over the signature block, so that signing later fills it.

Kept apart from :mod:`tanzuji.report.render` (Jinja2, the report context, the study
model) so that the render worker (:mod:`tanzuji.report.worker`), forked before the study
is loaded, needs only WeasyPrint and pyHanko to run :func:`pdf_with_field`.

>>> AssociatedFile("a.txt", b"x", "a file").relationship
'Data'
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "PX_TO_PT",
    "STAMP_ANCHOR",
    "AssociatedFile",
    "Box",
    "add_signature_field",
    "html_to_pdf",
    "pdf_with_field",
]

STAMP_ANCHOR = "tzj-stamp"
PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in

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
    html: str,
    attachments: Sequence[AssociatedFile] = (),
    charts: dict[str, str] | str | None = None,
) -> tuple[bytes, int, tuple[int, Box] | None]:
    """PDF/A-3b bytes, page count and (page index, PDF box) of the signature block, if any.

    ``html`` may hold the chart placeholders of :mod:`tanzuji.report.chartwork`, each
    served from ``charts`` (placeholder → data URI) or, in the render worker with
    ``charts=FED``, from what the command's process feeds the job as the charts are drawn
    (the layout starts before they are).

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
    from tanzuji.report.chartwork import PREFIX, FedCharts

    served, missing = FedCharts(charts), []

    def chart(url: str) -> str:
        if not url.startswith(PREFIX):
            return url
        uri = served(url)
        if uri is None:
            missing.append(url)
            return url  # refused by the fetcher
        return uri

    doc = HTML(string=html, url_fetcher=url_fetcher(chart)).render()
    served.drain()
    if missing:  # a bug; in the render worker, the job is then redone here
        from tanzuji.i18n import tr
        from tanzuji.report.errors import ReportError

        raise ReportError(
            tr(
                f"报告图表缺失（{len(missing)} 幅）：占位符没有对应的图表",
                f"{len(missing)} report chart(s) missing: a placeholder without its chart",
            )
        )
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

    from tanzuji.report.pades import FIELD_NAME

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    rect = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
    append_signature_field(writer, SigFieldSpec(FIELD_NAME, on_page=page, box=rect))
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def pdf_with_field(html: str, attachments: Sequence[AssociatedFile] = ()) -> tuple[bytes, int]:
    """PDF/A-3b bytes and page count, with the empty signature field where the HTML
    places the signature block (run in the render worker when one was started)."""
    pdf, pages, stamp = html_to_pdf(html, attachments)
    if stamp is not None:
        pdf = add_signature_field(pdf, *stamp)
    return pdf, pages
