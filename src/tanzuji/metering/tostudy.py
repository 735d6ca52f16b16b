"""Metered energy into a study: a NEW study file, the input never edited.

Groups with the roles ``grid``, ``green_trading`` and ``onsite`` become the three parts of the
Table A.4 manufacturing electricity (one ``electricity`` activity; an existing manufacturing
electricity activity is replaced, its id, name and factors kept); a billing meter that
reconciles exactly the meters of the three parts becomes its metered ``total``. Groups with
the role ``carrier`` (natural gas, steam, …) become flow activities with the group's factor.

Every meter enters through the study's named shared quantities (``quantities:``, the one
correlated-input mechanism of the measurement model), see :class:`_Declarations`: its
energy per functional unit with the u of its random part, ``meter.<id>``, referenced by
every site it feeds (``quantity: {ref: meter.<id>}``), and its systematic error as a
dimensionless correction multiplying those sites (``corrections: [meter.<id>.error]``, or
``calibration.<key>`` shared by the meters calibrated together plus ``meter.<id>.ct_pt``).
A group of several meters gives one site per meter (a carrier group one activity per meter;
a part of the split with several meters: the first in the split, each further one in an
electricity activity of its own). So each meter is one input, the full GUM and Monte Carlo
keep the correlation between the activities a meter feeds and between meters sharing a
calibration. Quantities are per functional unit: the energy × the allocation by output (the
mapping's ``allocation``, else the product's annual output). The mapping's register entries
are added to the study's.

The readings are kept content-addressed beside the new study, ``evidence/<sha256>.<ext>``,
and the full ingest (per-meter budgets, findings, file hashes) in
``<new study>.metering.json``; each activity's ``source`` names both.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.metering.budget import Aggregate
from tanzuji.metering.ingest import Evidence, IngestResult
from tanzuji.metering.mapping import GroupMapping

__all__ = [
    "EVIDENCE_DIR",
    "check_factor_units",
    "keep_evidence",
    "per_unit_factor",
    "study_with_metering",
]

EVIDENCE_DIR = "evidence"
_PART = {"grid": "grid", "green_trading": "green_trading", "onsite": "onsite"}


def per_unit_factor(result: IngestResult, product: dict[str, Any]) -> tuple[float, str]:
    """Factor from the period's energy to the energy per functional unit, and how."""
    alloc = result.mapping.allocation
    if alloc is not None:
        f = alloc.per_unit()
        names = ", ".join(f"{m.model} {m.output:g}" for m in alloc.models)
        return f, f"allocated by output ({names}); per unit of {alloc.product_model}"
    output = (product.get("annual_output") or {}).get("quantity")
    if not output:
        raise InputError(
            tr(
                "请在映射文件中给出 allocation，或在研究文件中给出 product.annual_output："
                "计量电量须分配到产品",
                "give allocation in the mapping or product.annual_output in the study: metered "
                "energy must be divided among the products",
            ),
            path="product.annual_output",
        )
    return 1.0 / float(output), f"divided by the annual output {float(output):g}"


def check_factor_units(result: IngestResult, factors: Any) -> None:
    """Each group's factor must take the group's unit (pint): kgCO2e/kWh for kWh, per Nm3
    for a gas meter in Nm3 (or m³), per GJ (or kWh) for heat; an error names the group."""
    from tanzuji.errors import UnitError
    from tanzuji.units import conversion_to_emission

    file = result.mapping_evidence.path if result.mapping_evidence else None
    aggs = {a.id: a for a in result.groups}
    for i, g in enumerate(result.mapping.groups):
        if not g.factor or g.id not in aggs:
            continue
        where = f"groups[{i}].factor"
        try:
            ef = factors.get(g.factor, path=where)
        except InputError as exc:
            raise exc.with_location(file=file, path=where) from None
        unit = aggs[g.id].unit
        try:
            conversion_to_emission([unit, ef.unit])
        except UnitError:
            raise InputError(
                tr(
                    f"组 {g.id!r} 的读数单位 {unit} 与排放因子 {g.factor!r} 的单位 {ef.unit} "
                    "不匹配",
                    f"group {g.id!r} reads {unit}, which factor {g.factor!r} ({ef.unit}) cannot "
                    "take",
                ),
                file=file,
                path=where,
            ) from None


