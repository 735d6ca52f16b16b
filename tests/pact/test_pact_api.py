"""The PACT v3 host API: pytest versions of the mandatory V3.0 conformance cases.

Numbered after the conformance service's test-case document (cases #13 and #14.B are the
callbacks: here the answer is checked to go to the registered partner, never to the event's
``source``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pacthelpers import footprint

from tanzuji.pact.api import create_app
from tanzuji.pact.extension import SCHEMA_PATH
from tanzuji.pact.host import FileBackend
from tanzuji.pact.schema import footprint_errors

SECRET = "s3cret-for-tests"
IDS = [
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
    "44444444-4444-4444-8444-444444444444",
]
CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"


def _pfs() -> list[dict[str, Any]]:
    a = footprint(id=IDS[0])
    b = footprint(
        id=IDS[1],
        productIds=["urn:pact:pcba.test:product-id:MB-02"],
        companyIds=["urn:pact:other.test:company-id:O1"],
        **{
            "pcf.geographyCountry": "DE",
            "validityPeriodStart": "2026-01-01T00:00:00Z",
            "validityPeriodEnd": "2027-01-01T00:00:00Z",
        },
    )
    c = footprint(
        id=IDS[2], productIds=["urn:pact:pcba.test:product-id:MB-03"], precedingPfIds=[IDS[0]]
    )
    d = footprint(id=IDS[3], productIds=["urn:pact:pcba.test:product-id:SECRET"])
    return [a, b, c, d]


@pytest.fixture
def host(tmp_path: Path) -> tuple[TestClient, FileBackend, list[tuple[str, dict[str, Any]]]]:
    entries = []
    for i, pf in enumerate(_pfs()):
        (tmp_path / f"{i}.json").write_text(json.dumps(pf), encoding="utf-8")
        entries.append({"file": f"{i}.json", "share": ["other-org"] if i == 3 else "public"})
    config = {
        "clients": [
            {
                "id": "grid",
                "secret_sha256": hashlib.sha256(SECRET.encode()).hexdigest(),
                "org": "grid-co",
            },
        ],
        "footprints": entries,
        "partners": {
            "grid-co": {
                "base_url": "https://partner.grid.test",
                "client_id": "me",
                "client_secret": "x",
            }
        },
        "auto_respond": True,
    }
    (tmp_path / "host.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    backend = FileBackend.from_file(tmp_path / "host.yaml")
    sent: list[tuple[str, dict[str, Any]]] = []
    app = create_app(backend, deliver=lambda org, ev: sent.append((org, ev)))
    return TestClient(app, base_url="https://testserver"), backend, sent


def _basic(user: str, pw: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{pw}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/x-www-form-urlencoded"}


def _token(client: TestClient) -> dict[str, str]:
    r = client.post(
        "/auth/token", content="grant_type=client_credentials", headers=_basic("grid", SECRET)
    )
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _ids(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [pf["id"] for pf in r.json()["data"]]


def test_01_token_with_valid_credentials(host: Any) -> None:
    client, _, _ = host
    r = client.post(
        "/auth/token", content="grant_type=client_credentials", headers=_basic("grid", SECRET)
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["access_token"] and body["expires_in"] > 0


@pytest.mark.parametrize("creds", [("grid", "wrong"), ("nobody", SECRET)])
def test_02_token_with_invalid_credentials(host: Any, creds: tuple[str, str]) -> None:
    client, _, _ = host
    r = client.post("/auth/token", content="grant_type=client_credentials", headers=_basic(*creds))
    assert r.status_code in (400, 401)
    assert r.json()["error"] == "invalid_client"
    assert "access_token" not in r.json()


def test_03_get_footprint(host: Any) -> None:
    client, _, _ = host
    r = client.get(f"/3/footprints/{IDS[1]}", headers=_token(client))
    assert r.status_code == 200
    assert footprint_errors(r.json()["data"]) == []


def test_04_list_footprints_only_visible_ones(host: Any) -> None:
    client, _, _ = host
    ids = _ids(client.get("/3/footprints", headers=_token(client)))
    assert ids == IDS[:3]  # IDS[3] is shared with another organisation only


def test_05_pagination_link(host: Any) -> None:
    client, _, _ = host
    auth = _token(client)
    r = client.get("/3/footprints?limit=1", headers=auth | {"host": "api.example.test"})
    assert _ids(r) == [IDS[0]]
    link = r.headers["link"]
    assert link.startswith("<https://api.example.test/3/footprints?") and 'rel="next"' in link
    seen = [IDS[0]]
    while "link" in r.headers:
        url = r.headers["link"].split(">")[0][1:]
        r = client.get(url.replace("https://api.example.test", ""), headers=auth)
        assert len(r.json()["data"]) <= 1
        seen += _ids(r)
    assert seen == IDS[:3]


@pytest.mark.parametrize(
    "method,path",
    [("GET", "/3/footprints"), ("GET", f"/3/footprints/{IDS[0]}"), ("POST", "/3/events")],
)
def test_06_07_16_invalid_token(host: Any, method: str, path: str) -> None:
    client, _, _ = host
    r = client.request(
        method,
        path,
        headers={"Authorization": "Bearer invalid-access-token"},
        content=json.dumps({"type": PUBLISHED}),
    )
    assert r.status_code in (400, 401)
    assert r.json()["code"] == "BadRequest"
    assert "data" not in r.json()


def test_08_unknown_id_is_404(host: Any) -> None:
    client, _, _ = host
    r = client.get("/3/footprints/non-existent-id", headers=_token(client))
    assert r.status_code == 404 and r.json()["code"] == "NotFound"


def test_not_shared_is_403(host: Any) -> None:
    client, _, _ = host
    r = client.get(f"/3/footprints/{IDS[3]}", headers=_token(client))
    assert r.status_code == 403 and r.json()["code"] == "AccessDenied"


def test_09_10_11_17_plain_http_is_refused(host: Any) -> None:
    client, _, _ = host
    auth = _token(client)
    plain = TestClient(client.app, base_url="http://testserver")
    r = plain.post(
        "/auth/token", content="grant_type=client_credentials", headers=_basic("grid", SECRET)
    )
    assert r.status_code == 403 and "access_token" not in r.json()
    for path in ("/3/footprints", f"/3/footprints/{IDS[0]}"):
        r = plain.get(path, headers=auth)
        assert r.status_code == 403 and "data" not in r.json()
    r = plain.post("/3/events", headers=auth, content="{}")
    assert r.status_code == 403


def test_trusted_proxy_may_say_https(tmp_path: Path, host: Any) -> None:
    _, backend, _ = host
    app = create_app(backend, trusted_proxies=("testclient",))
    plain = TestClient(app, base_url="http://testserver")
    r = plain.post(
        "/auth/token",
        content="grant_type=client_credentials",
        headers=_basic("grid", SECRET) | {"X-Forwarded-Proto": "https"},
    )
    assert r.status_code == 200
    untrusted = TestClient(create_app(backend), base_url="http://testserver")
    r = untrusted.post(
        "/auth/token",
        content="grant_type=client_credentials",
        headers=_basic("grid", SECRET) | {"X-Forwarded-Proto": "https"},
    )
    assert r.status_code == 403


def _event(kind: str, data: dict[str, Any], eid: str = "run-1/12") -> str:
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


CE = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}


def test_12_13_request_is_fulfilled_to_the_registered_partner_only(host: Any) -> None:
    client, backend, sent = host
    r = client.post(
        "/3/events",
        headers=_token(client) | CE,
        content=_event(
            CREATED,
            {
                "productId": ["URN:PACT:PCBA.TEST:PRODUCT-ID:MB-01"],
                "comment": "Please send PCF data for this year.",
            },
        ),
    )
    assert r.status_code == 200 and r.content == b""
    assert backend.received[-1].type == CREATED
    assert len(sent) == 1
    org, answer = sent[0]
    assert org == "grid-co"  # delivered via the partner grid-co registered, not evil.test
    assert answer["type"].endswith("RequestFulfilledEvent.3")
    assert answer["data"]["requestEventId"] == "run-1/12"
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [IDS[0]]


def test_14_request_for_unknown_product_is_rejected(host: Any) -> None:
    client, _, sent = host
    r = client.post(
        "/3/events",
        headers=_token(client) | CE,
        content=_event(CREATED, {"productId": ["urn:pact:null"]}, "run-1/14.A"),
    )
    assert r.status_code == 200
    answer = sent[-1][1]
    assert answer["type"].endswith("RequestRejectedEvent.3")
    assert answer["data"]["error"]["code"] == "NotFound"


def test_15_published_event_is_accepted(host: Any) -> None:
    client, backend, _ = host
    r = client.post(
        "/3/events",
        headers=_token(client) | CE,
        content=_event(PUBLISHED, {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}),
    )
    assert r.status_code == 200
    assert backend.received[-1].data["pfIds"] == ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]


def test_40_published_event_with_a_urn_is_malformed(host: Any) -> None:
    client, _, _ = host
    r = client.post(
        "/3/events",
        headers=_token(client) | CE,
        content=_event(PUBLISHED, {"pfIds": ["urn:gtin:4712345060507"]}),
    )
    assert r.status_code == 400 and r.json()["code"] == "BadRequest"


def test_events_without_required_properties_are_400(host: Any) -> None:
    client, _, _ = host
    r = client.post("/3/events", headers=_token(client) | CE, content='{"type": "x"}')
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("productId=urn:pact:pcba.test:product-id:MB-02", [IDS[1]]),  # 20
        ("productId=URN:PACT:PCBA.TEST:PRODUCT-ID:MB-02", [IDS[1]]),  # case-insensitive
        ("companyId=urn:pact:other.test:company-id:O1", [IDS[1]]),  # 21
        ("geography=DE", [IDS[1]]),  # 22
        ("classification=urn:pact:productclassification:un-cpc:47160", IDS[:3]),  # 23
        # no validity period: valid for 3 years from referencePeriodEnd (2026-01-01)
        ("validOn=2026-01-01T00:00:00Z", IDS[:3]),  # 24
        ("validOn=2028-06-01T00:00:00Z", [IDS[0], IDS[2]]),
        ("validAfter=2025-12-31T00:00:00Z", IDS[:3]),  # 25
        ("validAfter=2026-01-01T00:00:00Z", []),
        ("validBefore=2027-01-02T00:00:00Z", [IDS[1]]),  # 26
        ("status=Active", [IDS[1], IDS[2]]),  # 27: IDS[0] is superseded by IDS[2]
        ("status=Deprecated", [IDS[0]]),
        ("status=Active&productId=urn:pact:pcba.test:product-id:MB-03", [IDS[2]]),  # 28
        (
            "companyId=urn:pact:other.test:company-id:O1&companyId=urn:x:1&companyId=urn:x:2",
            [IDS[1]],
        ),  # 29
        ("productId=urn:bogus:product:nonexistent123", []),  # 30
        ("companyId=urn:bogus:company:nonexistent456", []),  # 31
        ("geography=XX", []),  # 32
        ("classification=urn:bogus:classification:nonexistent789", []),  # 33
        ("validOn=1900-01-01T00:00:00Z", []),  # 34
        ("validAfter=2099-12-31T23:59:59Z", []),  # 35
        ("validBefore=1900-01-01T00:00:00Z", []),  # 36
        ("status=BogusStatusValue", []),  # 37
        (
            "companyId=urn:bogus:company:5FIi8zS3&productId=urn:bogus:product:nonexistent123",
            [],
        ),  # 38
        ("companyId=urn:bogus:1&companyId=urn:bogus:2&companyId=urn:bogus:3", []),  # 39
    ],
)
def test_20_to_39_filters(host: Any, query: str, expected: list[str]) -> None:
    client, _, _ = host
    assert _ids(client.get(f"/3/footprints?{query}", headers=_token(client))) == expected


def test_v2_filter_syntax_is_400(host: Any) -> None:
    client, _, _ = host
    r = client.get(
        "/3/footprints?$filter=created ge '2023-01-15T10:15:30Z'", headers=_token(client)
    )
    assert r.status_code == 400


def test_deprecated_footprint_is_still_served(host: Any) -> None:
    client, _, _ = host
    r = client.get(f"/3/footprints/{IDS[0]}", headers=_token(client))
    assert r.json()["data"]["status"] == "Deprecated"


def test_extension_schema_is_served(host: Any) -> None:
    client, _, _ = host
    r = client.get(SCHEMA_PATH)
    assert r.status_code == 200
    schema = r.json()
    assert {"u", "U", "k", "coverageProbability", "method"} <= set(schema["required"])


def test_openid_configuration(host: Any) -> None:
    client, _, _ = host
    r = client.get("/.well-known/openid-configuration")
    assert r.json()["token_endpoint"] == "https://testserver/auth/token"


def test_platform_tokens_can_replace_the_token_route(host: Any) -> None:
    """Mounted in the web platform, the router reads the platform's tokens (bearer_org)."""
    from fastapi import FastAPI

    from tanzuji.pact.api import PactApi

    _, backend, _ = host
    app = FastAPI()
    app.include_router(PactApi(backend, bearer_org={"platform-token": "grid-co"}.get).router())
    client = TestClient(app, base_url="https://testserver")
    assert client.post("/auth/token", content="grant_type=client_credentials").status_code in (
        404,
        405,
    )
    r = client.get("/3/footprints", headers={"Authorization": "Bearer platform-token"})
    assert _ids(r) == IDS[:3]
    r = client.get("/3/footprints", headers={"Authorization": "Bearer other"})
    assert r.status_code == 401
