"""save / history / show / reproduce on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from tanzuji.errors import ConflictError, NotFoundError
from tanzuji.services import (
    Actor,
    evaluate_revision,
    history,
    reproduce_evaluation,
    save_study,
    show_revision,
)
from tanzuji.store import Store, UnitOfWork
from tanzuji.studyfiles import evaluate_file

from .conftest import SP, TP
from .helpers import PCB_NEW, PCB_OLD, variant


def _uow(store: Store, write: bool = True) -> UnitOfWork:
    return UnitOfWork(store, write=write)


def test_save_stores_revision_and_its_evaluation(store: Store, actor: Actor) -> None:
    res = save_study(_uow(store), actor, SP, message="first")
    assert res.created and res.seq == 1 and res.parent_id is None
    # The stored result is the file's own evaluation (second path: studyfiles.evaluate_file).
    _, direct = evaluate_file(SP)
    assert res.total_value == direct.total.value
    assert res.total_u == direct.total.u
    view = show_revision(_uow(store, False), actor, res.revision_id[:10])
    assert view.revision["id"] == res.revision_id
    assert view.revision["message"] == "first"
    assert view.revision["source_sha256"] == hashlib.sha256(SP.read_bytes()).hexdigest()
    content = json.dumps(view.study, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert view.revision["content_sha256"] == hashlib.sha256(content.encode()).hexdigest()
    assert {lib["library"] for lib in view.libraries} >= {"tanzuji-materials"}
    assert len(view.evaluations) == 1


def test_equal_content_creates_nothing_even_from_xlsx(store: Store, actor: Actor) -> None:
    first = save_study(_uow(store), actor, SP)
    again = save_study(_uow(store), actor, SP.with_suffix(".xlsx"))
    assert not again.created
    assert again.revision_id == first.revision_id
    assert len(history(_uow(store, False), actor, "EX-SP-2025")) == 1


def test_changed_content_chains_and_old_content_is_a_new_revision(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    r1 = save_study(_uow(store), actor, SP, message="a")
    r2 = save_study(_uow(store), actor, variant(tmp_path, "v2", PCB_OLD, PCB_NEW), message="b")
    assert r2.created and r2.parent_id == r1.revision_id and r2.seq == 2
    assert r2.total_value != r1.total_value
    r3 = save_study(_uow(store), actor, SP, message="back to a")
    assert r3.created and r3.parent_id == r2.revision_id
    assert r3.revision_id not in {r1.revision_id, r2.revision_id}
    hist = history(_uow(store, False), actor, "EX-SP-2025")
    assert [h.revision_id for h in hist] == [r3.revision_id, r2.revision_id, r1.revision_id]
    assert hist[0].total_value == r1.total_value  # same content, same numbers
    # A product is found by its model too, and holds both studies' revisions separately.
    save_study(_uow(store), actor, TP)
    assert len(history(_uow(store, False), actor, "DDZY-X1（示例）")) == 3


def test_parent_that_is_not_the_newest_is_a_conflict(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    r1 = save_study(_uow(store), actor, SP)
    a = variant(tmp_path, "a", PCB_OLD, PCB_NEW)
    b = variant(tmp_path, "b", PCB_OLD, "quantity: 0.0160")
    r2 = save_study(_uow(store), actor, a, parent=r1.revision_id)
    with pytest.raises(ConflictError, match=r1.revision_id[:12] + "|" + r2.revision_id[:12]):
        save_study(_uow(store), actor, b, parent=r1.revision_id)
    assert [h.revision_id for h in history(_uow(store, False), actor, "EX-SP-2025")] == [
        r2.revision_id,
        r1.revision_id,
    ]
    with pytest.raises(NotFoundError):
        save_study(_uow(store), actor, b, parent="ffffffffff")


def test_concurrent_writers_on_one_parent_exactly_one_wins(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    r1 = save_study(_uow(store), actor, SP)
    files = [variant(tmp_path, f"w{i}", PCB_OLD, f"quantity: 0.01{50 + i}") for i in range(6)]
    barrier = threading.Barrier(len(files))
    outcomes: list[str] = []
    lock = threading.Lock()

    def write(path: Path) -> None:
        barrier.wait()
        try:
            save_study(_uow(store), actor, path, parent=r1.revision_id)
            tag = "ok"
        except ConflictError:
            tag = "conflict"
        with lock:
            outcomes.append(tag)

    threads = [threading.Thread(target=write, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"]
    hist = history(_uow(store, False), actor, "EX-SP-2025")
    assert [h.seq for h in hist] == [2, 1]


def test_reevaluating_an_old_revision_reproduces_the_stored_numbers_bit_for_bit(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    r1 = save_study(_uow(store), actor, SP)
    save_study(_uow(store), actor, variant(tmp_path, "v2", PCB_OLD, PCB_NEW))
    stored = show_revision(_uow(store, False), actor, r1.revision_id).evaluations[0]
    again = reproduce_evaluation(_uow(store, False), actor, r1.revision_id)
    assert again.result == stored["result"]
    assert again.result_sha256 == stored["result_sha256"]
    assert again.total_value == r1.total_value and again.total_u == r1.total_u
    # Monte Carlo with a seed and a trial count: stored, then reproduced exactly.
    mc = evaluate_revision(_uow(store), actor, r1.revision_id, mc_trials=2000, mc_seed=11)
    assert mc["method"] == "mc"
    rerun = reproduce_evaluation(
        _uow(store, False), actor, r1.revision_id, mc_trials=2000, mc_seed=11
    )
    assert rerun.result["monte_carlo"] == mc["result"]["monte_carlo"]
    evs = show_revision(_uow(store, False), actor, r1.revision_id).evaluations
    assert {e["method"] for e in evs} == {"jjf", "mc"}
    assert [e["mc_seed"] for e in evs if e["method"] == "mc"] == [11]
