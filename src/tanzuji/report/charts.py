"""Charts of the report (matplotlib, Agg, CJK-capable), returned as PNG data URIs.

PNG at 200 dpi rather than SVG: matplotlib's SVG draws every glyph as a path, which
WeasyPrint takes about a second to paint per report; a PNG is painted at once and prints
sharply at this resolution. The PNG carries no software/date metadata, so the same data
give the same bytes.

>>> uri = stage_chart(["原材料", "使用"], [7.8, 52.2], [0.1, 5.2])
>>> uri.startswith("data:image/png;base64,")
True
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from tanzuji.report.numfmt import plain

__all__ = ["mc_histogram", "pareto_chart", "stage_chart"]

DPI = 200
WIDTH = 6.3  # inches, about 160 mm: the text width of an A4 page with 25 mm margins
_LOCK = threading.Lock()
_READY: list[bool] = []
BAR = "#2f6f8f"
ACCENT = "#c0504d"


def _setup() -> None:
    """Register the CJK font once and set deterministic SVG output."""
    with _LOCK:
        if _READY:
            return
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib import font_manager

        from tanzuji.report.errors import FontError
        from tanzuji.report.fonts import cjk_font_file

        families = ["DejaVu Sans"]
        try:
            path = cjk_font_file()
            font_manager.fontManager.addfont(str(path))
            families.insert(0, font_manager.FontProperties(fname=str(path)).get_name())
        except FontError:
            pass  # charts still render; CJK glyphs would be missing boxes
        matplotlib.rcParams.update(
            {
                "font.family": "sans-serif",
                "font.sans-serif": families,
                "axes.unicode_minus": False,
                "font.size": 8.5,
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        )
        _READY.append(True)


def _uri(fig: object) -> str:
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure)
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=DPI,
        metadata={"Software": None},
        bbox_inches="tight",
        pil_kwargs={"compress_level": 1},  # decoded at once below: no point squeezing it
    )
    # Opaque RGB, not matplotlib's RGBA (the figure is white): the PDF writer would split
    # an alpha channel into a soft mask and encode the picture twice, on the critical path
    # of a report; and a fast PNG compression, since the PDF writer re-encodes it anyway.
    rgb = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    out = io.BytesIO()
    rgb.save(out, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _short(text: str, n: int = 16) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def stage_chart(
    labels: Sequence[str],
    values: Sequence[float],
    U: Sequence[float],
    value_labels: Sequence[str] | None = None,
) -> str:
    """Horizontal bars of the stage footprints with ±U (k = 2) error bars, each labelled
    with ``value_labels`` (the values as the tables round them; default 4 digits)."""
    _setup()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, 0.45 * len(labels) + 0.8))
    ax = fig.add_subplot()
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, xerr=U, color=BAR, height=0.6, capsize=3, error_kw={"elinewidth": 0.8})
    ax.set_yticks(y, [_short(s, 24) for s in labels])
    ax.set_xlabel("kgCO$_2$e")
    span = max((abs(v) + e for v, e in zip(values, U, strict=True)), default=1.0) or 1.0
    shown = value_labels if value_labels is not None else [plain(v, 4) for v in values]
    for yi, v, e, text in zip(y, values, U, shown, strict=True):
        ax.text(v + e + 0.01 * span, yi, text, va="center", fontsize=7.5)
    ax.set_xlim(left=min(0.0, *values), right=1.15 * span)
    ax.grid(axis="x", linewidth=0.3, alpha=0.6)
    return _uri(fig)


def pareto_chart(labels: Sequence[str], shares: Sequence[float]) -> str:
    """Pareto chart of variance shares (bars, %) with the cumulative share (line)."""
    _setup()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, 2.9))
    ax = fig.add_subplot()
    pct = 100.0 * np.asarray(shares, dtype=float)
    x = np.arange(len(labels))
    ax.bar(x, pct, color=BAR, width=0.65)
    ax.set_xticks(x, [_short(s) for s in labels], rotation=35, ha="right")
    ax.set_ylabel("%")
    ax.set_ylim(0, 105)
    ax2 = ax.twinx()
    ax2.plot(x, np.cumsum(pct), color=ACCENT, marker="o", markersize=3, linewidth=1)
    ax2.set_ylim(0, 105)
    ax2.spines["right"].set_visible(True)
    ax2.set_ylabel("Σ %")
    ax.grid(axis="y", linewidth=0.3, alpha=0.6)
    return _uri(fig)


def mc_histogram(
    samples: npt.NDArray[np.float64] | None,
    low: float,
    high: float,
    mean: float,
    gum: tuple[float, float] | None = None,
    histogram: tuple[npt.NDArray[Any], npt.NDArray[np.float64]] | None = None,
) -> str:
    """Histogram of Monte Carlo values (or of given counts and bin edges) with the coverage
    interval (solid) and the GUM interval (dashed)."""
    _setup()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, 2.6))
    ax = fig.add_subplot()
    if samples is not None and np.size(samples):
        data = np.asarray(samples, dtype=float)
        lo, hi = np.quantile(data, [0.0005, 0.9995])
        ax.hist(data, bins=80, range=(min(lo, low), max(hi, high)), density=True, color=BAR)
    elif histogram is not None:
        counts, edges = histogram
        ax.stairs(np.asarray(counts, dtype=float), edges, fill=True, color=BAR)
    for xv in (low, high):
        ax.axvline(xv, color=ACCENT, linewidth=1.2)
    ax.axvline(mean, color="black", linewidth=0.8)
    if gum is not None:
        for xv in gum:
            ax.axvline(xv, color="#555555", linewidth=1.0, linestyle="--")
    ax.set_xlabel("kgCO$_2$e")
    ax.set_yticks([])
    return _uri(fig)
