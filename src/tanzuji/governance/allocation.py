"""Allocation of shared material batches (§6.1) and the choice among candidate data,
both shown rather than hidden.

A batch consumed by several product models is allocated by each model's output × BOM
quantity: share_j = output_j·bom_j / Σ output·bom; this product's per-unit quantity is
batch × share_p / output_p = batch × bom_p / Σ output·bom. The ratio batch / Σ output·bom
(≥ 1 with scrap and losses) is shown too.

>>> from tanzuji.model import Study
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "activities": [{"stage": "raw_materials", "name": "铜", "factor": "cu",
...       "allocation": {"batch_quantity": 400, "unit": "kg", "product_model": "A",
...         "models": [{"model": "A", "output": 10000, "bom_quantity": 0.03},
...                    {"model": "B", "output": 1000, "bom_quantity": 0.1}]}}]})
>>> [(r.model, r.share, r.allocated) for r in allocation_table(study)]
[('A', 0.75, 300.0), ('B', 0.25, 100.0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tanzuji.governance.findings import Finding
from tanzuji.model import Activity, ElectricitySupply, Operation, Study, Transport
from tanzuji.model.derived import select_candidate

__all__ = [
    "AllocationRow",
    "CandidateChoice",
    "allocation_findings",
    "allocation_table",
    "candidate_choices",
]


@dataclass(frozen=True)
class AllocationRow:
    """One model's part of one allocated total (a shared batch, a transport leg's fuel or
    mass, a part of an electricity split, …)."""

    path: str
    activity: str
    batch_quantity: float
    unit: str
    model: str
    output: float
    bom_quantity: float
    share: float
    allocated: float
    per_unit: float
    is_product: bool
    batch_to_bom: float
    kind: str = "flow"
    """The activity kind: flow, transport, electricity or operation."""
    quantity_path: str = ""
    """Field path of the allocated total (``activities[3].grid.quantity``)."""
    factor: float = 1.0
    """per_unit / batch_quantity for this model: bom / Σ output·bom."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return dict(self.__dict__)


def _totals(act: Any, i: int) -> list[tuple[str, float, str]]:
    """(field path, total, unit) of every quantity an activity's allocation divides."""
    p = f"activities[{i}]"
    if isinstance(act, Activity):
        a = act.allocation
        assert a is not None and a.batch_quantity is not None
        return [(f"{p}.allocation.batch_quantity", a.batch_quantity, a.batch_unit)]
    if isinstance(act, Transport):
        if act.energy is not None:
            return [
                (f"{p}.energy[{j}].quantity", e.quantity, e.unit) for j, e in enumerate(act.energy)
            ]
        assert act.mass is not None
        return [(f"{p}.mass.quantity", act.mass.quantity, act.mass.unit)]
    if isinstance(act, ElectricitySupply):
        return [
            (f"{p}.{name}.quantity", part.quantity, act.unit)
            for name in ("grid", "green_trading", "onsite")
            if (part := getattr(act, name)) is not None
        ]
    assert isinstance(act, Operation)
    return [(f"{p}.power.quantity", act.power.quantity, act.power.unit)]


def allocation_table(study: Study) -> list[AllocationRow]:
    """Every allocated total of the study (any activity kind), one row per sharing model.

    >>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
    ...     "activities": [{"kind": "electricity", "stage": "manufacturing", "name": "厂区用电",
    ...       "grid": {"quantity": 9000, "factor": "g"}, "allocation": {"product_model": "A",
    ...       "models": [{"model": "A", "output": 2000}, {"model": "B", "output": 1000}]}}]})
    >>> [(r.model, r.allocated, r.per_unit) for r in allocation_table(study)]
    [('A', 6000.0, 3.0), ('B', 3000.0, 3.0)]
    """
    rows = []
    for i, act in enumerate(study.activities):
        a = getattr(act, "allocation", None)
        if a is None:
            continue
        for qpath, total, unit in _totals(act, i):
            ratio = total / a.requirement()
            for m in a.models:
                share = a.share(m.model)
                rows.append(
                    AllocationRow(
                        path=f"activities[{i}].allocation",
                        activity=study.activity_key(i),
                        batch_quantity=total,
                        unit=unit,
                        model=m.model,
                        output=m.output,
                        bom_quantity=m.bom_quantity,
                        share=share,
                        allocated=total * share,
                        per_unit=total * share / m.output,
                        is_product=m.model == a.product_model,
                        batch_to_bom=ratio,
                        kind=str(act.kind),
                        quantity_path=qpath,
                        factor=m.bom_quantity / a.requirement(),
                    )
                )
    return rows


def allocation_findings(study: Study) -> list[Finding]:
    """An info finding per allocated total stating this product's share (§6.1)."""
    out = []
    for row in allocation_table(study):
        if not row.is_product:
            continue
        by_bom = row.kind == "flow" and row.bom_quantity != 1.0
        basis_zh = "按产量 × BOM 分摊" if by_bom else "按产量分摊"
        basis_en = "allocated by output × BOM" if by_bom else "allocated by output"
        what_zh = "共用批次" if row.kind == "flow" else "共用总量"
        what_en = "shared batch" if row.kind == "flow" else "shared total"
        out.append(
            Finding.info(
                "allocation.applied",
                "§6.1",
                f"{what_zh} {row.batch_quantity:g} {row.unit} {basis_zh}：型号 {row.model} "
                f"占 {100 * row.share:.4g} %，单位产品 {row.per_unit:.6g} {row.unit}"
                + (f"（批次/BOM 需求 = {row.batch_to_bom:.4g}）" if by_bom else ""),
                f"{what_en} of {row.batch_quantity:g} {row.unit} {basis_en}: "
                f"model {row.model} takes {100 * row.share:.4g} %, {row.per_unit:.6g} {row.unit} "
                "per unit"
                + (f" (batch / BOM requirement = {row.batch_to_bom:.4g})" if by_bom else ""),
                row.path,
            )
        )
    return out


@dataclass(frozen=True)
class CandidateChoice:
    """Which candidate datum an activity uses, and why."""

    path: str
    activity: str
    chosen: int
    data_type: str
    quantity: float
    reason_en: str
    reason_zh: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return dict(self.__dict__)


def candidate_choices(study: Study) -> list[CandidateChoice]:
    """The candidate chosen for every activity that lists candidates."""
    out = []
    for i, act in enumerate(study.activities):
        if not isinstance(act, Activity) or not act.candidates:
            continue
        idx, en, zh = select_candidate(act.candidates)
        best = act.candidates[idx]
        out.append(
            CandidateChoice(
                path=f"activities[{i}].candidates[{idx}]",
                activity=study.activity_key(i),
                chosen=idx,
                data_type=best.data_type.value,
                quantity=act.quantity,
                reason_en=en,
                reason_zh=zh,
            )
        )
    return out
