"""Everything the report template shows, formatted: §8 items and the Appendix B layout.

:func:`build_context` turns a study, its compiled model and its result (plus, when given,
the governance findings, the complete GUM and the Monte Carlo evaluation) into a plain
mapping of strings and rows. The template only lays it out; every number is rounded here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tanzuji import __version__
from tanzuji.calculation import FootprintResult, MeasurementModel, ModelInput
from tanzuji.i18n import clause_text
from tanzuji.model import Person, Stage, Study
from tanzuji.model.phrases import functional_unit_phrase
from tanzuji.report.chartwork import PREFIX as CHART_PREFIX
from tanzuji.report.deviations import Deviation, find_deviations, input_source
from tanzuji.report.identity import (
    is_meter,
    report_number,
    report_title,
    split_cutoff_rule,
    split_specification,
)
from tanzuji.report.issueinfo import IssueInfo
from tanzuji.report.numfmt import chemistry, fmt_pair, group, plain, pretty_unit
from tanzuji.report.text import DATA_TYPE, FACTOR_TYPE, INSTRUMENT_KIND, LABELS
from tanzuji.report.views import (
    GumView,
    MonteCarloView,
    finding_rows,
    input_label,
    input_stages,
    spec_budget,
)
from tanzuji.uncertainty import round_result

__all__ = ["ReportInput", "build_context", "fmt_pair", "fmt_rel"]

BASIS_STANDARDS = (
    "GB/T 24040—2008 环境管理 生命周期评价 原则与框架",
    "GB/T 24044—2008 环境管理 生命周期评价 要求与指南",
    "GB/T 24067—2024 温室气体 产品碳足迹 量化要求和指南",
    "JJF 1059.1—2012 测量不确定度评定与表示",
)
MC_STANDARD = "JJF 1059.2—2012 用蒙特卡洛法评定测量不确定度"
TOP_BUDGET = 10


@dataclass(frozen=True)
class ReportInput:
    """What a report is made from. ``base_dir`` resolves ``product.picture``."""

    study: Study
    model: MeasurementModel
    result: FootprintResult
    base_dir: Path | None = None
    findings: Sequence[Any] | None = None
    full_gum: GumView | None = None
    monte_carlo: MonteCarloView | None = None
    date: dt.date | None = None
    issue: IssueInfo | None = None
    """How the report is issued (``None``: a draft)."""
    picture: bytes | None = None
    """The product picture kept in the store with the revision (PNG), used instead of the
    file ``product.picture`` names (a report issued from the store reads no files)."""


def fmt_rel(x: float | None) -> str:
    """A relative uncertainty in percent with two significant digits.

    >>> fmt_rel(4.1234), fmt_rel(None)
    ('4.1', '—')
    """
    if x is None:
        return "—"
    return round_result(x, x).U if x > 0 else "0"


def _sig2(x: float) -> str:
    return group(round_result(x, x).U) if x > 0 else "0"


def _person(p: Person | None) -> dict[str, str]:
    if p is None:
        return {"name": "", "org": "", "date": ""}
    return {
        "name": p.name,
        "org": p.organisation or "",
        "date": p.date.isoformat() if p.date else "",
    }


def _picture(study: Study, base_dir: Path | None, stored: bytes | None = None) -> str | None:
    rel = study.product.picture
    if not rel:
        return None
    from tanzuji.report.assets import picture_data_uri, png_data_uri, sanitise_picture

    if stored is not None:  # re-encoded again: the store's bytes are not trusted blindly
        return png_data_uri(sanitise_picture(stored, rel))
    return picture_data_uri(rel, base_dir or Path.cwd())


def _activity_rows(inp: ReportInput, lang: str) -> list[dict[str, Any]]:
    model, study = inp.model, inp.study
    stages = input_stages(model)
    t = LABELS[lang]
    out = []
    for stage in model.boundary:
        rows = []
        for name, mi in model.inputs.items():
            if mi.role == "factor" or stages.get(name) is not stage:
                continue
            value, u = fmt_pair(mi.estimate, mi.u)
            rel = fmt_rel(100.0 * mi.u / abs(mi.estimate)) if mi.estimate else "—"
            rows.append(
                {
                    "label": input_label(model, name, lang),
                    "value": value,
                    "unit": pretty_unit(mi.unit),
                    "u": u if mi.u > 0 else t["not_evaluated"],
                    "u_rel": f"{rel} %" if mi.u > 0 else "—",
                    "data_type": DATA_TYPE[mi.data_type][lang] if mi.data_type else "—",
                    "grade": _grade(mi, lang),
                    "instrument": mi.instrument or "—",
                    "source": input_source(study, mi) or "",
                    "distance": mi.role == "distance",
                }
            )
        out.append({"stage": stage.zh if lang == "zh" else stage.en, "rows": rows})
    return out


def _grade(mi: ModelInput, lang: str) -> str:
    if mi.data_type is None:
        return "—"
    g = mi.data_type.grade
    return g.zh if lang == "zh" else g.value.replace("_", " ")


def _factor_rows(model: MeasurementModel, lang: str) -> list[dict[str, Any]]:
    users: dict[str, list[str]] = {}
    for term in model.terms:
        label = model.labels_en.get(term.group, term.label) if lang == "en" else term.label
        for name in term.inputs:
            if model.inputs[name].role == "factor" and label not in users.setdefault(name, []):
                users[name].append(label)
    rows = []
    for name, mi in model.inputs.items():
        ef = mi.factor
        if ef is None:
            continue
        src = ef.source
        extra = [x for x in (src.publisher, src.locator) if x]
        if ef.year:
            extra.append(str(ef.year))
        rows.append(
            {
                "id": ef.id,
                "name": ef.name.pick(lang),
                "value": plain(ef.value, 6),
                "unit": pretty_unit(ef.unit),
                "u": f"{_sig2(mi.u)} ({fmt_rel(100 * mi.u / ef.value) if ef.value else '—'} %)"
                if mi.u > 0
                else "—",
                "type": FACTOR_TYPE[ef.factor_type][lang],
                "grade": ef.grade.zh if lang == "zh" else ef.grade.value.replace("_", " "),
                "citation": src.citation,
                "extra": "; ".join(extra),
                "url": src.url or "",
                "used_by": "、".join(users.get(name, []))
                if lang == "zh"
                else "; ".join(users.get(name, [])),
            }
        )
    return rows


def _supplier_section(model: MeasurementModel, study: Study, lang: str) -> dict[str, Any] | None:
    """The parts that use supplier primary data (``supplier_pcf`` factors, e.g. imported
    from PACT) and the study's primary-data share (tanzuji.pact.quality), or ``None``."""
    from tanzuji.model import FactorType
    from tanzuji.pact.quality import data_quality

    rows: list[dict[str, str]] = []
    for term in model.terms:
        for name in term.inputs:
            mi = model.inputs[name]
            ef = mi.factor
            if mi.role != "factor" or ef is None or ef.factor_type is not FactorType.SUPPLIER_PCF:
                continue
            rows.append(
                {
                    "part": model.labels_en.get(term.group, term.label)
                    if lang == "en"
                    else term.label,
                    "factor": ef.id,
                    "supplier": ef.source.publisher or ef.source.citation,
                    "verified": (
                        ("已第三方验证" if lang == "zh" else "third-party verified")
                        if ef.verification == "verified"
                        else ("未验证" if lang == "zh" else "not verified")
                    ),
                }
            )
    if not rows:
        return None
    share = data_quality(model, study).primary_share
    return {"rows": rows, "share": f"{share:.1f} %"}