def keep_evidence(result: IngestResult, target_dir: Path) -> list[Evidence]:
    """Copy each reading file (and the mapping) to ``target_dir/evidence/<sha256><ext>``."""
    folder = target_dir / EVIDENCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    kept = []
    files = list(result.evidence)
    if result.mapping_evidence is not None:
        files.append(result.mapping_evidence)
    for ev in files:
        src = Path(ev.path)
        ext = "".join(src.suffixes[-2:]) if src.name.endswith(".gz") else src.suffix
        dest = folder / f"{ev.sha256}{ext}"
        if not dest.exists():
            tmp = dest.with_name(dest.name + ".tmp")
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
        kept.append(Evidence(f"{EVIDENCE_DIR}/{dest.name}", ev.sha256, ev.size))
    return kept


def _source(group: GroupMapping, agg: Aggregate, meter: str, sidecar: str) -> str:
    meters = ", ".join(agg.meters)
    return (
        f"metered ({group.id}: {meters}; this site: {meter}), {agg.energy:.6g} {agg.unit} "
        f"± {agg.u:.3g} for the group over the period; tanzuji meter ingest, evidence in "
        f"{sidecar}"
    )


class _Declarations:
    """The shared quantities of the metered meters, declared on first use.

    Per meter ``meter.<id>``: its energy per functional unit with the standard uncertainty
    of its random part (resolution, gap filling, pro-rating). Its systematic error is a
    dimensionless correction (estimate 1) multiplying every site the meter feeds:
    ``meter.<id>.error`` (meter class ⊕ CT ⊕ PT) or, for meters sharing a calibration,
    ``calibration.<key>`` (the own-meter error, one input for all of them) and
    ``meter.<id>.ct_pt``. So full GUM and Monte Carlo see each meter once, and the meters
    of one calibration as correlated.
    """

    def __init__(self, result: IngestResult, scale: float, how: str, sidecar: str) -> None:
        self.result, self.scale, self.how, self.sidecar = result, scale, how, sidecar
        self.declared: dict[str, dict[str, Any]] = {}

    def _add(self, qid: str, entry: dict[str, Any]) -> None:
        self.declared.setdefault(qid, {"id": qid, **entry})

    def _correction(
        self, qid: str, u_rel: float, inst: str, zh: str, en: str, basis: str
    ) -> str | None:
        if u_rel <= 0:
            return None
        self._add(
            qid,
            {
                "name": {"zh": zh, "en": en},
                "quantity": 1.0,
                "unit": "1",
                "uncertainty": {"standard": u_rel, "basis": basis},
                "instrument": inst,
                "data_type": "onsite_measured",
                "source": f"tanzuji meter ingest; evidence in {self.sidecar}",
            },
        )
        return qid

    def site(self, meter: str) -> dict[str, Any]:
        """``{quantity: {ref: meter.<id>}, corrections: [...]}`` for a site the meter feeds."""
        r = self.result
        m = r.meter(meter)
        mm = r.mapping.meter(meter)
        qid = f"meter.{meter}"
        what_zh = "电能表" if m.unit == "kWh" else "计量表"
        self._add(
            qid,
            {
                "name": {
                    "zh": f"{what_zh} {meter} 计量值（每功能单位）",
                    "en": f"{'Energy' if m.unit == 'kWh' else 'Quantity'} metered by {meter} "
                    "(per functional unit)",
                },
                "quantity": m.energy * self.scale,
                "unit": m.unit,
                "uncertainty": {
                    "standard": m.u_random * self.scale,
                    "basis": (
                        f"metered: {m.energy:.6g} {m.unit} over the period, random part u = "
                        f"{m.u_random:.4g} {m.unit} (resolution {m.u_resolution:.3g}, gap "
                        f"filling {m.u_fill:.3g}, pro-rating {m.u_prorate:.3g}); the "
                        f"systematic part (u = {m.systematic.total:.4g} {m.unit}) is the "
                        f"correction in corrections; {self.how}"
                    ),
                },
                "instrument": m.instrument,
                "data_type": "onsite_measured",
                "source": f"tanzuji meter ingest; evidence in {self.sidecar}",
            },
        )
        corrections: list[str] = []
        e = abs(m.energy)
        if mm.calibration is None:
            c = self._correction(
                f"meter.{meter}.error",
                m.systematic.total / e if e else 0.0,
                m.instrument,
                f"计量表 {meter} 系统误差修正（准确度等级、CT/PT）",
                f"Systematic error of meter {meter} (class, CT/PT)",
                f"{m.basis_en}; fully correlated across the meter's readings",
            )
            corrections += [c] if c else []
        else:
            key = mm.calibration
            peers = [
                x
                for x in r.meters
                if r.mapping.meter(x.meter).calibration == key and abs(x.energy) > 0
            ]
            rel = [x.systematic.own / abs(x.energy) for x in peers]
            # one input for the calibration: exact when its meters have the same relative
            # own error (same class and load); otherwise the largest one, conservatively
            c = self._correction(
                f"calibration.{key}",
                max(rel, default=0.0),
                m.instrument,
                f"共同校准 {key} 的电能表自身误差修正",
                f"Own error of the meters calibrated together ({key})",
                f"meters {', '.join(x.meter for x in peers)} share calibration {key}: their "
                "own errors are fully correlated (the largest relative u of them)",
            )
            corrections += [c] if c else []
            c = self._correction(
                f"meter.{meter}.ct_pt",
                m.systematic.transformers / e if e else 0.0,
                m.instrument,
                f"电能表 {meter} 互感器（CT/PT）误差修正",
                f"CT/PT ratio error of meter {meter}",
                "CT/PT ratio errors by class, fully correlated across the meter's readings",
            )
            corrections += [c] if c else []
        out: dict[str, Any] = {"quantity": {"ref": qid}}
        if corrections:
            out["corrections"] = corrections
        return out


