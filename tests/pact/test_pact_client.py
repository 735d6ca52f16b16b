"""The pull client against our own PACT host over TLS on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pacthelpers import TlsServer, footprint, tls_files

from tanzuji.pact.api import create_app
from tanzuji.pact.client import PactClient, PactClientError, deliver_to_partner
from tanzuji.pact.host import FileBackend
from tanzuji.pact.urlguard import ALLOW_LOOPBACK_ENV

SECRET = "pull-secret"
IDS = [f"{i}{i}{i}{i}{i}{i}{i}{i}-aaaa-4aaa-8aaa-aaaaaaaaaaaa" for i in range(1, 6)]


def _host(tmp: Path, partners: dict[str, Any] | None = None, auto: bool = False) -> FileBackend:
    tmp.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, pid in enumerate(IDS):
        pf = footprint(id=pid, productIds=[f"urn:pact:pcba.test:product-id:P{i}"])
        (tmp / f"{i}.json").write_text(json.dumps(pf), encoding="utf-8")
        entries.append({"file": f"{i}.json"})
    config = {
        "clients": [
            {
                "id": "buyer",
                "secret_sha256": hashlib.sha256(SECRET.encode()).hexdigest(),
                "org": "buyer-org",
            }
        ],
        "footprints": entries,
        "partners": partners or {},
        "auto_respond": auto,
    }
    (tmp / "host.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return FileBackend.from_file(tmp / "host.yaml")


@pytest.fixture(autouse=True)
def local_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests talk to PACT hosts on 127.0.0.1: the explicit opt-in of tests and dev."""
    monkeypatch.setenv(ALLOW_LOOPBACK_ENV, "1")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return tls_files(tmp_path_factory.mktemp("tls"))


def test_pull_follows_pagination(tmp_path: Path, tls: tuple[Path, Path, Path]) -> None:
    ca, cert, key = tls
    with (
        TlsServer(create_app(_host(tmp_path)), cert, key) as srv,
        PactClient(srv.url, "buyer", SECRET, verify=str(ca)) as client,
    ):
        items = client.list_footprints(limit=2)
        assert [pf["id"] for pf in items] == IDS  # 3 pages of at most 2
        one = client.list_footprints(product_ids=["urn:pact:pcba.test:product-id:P3"])
        assert [pf["id"] for pf in one] == [IDS[3]]
        assert client.get_footprint(IDS[4])["id"] == IDS[4]


def test_wrong_secret_is_an_auth_error(tmp_path: Path, tls: tuple[Path, Path, Path]) -> None:
    ca, cert, key = tls
    with (
        TlsServer(create_app(_host(tmp_path)), cert, key) as srv,
        PactClient(srv.url, "buyer", "wrong", verify=str(ca)) as client,
        pytest.raises(PactClientError, match="HTTP 401"),
    ):
        client.list_footprints()


def test_untrusted_certificate_is_a_tls_error(tmp_path: Path, tls: tuple[Path, Path, Path]) -> None:
    _, cert, key = tls
    with (
        TlsServer(create_app(_host(tmp_path)), cert, key) as srv,
        PactClient(srv.url, "buyer", SECRET, retries=0) as client,
        pytest.raises(PactClientError, match="TLS"),
    ):
        client.token()


def test_plain_http_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from tanzuji.errors import UnsafeUrlError
    from tanzuji.i18n import use_lang

    monkeypatch.delenv(ALLOW_LOOPBACK_ENV)
    with use_lang("en"), pytest.raises(UnsafeUrlError, match=r"base_url: expected an https://"):
        PactClient("http://127.0.0.1:1", "a", "b")
    # the opt-in of tests opens plain http to loopback hosts only
    with use_lang("en"), pytest.raises(UnsafeUrlError, match=r"base_url: expected an https://"):
        PactClient("http://pact.example.com", "a", "b", allow_loopback=True)
    PactClient("http://127.0.0.1:1", "a", "b", allow_loopback=True).close()


def test_retries_with_backoff_then_gives_up() -> None:
    import httpx

    calls: list[str] = []
    waits: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503)

    client = PactClient("https://pact.test", "a", "b", retries=3, backoff=0.5, sleep=waits.append)
    client._http = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(PactClientError, match="HTTP 503"):
        client.token()
    assert len(calls) == 4 and waits == [0.5, 1.0, 2.0]


