"""``check_study``: every data-governance finding of a study, with its data-quality figures.

>>> from tanzuji.model import EmissionFactor, Study
>>> from tanzuji.factors import FactorLibrary
>>> lib = FactorLibrary.from_factors([EmissionFactor(id="g", name="电", value=0.6,
...     unit="kgCO2e/kWh", factor_type="national_database", source="s")], id="t")
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "boundary": ["manufacturing"], "site": {"monthly_consumption_kwh": 200000},
...     "instruments": [{"id": "EM", "name": "总表", "kind": "electricity_meter",
...         "accuracy_class": "1", "certificate": {"number": "C", "date": "2024-06-01",
...         "valid_until": "2026-05-31"}}],
...     "activities": [{"stage": "manufacturing", "name": "电", "quantity": 1.5,
...         "unit": "kWh", "factor": "g", "instrument": "EM"}]})
>>> report = check_study(study, lib)
>>> report.ok, report.data_quality.overall.primary_share
(True, 1.0)
>>> [f.code for f in report.findings]
['site.category']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.errors import InputErrors
from tanzuji.factors import FactorLibrary
from tanzuji.governance.allocation import (
    AllocationRow,
    CandidateChoice,
    allocation_findings,
    allocation_table,
    candidate_choices,
)
from tanzuji.governance.conformance import SiteCategory, check_instruments, site_category
from tanzuji.governance.cutoff import CutoffSummary, check_cutoff
from tanzuji.governance.datachecks import check_quantities
from tanzuji.governance.findings import (
    Finding,
    Level,
    count_levels,
    identify,
    sort_findings,
)
from tanzuji.governance.quality import DataQuality, data_quality
from tanzuji.model import Study

__all__ = ["CheckReport", "check_study"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class CheckReport:
    """Findings (errors first) and the figures behind them."""

    study_id: str
    findings: tuple[Finding, ...]
    site: SiteCategory
    data_quality: DataQuality | None
    cutoff: CutoffSummary | None
    allocations: tuple[AllocationRow, ...]
    choices: tuple[CandidateChoice, ...]

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not any(f.level is Level.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The stable machine-readable form of ``tanzuji check --json``."""
        return {
            "schema_version": SCHEMA_VERSION,
            "study_id": self.study_id,
            "ok": self.ok,
            "counts": count_levels(self.findings),
            "findings": [f.to_dict() for f in self.findings],
            "site": self.site.to_dict(),
            "data_quality": self.data_quality.to_dict() if self.data_quality else None,
            "cutoff": self.cutoff.to_dict() if self.cutoff else None,
            "allocations": [r.to_dict() for r in self.allocations],
            "choices": [c.to_dict() for c in self.choices],
        }


def check_study(study: Study, factors: FactorLibrary) -> CheckReport:
    """Run every data-governance check on ``study``.

    Problems that keep the study from compiling (unknown factors, units) become error
    findings; the data-quality figures and the cut-off check then stay empty.
    """
    site = site_category(study)
    findings: list[Finding] = []
    findings += check_instruments(study, site)
    findings += check_quantities(study)
    quality = None
    cutoff = None
    try:
        model = compile_study(study, factors)
    except InputErrors as exc:
        for e in exc.errors:
            findings.append(
                Finding.error(
                    "input.invalid",
                    "—",
                    f"无法计算：{e.message}",
                    f"cannot be calculated: {e.message}",
                    e.location.path or "",
                )
            )
    else:
        quality = data_quality(model)
        total = evaluate_jjf(model).total.value
        cutoff, cut = check_cutoff(study.excluded, total, study.boundary)
        findings += cut
    findings += allocation_findings(study)
    choices = candidate_choices(study)
    for c in choices:
        findings.append(
            Finding.info(
                "data.candidate_chosen",
                "§6.1 Table 2, §6.2 Table 4",
                f"{c.activity}：采用候选数据 {c.chosen}（{c.data_type}），理由：{c.reason_zh}",
                f"{c.activity}: candidate {c.chosen} ({c.data_type}) chosen: {c.reason_en}",
                c.path,
            )
        )
    if site.category is not None and site.stated is None:
        findings.append(
            Finding.info(
                "site.category",
                "§6.1 Table 3 Note 1",
                f"用户类别 {site.category.value}（{site.basis_zh}），电能表应为 "
                f"{site.required_meter_class} 级",
                f"user category {site.category.value} ({site.basis_en}); electricity meters "
                f"must be class {site.required_meter_class}",
                "site",
            )
        )
    return CheckReport(
        study_id=study.id,
        findings=tuple(sort_findings(identify(findings, study))),
        site=site,
        data_quality=quality,
        cutoff=cutoff,
        allocations=tuple(allocation_table(study)),
        choices=tuple(choices),
    )
