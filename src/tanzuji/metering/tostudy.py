"""Metered energy into a study: a NEW study file, the input never edited.

Groups with the roles ``grid``, ``green_trading`` and ``onsite`` become the three parts of the
Table A.4 manufacturing electricity (one ``electricity`` activity; an existing manufacturing
electricity activity is replaced, its id, name and factors kept); a billing meter that
reconciles exactly the meters of the three parts becomes its metered ``total``. Groups with
the role ``carrier`` (natural gas, steam, …) become flow activities with the group's factor.

A meter's systematic error is expressed through the study's named shared quantities
(``quantities:``, the correlated-input mechanism of the measurement model): every meter that
alone makes up a group (and a billing meter) is declared once, ``meter.<id>``, with its
energy per functional unit, its standard uncertainty, its register entry and data type, and
each activity it feeds says ``quantity: {ref: meter.<id>}`` — one input per meter, so the
full GUM and Monte Carlo keep the correlation between the activities it feeds. A group of
several meters is written as its sum with the group's u (the correlation of meters sharing a
calibration already inside it). Quantities are per
functional unit: the group's energy × the allocation by output (the mapping's ``allocation``,
else the product's annual output). Each quantity carries the metered standard uncertainty and
the meter's register entry; the mapping's register entries are added to the study's.

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

__all__ = ["EVIDENCE_DIR", "keep_evidence", "per_unit_factor", "study_with_metering"]

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


def _source(group: GroupMapping, agg: Aggregate, sidecar: str) -> str:
    meters = ", ".join(agg.meters)
    return (
        f"metered ({group.id}: {meters}), {agg.energy:.6g} {agg.unit} ± {agg.u:.3g} over the "
        f"period; tanzuji meter ingest, evidence in {sidecar}"
    )


def _u_basis(agg: Aggregate, how: str) -> str:
    return (
        f"metered: u = {agg.u:.4g} {agg.unit} for the period (systematic {agg.u_systematic:.4g}, "
        f"resolution/gap-fill {agg.u_random:.4g}); {how}"
    )


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
    declared: dict[str, dict[str, Any]] = {}
    groups = {g.id: g for g in result.mapping.groups}
    aggs = {a.id: a for a in result.groups}
    parts: dict[str, dict[str, Any]] = {}
    for gid, g in groups.items():
        agg = aggs[gid]
        meter_inst = result.mapping.meter(g.meters[0]).instrument
        value = _value(agg, g, meter_inst, scale, how, sidecar, declared, result)
        if g.role in _PART:
            part: dict[str, Any] = {**value, "source": _source(g, agg, sidecar)}
            if g.factor:
                part["factor"] = g.factor
            parts[_PART[g.role]] = part
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
            act = {
                "id": f"metered-{g.id}",
                "stage": "manufacturing",
                "name": {"zh": g.name or g.carrier, "en": g.name or g.carrier},
                **value,
                "unit": agg.unit,
                "factor": g.factor,
                "source": _source(g, agg, sidecar),
            }
            activities = [a for a in activities if a.get("id") != act["id"]]
            activities.append(act)
            notes.append(f"activity {act['id']} ({g.carrier})")
    if parts:
        activities = _electricity(activities, parts, result, scale, how, sidecar, declared, notes)
    new["activities"] = activities
    if declared:
        kept = [q for q in new.get("quantities") or [] if q.get("id") not in declared]
        new["quantities"] = kept + list(declared.values())
    return new, notes


def _declare(
    result: IngestResult,
    meter: str,
    scale: float,
    how: str,
    sidecar: str,
    declared: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """``{ref: meter.<id>}``, declaring the meter's shared quantity on first use."""
    m = result.meter(meter)
    qid = f"meter.{meter}"
    if qid not in declared:
        declared[qid] = {
            "id": qid,
            "name": {
                "zh": f"电能表 {meter} 计量电量（每功能单位）",
                "en": f"Energy metered by {meter} (per functional unit)",
            },
            "quantity": m.energy * scale,
            "unit": m.unit,
            "uncertainty": {
                "standard": m.u * scale,
                "basis": f"metered: u = {m.u:.4g} {m.unit} for the period; {m.basis_en}; {how}",
            },
            "instrument": m.instrument,
            "data_type": "onsite_measured",
            "source": f"tanzuji meter ingest; evidence in {sidecar}",
        }
    return {"quantity": {"ref": qid}}


def _value(
    agg: Aggregate,
    g: GroupMapping,
    inst: str,
    scale: float,
    how: str,
    sidecar: str,
    declared: dict[str, dict[str, Any]],
    result: IngestResult,
) -> dict[str, Any]:
    if len(agg.meters) == 1:
        return {
            **_declare(result, agg.meters[0], scale, how, sidecar, declared),
            "data_type": "onsite_measured",
        }
    return {
        "quantity": agg.energy * scale,
        "uncertainty": {"standard": agg.u * scale, "basis": _u_basis(agg, how)},
        "instrument": inst,
        "data_type": "onsite_measured",
    }


def _electricity(
    activities: list[dict[str, Any]],
    parts: dict[str, dict[str, Any]],
    result: IngestResult,
    scale: float,
    how: str,
    sidecar: str,
    declared: dict[str, dict[str, Any]],
    notes: list[str],
) -> list[dict[str, Any]]:
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
    act["kind"] = "electricity"
    act["unit"] = "kWh"
    act["data_type"] = "onsite_measured"
    act["source"] = f"tanzuji meter ingest; evidence in {sidecar}"
    # a billing meter is the split's metered total only when it covers every part's meters
    # (on-site generation usually bypasses it; then the reconciliation finding is all)
    part_meters = {m for g in result.mapping.groups if g.role in _PART for m in g.meters}
    billing = [m for m in result.mapping.meters if m.reconcile and set(m.reconcile) == part_meters]
    if billing:
        ref = _declare(result, billing[0].id, scale, how, sidecar, declared)
        act["total"] = {"ref": ref["quantity"]["ref"], "unit": "kWh"}
    act.update(parts)
    if existing is not None:
        activities = [*activities[:existing], act, *activities[existing + 1 :]]
    else:
        activities.append(act)
    return activities