def study_with_metering(
    data: dict[str, Any], result: IngestResult, sidecar: str
) -> tuple[dict[str, Any], list[str]]:
    """A copy of the raw study ``data`` with the metered activities; the notes of what
    changed (for the user)."""
    new = json.loads(json.dumps(data, default=str))
    notes: list[str] = []
    scale, how = per_unit_factor(result, new.get("product") or {})
    register = {i["id"]: i for i in new.get("instruments") or []}
    added = []
    for mm in result.mapping.meters:
        inst = result.register[mm.instrument]
        if inst.id not in register:
            entry = inst.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            entry.setdefault("kind", inst.kind.value)
            register[inst.id] = entry
            added.append(inst.id)
    if register:
        new["instruments"] = list(register.values())
    if added:
        notes.append(f"instruments added: {', '.join(added)}")
    activities: list[dict[str, Any]] = list(new.get("activities") or [])
    decl = _Declarations(result, scale, how, sidecar)
    aggs = {a.id: a for a in result.groups}
    parts: dict[str, list[dict[str, Any]]] = {}
    for g in result.mapping.groups:
        agg = aggs[g.id]
        if g.role in _PART:
            for meter in agg.meters:
                part: dict[str, Any] = {
                    **decl.site(meter),
                    "data_type": "onsite_measured",
                    "source": _source(g, agg, meter, sidecar),
                }
                if g.factor:
                    part["factor"] = g.factor
                parts.setdefault(_PART[g.role], []).append(part)
        elif g.role == "carrier":
            if not g.factor:
                raise InputError(
                    tr(
                        f"组 {g.id!r}（能源 {g.carrier}）须给出 factor 才能成为活动数据",
                        f"group {g.id!r} (carrier {g.carrier}) needs a factor to become an "
                        "activity",
                    ),
                    path=f"groups[{g.id}].factor",
                )
            for meter in agg.meters:
                single = len(agg.meters) == 1
                name = g.name or g.carrier
                act = {
                    "id": f"metered-{g.id}" if single else f"metered-{g.id}-{meter}",
                    "stage": "manufacturing",
                    "name": {
                        "zh": name if single else f"{name}（{meter}）",
                        "en": name if single else f"{name} ({meter})",
                    },
                    **decl.site(meter),
                    "unit": result.meter(meter).unit,
                    "data_type": "onsite_measured",
                    "factor": g.factor,
                    "source": _source(g, agg, meter, sidecar),
                }
                activities = [a for a in activities if a.get("id") != act["id"]]
                activities.append(act)
                notes.append(f"activity {act['id']} ({g.carrier})")
    if parts:
        activities = _electricity(activities, parts, result, decl, sidecar, notes)
    new["activities"] = activities
    if decl.declared:
        kept = [q for q in new.get("quantities") or [] if q.get("id") not in decl.declared]
        new["quantities"] = kept + list(decl.declared.values())
    return new, notes


