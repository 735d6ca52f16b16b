"""Report numbers: gap-free and unique per organisation and year under 50 concurrent issuers."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence

import pytest

from tanzuji.services import Actor, save_study
from tanzuji.services.reports import (
    NumberContext,
    Rendition,
    list_reports,
    record_issued_report,
)
from tanzuji.store import Store, UnitOfWork, open_store

from .conftest import SP

N = 50


class SigningFailed(Exception):
    pass


def _build(ctx: NumberContext) -> Sequence[Rendition]:
    body = f"%PDF-1.7 report {ctx.number} anchor {ctx.audit_anchor}".encode()
    return [Rendition("zh", body + b" zh", "CN=Tester"), Rendition("en", body + b" en", None)]


def _issue(url: str, i: int) -> str:
    store = open_store(url)
    try:
        actor = Actor(user=f"issuer{i}@example.cn", org="default")
        if i % 10 == 3:  # a failed signing: must use no number

            def failing(ctx: NumberContext) -> Sequence[Rendition]:
                raise SigningFailed(ctx.number)

            try:
                record_issued_report(UnitOfWork(store), actor, year=2026, build=failing)
            except SigningFailed:
                return "failed"
            return "unexpected"
        return record_issued_report(UnitOfWork(store), actor, year=2026, build=_build).number
    finally:
        store.dispose()


def _check(store: Store, actor: Actor, results: list[str]) -> None:
    failed = results.count("failed")
    assert failed == 5
    numbers = sorted(r for r in results if r != "failed")
    assert numbers == [f"2026-{n:05d}" for n in range(1, N - failed + 1)]
    rows = list_reports(UnitOfWork(store, write=False), actor)
    assert len(rows) == 2 * (N - failed)  # zh and en share each number
    assert {r["lang"] for r in rows if r["number"] == "2026-00001"} == {"zh", "en"}


@pytest.fixture
def seeded(store: Store, actor: Actor) -> Store:
    save_study(UnitOfWork(store), actor, SP)  # creates the default organisation
    return store


def test_threads(seeded: Store, actor: Actor) -> None:
    barrier = threading.Barrier(N)
    results: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        r = _issue(seeded.url, i)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _check(seeded, actor, results)


def test_processes(seeded: Store, actor: Actor) -> None:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(N) as pool:
        results = pool.starmap(_issue, [(seeded.url, i) for i in range(N)])
    _check(seeded, actor, results)


def test_numbers_restart_per_year_and_org(seeded: Store, actor: Actor) -> None:
    from tanzuji.services.admin import add_org

    add_org(UnitOfWork(seeded), actor, "Other")
    a = record_issued_report(UnitOfWork(seeded), actor, year=2026, build=_build)
    b = record_issued_report(UnitOfWork(seeded), actor, year=2027, build=_build)
    c = record_issued_report(
        UnitOfWork(seeded), Actor("o@example.cn", "Other"), year=2026, build=_build
    )
    assert (a.number, b.number, c.number) == ("2026-00001", "2027-00001", "2026-00001")


def test_withdrawn_report_keeps_its_number(seeded: Store, actor: Actor) -> None:
    from tanzuji.errors import NotFoundError
    from tanzuji.services.audit import verify_audit
    from tanzuji.services.reports import set_report_status

    a = record_issued_report(UnitOfWork(seeded), actor, year=2026, build=_build)
    assert set_report_status(UnitOfWork(seeded), actor, a.number, "withdrawn") == 2
    b = record_issued_report(UnitOfWork(seeded), actor, year=2026, build=_build, amends=a.number)
    rows = list_reports(UnitOfWork(seeded, write=False), actor)
    assert {(r["number"], r["status"], r["amends"]) for r in rows} == {
        (a.number, "withdrawn", None),
        (b.number, "issued", a.number),
    }
    assert b.seq == a.seq + 1
    with pytest.raises(NotFoundError):
        set_report_status(UnitOfWork(seeded), actor, "1999-00001", "withdrawn")
    assert verify_audit(UnitOfWork(seeded, write=False)).ok
