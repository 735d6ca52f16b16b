"""The PACT v3 host mounted in the web platform, over the store.

The mandatory V3.0 conformance cases (numbered after the conformance service's test-case
document) run against ``tanzuji.web.app.create_app`` over a SQLite store, with the platform's
one client-credential system; one case set runs over a real uvicorn with TLS on 127.0.0.1,
where the partner host that receives the answers is a second TLS server.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tanzuji.pact.schema import footprint_errors
from tanzuji.web.app import create_app
from tanzuji.web.backend import StoreAccounts
from tanzuji.web.publishing import StorePublications
from tanzuji.web.settings import WebSettings

from .conftest import EXAMPLES, SECRET, csrf_of
from .storekit import PASSWORD, issue_report, login, make_store, tiny_signed_pdf

_spec = importlib.util.spec_from_file_location(
    "pacthelpers_web", Path(__file__).resolve().parents[1] / "pact" / "pacthelpers.py"
)
assert _spec is not None and _spec.loader is not None
pacthelpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pacthelpers)

BASE = "https://pact.maker.test"
SP = "urn:pact:meter.example.cn:product-id:DDZY-X1"
CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"
CE = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}

pytestmark = pytest.mark.usefixtures("partner_dns")


@dataclass
class World:
    store: Any
    creds: dict[str, tuple[str, str]]  # org → (client id, secret)
    pdf_sha: dict[str, str]  # which → SHA-256 of the report PDF (computed here)
    pubs: dict[str, str]  # which → publication id
    three_phase_product: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """maker publishes the single-phase meter to everyone (report R1), amends the report
    (R2 supersedes R1) and publishes again; its three-phase meter goes privately to rival."""
    from tanzuji.services.admin import add_api_client
    from tanzuji.services.context import Actor
    from tanzuji.services.reports import set_report_status
    from tanzuji.services.save import save_study
    from tanzuji.services.sharing import publish, share_revision
    from tanzuji.store import UnitOfWork

    tmp = tmp_path_factory.mktemp("pactweb")
    w = make_store(tmp)
    store = w.store
    setup = Actor(user="setup", org="maker")
    creds = {"maker": (w.client_id, w.client_secret)}
    for org in ("rival", "gov"):
        c = add_api_client(UnitOfWork(store), setup, org=org, name=f"{org} PACT")
        creds[org] = (c["client_id"], c["client_secret"])
    maker = Actor(user="ed@maker.example", org="maker")
    lab = Actor(user="eva@lab.example", org="lab")
    sp = save_study(UnitOfWork(store), maker, EXAMPLES / "single-phase-meter" / "study.yaml")
    tp = save_study(UnitOfWork(store), maker, EXAMPLES / "three-phase-meter" / "study.yaml")
    share_revision(UnitOfWork(store), maker, sp.revision_id, "lab")
    share_revision(UnitOfWork(store), maker, tp.revision_id, "lab")
    pdfs = {k: tiny_signed_pdf(tmp / k) for k in ("r1", "r2", "r3")}
    sha = {k: hashlib.sha256(v).hexdigest() for k, v in pdfs.items()}
    r1 = issue_report(store, "lab", "eva@lab.example", sp.revision_id, pdfs["r1"])
    pubs = {"sp1": publish(UnitOfWork(store), maker, sp.revision_id)["publication"]}
    from tanzuji.services.reports import Rendition, record_issued_report

    r2 = record_issued_report(
        UnitOfWork(store),
        lab,
        year=2026,
        build=lambda ctx: [Rendition("zh", pdfs["r2"], "Eva Evaluator")],
        revision_id=sp.revision_id,
        amends=r1,
    ).number
    set_report_status(UnitOfWork(store), lab, r1, "superseded", reason="typo", superseded_by=r2)
    pubs["sp2"] = publish(UnitOfWork(store), maker, sp.revision_id)["publication"]
    issue_report(store, "lab", "eva@lab.example", tp.revision_id, pdfs["r3"])
    pubs["tp"] = publish(UnitOfWork(store), maker, tp.revision_id, to=["rival"])["publication"]
    import yaml

    tp_study = yaml.safe_load(
        (EXAMPLES / "three-phase-meter" / "study.yaml").read_text(encoding="utf-8")
    )
    return World(store, creds, sha, pubs, tp_study["product"]["product_ids"][0])


def _app(world: World, **settings: Any) -> Any:
    return create_app(
        WebSettings(secret_key=SECRET, public_base_url=BASE, **settings),
        StoreAccounts(world.store),
        store=world.store,
        publications=StorePublications(world.store),
    )


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(_app(world), base_url="https://testserver") as c:
        yield c


_TOKENS: dict[tuple[int, str], dict[str, str]] = {}


def _token(c: TestClient, world: World, org: str = "rival") -> dict[str, str]:
    """A platform access token of ``org``'s client (one per application and organisation)."""
    key = (id(c.app), org)
    if key not in _TOKENS:
        r = c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=world.creds[org])
        assert r.status_code == 200, r.text
        _TOKENS[key] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return dict(_TOKENS[key])


