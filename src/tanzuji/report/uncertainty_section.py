"""Section 7 of the report (evaluation of uncertainty) and the charts, as template context.

The specification's budget is always shown. The complete GUM view and the Monte Carlo
validation appear only when they were evaluated and passed in (:class:`ReportInput`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tanzuji.report import charts, chartwork
from tanzuji.report.numfmt import fmt_pair, group, plain
from tanzuji.report.text import LABELS
from tanzuji.report.views import BudgetLine, input_label, input_stages
from tanzuji.uncertainty import round_result

if TYPE_CHECKING:
    from tanzuji.report.context import ReportInput

__all__ = ["uncertainty_context"]

TOP = 10


def _interval(value: float, U: float) -> str:
    if U <= 0:
        return "—"
    lo = round_result(value - U, U)
    hi = round_result(value + U, U)
    return f"[{lo.value}, {hi.value}]"


def _row(view: str, value: float, u: float, k: float | None, U: float, interval: str) -> Any:
    if U > 0:
        r = round_result(value, U)
        v, Us = r.value, r.U
    else:
        v, Us = plain(value, 4), "0"
    return {
        "view": view,
        "value": v,
        "u": round_result(u, u).U if u > 0 else "0",
        "k": "—" if k is None else plain(k, 3),
        "U": Us,
        "interval": interval,
    }


def _budget_rows(inp: ReportInput, lines: Sequence[BudgetLine], lang: str) -> list[dict[str, Any]]:
    stages = input_stages(inp.model)
    rows = []
    for i, b in enumerate(lines[:TOP], start=1):
        st = stages.get(b.name)
        rows.append(
            {
                "rank": i,
                "label": input_label(inp.model, b.name, lang),
                "stage": "" if st is None else (st.zh if lang == "zh" else st.en),
                "c_u": round_result(b.c_u, b.c_u).U if b.c_u > 0 else "0",
                "share": f"{100 * b.share:.1f} %",
            }
        )
    return rows


def uncertainty_context(inp: ReportInput, lang: str, budget: list[BudgetLine]) -> dict[str, Any]:
    """Method text, budgets, comparison table, Monte Carlo text and the chart URIs (or
    placeholders of the open chart batch, :mod:`tanzuji.report.chartwork`)."""
    t = LABELS[lang]
    res = inp.result
    tot = res.total
    out: dict[str, Any] = {
        "method": t["method_text"],
        "budget": _budget_rows(inp, budget, lang),
        "full": None,
        "mc": None,
        "comparison": [],
    }
    inside = [(s, r) for s, r in res.stages.items() if r is not None]
    out["chart_stages"] = chartwork.draw(
        charts.stage_chart,
        [s.zh if lang == "zh" else s.en for s, _ in inside],
        [r.value for _, r in inside],
        [tot.k * r.u for _, r in inside],
        value_labels=[fmt_pair(r.value, r.u)[0] for _, r in inside],  # as in the table
    )
    pareto_src = list(inp.full_gum.budget) if inp.full_gum is not None else budget
    pareto_src = [b for b in pareto_src if b.share > 0][:TOP]
    out["chart_pareto"] = (
        chartwork.draw(
            charts.pareto_chart,
            [input_label(inp.model, b.name, lang) for b in pareto_src],
            [b.share for b in pareto_src],
        )
        if pareto_src
        else None
    )
    out["chart_mc"] = None
    if inp.full_gum is None and inp.monte_carlo is None:
        return out
    comparison = [_row(t["spec_view"], tot.value, tot.u, tot.k, tot.U, _interval(tot.value, tot.U))]
    full = inp.full_gum
    if full is not None:
        iv = _interval(full.value, full.U)
        if full.interval is not None and full.U > 0:
            lo_f, hi_f = (round_result(x, full.U).value for x in full.interval)
            iv = f"[{lo_f}, {hi_f}]"
        comparison.append(_row(t["gum_view"], full.value, full.u, full.k, full.U, iv))
        out["full"] = {"text": t["full_gum_text"], "budget": _budget_rows(inp, full.budget, lang)}
    mc = inp.monte_carlo
    if mc is not None:
        half = (mc.high - mc.low) / 2
        lo = group(round_result(mc.low, half).value) if half > 0 else plain(mc.low, 4)
        hi = group(round_result(mc.high, half).value) if half > 0 else plain(mc.high, 4)
        comparison.append(_row(t["mc_view"], mc.mean, mc.u, None, half, f"[{lo}, {hi}]"))
        text = t["mc_text"].format(trials=group(str(mc.trials)), p=f"{mc.p:g}", low=lo, high=hi)
        valid = None
        if mc.validated is not None:
            key = "mc_valid_yes" if mc.validated else "mc_valid_no"
            valid = t[key].format(
                delta=plain(mc.delta, 2) if mc.delta is not None else "—",
                dlow=plain(mc.d_low, 2) if mc.d_low is not None else "—",
                dhigh=plain(mc.d_high, 2) if mc.d_high is not None else "—",
            )
        out["mc"] = {"text": text, "valid": valid, "ok": bool(mc.validated)}
        if (mc.samples is not None and mc.samples.size) or mc.histogram is not None:
            gum_iv = None
            if full is not None:
                gum_iv = full.interval or (full.value - full.U, full.value + full.U)
            out["chart_mc"] = chartwork.draw(
                charts.mc_histogram,
                mc.samples,
                mc.low,
                mc.high,
                mc.mean,
                gum_iv,
                histogram=mc.histogram,
            )
    out["comparison"] = comparison
    return out
