"""Deviations from the specification, found automatically for §8 item 10 of the report.

Each deviation cites the clause it departs from. ``deviation`` marks a departure from a
requirement ("shall"); ``note`` marks an allowed choice the reader must know about (secondary
data outside manufacturing, a partial boundary, a complete GUM beside the specification's
figure, …).

>>> from tanzuji.calculation import compile_study, evaluate_jjf
>>> from tanzuji.factors import FactorLibrary
>>> from tanzuji.model import EmissionFactor, Study
>>> lib = FactorLibrary.from_factors([EmissionFactor(id="g", name="电网", value=0.5,
...     unit="kgCO2e/kWh", factor_type="national_database", source="s")], id="t")
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "boundary": ["manufacturing"], "activities": [{"stage": "manufacturing",
...     "name": "电", "quantity": 100, "unit": "kWh", "factor": "g",
...     "data_type": "financial_settlement", "source": "电费单"}]})
>>> model = compile_study(study, lib)
>>> [d.code for d in find_deviations(study, model, evaluate_jjf(model))]
['data.mfg_secondary', 'data.no_uncertainty', 'boundary.partial']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from tanzuji.calculation import FootprintResult, MeasurementModel, ModelInput
from tanzuji.model import Stage, Study
from tanzuji.report.text import DATA_TYPE
from tanzuji.report.views import input_label

__all__ = ["Deviation", "find_deviations", "input_source"]

Kind = Literal["deviation", "note"]


@dataclass(frozen=True)
class Deviation:
    """One departure from the specification (or a note about an allowed choice)."""

    kind: Kind
    code: str
    clause: str
    zh: str
    en: str
    path: str = ""

    def text(self, lang: str) -> str:
        """The explanation in ``lang``."""
        return self.zh if lang == "zh" else self.en


_ACT = re.compile(r"^activities\[(\d+)\]\.?(.*)$")


def input_source(study: Study, inp: ModelInput) -> str | None:
    """The recorded source of an activity input (its own, else its activity's).

    >>> from tanzuji.calculation import ModelInput
    >>> s = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
    ...     "activities": [{"stage": "use", "name": "运行", "quantity": 1, "unit": "kWh",
    ...     "factor": "f", "source": "铭牌功率"}]})
    >>> input_source(s, ModelInput("a", "运行", "activity", 1.0, 0.0, "kWh",
    ...     "activities[0].quantity"))
    '铭牌功率'
    """
    m = _ACT.match(inp.path)
    if not m:
        return None
    act: Any = study.activities[int(m.group(1))]
    node: Any = act
    for part in re.findall(r"[A-Za-z_]+|\[\d+\]", m.group(2)):
        if part.startswith("["):
            node = node[int(part[1:-1])] if node is not None else None
        elif part not in ("quantity",):
            node = getattr(node, part, None)
    own = getattr(node, "source", None) or act.source
    return str(own) if own else None


def _activity_checks(study: Study, model: MeasurementModel) -> list[Deviation]:
    out: list[Deviation] = []
    stages: dict[str, Stage] = {}
    for term in model.terms:
        for name in term.inputs:
            stages.setdefault(name, term.stage)
    for name, inp in model.inputs.items():
        if inp.role != "activity" or name not in stages:
            continue
        stage = stages[name]
        dtype = inp.data_type
        path = inp.path
        en = input_label(model, name, "en")
        secondary = dtype is not None and not dtype.primary
        dzh = DATA_TYPE[dtype]["zh"] if dtype else ""
        den = DATA_TYPE[dtype]["en"] if dtype else ""
        if stage is Stage.MANUFACTURING and secondary:
            out.append(Deviation(
                "deviation", "data.mfg_secondary", "§4",
                f"生产制造阶段活动数据“{inp.label}”采用次级数据（{dzh}），规范要求采用通过计量得到的初级数据。",
                f"Manufacturing activity datum '{en}' is secondary data ({den}); the "
                "specification requires measured primary data.",
                path,
            ))  # fmt: skip
        elif secondary:
            out.append(Deviation(
                "note", "data.secondary", "§4, §6.2",
                f"{stage.zh}活动数据“{inp.label}”采用次级数据（{dzh}），其对不确定度的影响见第七部分。",
                f"{stage.en} activity datum '{en}' is secondary data ({den}); its effect "
                "on the uncertainty is evaluated in section 7.",
                path,
            ))  # fmt: skip
        if secondary and not input_source(study, inp):
            out.append(Deviation(
                "deviation", "data.no_source", "§6.2",
                f"次级数据“{inp.label}”未注明数据来源。",
                f"The source of secondary datum '{en}' is not recorded.",
                path,
            ))  # fmt: skip
        if inp.u == 0 and inp.estimate != 0:
            out.append(Deviation(
                "deviation", "data.no_uncertainty", "§4, §7",
                f"活动数据“{inp.label}”未评定不确定度（按 0 计入）。",
                f"No uncertainty was evaluated for activity datum '{en}' (taken as 0).",
                path,
            ))  # fmt: skip
        if inp.instrument and inp.instrument not in {i.id for i in study.instruments}:
            out.append(Deviation(
                "deviation", "instrument.unknown", "§6.1",
                f"活动数据“{inp.label}”引用的计量器具 {inp.instrument} 未在器具登记表中。",
                f"Activity datum '{en}' names instrument {inp.instrument}, which is not "
                "in the instrument register.",
                path,
            ))  # fmt: skip
    return out


def _instrument_checks(study: Study) -> list[Deviation]:
    out: list[Deviation] = []
    day = study.period.end
    for j, inst in enumerate(study.instruments):
        cert = inst.certificate
        if cert is None:
            out.append(Deviation(
                "deviation", "instrument.no_certificate", "§6.1",
                f"计量器具 {inst.id}（{inst.name}）无有效的检定/校准证书。",
                f"Instrument {inst.id} ({inst.name}) has no verification/calibration certificate.",
                f"instruments[{j}].certificate",
            ))  # fmt: skip
        elif not cert.covers(day):
            out.append(Deviation(
                "deviation", "instrument.expired", "§6.1",
                f"计量器具 {inst.id}（{inst.name}）的证书 {cert.number} "
                f"在评价周期末 {day} 不在有效期内。",
                f"The certificate {cert.number} of instrument {inst.id} ({inst.name}) is not valid "
                f"at the end of the evaluation period ({day}).",
                f"instruments[{j}].certificate",
            ))  # fmt: skip
    return out


def _cutoff_checks(study: Study, total: float) -> list[Deviation]:
    out: list[Deviation] = []
    if not study.excluded or total <= 0:
        return out
    for j, ex in enumerate(study.excluded):
        share = 100.0 * ex.estimate / total
        if share >= 1.0:
            out.append(Deviation(
                "deviation", "cutoff.single", "§5.1",
                f"舍弃环节“{ex.name}”约占产品碳足迹的 {share:.2g} %，不小于 1 %。",
                f"Omitted process '{ex.name}' is about {share:.2g} % of the footprint, not "
                "below 1 %.",
                f"excluded[{j}]",
            ))  # fmt: skip
    share_all = 100.0 * sum(ex.estimate for ex in study.excluded) / total
    if share_all > 5.0:
        out.append(Deviation(
            "deviation", "cutoff.total", "§5.1",
            f"舍弃环节合计约占产品碳足迹的 {share_all:.2g} %，超过 5 %。",
            f"All omitted processes together are about {share_all:.2g} % of the footprint, "
            "more than 5 %.",
            "excluded",
        ))  # fmt: skip
    return out


def _study_checks(study: Study, result: FootprintResult, full_gum: bool) -> list[Deviation]:
    out: list[Deviation] = []
    missing = [s for s in Stage if s not in study.boundary]
    if missing:
        out.append(Deviation(
            "note", "boundary.partial", "§4",
            "系统边界未包含：" + "、".join(s.zh for s in missing) + "。",
            "The system boundary leaves out: " + ", ".join(s.en for s in missing) + ".",
            "boundary",
        ))  # fmt: skip
    days = (study.period.end - study.period.start).days + 1
    if not 365 <= days <= 366:
        out.append(Deviation(
            "note", "period.not_year", "§9",
            f"评价周期为 {days} 天，规范建议为 1 年。",
            f"The evaluation period is {days} days; the specification recommends one year.",
            "period",
        ))  # fmt: skip
    if result.total.k != 2.0:
        out.append(Deviation(
            "deviation", "result.k", "§8, Table A.8",
            f"扩展不确定度的包含因子为 k = {result.total.k:g}，规范规定 k = 2。",
            f"The coverage factor is k = {result.total.k:g}; the specification fixes k = 2.",
        ))  # fmt: skip
    if full_gum:
        out.append(Deviation(
            "note", "uncertainty.factors_included", "§7",
            "第七部分另给出计入碳足迹因子等全部输入量不确定度的完整 GUM 评定；"
            "表 A.8 的结果仍按规范方法（仅活动数据不确定度）给出。",
            "Section 7 also gives a complete GUM evaluation that includes the uncertainty of the "
            "factors and all other inputs; the Table A.8 result follows the specification's "
            "method (activity data only).",
        ))  # fmt: skip
    return out


def find_deviations(
    study: Study,
    model: MeasurementModel,
    result: FootprintResult,
    *,
    full_gum: bool = False,
    covered: frozenset[str] = frozenset(),
    evaluation_date: dt.date | None = None,
) -> list[Deviation]:
    """All deviations found, deviations first, then notes, in study order.

    ``covered`` lists code prefixes (``instrument``, ``cutoff``, ``data``) already checked
    by the data-governance check: deviations with these prefixes are left to its findings
    (notes are kept).
    """
    found = (
        _activity_checks(study, model)
        + _instrument_checks(study)
        + _cutoff_checks(study, result.total.value)
        + _study_checks(study, result, full_gum)
    )
    found = [d for d in found if d.kind == "note" or d.code.split(".", 1)[0] not in covered]
    order = {"deviation": 0, "note": 1}
    return sorted(found, key=lambda d: order[d.kind])
