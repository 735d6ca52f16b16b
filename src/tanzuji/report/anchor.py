"""The audit-trail anchor an issued report carries, read back from a signed PDF.

A report issued through the store prints the store's audit chain head at issue
(``tzanchor:<seq>:<hash>``) in its statement section and carries it as the document
metadata entry ``tanzuji-audit-anchor`` (PDF document information ``/tanzujiauditanchor``,
WeasyPrint keeps only the letters and digits of a ``<meta>`` name). It is part of the
signed content: :func:`read_report_anchor` first checks that the signature still covers
the content unaltered and refuses the PDF otherwise.

>>> is_pdf(b"%PDF-1.7 ...") and not is_pdf(b'{"audit_anchor": ""}')
True
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from tanzuji.i18n import tr
from tanzuji.report.errors import SignatureError

__all__ = ["ANCHOR_KEY", "ReportAnchor", "is_pdf", "read_report_anchor"]

ANCHOR_KEY = "/tanzujiauditanchor"
NUMBER_KEY = "/tanzujireportnumber"
_ANCHOR = re.compile(r"^tzanchor:(\d{1,18}):([0-9a-f]{64})$")


@dataclass(frozen=True)
class ReportAnchor:
    """The anchor of a signed report PDF whose signature verified."""

    seq: int
    hash: str
    number: str
    """The report number (document metadata), ``?`` if absent."""


def is_pdf(data: bytes) -> bool:
    """Whether the bytes are a PDF (the header within the first 1024 bytes)."""
    return b"%PDF-" in data[:1024]


def read_report_anchor(data: bytes) -> ReportAnchor:
    """The audit anchor of a signed report, after its signature was checked.

    Raises :class:`SignatureError` when the PDF carries no signature or a signature whose
    signed content was altered (the certificate's validity or trust is not judged here:
    an anchor needs unaltered content), or when it carries no anchor.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    from tanzuji.report.verify import verify_pdf

    checks = verify_pdf(data)
    broken = [c for c in checks if not c.content_ok]
    if broken:
        raise SignatureError(
            tr(
                f"报告的签名未通过验证（{broken[0].problem}），不能作为审计锚点",
                f"the report's signature does not verify ({broken[0].problem}); "
                "refused as an audit anchor",
            )
        )
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        info = reader.trailer["/Info"]
        raw = info.get(ANCHOR_KEY)
        number = info.get(NUMBER_KEY)
    except Exception as exc:
        raise SignatureError(
            tr(f"无法读取文档元数据：{exc}", f"cannot read the document metadata: {exc}")
        ) from None
    m = _ANCHOR.match(str(raw)) if raw is not None else None
    if m is None:
        raise SignatureError(
            tr(
                "报告不带审计锚点（元数据 tanzuji-audit-anchor）：只有经数据库签发的报告才带",
                "the report carries no audit anchor (metadata tanzuji-audit-anchor): only "
                "reports issued through a store do",
            )
        )
    return ReportAnchor(int(m.group(1)), m.group(2), str(number) if number else "?")
