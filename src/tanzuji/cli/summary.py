"""The Table A.8 summary of ``tanzuji evaluate`` and ``tanzuji demo`` (rich renderables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

if TYPE_CHECKING:
    from tanzuji.calculation import FootprintResult
    from tanzuji.model import Study

__all__ = ["TEXT", "render_summary"]

TEXT = {
    "zh": {
        "stage": "生命周期阶段",
        "footprint": "碳足迹 (kgCO2e)",
        "u": "标准不确定度 (kgCO2e)",
        "total": "总计",
        "outside": "不在系统边界内",
        "expanded": "扩展不确定度 (k={k}) = {U} kgCO2e，相对扩展不确定度 (k={k}) = {Urel} %",
        "result": "产品碳足迹 E = ({value} ± {U}) kgCO2e，k = {k}",
        "top": "主要贡献",
        "activity": "活动",
        "share": "占比",
        "period": "评价周期",
        "fu": "功能单位",
        "method": "方法：JJF 规范公式 (1)–(18)，仅传播活动数据不确定度",
    },
    "en": {
        "stage": "Life-cycle stage",
        "footprint": "Footprint (kgCO2e)",
        "u": "Standard uncertainty (kgCO2e)",
        "total": "Total",
        "outside": "outside the system boundary",
        "expanded": "Expanded uncertainty (k={k}) = {U} kgCO2e, relative expanded uncertainty "
        "(k={k}) = {Urel} %",
        "result": "Product carbon footprint E = ({value} ± {U}) kgCO2e, k = {k}",
        "top": "Top contributions",
        "activity": "Activity",
        "share": "Share",
        "period": "Evaluation period",
        "fu": "Functional unit",
        "method": "Method: JJF formulas (1)–(18), activity-data uncertainty only",
    },
}


def _fmt_rel(x: float | None) -> str:
    from tanzuji.uncertainty import round_result

    if x is None:
        return "—"
    return round_result(x, x).U if x > 0 else "0"


def _product_line(study: Study, lang: str) -> str:
    p = study.product
    cls = p.accuracy_class
    if cls:
        cls = (cls if cls.endswith("级") else f"{cls}级") if lang == "zh" else f"class {cls}"
    return " ".join(b for b in (p.name, p.model, p.rating, cls) if b)


def render_summary(
    result: FootprintResult, study: Study, lang: str = "zh", top: int = 10
) -> list[Any]:
    """Rich renderables for the Table A.8 summary and the top contributions."""
    from rich.markup import escape

    from tanzuji.cli.render import pair
    from tanzuji.model import Stage
    from tanzuji.model.phrases import functional_unit_phrase

    t = TEXT[lang]
    items: list[Any] = []
    items.append(f"[bold]{escape(_product_line(study, lang))}[/bold]  ·  {escape(study.id)}")
    items.append(
        f"{t['fu']}: "
        f"{escape(functional_unit_phrase(study.product.functional_unit, study.product.name, lang))}"
        f"   "
        f"{t['period']}: {escape(study.period.label)}"
    )
    table = Table(title=None, show_lines=False)
    table.add_column(t["stage"])
    table.add_column(t["footprint"], justify="right")
    table.add_column(t["u"], justify="right")
    for stage in Stage:
        r = result.stages[stage]
        name = stage.zh if lang == "zh" else stage.en
        if r is None:
            table.add_row(f"[dim]{name}[/dim]", f"[dim]{t['outside']}[/dim]", "")
        else:
            table.add_row(name, *pair(r.value, r.u))
    tot = result.total
    tv, tu = pair(tot.value, tot.u)
    table.add_row(f"[bold]{t['total']}[/bold]", f"[bold]{tv}[/bold]", tu)
    items.append(table)
    value_s, U_s = pair(tot.value, tot.U)
    k = f"{tot.k:g}"
    items.append(t["expanded"].format(k=k, U=U_s, Urel=_fmt_rel(tot.U_rel_percent)))
    items.append(f"[bold]{t['result'].format(value=value_s, U=U_s, k=k)}[/bold]")
    items.append(f"[dim]{t['method']}[/dim]")
    if result.contributions and top > 0:
        ct = Table(title=t["top"])
        ct.add_column("#", justify="right")
        ct.add_column(t["activity"])
        ct.add_column(t["stage"])
        ct.add_column(t["footprint"], justify="right")
        ct.add_column(t["share"], justify="right")
        for i, c in enumerate(result.contributions[:top], start=1):
            value = pair(c.value, c.u)[0]
            share = "—" if c.share is None else f"{100 * c.share:.1f} %"
            stage_name = c.stage.zh if lang == "zh" else c.stage.en
            name = c.activity if lang == "zh" else (c.activity_en or c.activity)
            ct.add_row(str(i), escape(name), stage_name, value, share)
        items.append(ct)
    return items