def _list(c: TestClient, auth: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    r = c.get(f"/3/footprints{query}", headers=auth)
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def _by_product(pfs: list[dict[str, Any]], urn: str) -> list[dict[str, Any]]:
    return [pf for pf in pfs if urn in pf["productIds"]]


def test_01_02_token_is_the_platform_credential(client: TestClient, world: World) -> None:
    r = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=world.creds["gov"]
    )
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer"
    bad = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=(world.creds["gov"][0], "x")
    )
    assert bad.status_code in (400, 401) and bad.json()["error"] == "invalid_client"
    assert "access_token" not in bad.json()


def test_03_04_visibility_and_export(client: TestClient, world: World) -> None:
    rival = _list(client, _token(client, world, "rival"))
    gov = _list(client, _token(client, world, "gov"))
    for pf in rival:
        assert footprint_errors(pf) == []
    # rival: both single-phase footprints + the three-phase one shared with it privately
    assert len(rival) == 3 and len(_by_product(rival, world.three_phase_product)) == 1
    # gov (cross-tenant): never rival's private share
    assert len(gov) == 2 and _by_product(gov, world.three_phase_product) == []
    sp = _by_product(gov, SP)
    by_sha = {pf["extensions"][0]["data"]["report"]["sha256"]: pf for pf in sp}
    old, new = by_sha[world.pdf_sha["r1"]], by_sha[world.pdf_sha["r2"]]
    assert old["status"] == "Deprecated" and new["status"] == "Active"
    assert new["precedingPfIds"] == [old["id"]] and old["id"] != new["id"]
    ext = new["extensions"][0]
    assert ext["dataSchema"].startswith(BASE + "/pact/extensions/tanzuji-uncertainty/")
    assert float(ext["data"]["U"]) > 0
    # GetFootprint: the same object; the private one is 403 for gov, 200 for rival
    tp_id = _by_product(rival, world.three_phase_product)[0]["id"]
    r = client.get(f"/3/footprints/{new['id']}", headers=_token(client, world, "gov"))
    assert r.status_code == 200 and r.json()["data"] == new
    r = client.get(f"/3/footprints/{tp_id}", headers=_token(client, world, "gov"))
    assert r.status_code == 403 and "data" not in r.json()
    assert client.get(f"/3/footprints/{tp_id}", headers=_token(client, world)).status_code == 200


def test_05_pagination(client: TestClient, world: World) -> None:
    auth = _token(client, world)
    auth = auth | {"host": "api.example.test"}
    r = client.get("/3/footprints?limit=1", headers=auth)
    seen = [pf["id"] for pf in r.json()["data"]]
    while "link" in r.headers:
        url = r.headers["link"].split(">")[0][1:]
        assert url.startswith("https://api.example.test/3/footprints?")
        r = client.get(url.removeprefix("https://api.example.test"), headers=auth)
        assert len(r.json()["data"]) == 1
        seen += [pf["id"] for pf in r.json()["data"]]
    assert sorted(seen) == sorted(pf["id"] for pf in _list(client, auth))
    assert len(seen) == 3
    # the Host header names the Link, never the footprints' dataSchema (no header poisoning)
    for pf in _list(client, auth):
        assert pf["extensions"][0]["dataSchema"].startswith(BASE + "/")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/3/footprints"), ("GET", "/3/footprints/x"), ("POST", "/3/events")],
)
def test_06_07_16_invalid_token(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path, headers={"Authorization": "Bearer not-a-token"}, content="{}")
    assert r.status_code in (400, 401) and "data" not in r.json()