def _instrument_rows(study: Study, findings: Sequence[Any] | None, lang: str) -> list[Any]:
    t = LABELS[lang]
    day = study.period.end
    rows = []
    for j, inst in enumerate(study.instruments):
        cert = inst.certificate
        if cert is None:
            status = t["status_missing"]
        elif cert.covers(day):
            status = t["status_ok"]
        elif cert.date and day < cert.date:
            status = t["status_not_yet"]
        else:
            status = t["status_expired"]
        valid = ""
        if cert is not None and (cert.date or cert.valid_until):
            valid = f"{cert.date or ''} – {cert.valid_until or ''}"
        purpose = " / ".join(x for x in (inst.location, inst.purpose) if x)
        prefix = f"instruments[{j}]"
        own = [f for f in findings or () if str(getattr(f, "path", "")).startswith(prefix)]
        rows.append(
            {
                "no": j + 1,
                "id": inst.id,
                "name": inst.name,
                "kind": INSTRUMENT_KIND[inst.kind][lang],
                "model": inst.model or "",
                "accuracy_class": inst.accuracy_class or "—",
                "purpose": purpose,
                "certificate": cert.number if cert else "—",
                "issuer": (cert.issuer or "") if cert else "",
                "valid": valid,
                "status": status,
                "ok": cert is not None and cert.covers(day),
                "findings": len(own),
            }
        )
    return rows


