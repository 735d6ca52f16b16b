"""Use case: a product's footprint ± U per evaluation year and model (and its plot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tanzuji.errors import InputError, NotFoundError
from tanzuji.i18n import tr
from tanzuji.services.context import Actor, resolve_org
from tanzuji.store import UnitOfWork

__all__ = ["plot_trend", "trend"]


def trend(uow: UnitOfWork, actor: Actor, what: str) -> list[dict[str, Any]]:
    """One point per model and evaluation year: the newest study revision of that year.

    ``what`` is a product key, model, name or part of one; every matching product (model)
    is a series, so ``trend 电能表`` compares all meter models.
    """
    with uow:
        org = resolve_org(uow, actor)
        products = uow.products.find(org.id, what)
        if not products:
            raise NotFoundError(
                tr(
                    f"没有产品 {what!r}（用 tanzuji products 查看）",
                    f"no product {what!r} (see tanzuji products)",
                )
            )
        points: dict[tuple[str, int], dict[str, Any]] = {}
        for p in products:
            model = p.model or p.name
            for rev, ev in uow.evaluations.head_results(p.id):
                if ev is None:
                    continue
                year = int(rev.period[:4])
                point = {
                    "model": model,
                    "product": p.key,
                    "year": year,
                    "study": rev.study_id,
                    "revision": rev.id,
                    "time": rev.created_at,
                    "value": ev.total_value,
                    "u": ev.total_u,
                    "k": ev.total_k,
                    "U": ev.total_k * ev.total_u,
                }
                have = points.get((p.key, year))
                if have is None or have["time"] < rev.created_at:
                    points[(p.key, year)] = point
        for pt in points.values():
            pt["study"] = uow.revisions.study_key(pt["study"])
        return sorted(points.values(), key=lambda r: (r["model"], r["year"]))


def _cjk_font() -> None:
    """Use the CJK font the reports embed (Chinese labels), when it is installed."""
    import matplotlib
    from matplotlib import font_manager

    from tanzuji.report.errors import FontError
    from tanzuji.report.fonts import cjk_font_file

    try:
        path = cjk_font_file()
    except FontError:
        return
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False


def plot_trend(points: list[dict[str, Any]], path: Path, title: str) -> None:
    """Footprint ± U per year, one line per model, as SVG or PNG (matplotlib)."""
    suffix = path.suffix.lower()
    if suffix not in {".svg", ".png"}:
        raise InputError(
            tr("图形文件应为 .svg 或 .png", "the plot file must end in .svg or .png"),
            file=str(path),
        )
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    _cjk_font()

    from tanzuji.fileio import write_atomic

    fig, ax = plt.subplots(figsize=(7, 4.2))
    try:
        models = sorted({p["model"] for p in points})
        for m in models:
            pts = [p for p in points if p["model"] == m]
            ax.errorbar(
                [p["year"] for p in pts],
                [p["value"] for p in pts],
                yerr=[p["U"] for p in pts],
                marker="o",
                capsize=4,
                label=m,
            )
        ax.set_xlabel(tr("评价年度", "evaluation year"))
        ax.set_ylabel(tr("碳足迹 (kgCO2e)，误差棒 = U", "footprint (kgCO2e), bars = U"))
        ax.set_title(title)
        years = sorted({p["year"] for p in points})
        ax.set_xticks(years)
        ax.grid(alpha=0.3)
        if models:
            ax.legend(fontsize="small")
        fig.tight_layout()

        def save(tmp: Path) -> None:
            fig.savefig(
                tmp, format=suffix[1:], metadata={"Date": None} if suffix == ".svg" else None
            )

        write_atomic(path, save)
    finally:
        plt.close(fig)