def test_08_unknown_id(client: TestClient, world: World) -> None:
    r = client.get("/3/footprints/no-such-id", headers=_token(client, world))
    assert r.status_code == 404 and r.json()["code"] == "NotFound"


def test_09_10_11_17_plain_http_is_refused(world: World) -> None:
    with TestClient(_app(world), base_url="https://testserver") as tls:
        auth = _token(tls, world)
    with TestClient(_app(world), base_url="http://testserver") as plain:
        for method, path in (
            ("GET", "/3/footprints"),
            ("GET", "/3/footprints/x"),
            ("POST", "/3/events"),
        ):
            r = plain.request(method, path, headers=auth, content="{}")
            assert r.status_code == 403 and "data" not in r.json()
    # behind a trusted proxy (tanzuji serve --forwarded-allow-ips): plain HTTP is redirected
    with TestClient(_app(world, require_https=True), base_url="http://testserver") as proxied:
        r = proxied.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            auth=world.creds["rival"],
            follow_redirects=False,
        )
        assert r.status_code in (301, 307, 308) and b"access_token" not in r.content


@pytest.mark.parametrize(
    ("query", "products"),
    [
        (f"?productId={SP.upper()}", [SP, SP]),  # 20, case-insensitive
        ("?companyId=urn:pact:meter.example.cn:company-id:91330100EXAMPLE001", None),  # 21
        ("?geography=CN", None),  # 22
        ("?status=Deprecated", [SP]),  # 27
        (f"?status=Active&productId={SP}", [SP]),  # 28
        (f"?productId={SP}&productId=urn:x:1&productId=urn:x:2", [SP, SP]),  # 29
        ("?validOn=2027-06-01T00:00:00Z", None),  # 24: reference period 2025 + 3 years
        ("?validAfter=2025-06-01T00:00:00Z", None),  # 25
        ("?validBefore=2035-01-01T00:00:00Z", None),  # 26
        ("?productId=urn:bogus:product:nonexistent123", []),  # 30
        ("?companyId=urn:bogus:company:nonexistent456", []),  # 31
        ("?geography=XX", []),  # 32
        ("?classification=urn:bogus:classification:nonexistent789", []),  # 33
        ("?validOn=1900-01-01T00:00:00Z", []),  # 34
        ("?validAfter=2099-12-31T23:59:59Z", []),  # 35
        ("?validBefore=1900-01-01T00:00:00Z", []),  # 36
        ("?status=BogusStatusValue", []),  # 37
        ("?companyId=urn:bogus:1&productId=urn:bogus:2", []),  # 38
        ("?companyId=urn:bogus:1&companyId=urn:bogus:2&companyId=urn:bogus:3", []),  # 39
    ],
)
def test_20_to_39_filters(
    client: TestClient, world: World, query: str, products: list[str] | None
) -> None:
    auth = _token(client, world, "gov")
    found = _list(client, auth, query)
    if products is None:  # every footprint gov may see passes
        assert len(found) == 2
    else:
        assert [p for pf in found for p in pf["productIds"] if p.startswith("urn:pact")] == products


def test_classification_filter(client: TestClient, world: World) -> None:
    auth = _token(client, world, "gov")
    every = _list(client, auth)
    cls = every[0]["productClassifications"][0]
    assert len(_list(client, auth, f"?classification={cls}")) == 2  # 23


def _event(kind: str, data: dict[str, Any], eid: str) -> str:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": eid,
            "source": "https://evil.test/hook",
            "time": "2026-05-19T10:30:00Z",
            "type": kind,
            "data": data,
        }
    )


def test_15_40_published_event(client: TestClient, world: World) -> None:
    auth = _token(client, world) | CE
    ok = _event(PUBLISHED, {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}, "pub-1")
    assert client.post("/3/events", headers=auth, content=ok).status_code == 200
    bad = _event(PUBLISHED, {"pfIds": ["urn:gtin:4712345060507"]}, "pub-2")
    r = client.post("/3/events", headers=auth, content=bad)
    assert r.status_code == 400 and r.json()["code"] == "BadRequest"