def _deviations(inp: ReportInput, lang: str) -> list[dict[str, str]]:
    covered: frozenset[str] = frozenset()
    extra: list[Deviation] = []
    if inp.findings is not None:
        covered = frozenset({"instrument", "certificate", "cutoff", "data"})
        for f in inp.findings:
            level = str(getattr(f, "level", ""))
            if level not in ("error", "warning"):
                continue
            extra.append(
                Deviation(
                    "deviation",
                    str(getattr(f, "code", "")),
                    str(getattr(f, "clause", "")),
                    f.message("zh"),
                    f.message("en"),
                    str(getattr(f, "path", "")),
                )
            )
    own = find_deviations(
        inp.study, inp.model, inp.result, full_gum=inp.full_gum is not None, covered=covered
    )
    merged = extra + own
    merged.sort(key=lambda d: 0 if d.kind == "deviation" else 1)
    t = LABELS[lang]
    accepted = [
        {
            "kind": t["dev_accepted"],
            "is_deviation": "yes",
            "clause": clause_text(a.clause, lang),
            "text": t["dev_accepted_text"].format(
                id=a.id, message=a.message(lang), reason=a.reason
            ),
            "path": "",
        }
        for a in (inp.issue.accepted if inp.issue else ())
    ]
    return accepted + [
        {
            "kind": t["dev_deviation"] if d.kind == "deviation" else t["dev_note"],
            "is_deviation": "yes" if d.kind == "deviation" else "",
            "clause": clause_text(d.clause, lang),
            "text": d.text(lang),
            "path": d.path,
        }
        for d in merged
    ]


def _issue(inp: ReportInput, lang: str) -> dict[str, Any]:
    """Signed or draft, the signer (certificate subject), override and amendment texts."""
    t = LABELS[lang]
    info = inp.issue or IssueInfo()
    out: dict[str, Any] = {"signed": info.signed, "draft_mark": t["draft_mark"]}
    out["signer"] = {"name": info.signer or "", "org": info.signer_org or ""}
    out["override"] = (
        t["signer_override"].format(
            evaluator=info.study_evaluator or t["none"], reason=info.signer_override
        )
        if info.signed and info.signer_override
        else ""
    )
    out["amends"] = (
        t["amends_text"].format(number=info.amends, reason=info.amend_reason or t["none"])
        if info.amends
        else ""
    )
    out["review"] = None
    if info.signed and info.reviewer:  # the technical reviewer's approval (Table A.1)
        at = info.reviewed_at
        when = (at.replace("T", " ")[:16] + " UTC") if at else ""
        who = info.reviewer + (f"（{info.reviewer_org}）" if info.reviewer_org else "")
        signer = (info.signer or "") + (f"（{info.signer_org}）" if info.signer_org else "")
        out["review"] = {
            "name": info.reviewer,
            "org": info.reviewer_org or "",
            "date": when,
            "line": t["reviewed_line"].format(name=who, time=when, signer=signer),
        }
    # the store's audit chain head at issue (a report from a file without a store: none)
    out["audit_anchor"] = info.audit_anchor if info.signed and info.audit_anchor else ""
    if not info.signed:
        out["sig_note"] = t["draft_note"]
    elif info.timestamped:
        out["sig_note"] = t["sig_note"] + t["sig_time_tsa"].format(level=info.level or "PAdES-B-T")
        if info.level == "PAdES-B-LT":
            out["sig_note"] += t["sig_ltv"]
    else:
        out["sig_note"] = t["sig_note"] + t["sig_time_claim"]
    return out


def _polish(value: Any) -> Any:
    """CO₂ with its subscript in every text of the context (not in data URIs and chart
    placeholders)."""
    if isinstance(value, str):
        return value if value.startswith(("data:", CHART_PREFIX)) else chemistry(value)
    if isinstance(value, dict):
        return {k: _polish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_polish(v) for v in value]
    return value


GENERIC_SPEC = "GB/T 24067—2024 温室气体 产品碳足迹 量化要求和指南"


