"""``GET /3/footprints`` of the web platform pages in SQL (LIMIT/OFFSET), on SQLite and
PostgreSQL: the pages put together are the whole list, and a page reads a page's rows.

The store holds many publications written directly (reports and publications rows), with
every case the listing has: footprints published to everyone, shared with one organisation,
owned; one footprint published twice (listed once, where it was first visible, Active if
any of its publications is); publications created at the same instant (ordered by id);
a withdrawn publication, a withdrawn report, a superseded report amended by another.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from store.conftest import create_pg_database, drop_pg_database
from tanzuji.pact.host import matches
from tanzuji.services.pact_host import dedup, listed_footprints, page_footprints
from tanzuji.store import UnitOfWork, open_store
from tanzuji.store.models import Report
from tanzuji.store.web_models import Publication, PublicationRecipient

from .conftest import EXAMPLES, SECRET

BASE = "https://pact.maker.test"
N_REPORTS = 16


@dataclass
class World:
    store: Any
    org: dict[str, int]
    creds: dict[str, tuple[str, str]]
    n_pubs: int
    sp_product: str
    expected: dict[str, int]  # organisation → footprints it may see (counted by hand)
    cache: dict[Any, Any]  # exports (each is an evaluation), shared by the tests


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('paging') / 'p.db'}"
        return
    url = create_pg_database()  # the store tests' throwaway database (skip/fail rules there)
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="module")
def world(db_url: str) -> Iterator[World]:
    import yaml

    from tanzuji.services.admin import add_api_client, add_org
    from tanzuji.services.context import Actor
    from tanzuji.services.save import save_study

    store = open_store(db_url)
    store.upgrade()
    setup = Actor(user="setup", org="maker")
    for name in ("maker", "lab", "rival", "gov"):
        add_org(UnitOfWork(store), setup, name)
    creds = {}
    for name in ("maker", "rival", "gov"):
        c = add_api_client(UnitOfWork(store), setup, org=name, name=f"{name} PACT")
        creds[name] = (c["client_id"], c["client_secret"])
    maker = Actor(user="ed@maker.example", org="maker")
    sp = save_study(UnitOfWork(store), maker, EXAMPLES / "single-phase-meter" / "study.yaml")
    tp = save_study(UnitOfWork(store), maker, EXAMPLES / "three-phase-meter" / "study.yaml")
    with UnitOfWork(store, write=True) as uow:
        org = {name: uow.orgs.require(name).id for name in ("maker", "lab", "rival", "gov")}
        reports = []
        for i in range(N_REPORTS):
            status = {5: "superseded", 11: "withdrawn"}.get(i, "issued")
            rep = Report(
                org_id=org["lab"],
                revision_id=sp.revision_id if i % 2 == 0 else tp.revision_id,
                year=2026,
                seq=i + 1,
                number=f"LAB-2026-{i + 1:03d}",
                lang="zh",
                pdf=b"%PDF",
                pdf_sha256=f"{i:064x}",
                status=status,
                amends="LAB-2026-006" if i == 6 else None,  # report 7 amends report 6
                actor="eva@lab.example",
                created_at="2026-01-01T00:00:00+00:00",
            )
            uow.session.add(rep)
            reports.append(rep)
        uow.session.flush()
        n = 0

        def publish(i: int, *, public: bool, to: tuple[str, ...] = (), owner: str = "maker",
                    status: str = "published") -> None:  # fmt: skip
            nonlocal n
            n += 1
            pub_id = f"p{n:03d}{secrets.token_hex(4)}"
            uow.session.add(
                Publication(
                    id=pub_id,
                    org_id=org[owner],
                    revision_id=reports[i].revision_id,
                    report_id=reports[i].id,
                    public=public,
                    valid_from="2026-01-01",
                    valid_until="2027-01-01",
                    status=status,
                    actor="ed@maker.example",
                    # three publications share each second: ordered by id among them
                    created_at=f"2026-02-01T00:00:{n // 3:02d}+00:00",
                )
            )
            uow.session.flush()
            for name in to:
                uow.session.add(PublicationRecipient(publication_id=pub_id, org_id=org[name]))

        for i in range(N_REPORTS):
            if i % 4 == 0:
                publish(i, public=True)
            elif i % 4 == 1:
                publish(i, public=False, to=("rival",))
            elif i % 4 == 2:
                publish(i, public=False, to=("gov",))
            else:
                publish(i, public=False, owner="rival")
        publish(2, public=True)  # report 2 (shared with gov) now to everyone: once for rival
        publish(9, public=False, to=("rival",), status="withdrawn")  # report 9 once more
        publish(9, public=False, to=("rival",))  # and again: listed Active, where first seen
        uow.commit()
    # by hand: rival sees i % 4 in {0, 1, 3} (12 of 16) plus report 2 = 13 footprints;
    # gov sees i % 4 in {0, 2} = 8; maker sees its own 12 plus the public ones of rival: 12
    expected = {"rival": 13, "gov": 8, "maker": 12}
    study = yaml.safe_load((EXAMPLES / "single-phase-meter" / "study.yaml").read_text("utf-8"))
    yield World(store, org, creds, n, study["product"]["product_ids"][0], expected, {})
    store.dispose()


def _reference(world: World, org: str) -> list[dict[str, Any]]:
    """The whole list as the in-memory listing builds it (every publication, then visibility
    and de-duplication in Python): the second method the SQL pages are checked against."""
    with UnitOfWork(world.store) as uow:
        items = listed_footprints(uow, BASE, world.cache)
    return dedup(x for x in items if x.visible_to(world.org[org]))


def _pages(world: World, org: str, limit: int, **filters: list[str]) -> list[list[dict[str, Any]]]:
    pages, offset = [], 0
    while True:
        with UnitOfWork(world.store) as uow:
            page, nxt = page_footprints(
                uow, world.org[org], BASE, world.cache, offset=offset, limit=limit, filters=filters
            )
        pages.append(page)
        if nxt is None:
            return pages
        assert nxt > offset
        offset = nxt


@pytest.mark.parametrize("org", ["rival", "gov", "maker"])
def test_pages_put_together_are_the_whole_list(world: World, org: str) -> None:
    whole = _reference(world, org)
    assert len(whole) == world.expected[org]
    assert len({pf["id"] for pf in whole}) == len(whole)
    for limit in (1, 2, 3, 5, world.expected[org], 100):
        pages = _pages(world, org, limit)
        assert all(0 < len(p) <= limit for p in pages)
        assert all(len(p) == limit for p in pages[:-1])  # only the last page may be short
        assert [pf for p in pages for pf in p] == whole, limit
    with UnitOfWork(world.store) as uow:
        everything, nxt = page_footprints(uow, world.org[org], BASE, world.cache)
        assert (everything, nxt) == (whole, None)
        assert page_footprints(uow, world.org[org], BASE, world.cache, limit=0) == ([], None)


def test_states_of_the_listing_survive_paging(world: World) -> None:
    """By hand: report index 5 is superseded (and amended by index 6), index 11 withdrawn,
    index 9 published again after a withdrawn publication (Active)."""
    maker = [pf for p in _pages(world, "maker", 2) for pf in p]
    deprecated = [pf["id"] for pf in maker if pf["status"] == "Deprecated"]
    assert len(deprecated) == 1  # index 5 (index 11 is rival's own)
    amending = [pf for pf in maker if pf.get("precedingPfIds")]
    assert len(amending) == 1 and amending[0]["precedingPfIds"] == deprecated
    rival = [pf for p in _pages(world, "rival", 2) for pf in p]
    assert [pf["status"] for pf in rival].count("Deprecated") == 2  # indexes 5 and 11
    assert not any(pf.get("precedingPfIds") for pf in rival)  # index 6 is gov's to see


def test_filters_are_applied_across_pages(world: World) -> None:
    whole = _reference(world, "rival")
    wanted = {"productId": [world.sp_product]}
    expected = [pf for pf in whole if matches(pf, wanted)]
    assert 0 < len(expected) < len(whole)
    for limit in (1, 2, 4):
        pages = _pages(world, "rival", limit, **wanted)
        assert [pf for p in pages for pf in p] == expected
    deprecated = _pages(world, "rival", 1, status=["Deprecated"])
    assert [len(p) for p in deprecated] == [1, 1]
    assert [pf for p in deprecated for pf in p] == [
        pf for pf in whole if pf["status"] == "Deprecated"
    ]


def _client(world: World) -> TestClient:
    from tanzuji.web.app import create_app
    from tanzuji.web.backend import StoreAccounts
    from tanzuji.web.publishing import StorePublications
    from tanzuji.web.settings import WebSettings

    app = create_app(
        WebSettings(secret_key=SECRET, public_base_url=BASE),
        StoreAccounts(world.store),
        store=world.store,
        publications=StorePublications(world.store),
    )
    return TestClient(app, base_url="https://testserver")


def _auth(c: TestClient, world: World, org: str) -> dict[str, str]:
    r = c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=world.creds[org])
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_api_follows_link_headers_to_the_whole_list(world: World) -> None:
    whole = _reference(world, "rival")
    with _client(world) as c:
        auth = _auth(c, world, "rival")
        got: list[dict[str, Any]] = []
        url: str | None = "/3/footprints?limit=4"
        pages = 0
        while url:
            r = c.get(url, headers=auth)
            assert r.status_code == 200, r.text
            got += r.json()["data"]
            pages += 1
            link = r.headers.get("link")
            if link is None:
                break
            target, rel = link.split(";")
            assert rel.strip() == 'rel="next"' and target.startswith("<https://testserver/3/")
            parts = urlsplit(target.strip("<> "))
            url = f"{parts.path}?{parts.query}"
        assert got == whole and pages == 4  # 13 footprints by 4


def test_a_page_reads_a_page_of_rows(world: World) -> None:
    """Bounded work: the footprint query of a page has a LIMIT, no query reads the whole
    publications table, and the publications loaded are a few, not all of them."""
    statements: list[str] = []
    loaded: list[str] = []

    def on_sql(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()).lower())

    def on_load(target: Publication, context: Any) -> None:
        loaded.append(target.id)

    engine = world.store.engine
    event.listen(engine, "before_cursor_execute", on_sql)
    event.listen(Publication, "load", on_load)
    try:
        with _client(world) as c:
            auth = _auth(c, world, "rival")
            statements.clear()
            r = c.get("/3/footprints?limit=2&offset=6", headers=auth)
            assert r.status_code == 200 and len(r.json()["data"]) == 2
            paged = [s for s in statements if "from publications" in s]
            assert paged and all(" where " in s for s in paged)
            windowed = [s for s in paged if "row_number()" in s]
            assert len(windowed) == 1 and " limit " in windowed[0]
            assert 0 < len(set(loaded)) <= 6, loaded  # a page (and its neighbours), of 19
            # the counter does see a whole listing (the test can fail)
            loaded.clear()
            with UnitOfWork(world.store) as uow:
                listed_footprints(uow, BASE, {})
            assert len(set(loaded)) == world.n_pubs
    finally:
        event.remove(engine, "before_cursor_execute", on_sql)
        event.remove(Publication, "load", on_load)


def test_get_footprint_is_each_footprint_as_listed(world: World) -> None:
    """GetFootprint of every footprint an organisation may list answers it as listed; one
    it may not see (but another may) is 403, an unknown id 404."""
    with _client(world) as c:
        seen: dict[str, set[str]] = {}
        for org in ("rival", "gov", "maker"):
            auth = _auth(c, world, org)
            whole = _reference(world, org)
            seen[org] = {pf["id"] for pf in whole}
            for pf in whole:
                r = c.get(f"/3/footprints/{pf['id']}", headers=auth)
                assert r.status_code == 200, r.text
                assert r.json() == {"data": pf}
        hidden = seen["maker"] - seen["rival"]
        assert hidden  # the world has footprints shared with one organisation only
        auth = _auth(c, world, "rival")
        for pf_id in hidden:
            r = c.get(f"/3/footprints/{pf_id}", headers=auth)
            assert r.status_code == 403 and r.json()["code"] == "AccessDenied"
        r = c.get("/3/footprints/00000000-0000-5000-8000-000000000000", headers=auth)
        assert r.status_code == 404 and r.json()["code"] == "NotFound"


def test_get_footprint_reads_its_own_rows(world: World) -> None:
    """Bounded work: once the exports are known, GetFootprint loads the publications of
    that footprint and of the reports it amends or that amend it, not all of them (it
    listed every publication before 2026-12-02)."""
    loaded: list[str] = []

    def on_load(target: Publication, context: Any) -> None:
        loaded.append(target.id)

    event.listen(Publication, "load", on_load)
    try:
        with _client(world) as c:
            auth = _auth(c, world, "maker")
            whole = _reference(world, "maker")
            c.get(f"/3/footprints/{whole[0]['id']}", headers=auth)  # the exports, once
            for pf in whole:
                loaded.clear()
                r = c.get(f"/3/footprints/{pf['id']}", headers=auth)
                assert r.status_code == 200 and r.json() == {"data": pf}
                assert 0 < len(set(loaded)) <= 4, (pf["id"], loaded)
    finally:
        event.remove(Publication, "load", on_load)
