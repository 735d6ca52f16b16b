"""The cut-off rule (§5.1): an omitted process must contribute < 1 % of the product
footprint, and all omitted processes together ≤ 5 %.

The footprint the shares refer to is, by default, the **complete** total: the evaluated
total plus the estimates of the omitted processes (they are part of the product's
footprint). ``basis="evaluated"`` divides by the evaluated total only (stricter).

>>> from tanzuji.model import ExcludedProcess
>>> ex = [ExcludedProcess(name="胶水", stage="raw_materials", estimate=0.99)]
>>> s, findings = check_cutoff(ex, 99.01)
>>> round(s.rows[0].share, 6), findings
(0.0099, [])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tanzuji.governance.findings import Finding
from tanzuji.model import ExcludedProcess, Stage

__all__ = ["CutoffRow", "CutoffSummary", "check_cutoff"]

SINGLE_LIMIT = 0.01
TOTAL_LIMIT = 0.05
REL_TOL = 1e-9
"""Relative tolerance at the limits, so that decimal inputs summing to exactly 1 % or 5 %
are judged by their decimal value, not by binary rounding."""
CLAUSE = "§5.1"


@dataclass(frozen=True)
class CutoffRow:
    """One excluded process and its share of the reference footprint."""

    path: str
    name: str
    stage: Stage
    estimate: float
    share: float | None


@dataclass(frozen=True)
class CutoffSummary:
    """The excluded processes, their total and the reference footprint (kgCO2e)."""

    basis: Literal["complete", "evaluated"]
    reference_total: float
    excluded_total: float
    excluded_share: float | None
    rows: tuple[CutoffRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "basis": self.basis,
            "reference_total": self.reference_total,
            "excluded_total": self.excluded_total,
            "excluded_share": self.excluded_share,
            "limits": {"single": SINGLE_LIMIT, "total": TOTAL_LIMIT},
            "rows": [
                {
                    "path": r.path,
                    "name": r.name,
                    "stage": r.stage.value,
                    "estimate": r.estimate,
                    "share": r.share,
                }
                for r in self.rows
            ],
        }


def _pct(x: float) -> str:
    return f"{100 * x:.3g} %"


def check_cutoff(
    excluded: Sequence[ExcludedProcess],
    evaluated_total: float,
    boundary: Sequence[Stage] = tuple(Stage),
    *,
    basis: Literal["complete", "evaluated"] = "complete",
) -> tuple[CutoffSummary, list[Finding]]:
    """The cut-off table and its findings (errors citing §5.1).

    A single process at exactly 1 % violates the rule (it must be *below* 1 %); all
    together at exactly 5 % are allowed (*not exceed*); both limits are compared with a
    relative tolerance of 1e-9.

    >>> from tanzuji.model import ExcludedProcess
    >>> _, f = check_cutoff([ExcludedProcess(name="x", stage="use", estimate=1.0)], 99.0)
    >>> [(x.code, x.path) for x in f]
    [('cutoff.single', 'excluded[0].estimate')]
    """
    excluded_total = math.fsum(e.estimate for e in excluded)
    reference = evaluated_total + excluded_total if basis == "complete" else evaluated_total
    findings: list[Finding] = []
    rows = []
    for j, ex in enumerate(excluded):
        path = f"excluded[{j}]"
        share = ex.estimate / reference if reference > 0 else None
        rows.append(CutoffRow(path, ex.name, ex.stage, ex.estimate, share))
        if ex.stage not in boundary:
            findings.append(
                Finding.warning(
                    "cutoff.outside_boundary",
                    CLAUSE,
                    f"舍弃环节“{ex.name}”所属阶段 {ex.stage.zh} 不在系统边界内",
                    f"excluded process {ex.name!r} belongs to {ex.stage.en}, which is outside "
                    "the system boundary",
                    f"{path}.stage",
                )
            )
        if reference > 0 and ex.estimate >= SINGLE_LIMIT * reference * (1 - REL_TOL):
            assert share is not None
            findings.append(
                Finding.error(
                    "cutoff.single",
                    CLAUSE,
                    f"舍弃环节“{ex.name}”占产品碳足迹的 {_pct(share)}，不小于 1 %，不得舍弃",
                    f"excluded process {ex.name!r} is {_pct(share)} of the product footprint; "
                    "only processes below 1 % may be cut off",
                    f"{path}.estimate",
                )
            )
    total_share = excluded_total / reference if reference > 0 else None
    if reference > 0 and excluded_total > TOTAL_LIMIT * reference * (1 + REL_TOL):
        assert total_share is not None
        findings.append(
            Finding.error(
                "cutoff.total",
                CLAUSE,
                f"舍弃环节合计占产品碳足迹的 {_pct(total_share)}，超过 5 %",
                f"the excluded processes together are {_pct(total_share)} of the product "
                "footprint; at most 5 % may be cut off",
                "excluded",
            )
        )
    summary = CutoffSummary(basis, reference, excluded_total, total_share, tuple(rows))
    return summary, findings
