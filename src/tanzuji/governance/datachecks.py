"""Checks on every activity-data quantity of a study: instrument references, primary data
where the specification requires it (§4), uncertainty evaluated, sources of secondary data.

>>> from tanzuji.model import Study
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "activities": [{"stage": "manufacturing", "name": "电", "quantity": 1, "unit": "kWh",
...         "factor": "g", "data_type": "financial_settlement", "instrument": "EM-9",
...         "uncertainty": {"relative": "1 %"}, "source": "电费结算单"}]})
>>> [(f.level.value, f.code, f.path) for f in check_quantities(study)]
[('error', 'instrument.unknown', 'activities[0].instrument'),
 ('error', 'data.secondary_in_manufacturing', 'activities[0]')]
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tanzuji.calculation.compile import SUPPLY_PART_LABELS, SUPPLY_PART_LABELS_EN
from tanzuji.errors import UnitError
from tanzuji.governance.findings import Finding
from tanzuji.metrology.instrument_u import NotDerivableError
from tanzuji.metrology.measurement import derived_uncertainty
from tanzuji.model import (
    Activity,
    DataType,
    ElectricitySupply,
    Instrument,
    InstrumentKind,
    Measured,
    Operation,
    Stage,
    Study,
    Transport,
)
from tanzuji.model.derived import GasStandardVolume, RegisterDifference, parse_ratio
from tanzuji.units import parse_unit, to_unit

__all__ = ["QuantitySlot", "check_quantities", "iter_quantities"]


@dataclass(frozen=True)
class QuantitySlot:
    """One activity-data quantity of a study, with what the checks need to know."""

    path: str
    label: str
    stage: Stage
    role: str  # activity | distance
    obj: Any  # the Activity / Measured / EnergyUse / SupplyPart holding it
    value: float
    unit: str
    data_type: DataType
    has_uncertainty: bool
    source: str | None
    instruments: tuple[tuple[str, str], ...]  # (path, id) of every instrument reference
    metered_total: bool = False
    """A part of an electricity split whose total is metered primary data (Table A.4)."""
    label_en: str = ""
    """The English label (the activity's ``name.en``); ``label`` is the Chinese one."""

    @property
    def en(self) -> str:
        """The label for English messages."""
        return self.label_en or self.label


def _refs(obj: Any, path: str) -> list[tuple[str, str]]:
    """(path, id) of every instrument a quantity names; a block's own references first,
    since the quantity's ``instrument`` may have been filled in from them."""
    refs = []
    calc = getattr(obj, "calculated", None)
    if isinstance(calc, GasStandardVolume):
        for name in ("volume", "pressure", "temperature", "atmospheric_pressure"):
            r = getattr(calc, name)
            if r is not None and r.instrument:
                refs.append((f"{path}.calculated.{name}.instrument", r.instrument))
    elif calc is not None and calc.instrument:
        refs.append((f"{path}.calculated.instrument", calc.instrument))
    alloc = getattr(obj, "allocation", None)
    if alloc is not None and alloc.instrument:
        refs.append((f"{path}.allocation.instrument", alloc.instrument))
    for k, cand in enumerate(getattr(obj, "candidates", ())):
        if cand.instrument:
            refs.append((f"{path}.candidates[{k}].instrument", cand.instrument))
    own = getattr(obj, "instrument", None)
    if own and own not in {ref for _, ref in refs}:
        refs.append((f"{path}.instrument", own))
    return refs


def _measured(
    m: Measured,
    path: str,
    label: str,
    stage: Stage,
    role: str,
    default: DataType,
    source: str | None,
    label_en: str = "",
) -> QuantitySlot:
    return QuantitySlot(
        path,
        label,
        stage,
        role,
        m,
        m.quantity,
        m.unit,
        m.data_type or default,
        m.uncertainty is not None,
        m.source or source,
        tuple(_refs(m, path)),
        label_en=label_en,
    )


def iter_quantities(study: Study) -> Iterator[QuantitySlot]:
    """Every activity-data quantity (and transport distance) of the study."""
    for i, act in enumerate(study.activities):
        p = f"activities[{i}]"
        label = act.name.pick("zh")
        en = act.name.pick("en")
        st = act.stage
        if isinstance(act, Activity):
            yield QuantitySlot(
                p,
                label,
                st,
                "activity",
                act,
                act.quantity,
                act.unit,
                act.data_type,
                act.uncertainty is not None,
                act.source,
                tuple(_refs(act, p)),
                label_en=en,
            )
        elif isinstance(act, Transport):
            if act.energy is not None:
                for j, use in enumerate(act.energy):
                    q = f"{p}.energy[{j}]"
                    yield QuantitySlot(
                        q,
                        f"{label} · {use.carrier}",
                        st,
                        "activity",
                        use,
                        use.quantity,
                        use.unit,
                        use.data_type or act.data_type,
                        use.uncertainty is not None,
                        act.source,
                        tuple(_refs(use, q)),
                        label_en=f"{en} · {use.carrier}",
                    )
            else:
                assert act.mass is not None and act.distance is not None
                yield _measured(
                    act.mass, f"{p}.mass", label, st, "activity", act.data_type, act.source, en
                )
                yield _measured(
                    act.distance,
                    f"{p}.distance",
                    label,
                    st,
                    "distance",
                    act.data_type,
                    act.source,
                    en,
                )
        elif isinstance(act, ElectricitySupply):
            if act.total is not None:  # checked for its instrument only
                yield _measured(
                    act.total, f"{p}.total", label, st, "total", act.data_type, act.source, en
                )
            for part_name in ("grid", "green_trading", "onsite"):
                part = getattr(act, part_name)
                if part is not None:
                    q = f"{p}.{part_name}"
                    yield QuantitySlot(
                        q,
                        f"{label} · {SUPPLY_PART_LABELS[part_name]}",
                        st,
                        "activity",
                        part,
                        part.quantity,
                        act.unit,
                        part.data_type or act.data_type,
                        part.uncertainty is not None,
                        part.source or act.source,
                        tuple(_refs(part, q)),
                        metered_total=act.total is not None
                        and (act.total.data_type or act.data_type).primary,
                        label_en=f"{en} · {SUPPLY_PART_LABELS_EN[part_name]}",
                    )
        elif isinstance(act, Operation):
            yield _measured(
                act.power, f"{p}.power", label, st, "activity", act.data_type, act.source, en
            )
            yield _measured(
                act.duration, f"{p}.duration", label, st, "activity", act.data_type, act.source, en
            )


_ONSITE = (DataType.ONSITE_MEASURED, DataType.ONSITE_CALCULATED)


def _slot_findings(slot: QuantitySlot, study: Study) -> list[Finding]:
    out: list[Finding] = []
    register = {inst.id: inst for inst in study.instruments}
    known = [(p, ref) for p, ref in slot.instruments if ref in register]
    for path, ref in slot.instruments:
        if ref not in register:
            out.append(
                Finding.error(
                    "instrument.unknown",
                    "§6.1 Table 3",
                    f"“{slot.label}”引用的计量器具 {ref} 不在器具清单（表 A.2）中",
                    f"{slot.en!r} refers to instrument {ref!r}, which is not in the instrument "
                    "register (Table A.2)",
                    path,
                )
            )
    out.extend(_ratio_findings(slot, register))
    if slot.role == "total":
        return out
    dt_ = slot.data_type
    mfg = slot.stage is Stage.MANUFACTURING
    if mfg and not dt_.primary and slot.metered_total:
        out.append(
            Finding.warning(
                "data.secondary_split_in_manufacturing",
                "§4",
                f"生产制造阶段“{slot.label}”按次级数据（{dt_.zh}）从计量总电量中拆分",
                f"manufacturing datum {slot.en!r} splits the metered total by secondary "
                f"data ({dt_.en}); the consumption itself is measured",
                slot.path,
            )
        )
    elif mfg and not dt_.primary:
        out.append(
            Finding.error(
                "data.secondary_in_manufacturing",
                "§4",
                f"生产制造阶段“{slot.label}”使用了次级数据（{dt_.zh}）；应采用通过计量得到的初级数据",
                f"manufacturing datum {slot.en!r} is secondary data ({dt_.en}); the "
                "manufacturing stage must use measured primary data",
                slot.path,
            )
        )
    elif mfg and dt_ is DataType.OFFSITE:
        out.append(
            Finding.warning(
                "data.offsite_in_manufacturing",
                "§4",
                f"生产制造阶段“{slot.label}”使用了非现场数据；应采用本产品系统内的计量数据",
                f"manufacturing datum {slot.en!r} is off-site data; the manufacturing stage "
                "should be measured within this product system",
                slot.path,
            )
        )
    if dt_ in _ONSITE and not slot.instruments:
        out.append(
            Finding.warning(
                "data.primary_without_instrument",
                "§6.1 Table 3",
                f"现场数据“{slot.label}”未注明计量器具",
                f"on-site datum {slot.en!r} names no measuring instrument",
                slot.path,
            )
        )
    if not dt_.primary and not slot.source:
        out.append(
            Finding.warning(
                "data.secondary_no_source",
                "§6.2",
                f"次级数据“{slot.label}”未注明数据来源",
                f"secondary datum {slot.en!r} does not state its source",
                slot.path,
            )
        )
    derived = None
    if not slot.has_uncertainty:
        try:
            derived = derived_uncertainty(slot.obj, slot.value, slot.unit, register)
        except NotDerivableError as exc:
            out.append(
                Finding.warning(
                    "uncertainty.not_derivable",
                    "§6.1",
                    f"“{slot.label}”的不确定度无法由计量器具导出：{exc.zh}",
                    f"the uncertainty of {slot.en!r} cannot be derived: {exc.en}",
                    slot.path,
                )
            )
        if derived is not None and derived.missing:
            out.append(
                Finding.warning(
                    "uncertainty.incomplete",
                    "JJF 1059.1",
                    f"“{slot.label}”的计算输入缺少不确定度：{', '.join(derived.missing)}",
                    f"inputs of {slot.en!r} without uncertainty (counted as 0): "
                    f"{', '.join(derived.missing)}",
                    slot.path,
                )
            )
        if derived is None and slot.role in ("activity", "distance"):
            # a transport leg's distance is activity data too (t·km): without its
            # uncertainty it counts with u = 0 just as silently as the mass would
            level = Finding.error if mfg else Finding.warning
            what_zh, what_en = (
                ("的运输距离", "the distance of ") if slot.role == "distance" else ("", "")
            )
            out.append(
                level(
                    "data.no_uncertainty",
                    "§4",
                    f"“{slot.label}”{what_zh}未评定测量不确定度",
                    f"no measurement uncertainty is evaluated for {what_en}{slot.en!r}",
                    slot.path,
                )
            )
    for _path, ref in known:
        inst = register[ref]
        if (
            inst.kind is InstrumentKind.SCALE_NONAUTOMATIC
            and inst.max_capacity
            and inst.capacity_unit
            and getattr(slot.obj, "instrument", None) == ref
            and getattr(slot.obj, "allocation", None) is None
        ):
            try:
                load = to_unit(slot.value, slot.unit, inst.capacity_unit)
            except (UnitError, ValueError):
                continue  # reported by the uncertainty warning
            if load > inst.max_capacity:
                out.append(
                    Finding.warning(
                        "instrument.over_capacity",
                        "§6.1 Table 3",
                        f"“{slot.label}”{slot.value:g} {slot.unit} 超过衡器 {ref} 的最大秤量",
                        f"{slot.en!r} ({slot.value:g} {slot.unit}) exceeds the Max of scale "
                        f"{ref} ({inst.max_capacity:g} {inst.capacity_unit}); a single weighing "
                        "cannot give it",
                        slot.path,
                    )
                )
    return out


def _ratio_findings(slot: QuantitySlot, register: dict[str, Instrument]) -> list[Finding]:
    """A register-difference calculation whose CT/PT ratio differs from the register's."""
    calc = getattr(slot.obj, "calculated", None)
    if not isinstance(calc, RegisterDifference) or calc.instrument not in register:
        return []
    inst = register[calc.instrument]
    out = []
    for name, used, listed in (
        ("ct_ratio", calc.ct_ratio, inst.ct_ratio),
        ("pt_ratio", calc.pt_ratio, inst.pt_ratio),
    ):
        if listed is not None and not math.isclose(parse_ratio(used), parse_ratio(listed)):
            out.append(
                Finding.warning(
                    "instrument.ratio_mismatch",
                    "Table A.2",
                    f"“{slot.label}”计算所用 {name} {used} 与器具 {inst.id} 登记的 {listed} 不一致",
                    f"{slot.en!r} uses {name} {used}, but instrument {inst.id} lists {listed}",
                    f"{slot.path}.calculated.{name}",
                )
            )
    return out


def _julian(unit: str) -> bool:
    """Whether a time unit is pint's Julian year or month (8 766 h, 730.5 h)."""
    try:
        parsed = parse_unit(unit)
    except UnitError:
        return False
    names = {str(name) for name in getattr(parsed, "_units", {})}
    return bool(names & {"year", "month", "julian_year", "common_year"})


def duration_findings(study: Study) -> list[Finding]:
    """A warning for every use-stage duration written in years or months.

    pint's ``year`` is the Julian year (8 766 h); a service life of 8 years operating all
    year is 8 × 8 760 h. ``service_life`` × ``hours_per_year`` says it explicitly.
    """
    out = []
    for i, act in enumerate(study.activities):
        if not isinstance(act, Operation) or act.service_life is not None:
            continue
        if _julian(act.duration.unit):
            hours = to_unit(act.duration.quantity, act.duration.unit, "h")
            out.append(
                Finding.warning(
                    "duration.calendar_year",
                    "§7 formula (15)",
                    f"运行时间以 {act.duration.unit} 给出，按儒略年换算为 {hours:.6g} h（1 年 = "
                    "8766 h）；使用寿命请写 service_life（年）× hours_per_year（默认 8760 h）",
                    f"the duration in {act.duration.unit} is converted with the Julian year to "
                    f"{hours:.6g} h (1 year = 8766 h); for a service life write service_life "
                    "(years) × hours_per_year (default 8760 h)",
                    f"activities[{i}].duration.unit",
                )
            )
    return out


def check_quantities(study: Study) -> list[Finding]:
    """Findings for every activity-data quantity, plus unused instruments and shared
    quantities (info) and durations in Julian years (warning)."""
    out: list[Finding] = duration_findings(study)
    used: set[str] = set()
    for slot in iter_quantities(study):
        out.extend(_slot_findings(slot, study))
        used.update(ref for _, ref in slot.instruments)
    for j, inst in enumerate(study.instruments):
        if inst.id not in used:
            out.append(
                Finding.info(
                    "instrument.unused",
                    "Table A.2",
                    f"计量器具 {inst.id} 未被任何活动数据引用",
                    f"instrument {inst.id} is not referenced by any activity datum",
                    f"instruments[{j}]",
                )
            )
    out.extend(_unused_quantities(study))
    return out


def _unused_quantities(study: Study) -> list[Finding]:
    if not study.quantities:
        return []
    used: set[str] = set()
    for act in study.activities:
        for site in _sites(act):
            if site.ref:
                used.add(site.ref)
            used.update(site.corrections)
    return [
        Finding.info(
            "quantity.unused",
            "—",
            f"共享量 {q.id} 未被任何活动引用",
            f"shared quantity {q.id} is not referenced by any activity",
            f"quantities[{j}]",
        )
        for j, q in enumerate(study.quantities)
        if q.id not in used
    ]


def _sites(act: Any) -> list[Any]:
    """Every place of an activity that may refer to a shared quantity."""
    out: list[Any] = [act] if isinstance(act, Activity) else []
    for name in ("mass", "distance", "power", "duration", "total", *_PARTS):
        site = getattr(act, name, None)
        if site is not None:
            out.append(site)
    out.extend(getattr(act, "energy", None) or ())
    return out


_PARTS = ("grid", "green_trading", "onsite")
