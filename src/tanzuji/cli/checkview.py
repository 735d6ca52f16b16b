"""``tanzuji check``: rendering of the data-governance report (adapter: rich, files).

The pure checks live in :mod:`tanzuji.governance`; this module loads the study, adds
YAML line numbers to the findings and prints them as a table or as stable JSON.

>>> loc_of("activities[4].calculated.volume.instrument")
['activities', 4, 'calculated', 'volume', 'instrument']
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tanzuji.cli.labels import label
from tanzuji.errors import TanzujiError
from tanzuji.governance import CheckReport, Level, check_study
from tanzuji.i18n import clause_text, tr
from tanzuji.jsonio import LoadedStudy
from tanzuji.model import Grade, Stage
from tanzuji.pact.pcr import PcrFinding, check_pcr, load_rule
from tanzuji.pact.supply import supplier_parts
from tanzuji.studyfiles import load_study

__all__ = ["check_file", "loc_of", "render_report", "report_json", "run_check"]

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def loc_of(path: str) -> list[str | int]:
    """A finding path as the location parts a YAML document understands."""
    return [int(i) if i else name for name, i in _PART.findall(path)]


def check_file(path: Path) -> tuple[LoadedStudy, CheckReport]:
    """Load a study file and run every data-governance check on it."""
    loaded = load_study(path)
    return loaded, check_study(loaded.study, loaded.factors)


def _line(loaded: LoadedStudy, path: str) -> int | None:
    return loaded.document.line_of(loc_of(path)) if path else None


def report_json(loaded: LoadedStudy, report: CheckReport) -> dict[str, Any]:
    """The JSON of ``tanzuji check --json``: the report plus file and YAML line numbers."""
    data = report.to_dict()
    data["file"] = str(loaded.path)
    data["pcr"] = [{"path": f.path, "message": f.message("en")} for f in _pcr_findings(loaded)]
    data["supplier_parts"] = [
        vars(p) for p in supplier_parts(loaded.study, loaded.factors)
    ]  # BOM lines using supplier primary data (tanzuji.pact)
    for item in data["findings"]:
        item["line"] = _line(loaded, item["path"])
    return data


TEXT = {
    "zh": {
        "title": "数据治理检查",
        "level": "级别",
        "code": "编号",
        "clause": "条款",
        "where": "位置",
        "message": "说明",
        "site": "用户类别",
        "required": "电能表准确度等级要求",
        "unknown": "未知",
        "quality": "数据质量（占碳足迹的比例）",
        "stage": "阶段",
        "primary": "初级数据占比",
        "act": "活动数据质量等级",
        "fac": "因子质量等级",
        "overall": "全部",
        "alloc": "分摊（§6.1，按产量或产量 × BOM）",
        "total": "分摊总量",
        "model": "型号",
        "output": "产量",
        "bom": "BOM 用量",
        "share": "分摊比例",
        "per_unit": "单位产品用量",
        "cutoff": "舍弃环节合计 {total:.4g} kgCO2e，占产品碳足迹 {share}（限值 5 %）",
        "none": "无发现。",
        "summary": "{error} 个错误，{warning} 个警告，{info} 个提示",
        "failed": "检查未通过",
        "passed": "检查通过",
    },
    "en": {
        "title": "Data-governance check",
        "level": "Level",
        "code": "ID",
        "clause": "Clause",
        "where": "Where",
        "message": "Message",
        "site": "User category",
        "required": "required meter class",
        "unknown": "unknown",
        "quality": "Data quality (shares of the footprint)",
        "stage": "Stage",
        "primary": "Primary data",
        "act": "Activity-data grades",
        "fac": "Factor grades",
        "overall": "All stages",
        "alloc": "Allocation (§6.1, by output or output × BOM)",
        "total": "Shared total",
        "model": "Model",
        "output": "Output",
        "bom": "BOM qty",
        "share": "Share",
        "per_unit": "Per unit",
        "cutoff": "Excluded processes {total:.4g} kgCO2e, {share} of the footprint (limit 5 %)",
        "none": "No findings.",
        "summary": "{error} errors, {warning} warnings, {info} infos",
        "failed": "check failed",
        "passed": "check passed",
    },
}

_STYLE = {Level.ERROR: "red", Level.WARNING: "yellow", Level.INFO: "cyan"}


def _pct(x: float | None) -> str:
    """A share in percent: one decimal, two significant digits below 1 %."""
    if x is None:
        return "—"
    return f"{100 * x:.2g} %" if 0 < abs(x) < 0.01 else f"{100 * x:.1f} %"


def _grades(shares: dict[str, float | None], lang: str) -> str:
    parts = []
    for g in Grade:
        x = shares.get(g.value)
        if x:
            parts.append(f"{label(g, lang)} {_pct(x)}")
    return ", ".join(parts) or "—"


def render_report(loaded: LoadedStudy, report: CheckReport, lang: str = "zh") -> list[Any]:
    """Rich renderables: findings table, site category, data quality, allocation, cut-off."""
    t = TEXT[lang]
    study = loaded.study
    items: list[Any] = [
        f"[bold]{t['title']}[/bold]  ·  {escape(study.id)}  ·  {escape(study.product.name)}"
        f"  ·  {study.period.label}"
    ]
    site = report.site
    cat = site.category.value if site.category else t["unknown"]
    basis = site.basis_zh if lang == "zh" else site.basis_en
    req = site.required_meter_class or "—"
    items.append(f"{t['site']}: {cat} ({escape(basis)}); {t['required']}: {req}")
    if report.findings:
        table = Table(show_lines=False)
        for col in ("level", "code", "clause", "where", "message"):
            table.add_column(t[col], overflow="fold")
        for f in report.findings:
            line = _line(loaded, f.path)
            where = f.path + (tr(f"（第 {line} 行）", f" (line {line})") if line else "")
            style = _STYLE[f.level]
            label = f.level.zh if lang == "zh" else f.level.value
            table.add_row(
                f"[{style}]{label}[/{style}]",
                escape(f.id),
                escape(clause_text(f.clause)),
                escape(where),
                escape(f.message(lang)),
            )
        items.append(table)
    else:
        items.append(t["none"])
    dq = report.data_quality
    if dq is not None:
        qt = Table(title=t["quality"])
        for col in ("stage", "primary", "act", "fac"):
            qt.add_column(t[col], overflow="fold")
        for stage in Stage:
            q = dq.stages[stage]
            if q is None:
                continue
            name = stage.zh if lang == "zh" else stage.en
            qt.add_row(
                name,
                _pct(q.primary_share),
                _grades(q.activity_grades, lang),
                _grades(q.factor_grades, lang),
            )
        o = dq.overall
        qt.add_row(
            f"[bold]{t['overall']}[/bold]",
            f"[bold]{_pct(o.primary_share)}[/bold]",
            _grades(o.activity_grades, lang),
            _grades(o.factor_grades, lang),
        )
        items.append(qt)
    if study.product.pcr:
        findings = _pcr_findings(loaded)
        if findings:
            items.append(
                tr(
                    f"[red]不符合产品规则 {study.product.pcr}：[/red]",
                    f"[red]Departs from product rule {study.product.pcr}:[/red]",
                )
            )
            items.extend(f"  {escape(f.path)}: {escape(f.message(lang))}" for f in findings)
        else:
            items.append(
                tr(f"符合产品规则 {study.product.pcr}", f"Follows product rule {study.product.pcr}")
            )
    parts = supplier_parts(study, loaded.factors)
    if parts:
        st = Table(title=tr("使用供应商初级数据的部件", "Parts using supplier primary data"))
        for col in (t["where"], tr("部件", "Part"), tr("因子", "Factor"), tr("供应商", "Supplier")):
            st.add_column(col, overflow="fold")
        for p in parts:
            check = tr("已核查", "verified") if p.verified else tr("未经第三方核查", "not verified")
            st.add_row(
                escape(p.path), escape(p.name), escape(p.factor), escape(f"{p.supplier} ({check})")
            )
        items.append(st)
    if report.allocations:
        at = Table(title=t["alloc"])
        for col in ("where", "total", "model", "output", "bom", "share", "per_unit"):
            at.add_column(t[col], overflow="fold")
        for r in report.allocations:
            mark = "[bold]" if r.is_product else ""
            end = "[/bold]" if r.is_product else ""
            field = r.quantity_path.split("]", 1)[-1].removeprefix(".")
            at.add_row(
                escape(f"{r.activity} {field}".strip()),
                f"{r.batch_quantity:g} {escape(r.unit)}",
                f"{mark}{escape(r.model)}{end}",
                f"{r.output:g}",
                f"{r.bom_quantity:g} {escape(r.unit)}"
                if r.kind == "flow"
                else f"{r.bom_quantity:g}",
                _pct(r.share),
                f"{r.per_unit:.6g} {escape(r.unit)}",
            )
        items.append(at)
    if report.cutoff is not None and report.cutoff.rows:
        c = report.cutoff
        items.append(t["cutoff"].format(total=c.excluded_total, share=_pct(c.excluded_share)))
    counts = {lv.value: sum(1 for f in report.findings if f.level is lv) for lv in Level}
    verdict = (
        f"[green]{t['passed']}[/green]" if report.ok else f"[red bold]{t['failed']}[/red bold]"
    )
    items.append(f"{verdict}: {t['summary'].format(**counts)}")
    return items


def run_check(path: Path, *, as_json: bool, lang: str, console: Console) -> int:
    """Run ``tanzuji check``; the exit status: 1 if any finding is an error, else 0."""
    loaded, report = check_file(path)
    if as_json:
        text = json.dumps(report_json(loaded, report), ensure_ascii=False, indent=2)
        sys.stdout.write(text + "\n")
    else:
        for item in render_report(loaded, report, lang):
            console.print(item)
    return 0 if report.ok and not _pcr_findings(loaded) else 1


def _pcr_findings(loaded: LoadedStudy) -> list[PcrFinding]:
    """Departures from the declared product rule (an unknown rule is one too)."""
    rule_id = loaded.study.product.pcr
    if not rule_id:
        return []
    try:
        rule = load_rule(rule_id)
    except TanzujiError as exc:
        return [PcrFinding("product.pcr", str(exc), str(exc))]
    return check_pcr(loaded.study, rule)