def test_12_13_14_requests_answered_only_to_the_registered_partner(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RequestCreated → a request on maker's page; fulfil/reject → the event goes to the
    partner host maker registered for rival (never to the event's ``source``)."""
    from tanzuji.pact import client as pact_client

    posted: list[tuple[str, dict[str, Any]]] = []

    def fake_post(self: Any, event: dict[str, Any]) -> None:
        posted.append((self.base_url, event))

    monkeypatch.setattr(pact_client.PactClient, "post_event", fake_post)
    with TestClient(_app(world), base_url="https://testserver") as c:
        auth = _token(c, world) | CE
        r = c.post(
            "/3/events",
            headers=auth,
            content=_event(CREATED, {"productId": [SP], "comment": "2025 please"}, "req-12"),
        )
        assert r.status_code == 200 and r.content == b""  # 12
        r = c.post(
            "/3/events",
            headers=auth,
            content=_event(CREATED, {"productId": ["urn:pact:null"]}, "req-14"),
        )
        assert r.status_code == 200  # 14.A: nobody has it → rejected at once, nothing sent
        # maker's editor sees the request; its admin registers rival's host
        csrf = login(c, "ed@maker.example")
        page = c.get("/pact/requests")
        assert page.status_code == 200 and "req-12" not in page.text and "rival" in page.text
        assert 'href="/pact/requests"' in page.text  # in the navigation (a store is mounted)
        assert c.get("/pact/requests").text.count('class="pact-request"') == 1
        req_id = page.text.split('class="pact-request" data-id="')[1].split('"')[0]
        # not registered yet: the answer is recorded as failed, not raised to the user
        r = c.post(
            f"/pact/requests/{req_id}/fulfil",
            data={"publication": world.pubs["sp2"], "csrf_token": csrf},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert "未登记该组织的伙伴主机" in c.get("/pact/requests").text  # zh session
        assert posted == []
        # a second request, answered after the partner is registered
        c.cookies.clear()
        r = c.post(
            "/3/events",
            headers=auth,
            content=_event(CREATED, {"productId": [SP]}, "req-13"),
        )
        csrf = login(c, "admin@maker.example")
        r = c.post(
            "/pact/partners",
            data={
                "partner": "rival",
                "base_url": "https://pact.rival.test",
                "client_id": "maker-at-rival",
                "client_secret": "s",
                "csrf_token": csrf,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        page = c.get("/pact/requests").text
        pending = [
            part.split('"')[0]
            for part in page.split('class="pact-request" data-id="')[1:]
            if "/fulfil" in part.split("</tr>")[0]
        ]
        assert len(pending) == 1
        r = c.post(  # the superseded footprint cannot answer
            f"/pact/requests/{pending[0]}/fulfil",
            data={"publication": world.pubs["sp1"], "csrf_token": csrf},
        )
        assert r.status_code == 409
        r = c.post(
            f"/pact/requests/{pending[0]}/fulfil",
            data={"publication": world.pubs["sp2"], "csrf_token": csrf},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert len(posted) == 1
        url, answer = posted[0]
        assert url == "https://pact.rival.test"  # 13: the registered host, not evil.test
        assert answer["type"].endswith("RequestFulfilledEvent.3")
        assert answer["data"]["requestEventId"] == "req-13"
        assert (
            answer["data"]["pfs"][0]["extensions"][0]["data"]["report"]["sha256"]
            == (world.pdf_sha["r2"])
        )
        # a private footprint not shared with the requester cannot answer: gov asks
        c.cookies.clear()
        gauth = _token(c, world, "gov") | CE
        c.post("/3/events", headers=gauth, content=_event(CREATED, {"productId": [SP]}, "g-1"))
        csrf = login(c, "admin@maker.example")
        page = c.get("/pact/requests").text
        gov_req = next(
            part.split('"')[0]
            for part in page.split('class="pact-request" data-id="')[1:]
            if "/fulfil" in part.split("</tr>")[0]
        )
        r = c.post(
            f"/pact/requests/{gov_req}/fulfil",
            data={"publication": world.pubs["tp"], "csrf_token": csrf},
        )
        assert r.status_code == 409
        r = c.post(
            f"/pact/requests/{gov_req}/reject",
            data={"reason": "not for sale", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert r.status_code == 303
        # 14.B: maker registered no host for gov → recorded as failed, nothing sent anywhere
        assert len(posted) == 1
        # the requests of one organisation are invisible to another
        login(c, "admin@rival.example")
        assert 'class="pact-request"' not in c.get("/pact/requests").text


def test_published_event_goes_to_partners_that_may_see_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tanzuji.pact import client as pact_client
    from tanzuji.services.context import Actor
    from tanzuji.services.pact_partners import add_partner
    from tanzuji.store import UnitOfWork

    posted: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        pact_client.PactClient, "post_event", lambda self, ev: posted.append((self.base_url, ev))
    )
    admin = Actor(user="admin@maker.example", org="maker")
    for org in ("rival", "gov"):
        add_partner(
            UnitOfWork(world.store),
            admin,
            org,
            base_url=f"https://pact.{org}.test",
            client_id="m",
            client_secret="s",
        )
    with TestClient(_app(world), base_url="https://testserver") as c:
        host = c.app.state.pact_host  # type: ignore[attr-defined]
        out = host.published("maker", [world.pubs["tp"]])
        assert [t[1] for t, _ in out] == [_org_id(world, "rival")]  # gov may not see it
        for target, event in out:
            assert host.deliver(target, event)
    assert posted[0][0] == "https://pact.rival.test"
    assert posted[0][1]["type"] == PUBLISHED


def _org_id(world: World, name: str) -> int:
    from tanzuji.store import UnitOfWork

    with UnitOfWork(world.store, write=False) as uow:
        org = uow.orgs.require(name)
        return org.id


def test_partner_urls_must_be_https(world: World) -> None:
    from tanzuji.errors import InputError
    from tanzuji.services.context import Actor
    from tanzuji.services.pact_partners import add_partner
    from tanzuji.store import UnitOfWork

    for url in (
        "http://pact.rival.test",
        "https://u:p@pact.rival.test",
        "file:///etc/passwd",
        "https://127.0.0.1:5432",
        "https://169.254.169.254",
        "https://[::ffff:10.0.0.1]",
    ):
        with pytest.raises(InputError):
            add_partner(
                UnitOfWork(world.store),
                Actor(user="admin@maker.example", org="maker"),
                "rival",
                base_url=url,
                client_id="m",
                client_secret="s",
            )


def test_live_tls_server_and_partner(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a real uvicorn with TLS on 127.0.0.1: token, list, paginate, pull; a request
    fulfilled in the UI reaches the partner's own PACT host (a second TLS server)."""
    from tanzuji.pact.urlguard import ALLOW_LOOPBACK_ENV

    monkeypatch.setenv(ALLOW_LOOPBACK_ENV, "1")  # the partner host runs on 127.0.0.1
    import yaml

    from tanzuji.pact.api import create_app as partner_app
    from tanzuji.pact.client import PactClient
    from tanzuji.pact.host import FileBackend, secret_hash
    from tanzuji.services.context import Actor
    from tanzuji.services.pact_partners import add_partner
    from tanzuji.store import UnitOfWork

    ca, cert, key = pacthelpers.tls_files(tmp_path)
    (tmp_path / "partner.yaml").write_text(
        yaml.safe_dump(
            {"clients": [{"id": "maker", "secret_sha256": secret_hash("pw"), "org": "maker"}]}
        ),
        encoding="utf-8",
    )
    partner_backend = FileBackend.from_file(tmp_path / "partner.yaml")
    app = _app(world)
    app.state.pact_host.verify = str(ca)
    with (
        pacthelpers.TlsServer(app, cert, key) as server,
        pacthelpers.TlsServer(partner_app(partner_backend), cert, key) as partner,
    ):
        add_partner(
            UnitOfWork(world.store),
            Actor(user="admin@maker.example", org="maker"),
            "rival",
            base_url=partner.url,
            client_id="maker",
            client_secret="pw",
        )
        cid, secret = world.creds["rival"]
        with PactClient(server.url, cid, secret, verify=str(ca)) as pc:
            pfs = pc.list_footprints(limit=1)  # follows the Link header
            assert len(pfs) == 3
            assert pc.get_footprint(pfs[0]["id"]) == pfs[0]
            pc.post_event(json.loads(_event(CREATED, {"productId": [SP]}, "live-13")))
        tls = ssl.create_default_context(cafile=str(ca))
        with httpx.Client(base_url=server.url, verify=tls) as web:
            csrf = csrf_of(web.get("/login").text)
            web.post(
                "/login",
                data={"email": "admin@maker.example", "password": PASSWORD, "csrf_token": csrf},
            )
            page = web.get("/pact/requests").text
            req = next(
                part.split('"')[0]
                for part in page.split('class="pact-request" data-id="')[1:]
                if "/fulfil" in part.split("</tr>")[0] and "rival" in part.split("</tr>")[0]
            )
            r = web.post(
                f"/pact/requests/{req}/fulfil",
                data={"publication": world.pubs["sp2"], "csrf_token": csrf},
            )
            assert r.status_code == 303, r.text
        for _ in range(200):  # delivered in the background, after the response
            if partner_backend.received:
                break
            time.sleep(0.05)
        got = partner_backend.received
        assert got and got[-1].type.endswith("RequestFulfilledEvent.3")
        assert got[-1].data["requestEventId"] == "live-13"
        # plain HTTP to the TLS port is refused at the connection (case 9)
        with pytest.raises(httpx.HTTPError):
            httpx.post(
                server.url.replace("https://", "http://") + "/auth/token",
                data={"grant_type": "client_credentials"},
                auth=(cid, secret),
                timeout=5,
            )


def test_cli_partners_and_announce_after_a_withdrawal(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pact partner add`` (secret on stdin, never printed back), ``report withdraw``
    sends a PublishedEvent for the footprint it deprecates to the owner's partners."""
    from typer.testing import CliRunner

    from tanzuji.cli import app
    from tanzuji.pact import client as pact_client
    from tanzuji.services.context import Actor
    from tanzuji.services.pact_partners import deliveries
    from tanzuji.store import UnitOfWork

    posted: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        pact_client.PactClient, "post_event", lambda self, ev: posted.append((self.base_url, ev))
    )
    (tmp_path / "config.toml").write_text("")
    monkeypatch.setenv("TANZUJI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TANZUJI_LANG", "en")
    db = ["--database-url", world.store.url]
    r = CliRunner().invoke(
        app,
        ["pact", "partner", "add", "rival", "--base-url", "https://pact.rival.cli",
         "--client-id", "maker-cli", "--client-secret-stdin", "--org", "maker", *db],
        input="very-secret-value\n",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["pact", "partner", "list", "--org", "maker", "--json", *db])
    assert r.exit_code == 0 and "very-secret-value" not in r.output
    assert {p["partner"]: p["base_url"] for p in json.loads(r.output)}["rival"] == (
        "https://pact.rival.cli"
    )
    bad = CliRunner().invoke(
        app, ["pact", "partner", "add", "rival", "--base-url", "https://x.test",
              "--client-id", "x", "--org", "maker", *db],
    )  # fmt: skip
    assert bad.exit_code != 0 and "--client-secret-stdin" in str(bad.exception)
    # the lab withdraws the three-phase report: rival (who may see it) is told
    number = _report_of(world, world.pubs["tp"])
    r = CliRunner().invoke(
        app, ["withdraw", number, "--reason", "wrong meter", "--org", "lab", *db]
    )
    assert r.exit_code == 0, r.output
    assert [url for url, _ in posted] == ["https://pact.rival.cli"]
    event = posted[0][1]
    assert event["type"] == PUBLISHED
    with TestClient(_app(world), base_url="https://testserver") as c:
        listed = {x.publication: x.footprint for x in c.app.state.pact_host.listed()}  # type: ignore[attr-defined]
    assert event["data"]["pfIds"] == [listed[world.pubs["tp"]]["id"]]
    assert listed[world.pubs["tp"]]["status"] == "Deprecated"
    sent = deliveries(UnitOfWork(world.store, write=False), Actor(user="x", org="maker"))
    assert sent[0]["status"] == "sent" and sent[0]["to"] == "rival"


def _report_of(world: World, pub_id: str) -> str:
    from tanzuji.store import UnitOfWork
    from tanzuji.store.models import Report
    from tanzuji.store.web_models import Publication

    with UnitOfWork(world.store, write=False) as uow:
        pub = uow.session.get(Publication, pub_id)
        assert pub is not None
        report = uow.session.get(Report, pub.report_id)
        assert report is not None
        return report.number
