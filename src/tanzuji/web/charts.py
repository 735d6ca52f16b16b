"""Small server-side SVG charts (no script): bars with U bars, and a trend with U bars.

>>> svg = bar_chart(["原材料", "使用"], [5.4, 52.2], [0.2, 12.0])
>>> svg.startswith("<svg") and svg.count("<rect") >= 2
True
>>> "<script" in trend_chart(["2024", "2025"], [60.0, 59.4], [12.0, 12.1])
False
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

__all__ = ["bar_chart", "trend_chart"]

GREEN = "#13795b"
GREY = "#667085"


def _ticks(top: float) -> list[float]:
    if top <= 0:
        return [0.0]
    import math

    step = 10 ** math.floor(math.log10(top))
    for m in (1, 2, 5, 10):
        if top / (step * m) <= 5:
            step *= m
            break
    n = int(top / step) + 1
    return [i * step for i in range(n + 1)]


def bar_chart(
    labels: Sequence[str], values: Sequence[float], U: Sequence[float], unit: str = "kgCO2e"
) -> str:
    """Horizontal bars (one per label) with expanded-uncertainty whiskers."""
    w, row, left, right = 640, 30, 150, 30
    h = row * len(labels) + 50
    top = max([v + u for v, u in zip(values, U, strict=True)] + [1e-12])
    ticks = _ticks(top)
    scale = (w - left - right) / ticks[-1]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        f'role="img" font-size="12" font-family="sans-serif">'
    ]
    for t in ticks:
        x = left + t * scale
        out.append(f'<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{h - 30}" stroke="#eaecf0"/>')
        out.append(
            f'<text x="{x:.1f}" y="{h - 14}" text-anchor="middle" fill="{GREY}">{t:g}</text>'
        )
    for i, (lab, v, u) in enumerate(zip(labels, values, U, strict=True)):
        y = 14 + i * row
        out.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(lab)}</text>')
        out.append(
            f'<rect x="{left}" y="{y + 3}" width="{max(v, 0) * scale:.1f}" height="{row - 10}" '
            f'fill="{GREEN}"/>'
        )
        if u > 0:
            x0, x1 = left + max(v - u, 0) * scale, left + (v + u) * scale
            ym = y + 3 + (row - 10) / 2
            out.append(
                f'<path d="M{x0:.1f} {ym:.1f}H{x1:.1f}M{x0:.1f} {ym - 5:.1f}V{ym + 5:.1f}'
                f'M{x1:.1f} {ym - 5:.1f}V{ym + 5:.1f}" stroke="#000" fill="none"/>'
            )
    out.append(f'<text x="{w - right}" y="{h - 2}" text-anchor="end" fill="{GREY}">{unit}</text>')
    out.append("</svg>")
    return "".join(out)


def trend_chart(
    labels: Sequence[str], values: Sequence[float], U: Sequence[float], unit: str = "kgCO2e"
) -> str:
    """Points in order with U whiskers (the footprint across years or revisions)."""
    w, h, left, bottom, top_pad = 640, 260, 60, 40, 14
    n = len(labels)
    hi = max([v + u for v, u in zip(values, U, strict=True)] + [1e-12])
    ticks = _ticks(hi)
    sy = (h - bottom - top_pad) / ticks[-1]
    step = (w - left - 20) / max(n, 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        f'role="img" font-size="12" font-family="sans-serif">'
    ]
    for t in ticks:
        y = h - bottom - t * sy
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - 20}" y2="{y:.1f}" stroke="#eaecf0"/>')
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{GREY}">{t:g}</text>'
        )
    pts = []
    for i, (lab, v, u) in enumerate(zip(labels, values, U, strict=True)):
        x = left + step * (i + 0.5)
        y = h - bottom - v * sy
        pts.append(f"{x:.1f},{y:.1f}")
        y0, y1 = h - bottom - max(v - u, 0) * sy, h - bottom - (v + u) * sy
        out.append(
            f'<path d="M{x:.1f} {y0:.1f}V{y1:.1f}M{x - 5:.1f} {y0:.1f}H{x + 5:.1f}'
            f'M{x - 5:.1f} {y1:.1f}H{x + 5:.1f}" stroke="#000" fill="none"/>'
        )
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{GREEN}"/>')
        out.append(
            f'<text x="{x:.1f}" y="{h - bottom + 16}" text-anchor="middle">{escape(lab)}</text>'
        )
    if len(pts) > 1:
        out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{GREEN}"/>')
    out.append(f'<text x="4" y="12" fill="{GREY}">{unit}</text>')
    out.append("</svg>")
    return "".join(out)
