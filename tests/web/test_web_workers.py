"""Several worker processes over one store (``tanzuji serve --workers N``): two application
instances on one SQLite database stand for two uvicorn workers. Jobs, their progress and
the sign-in throttle must not depend on which instance a request reaches; the stored
result is served as stored, with an entity tag."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from .conftest import EXAMPLES, csrf_of
from .storekit import PASSWORD, StoreWorld, store_app

_instance = store_app


@pytest.fixture
def pair(world: StoreWorld) -> Iterator[tuple[TestClient, TestClient]]:
    """Two instances (workers) sharing the store and the secret, one client each."""
    a, b = _instance(world, jobs_per_org=1), _instance(world, jobs_per_org=1)
    with (
        TestClient(a, base_url="http://127.0.0.1") as ca,
        TestClient(b, base_url="http://127.0.0.1") as cb,
    ):
        yield ca, cb


def _bearer(c: TestClient, world: StoreWorld) -> dict[str, str]:
    r = c.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(world.client_id, world.client_secret),
    )
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def _save(c: TestClient, auth: dict[str, str]) -> str:
    study = (EXAMPLES / "single-phase-meter" / "study.yaml").read_bytes()
    r = c.post("/api/studies", files={"file": ("s.yaml", study)}, headers=auth)
    assert r.status_code == 201, r.text
    return str(r.json()["revision"])


def test_a_job_started_on_one_worker_is_polled_on_the_other(
    pair: tuple[TestClient, TestClient], world: StoreWorld
) -> None:
    a, b = pair
    auth = _bearer(a, world)
    rev = _save(a, auth)
    r = a.post(
        f"/api/revisions/{rev}/evaluations",
        data={"method": "mc", "trials": "20000", "seed": "5"},
        headers=auth,
    )
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    deadline = time.monotonic() + 180
    while (j := b.get(f"/api/jobs/{job}", headers=auth).json())["state"] not in {
        "done",
        "failed",
    }:
        assert time.monotonic() < deadline, j
        time.sleep(0.2)
    assert j["state"] == "done", j
    assert j["done"] == 20000 and j["fraction"] == 1.0
    assert j["result"]["result"]["monte_carlo"]["trials"] == 20000
    # another organisation cannot see it on either worker
    rival = TestClient(b.app, base_url="http://127.0.0.1")
    token = csrf_of(rival.get("/login").text)
    rival.post(
        "/login",
        data={"email": "ed@rival.example", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert rival.get(f"/api/jobs/{job}").status_code == 404


def test_the_job_limit_of_an_organisation_counts_jobs_on_every_worker(
    pair: tuple[TestClient, TestClient], world: StoreWorld
) -> None:
    a, b = pair
    auth = _bearer(a, world)
    rev = _save(a, auth)
    release = threading.Event()
    org_id = a.get("/api/whoami", headers=auth).json()["organisation"]
    assert org_id == "maker"
    maker_id = str(_org_id(world, "maker"))
    blocked = a.app.state.tz.jobs.submit(
        owner=maker_id, work=lambda progress: {"released": release.wait(60)}
    )
    try:
        r = b.post(
            f"/api/revisions/{rev}/evaluations",
            data={"method": "mc", "trials": "2000", "seed": "1"},
            headers=auth,
        )
        assert r.status_code == 429, r.text  # one unfinished job of 'maker', on worker a
        assert "Retry-After" in r.headers
    finally:
        release.set()
    a.app.state.tz.jobs.wait(blocked.id, timeout=60)
    assert b.get(f"/api/jobs/{blocked.id}", headers=auth).json()["state"] == "done"
    r = b.post(
        f"/api/revisions/{rev}/evaluations",
        data={"method": "mc", "trials": "2000", "seed": "1"},
        headers=auth,
    )
    assert r.status_code == 202, r.text
    b.app.state.tz.jobs.wait(r.json()["id"], timeout=120)


def _org_id(world: StoreWorld, name: str) -> int:
    from tanzuji.store import UnitOfWork

    with UnitOfWork(world.store, write=False) as uow:
        return uow.orgs.require(name).id


def test_failed_sign_ins_are_counted_across_workers(pair: tuple[TestClient, TestClient]) -> None:
    a, b = pair
    codes = []
    for i in range(6):  # the limit is 5 failures per address and account
        c = (a, b)[i % 2]
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"email": "ed@maker.example", "password": "wrong", "csrf_token": token},
        )
        codes.append(r.status_code)
    assert codes == [401] * 5 + [429]
    token = csrf_of(a.get("/login").text)  # even the right password waits now, on a too
    r = a.post(
        "/login",
        data={"email": "ed@maker.example", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 429


def test_a_stored_revision_is_served_as_stored_with_an_entity_tag(
    pair: tuple[TestClient, TestClient], world: StoreWorld
) -> None:
    from tanzuji.services import Actor, show_revision
    from tanzuji.store import UnitOfWork

    a, b = pair
    auth = _bearer(a, world)
    rev = _save(a, auth)
    r = a.get(f"/api/revisions/{rev}", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    view = show_revision(UnitOfWork(world.store, write=False), Actor("t", "maker"), rev)
    assert r.json() == json.loads(json.dumps(view.to_dict()))
    etag = r.headers["etag"]
    assert "no-cache" in r.headers["cache-control"]
    # unchanged on the other worker too: 304 without a body
    again = b.get(f"/api/revisions/{rev}", headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # a new evaluation changes the document and its tag
    r = b.post(f"/api/revisions/{rev}/evaluations", data={"method": "full"}, headers=auth)
    assert r.status_code == 201, r.text
    after = a.get(f"/api/revisions/{rev}", headers={**auth, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert [e["method"] for e in after.json()["evaluations"]] == ["jjf", "full"]
    # another organisation still gets 404 (not 304) with a valid tag
    token = csrf_of(b.get("/login").text)
    b.post(
        "/login",
        data={"email": "ed@rival.example", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert b.get(f"/api/revisions/{rev}", headers={"If-None-Match": etag}).status_code == 404


def test_a_remembered_access_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    from tanzuji.web import security

    codec = security.TokenCodec("s" * 32)
    token = codec.issue({"sub": "client:x"}, kind="access", minutes=1)
    assert codec.read(token, kind="access") is not None  # verified, now remembered
    assert codec.read(token, kind="session") is None  # the kind is still checked
    assert codec.read(token[:-2] + "xx", kind="access") is None  # a forged signature
    later = time.time() + 61
    monkeypatch.setattr(security.time, "time", lambda: later)
    assert codec.read(token, kind="access") is None
