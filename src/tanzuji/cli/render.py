"""Terminal rendering (rich) of the full GUM and Monte Carlo evaluations of a study."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from tanzuji.calculation import FootprintResult, FullResult
from tanzuji.model import Stage
from tanzuji.uncertainty import round_result

__all__ = ["pair", "render_full", "render_monte_carlo"]

TEXT: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "完整 GUM 评定（JJF 1059.1）：活动数据、碳足迹因子、距离均计入，共用因子相关",
        "stage": "生命周期阶段",
        "value": "碳足迹 (kgCO2e)",
        "u_spec": "u：规范公式",
        "u_full": "u：完整 GUM",
        "total": "总计",
        "rss": "按式 (2) 合成各阶段完整 u（忽略阶段间协方差）：{rss} kgCO2e",
        "result": "完整 GUM：E = ({value} ± {U}) kgCO2e，k = {k}（p = {p}，ν_eff = {dof}）；"
        "k = 2 时 U = {U2} kgCO2e",
        "budget": "不确定度预算（总量，按方差贡献排序）",
        "input": "输入量",
        "role": "类别",
        "estimate": "估计值",
        "unit": "单位",
        "u": "标准不确定度",
        "c": "灵敏系数",
        "share": "方差占比",
        "roles": {"activity": "活动数据", "factor": "因子", "distance": "距离"},
        "mc_title": "蒙特卡洛法（JJF 1059.2 自适应）",
        "mc": "M = {trials} 次：y = {value} kgCO2e，u = {u} kgCO2e，"
        "{p} 最短包含区间 [{lo}, {hi}]，概率对称区间 [{slo}, {shi}]",
        "valid": "用蒙特卡洛法验证 GUM 结果：d_low = {dl}，d_high = {dh}，δ = {delta} → {verdict}",
        "yes": "通过",
        "no": "未通过",
    },
    "en": {
        "title": "Full GUM evaluation (JJF 1059.1): activity data, factors and distances, "
        "shared factors correlated",
        "stage": "Life-cycle stage",
        "value": "Footprint (kgCO2e)",
        "u_spec": "u: specification",
        "u_full": "u: full GUM",
        "total": "Total",
        "rss": "Formula (2) applied to the full stage u (stage covariance ignored): {rss} kgCO2e",
        "result": "Full GUM: E = ({value} ± {U}) kgCO2e, k = {k} (p = {p}, ν_eff = {dof}); "
        "U at k = 2: {U2} kgCO2e",
        "budget": "Uncertainty budget of the total (by share of variance)",
        "input": "Input",
        "role": "Role",
        "estimate": "Estimate",
        "unit": "Unit",
        "u": "Standard uncertainty",
        "c": "Sensitivity",
        "share": "Share",
        "roles": {"activity": "activity", "factor": "factor", "distance": "distance"},
        "mc_title": "Monte Carlo method (JJF 1059.2, adaptive)",
        "mc": "M = {trials}: y = {value} kgCO2e, u = {u} kgCO2e, {p} shortest coverage "
        "interval [{lo}, {hi}], probabilistically symmetric [{slo}, {shi}]",
        "valid": "Validation of the GUM result by Monte Carlo: d_low = {dl}, d_high = {dh}, "
        "δ = {delta} → {verdict}",
        "yes": "validated",
        "no": "not validated",
    },
}


def pair(value: float, u: float) -> tuple[str, str]:
    """Value and uncertainty as JJF 1059.1 reporting strings (4 significant digits if u = 0).

    >>> pair(59.4017, 7.5774)
    ('59.4', '7.6')
    """
    if u > 0:
        r = round_result(value, u)
        return r.value, r.U
    return f"{value:.4g}", "0"


def _g(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}g}" if math.isfinite(x) else "∞"


def budget_label(line: Any, lang: str, factors: Any = None, model: Any = None) -> str:
    """A budget line's label in ``lang``: in English the model's English label of the input
    (the study's English names, a factor's English name), else a factor's name from its
    library where known.

    >>> from types import SimpleNamespace as NS
    >>> ef = NS(name=NS(pick=lambda lang: {"zh": "电网", "en": "Grid"}[lang]))
    >>> budget_label(NS(name="EF:grid", label="电网"), "en", {"grid": ef})
    'Grid'
    >>> budget_label(NS(name="use.power", label="运行 · 功率"), "en", {"grid": ef})
    '运行 · 功率'
    """
    name = str(getattr(line, "name", ""))
    if lang == "en" and model is not None and name in model.inputs:
        return str(model.label_en(name))
    if factors is not None and name.startswith("EF:"):
        fid = name.removeprefix("EF:")
        if fid in factors:
            return (
                str(factors[fid].name.pick(lang))
                if isinstance(factors, dict)
                else str(factors.get(fid).name.pick(lang))
            )
    return str(line.label)


def render_full(
    full: FullResult,
    spec: FootprintResult,
    lang: str = "zh",
    top: int = 10,
    factors: Any = None,
    model: Any = None,
) -> list[Any]:
    """Rich renderables: stage table (spec u beside full u), total line and budget.

    ``factors`` (a factor library or a mapping id → factor) gives the factors' names in
    ``lang`` for the budget; ``model`` (the compiled study) the English labels of the inputs.
    """
    t = TEXT[lang]
    items: list[Any] = [f"[bold]{t['title']}[/bold]"]
    table = Table()
    for col in ("stage", "value", "u_spec", "u_full"):
        table.add_column(t[col], justify="left" if col == "stage" else "right")
    for stage in Stage:
        r, s = full.stages[stage], spec.stages[stage]
        if r is None or s is None:
            continue
        value, u_full = pair(r.value, r.u)
        table.add_row(stage.zh if lang == "zh" else stage.en, value, pair(s.value, s.u)[1], u_full)
    tv, tu = pair(full.total.value, full.total.u)
    table.add_row(f"[bold]{t['total']}[/bold]", tv, pair(spec.total.value, spec.total.u)[1], tu)
    items.append(table)
    tot = full.total
    value_s, U_s = pair(tot.value, tot.U)
    items.append(t["rss"].format(rss=pair(tot.value, full.u_rss_stages)[1]))
    items.append(
        "[bold]"
        + t["result"].format(
            value=value_s,
            U=U_s,
            k=f"{tot.k:.3g}",
            p=f"{100 * tot.p:g} %",
            dof=_g(tot.dof),
            U2=pair(tot.value, tot.U_k2)[1],
        )
        + "[/bold]"
    )
    if top > 0 and full.budget:
        bt = Table(title=t["budget"])
        bt.add_column("#", justify="right")
        for col in ("input", "role", "estimate", "unit", "u", "c", "share"):
            bt.add_column(t[col], justify="left" if col in ("input", "role", "unit") else "right")
        for i, b in enumerate(full.budget[:top], start=1):
            bt.add_row(
                str(i),
                budget_label(b, lang, factors, model),
                t["roles"].get(b.role, b.role),
                _g(b.estimate, 4),
                b.unit,
                _g(b.u, 2),
                _g(b.sensitivity, 4),
                f"{100 * b.share:.1f} %",
            )
        items.append(bt)
    return items


def render_monte_carlo(mc: Any, lang: str = "zh") -> list[Any]:
    """Rich renderables for a study's Monte Carlo evaluation and its GUM validation."""
    t = TEXT[lang]
    r = mc.result
    lo, hi = r.interval
    slo, shi = r.symmetric_interval
    value_s, u_s = pair(r.value, r.u)
    fmt = [pair(x, r.u)[0] for x in (lo, hi, slo, shi)]
    items: list[Any] = [f"[bold]{t['mc_title']}[/bold]"]
    items.append(
        t["mc"].format(
            trials=f"{r.trials:,}",
            value=value_s,
            u=u_s,
            p=f"{100 * mc.p:g} %",
            lo=fmt[0],
            hi=fmt[1],
            slo=fmt[2],
            shi=fmt[3],
        )
    )
    v = mc.validation
    items.append(
        t["valid"].format(
            dl=_g(v.d_low, 2),
            dh=_g(v.d_high, 2),
            delta=_g(v.delta, 2),
            verdict=t["yes"] if v.validated else t["no"],
        )
    )
    return items