def test_cli_pull_writes_a_library(tmp_path: Path, tls: tuple[Path, Path, Path]) -> None:
    from typer.testing import CliRunner

    from tanzuji.cli import app
    from tanzuji.jsonio import load_factor_library

    ca, cert, key = tls
    out = tmp_path / "suppliers.yaml"
    with TlsServer(create_app(_host(tmp_path / "h")), cert, key) as srv:
        run = CliRunner().invoke(
            app,
            [
                "pact",
                "pull",
                "--host",
                srv.url,
                "--client-id",
                "buyer",
                "--client-secret",
                SECRET,
                "--product",
                "urn:pact:pcba.test:product-id:P1",
                "--cafile",
                str(ca),
                "--out",
                str(out),
            ],
        )
    assert run.exit_code == 0, run.output
    lib = load_factor_library(out)
    assert [f.source.url for f in lib] == [srv.url]
    assert len(lib) == 1


def test_answer_goes_to_the_registered_partner(
    tmp_path: Path, tls: tuple[Path, Path, Path]
) -> None:
    """Host A answers a request of buyer-org by calling the partner host buyer-org registered."""
    ca, cert, key = tls
    recipient = _host(tmp_path / "b")  # the buyer's own host, receiving the answer
    with TlsServer(create_app(recipient), cert, key) as b:
        partner = {
            "buyer-org": {
                "base_url": b.url,
                "client_id": "buyer",
                "client_secret": SECRET,
                "ca_file": str(ca),
            }
        }
        owner = _host(tmp_path / "a", partners=partner, auto=True)
        answer = owner.respond(_request())
        assert deliver_to_partner(owner, "buyer-org", answer)
        assert not deliver_to_partner(owner, "unknown-org", answer)
    got = recipient.received[-1]
    assert got.type.endswith("RequestFulfilledEvent.3")
    assert got.data["requestEventId"] == "req-1"


def _request() -> Any:
    import datetime as dt

    from tanzuji.pact.host import ReceivedEvent

    return ReceivedEvent(
        org="buyer-org",
        type="org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        id="req-1",
        data={"productId": ["urn:pact:pcba.test:product-id:P2"]},
        received=dt.datetime.now(dt.UTC),
    )


def test_manual_fulfil_reject_and_notify(tmp_path: Path, tls: tuple[Path, Path, Path]) -> None:
    """A request waits for the data owner, who fulfils or rejects it from the command line;
    answers and PublishedEvents go to the requester's registered partner host."""
    from typer.testing import CliRunner

    from tanzuji.cli import app

    ca, cert, key = tls
    recipient = _host(tmp_path / "b")
    with TlsServer(create_app(recipient), cert, key) as b:
        partner = {
            "buyer-org": {
                "base_url": b.url,
                "client_id": "buyer",
                "client_secret": SECRET,
                "ca_file": str(ca),
            }
        }
        owner = _host(tmp_path / "a", partners=partner)
        with (
            TlsServer(create_app(owner), cert, key) as a,
            PactClient(a.url, "buyer", SECRET, verify=str(ca)) as client,
        ):
            for rid, pid in (("r-1", "P2"), ("r-2", "P4")):
                client.post_event(
                    {
                        "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
                        "specversion": "1.0",
                        "id": rid,
                        "source": "https://ignored.test",
                        "time": "2026-05-01T00:00:00Z",
                        "data": {"productId": [f"urn:pact:pcba.test:product-id:{pid}"]},
                    }
                )
        config = str(tmp_path / "a" / "host.yaml")
        runner = CliRunner()
        listed = runner.invoke(app, ["pact", "requests", config])
        assert "r-1" in listed.stdout and "r-2" in listed.stdout
        assert runner.invoke(app, ["pact", "respond", config, "r-1"]).exit_code == 0
        run = runner.invoke(app, ["pact", "respond", config, "r-2", "--reject", "not yet"])
        assert run.exit_code == 0
        assert runner.invoke(app, ["pact", "notify", config, IDS[0]]).exit_code == 0
        assert "r-1" not in runner.invoke(app, ["pact", "requests", config]).stdout
    got = {e.type.split(".")[-2]: e for e in recipient.received}
    assert [pf["id"] for pf in got["RequestFulfilledEvent"].data["pfs"]] == [IDS[2]]
    assert got["RequestRejectedEvent"].data["error"]["message"] == "not yet"
    assert got["PublishedEvent"].data["pfIds"] == [IDS[0]]
