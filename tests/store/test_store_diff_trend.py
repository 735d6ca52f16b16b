"""diff (semantic, matched by id) and trend (per year and model) on both backends."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tanzuji.errors import InputError, NotFoundError
from tanzuji.model import Stage
from tanzuji.services import Actor, save_study
from tanzuji.services.diff import diff_revisions
from tanzuji.services.trend import plot_trend, trend
from tanzuji.store import Store, UnitOfWork
from tanzuji.studyfiles import evaluate_file

from .conftest import SP, TP
from .helpers import PCB_NEW, PCB_OLD, variant


def _reordered_with_changes(tmp_path: Path) -> Path:
    """The single-phase study with the two first activities swapped (same ids), one
    quantity changed, one activity removed and one added."""
    import yaml

    data = yaml.safe_load(SP.read_text(encoding="utf-8"))
    acts = data["activities"]
    pcb = next(a for a in acts if a.get("id") == "pcb")
    pcb["quantity"] = 0.0150
    acts.remove(next(a for a in acts if a.get("id") == "varistors"))
    acts.insert(0, acts.pop(acts.index(pcb)))  # move it to the front
    extra = dict(next(a for a in acts if a.get("id") == "screws"))
    extra["id"] = "screws-extra"
    acts.append(extra)
    d = tmp_path / "re"
    d.mkdir()
    out = d / "study.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def test_diff_matches_activities_by_id_and_explains_the_change(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    a = save_study(UnitOfWork(store), actor, SP)
    changed = _reordered_with_changes(tmp_path)
    b = save_study(UnitOfWork(store), actor, changed)
    d = diff_revisions(UnitOfWork(store, write=False), actor, a.revision_id, b.revision_id[:10])
    acts = d["activities"]
    assert [x["key"] for x in acts["added"]] == ["screws-extra"]
    assert [x["key"] for x in acts["removed"]] == ["varistors"]
    # Moving pcb to the front is not a change; its quantity is.
    assert [(c["key"], c["fields"]) for c in acts["changed"]] == [
        ("pcb", [{"path": "quantity", "old": 0.0135, "new": 0.015}])
    ]
    assert d["study"] == []
    # Stage and total changes equal the difference of two independent evaluations.
    _, ra = evaluate_file(SP)
    _, rb = evaluate_file(changed)
    t = d["total"]
    assert t["delta"] == rb.total.value - ra.total.value
    assert t["u_delta"] == pytest.approx(math.hypot(ra.total.u, rb.total.u), rel=1e-12)
    raw = next(s for s in d["stages"] if s["stage"] == "raw_materials")
    rs = Stage.RAW_MATERIALS
    assert raw["delta"] == rb.stages[rs].value - ra.stages[rs].value  # type: ignore[union-attr]
    assert d["stages"][0]["stage"] == "raw_materials"


def test_diff_of_study_fields(store: Store, actor: Actor, tmp_path: Path) -> None:
    a = save_study(UnitOfWork(store), actor, SP)
    b = save_study(
        UnitOfWork(store),
        actor,
        variant(tmp_path, "p", "place: 示例电表制造有限公司 生产基地", "place: 新基地"),
    )
    d = diff_revisions(UnitOfWork(store, write=False), actor, a.revision_id, b.revision_id)
    assert d["study"] == [
        {"path": "place", "old": "示例电表制造有限公司 生产基地", "new": "新基地"}
    ]
    assert d["total"]["delta"] == 0.0 and not d["total"]["significant"]


def test_trend_per_year_and_model(store: Store, actor: Actor, tmp_path: Path) -> None:
    save_study(UnitOfWork(store), actor, SP)
    newer = variant(tmp_path, "n", PCB_OLD, PCB_NEW)
    latest = save_study(UnitOfWork(store), actor, newer)  # same study, same year: replaces
    y2024 = variant(tmp_path, "y", "id: EX-SP-2025\n", "id: EX-SP-2024\n")
    y2024.write_text(
        y2024.read_text(encoding="utf-8").replace("period: 2025", "period: 2024"), encoding="utf-8"
    )
    old = save_study(UnitOfWork(store), actor, y2024)
    save_study(UnitOfWork(store), actor, TP)
    pts = trend(UnitOfWork(store, write=False), actor, "DDZY-X1（示例）")
    assert [(p["year"], p["revision"]) for p in pts] == [
        (2024, old.revision_id),
        (2025, latest.revision_id),
    ]
    assert pts[1]["U"] == latest.total_k * latest.total_u  # type: ignore[operator]
    both = trend(UnitOfWork(store, write=False), actor, "电能表")
    assert sorted({p["model"] for p in both}) == ["DDZY-X1（示例）", "DTZY-X3（示例）"]
    with pytest.raises(NotFoundError):
        trend(UnitOfWork(store, write=False), actor, "no such meter")
    svg = tmp_path / "t.svg"
    plot_trend(pts, svg, "trend")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(InputError):
        plot_trend(pts, tmp_path / "t.pdf", "trend")


def test_certificates_expiring_within_n_days(store: Store, actor: Actor) -> None:
    import datetime as dt

    from tanzuji.services import expiring_certificates

    save_study(UnitOfWork(store), actor, SP)
    today = dt.date(2025, 12, 31)
    # From the example's register: SC-01 and SC-02 valid until 2026-01-05 (current
    # certificates; their 2025-01-07 predecessors are history), FD-01 until 2026-02-09.
    rows = expiring_certificates(UnitOfWork(store, write=False), actor, 5, today)
    assert [r["instrument"] for r in rows] == ["SC-01", "SC-02"]
    rows = expiring_certificates(UnitOfWork(store, write=False), actor, 40, today)
    assert [(r["instrument"], r["valid_until"]) for r in rows] == [
        ("SC-01", "2026-01-05"),
        ("SC-02", "2026-01-05"),
        ("FD-01", "2026-02-09"),
    ]
    assert expiring_certificates(UnitOfWork(store, write=False), actor, 4, today) == []