def _electricity(
    activities: list[dict[str, Any]],
    parts_by_role: dict[str, list[dict[str, Any]]],
    result: IngestResult,
    decl: _Declarations,
    sidecar: str,
    notes: list[str],
) -> list[dict[str, Any]]:
    """One Table A.4 split with the first meter of each part; each further meter of a part
    (a group of several meters) is a split of its own, so every meter stays one input."""
    parts = {key: sites[0] for key, sites in parts_by_role.items()}
    existing = next(
        (
            i
            for i, a in enumerate(activities)
            if a.get("stage") == "manufacturing"
            and (a.get("kind") == "electricity" or {"grid", "green_trading", "onsite"} & a.keys())
        ),
        None,
    )
    act: dict[str, Any]
    if existing is not None:
        old = activities[existing]
        act = {k: old[k] for k in ("id", "stage", "process", "name", "note") if k in old}
        for key, part in parts.items():
            if "factor" not in part:
                prev = old.get(key) or {}
                if "factor" not in prev:
                    raise InputError(
                        tr(
                            f"{key} 部分缺少排放因子：请在电能表组上给出 factor",
                            f"the {key} part needs a factor: give it on the meter group",
                        ),
                        path=f"activities[{existing}].{key}.factor",
                    )
                part["factor"] = prev["factor"]
        notes.append(
            f"activity {act.get('id', f'activities[{existing}]')} replaced by metered data"
        )
    else:
        act = {
            "id": "metered-electricity",
            "stage": "manufacturing",
            "name": {"zh": "生产用电（计量）", "en": "Production electricity (metered)"},
        }
        for key, part in parts.items():
            if "factor" not in part:
                raise InputError(
                    tr(
                        f"{key} 部分缺少排放因子：请在电能表组上给出 factor",
                        f"the {key} part needs a factor: give it on the meter group",
                    ),
                    path="groups",
                )
        notes.append("activity metered-electricity added")
    for key, sites in parts_by_role.items():
        for site in sites[1:]:
            site.setdefault("factor", parts[key]["factor"])
    act["kind"] = "electricity"
    act["unit"] = "kWh"
    act["data_type"] = "onsite_measured"
    act["source"] = f"tanzuji meter ingest; evidence in {sidecar}"
    # a billing meter is the split's metered total only when it covers every part's meters
    # (on-site generation usually bypasses it; then the reconciliation finding is all)
    part_meters = {m for g in result.mapping.groups if g.role in _PART for m in g.meters}
    billing = [m for m in result.mapping.meters if m.reconcile and set(m.reconcile) == part_meters]
    one_split = all(len(sites) == 1 for sites in parts_by_role.values())
    if billing and one_split:
        site = decl.site(billing[0].id)
        act["total"] = {"ref": site["quantity"]["ref"], "unit": "kWh"}
        if "corrections" in site:
            act["total"]["corrections"] = site["corrections"]
    act.update(parts)
    if existing is not None:
        activities = [*activities[:existing], act, *activities[existing + 1 :]]
    else:
        activities.append(act)
    base = str(act.get("id", "metered-electricity"))
    for key, sites in parts_by_role.items():
        for site in sites[1:]:
            meter = site["quantity"]["ref"].removeprefix("meter.")
            extra = {
                "id": f"{base}-{meter}",
                "stage": "manufacturing",
                "kind": "electricity",
                "name": {
                    "zh": f"生产用电（计量，{meter}）",
                    "en": f"Production electricity (metered, {meter})",
                },
                "unit": "kWh",
                "data_type": "onsite_measured",
                "source": f"tanzuji meter ingest; evidence in {sidecar}",
                key: site,
            }
            if "process" in act:
                extra["process"] = act["process"]
            activities = [a for a in activities if a.get("id") != extra["id"]]
            activities.append(extra)
            notes.append(f"activity {extra['id']} added (meter {meter} of the {key} part)")
    return activities