def build_context(inp: ReportInput, lang: str = "zh") -> dict[str, Any]:
    """The template context of a report in ``lang`` (``zh`` or ``en``)."""
    from tanzuji.report.assets import check_report_size
    from tanzuji.report.uncertainty_section import uncertainty_context

    check_report_size(len(inp.study.activities))  # bounded memory (issue 9)
    # first: the charts go to the chart worker (if any) while the rest is built
    uncertainty = uncertainty_context(inp, lang, spec_budget(inp.model))
    study, result = inp.study, inp.result
    t = LABELS[lang]
    cut_basis, cut_rules = split_cutoff_rule(study.cutoff_rule)
    p = study.product
    date = inp.date or (study.evaluator.date if study.evaluator and study.evaluator.date else None)
    date = date or dt.date.today()
    meter = is_meter(p.name, p.category)
    spec = study.specification
    if not meter and spec == Study.model_fields["specification"].default:
        spec = GENERIC_SPEC  # the meter specification is cited only for meters
    code, name = split_specification(spec)
    maker = p.manufacturer
    site = study.site

    stages = []
    for stage in Stage:
        r = result.stages[stage]
        label = stage.zh if lang == "zh" else stage.en
        if r is None:
            stages.append({"stage": label, "inside": False, "value": "", "u": ""})
        else:
            v, u = fmt_pair(r.value, r.u)
            stages.append({"stage": label, "inside": True, "value": v, "u": u})
    tot = result.total
    total_v, total_u = fmt_pair(tot.value, tot.u)
    value_s, U_s = fmt_pair(tot.value, tot.U)
    k = f"{tot.k:g}"
    excluded = [
        {
            "name": ex.name,
            "stage": ex.stage.zh if lang == "zh" else ex.stage.en,
            "estimate": plain(ex.estimate, 3),
            "share": f"{plain(100 * ex.estimate / tot.value, 2)} %" if tot.value else "—",
            "basis": ex.basis or "",
        }
        for ex in study.excluded
    ]
    ex_total = sum(ex.estimate for ex in study.excluded)
    basis = list(dict.fromkeys([f"{code} {name}".strip(), *BASIS_STANDARDS]))
    if inp.monte_carlo is not None:
        basis.append(MC_STANDARD)
    period = study.period
    year_like = period.label.isdigit()
    fu = functional_unit_phrase(p.functional_unit, p.name, lang)
    from tanzuji.metering.evidence import metered_evidence

    context: dict[str, Any] = _polish(
        {
            "metering": metered_evidence(study, inp.base_dir, lang),
            "lang": lang,
            "t": t,
            "title": report_title(p.name, p.category, lang),
            "number": (inp.issue.number if inp.issue and inp.issue.number else None)
            or report_number(study, result, date),
            "issue": _issue(inp, lang),
            "date": date.isoformat(),
            "version": __version__,
            "spec_code": code or t["none"],
            "spec_name": name,
            "enterprise": {
                "name": (maker.name if maker else None) or (site.name if site else None) or "",
                "address": (maker.address if maker else None)
                or (site.address if site else None)
                or "",
                "legal_rep": (maker.legal_representative if maker else None) or "",
                "contact": (maker.contact if maker else None) or "",
                "phone": (maker.phone if maker else None) or "",
            },
            "product": {
                "name": p.name,
                "model": p.model or "",
                "rating": p.rating or "",
                "accuracy_class": p.accuracy_class or "",
                "category": p.category or "",
                "function": p.function or "",
                "description": p.description or "",
                "picture": _picture(study, inp.base_dir, inp.picture),
                "functional_unit": fu,
                "meter": meter,
            },
            "fu_text": t["fu_text"].format(fu=fu),
            "period": period.label,
            "time_range": (t["year_text"] if year_like else t["range_text"]).format(
                label=period.label
            ),
            "place": study.place or "",
            "boundary": [
                {"stage": s.zh if lang == "zh" else s.en, "checked": s in study.boundary}
                for s in Stage
            ],
            "cutoff_rule": t["cutoff_text"].format(rule=cut_basis or t["cutoff_default_rule"]),
            "cutoff_rules": cut_rules or t["cutoff_rules"],
            "excluded": excluded,
            "excluded_total": plain(ex_total, 3),
            "excluded_share": f"{plain(100 * ex_total / tot.value, 2)} %" if tot.value else "—",
            "basis": basis,
            "stages": stages,
            "total": {"value": total_v, "u": total_u},
            "expanded": t["expanded"].format(k=k, U=U_s, Urel=fmt_rel(tot.U_rel_percent)),
            "result_line": t["result_line"].format(value=value_s, U=U_s, k=k, fu=fu),
            "U": U_s,
            "U_rel": fmt_rel(tot.U_rel_percent),
            "instruments": _instrument_rows(study, inp.findings, lang),
            "findings": finding_rows(inp.findings, lang),
            "activities": _activity_rows(inp, lang),
            "factors": _factor_rows(inp.model, lang),
            "supplier": _supplier_section(inp.model, study, lang),
            "deviations": _deviations(inp, lang),
            "evaluator": _person(study.evaluator),
            "checker": _person(study.checker),
            "recorder": _person(study.recorder),
            "uncertainty": uncertainty,
        }
    )
    return context
