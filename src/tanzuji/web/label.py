"""The printable carbon label: SVG and PNG, Chinese or English, with a QR code.

>>> data = LabelData(product="单相智能电能表 DDZY-X1", value="59", U="12", unit="kgCO2e",
...     k="2", functional_unit="1 台", evaluator="示例计量院", report_number="TZJ-2026-0001",
...     valid_until="2028-12-31", url="https://example.org/p/abc")
>>> svg = label_svg(data, "zh")
>>> svg.startswith("<svg") and "59 ± 12" in svg and "产品碳足迹" in svg
True
>>> "<script" in svg
False
>>> png = label_png(data, "en")
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = ["LabelData", "label_png", "label_svg", "qr_matrix", "qr_svg"]

W, H = 560, 300
GREEN = "#13795b"


@dataclass(frozen=True)
class LabelData:
    """What a carbon label shows (all texts already formatted)."""

    product: str
    value: str
    U: str
    unit: str
    k: str
    functional_unit: str
    evaluator: str
    report_number: str
    valid_until: str
    url: str


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code modules of ``url`` (error correction M), without the quiet zone."""
    import segno

    qr = segno.make(url, error="m", micro=False)
    return [[bool(c) for c in row] for row in qr.matrix]


def _qr_path(matrix: list[list[bool]], x0: float, y0: float, cell: float) -> str:
    parts = []
    for r, row in enumerate(matrix):
        for c, on in enumerate(row):
            if on:
                parts.append(
                    f"M{x0 + c * cell:.2f} {y0 + r * cell:.2f}h{cell:.2f}v{cell:.2f}h-{cell:.2f}z"
                )
    return "".join(parts)


def qr_svg(url: str, size: float = 200) -> str:
    """A stand-alone SVG QR code linking to ``url``."""
    m = qr_matrix(url)
    n = len(m) + 8
    cell = size / n
    path = _qr_path(m, 4 * cell, 4 * cell, cell)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:g}" height="{size:g}" '
        f'viewBox="0 0 {size:g} {size:g}"><rect width="100%" height="100%" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


def _texts(d: LabelData, lang: str) -> list[tuple[str, float, float, int, str]]:
    zh = lang == "zh"

    def t(a: str, b: str) -> str:
        return a if zh else b

    return [
        (t("产品碳足迹", "Product carbon footprint"), 24, 46, 24, "bold"),
        (d.product, 24, 80, 16, "normal"),
        (f"{d.value} ± {d.U} {d.unit}", 24, 140, 38, "bold"),
        (t(f"扩展不确定度 k = {d.k}", f"expanded uncertainty, k = {d.k}"), 24, 166, 13, "normal"),
        (
            t(f"功能单位：{d.functional_unit}", f"Functional unit: {d.functional_unit}"),
            24,
            196,
            14,
            "normal",
        ),
        (t(f"评价机构：{d.evaluator}", f"Evaluated by: {d.evaluator}"), 24, 222, 14, "normal"),
        (
            t(f"报告编号：{d.report_number}", f"Report no.: {d.report_number}"),
            24,
            246,
            14,
            "normal",
        ),
        (t(f"有效期至：{d.valid_until}", f"Valid until: {d.valid_until}"), 24, 270, 14, "normal"),
    ]


def label_svg(d: LabelData, lang: str = "zh") -> str:
    """The label as SVG (no script, no external resources)."""
    m = qr_matrix(d.url)
    cell = 150 / (len(m) + 2)
    qx, qy = W - 24 - 150, 70
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'font-family="Noto Sans CJK SC, Noto Sans SC, sans-serif">',
        f'<rect x="2" y="2" width="{W - 4}" height="{H - 4}" rx="14" fill="#fff" '
        f'stroke="{GREEN}" stroke-width="4"/>',
        f'<rect x="2" y="2" width="{W - 4}" height="60" rx="14" fill="{GREEN}"/>',
        f'<rect x="2" y="40" width="{W - 4}" height="22" fill="{GREEN}"/>',
    ]
    for i, (text, x, y, size, weight) in enumerate(_texts(d, lang)):
        fill = "#fff" if i == 0 else ("#0b3d2e" if i == 2 else "#1c2430")
        out.append(
            f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}">{escape(text)}</text>'
        )
    out.append(f'<rect x="{qx}" y="{qy}" width="150" height="150" fill="#fff"/>')
    out.append(f'<path d="{_qr_path(m, qx + cell, qy + cell, cell)}" fill="#000"/>')
    scan = "扫码查验" if lang == "zh" else "Scan to check"
    out.append(
        f'<text x="{qx + 75}" y="{qy + 170}" font-size="12" text-anchor="middle" '
        f'fill="#667085">{scan}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def label_png(d: LabelData, lang: str = "zh", scale: int = 2) -> bytes:
    """The same label drawn as a PNG (Pillow, the CJK face the reports use)."""
    from PIL import Image, ImageDraw, ImageFont

    from tanzuji.report.fonts import cjk_face

    face = cjk_face()
    img = Image.new("RGB", (W * scale, H * scale), "white")
    draw = ImageDraw.Draw(img)
    s = scale
    draw.rounded_rectangle(
        (2 * s, 2 * s, (W - 2) * s, (H - 2) * s), 14 * s, outline=GREEN, width=4 * s, fill="white"
    )
    draw.rounded_rectangle((2 * s, 2 * s, (W - 2) * s, 62 * s), 14 * s, fill=GREEN)
    draw.rectangle((2 * s, 40 * s, (W - 2) * s, 62 * s), fill=GREEN)
    for i, (text, x, y, size, _weight) in enumerate(_texts(d, lang)):
        font = ImageFont.truetype(str(face.path), size * s, index=face.index)
        fill = "white" if i == 0 else ("#0b3d2e" if i == 2 else "#1c2430")
        draw.text((x * s, y * s), text, font=font, fill=fill, anchor="ls")
    m = qr_matrix(d.url)
    cell = 150 * s / (len(m) + 2)
    qx, qy = (W - 24 - 150) * s, 70 * s
    for r, row in enumerate(m):
        for c, on in enumerate(row):
            if on:
                x0, y0 = qx + (c + 1) * cell, qy + (r + 1) * cell
                draw.rectangle((x0, y0, x0 + cell - 1, y0 + cell - 1), fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
