"""Use case: the semantic difference between two revisions and why the footprint moved.

Activities are matched by their ``id`` (then by stage and name), never by position; lists
of objects that carry an ``id`` (instruments, factors) are matched the same way.

>>> flatten({"a": {"b": 1}, "xs": [{"id": "p", "q": 2}], "t": [1, 2]})
{'a.b': 1, 'xs[p].q': 2, 't': [1, 2]}
"""

from __future__ import annotations

import json
import math
from typing import Any

from tanzuji.model import Stage
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.evaluation import evaluate_content
from tanzuji.store import UnitOfWork

__all__ = ["diff_revisions", "flatten"]


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    if items and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        keys = [i["id"] for i in items]
        if len(set(keys)) == len(keys):
            return {k: i for k, i in zip(keys, items, strict=True)}
    return None


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths → leaf values (lists of id-carrying objects keyed by id)."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out |= flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(data, list):
        keyed = _keyed(data)
        if keyed is not None:
            for k, v in keyed.items():
                rest = {kk: vv for kk, vv in v.items() if kk != "id"}
                out |= flatten(rest, f"{prefix}[{k}]")
            return out
        if any(isinstance(i, (dict, list)) for i in data):
            for i, v in enumerate(data):
                out |= flatten(v, f"{prefix}[{i}]")
            return out
    out[prefix] = data
    return out


def _changes(old: Any, new: Any) -> list[dict[str, Any]]:
    a, b = flatten(old), flatten(new)
    rows = []
    for path in sorted(set(a) | set(b)):
        if a.get(path, _NONE) != b.get(path, _NONE):
            rows.append({"path": path, "old": a.get(path), "new": b.get(path)})
    return rows


_NONE = object()


def _activity_key(act: dict[str, Any], i: int) -> str:
    if act.get("id"):
        return str(act["id"])
    name = act.get("name")
    if isinstance(name, dict):
        name = name.get("zh") or name.get("en")
    return f"{act.get('stage')}:{name}" if name else f"#{i}"


def _activities(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i, act in enumerate(content.get("activities", [])):
        key = _activity_key(act, i)
        while key in out:
            key += "'"
        out[key] = act
    return out


def _label(act: dict[str, Any]) -> dict[str, Any]:
    return {"id": act.get("id"), "stage": act.get("stage"), "name": act.get("name")}


def _delta(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    ov = old["value"] if old else 0.0
    nv = new["value"] if new else 0.0
    ou = old["u"] if old else 0.0
    nu = new["u"] if new else 0.0
    return {
        "old": old,
        "new": new,
        "delta": nv - ov,
        "u_delta": math.hypot(ou, nu),
    }


def diff_revisions(uow: UnitOfWork, actor: Actor, rev_a: str, rev_b: str) -> dict[str, Any]:
    """What changed from revision A to B: study fields, activities, stages and total.

    The uncertainty of a change treats the two results as uncorrelated
    (``u(Δ) = √(u_A² + u_B²)``), which is conservative when they share factors.
    """
    results = []
    with uow:
        org = resolve_org(uow, actor)
        revs = [uow.revisions.get(rev_a, org.id), uow.revisions.get(rev_b, org.id)]
        for rev in revs:
            ev = uow.evaluations.latest(rev.id)
            content = json.loads(rev.content)
            if ev is not None:
                result = json.loads(ev.result)
            else:
                libs = [json.loads(lib.content) for lib in uow.libraries.pinned(rev.id)]
                result = evaluate_content(content, libs).result
            results.append((rev.id, rev.created_at, content, result))
    (ida, ta, ca, ra), (idb, tb, cb, rb) = results
    acts_a, acts_b = _activities(ca), _activities(cb)
    changed = []
    for key in acts_a.keys() & acts_b.keys():
        fields = _changes(acts_a[key], acts_b[key])
        if fields:
            changed.append(_label(acts_b[key]) | {"key": key, "fields": fields})
    changed.sort(key=lambda c: c["key"])
    rest_a = {k: v for k, v in ca.items() if k != "activities"}
    rest_b = {k: v for k, v in cb.items() if k != "activities"}
    stages = []
    order = [st.value for st in Stage]
    names = sorted(
        {*ra["stages"], *rb["stages"]},
        key=lambda n: (n not in order, order.index(n) if n in order else 0, n),
    )
    for stage in names:
        sa, sb = ra["stages"].get(stage), rb["stages"].get(stage)
        if sa is None and sb is None:
            continue
        stages.append({"stage": stage} | _delta(sa, sb))
    ta_ = {"value": ra["total"]["value"], "u": ra["total"]["u"], "k": ra["total"]["k"]}
    tb_ = {"value": rb["total"]["value"], "u": rb["total"]["u"], "k": rb["total"]["k"]}
    total = _delta(ta_, tb_)
    k = tb_["k"]
    total["U_delta"] = k * total["u_delta"]
    total["significant"] = abs(total["delta"]) > total["U_delta"]
    return {
        "a": {"revision": ida, "time": ta},
        "b": {"revision": idb, "time": tb},
        "study": _changes(rest_a, rest_b),
        "activities": {
            "added": [_label(acts_b[k]) | {"key": k} for k in acts_b.keys() - acts_a.keys()],
            "removed": [_label(acts_a[k]) | {"key": k} for k in acts_a.keys() - acts_b.keys()],
            "changed": changed,
        },
        "stages": stages,
        "total": total,
    }
