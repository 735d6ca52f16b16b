"""SSRF guard of outgoing partner requests (tanzuji.pact.urlguard), without the network.

The hostile addresses are the usual SSRF targets: loopback in every spelling the C resolver
accepts, the private ranges of RFC 1918, the link-local cloud metadata address, IPv4-mapped
IPv6, the unspecified address and non-HTTP schemes.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
from pacthelpers import TlsServer, tls_files

from tanzuji.errors import TanzujiError, UnsafeUrlError
from tanzuji.i18n import use_lang
from tanzuji.pact import urlguard
from tanzuji.pact.client import PactClient
from tanzuji.pact.urlguard import ALLOW_LOOPBACK_ENV, GuardedTransport, UrlPolicy, check_url

PUBLIC = "93.184.215.14"  # a public unicast address (is_global), never contacted here

HOSTILE = [
    "https://127.0.0.1",
    "https://127.0.0.1:5432",
    "https://localhost",
    "https://LOCALHOST.",
    "https://db.localhost",
    "https://[::1]",
    "https://0.0.0.0",
    "https://[::]",
    "https://10.0.0.1",
    "https://172.16.0.1",
    "https://192.168.1.1",
    "https://100.64.0.1",  # carrier-grade NAT
    "https://169.254.169.254/latest/meta-data",
    "https://[fe80::1]",
    "https://[fd00::1]",
    "https://224.0.0.1",
    "https://240.0.0.1",
    "https://[::ffff:127.0.0.1]",
    "https://[::ffff:169.254.169.254]",
    "https://[::ffff:a00:1]",
    "https://[64:ff9b::a00:1]",  # NAT64 of 10.0.0.1
    "https://[2002:7f00:1::]",  # 6to4 of 127.0.0.1
    "https://2130706433",  # 127.0.0.1 as one decimal number
    "https://0x7f.1",
    "https://0x7f000001",
    "https://127.1",
    "https://0177.0.0.1",
    "https://017700000001",
    "http://127.0.0.1",
    "http://pact.example.com",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/_HELO",
    "ftp://pact.example.com",
    "dict://127.0.0.1:11211/",
    "https://user:pw@pact.example.com",
    "https://pact.example.com@127.0.0.1",
    "https://pact.example.com\\@127.0.0.1",
    "https:///nohost",
    "https://pact.example.com:99999",
]


@pytest.fixture(autouse=True)
def no_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_LOOPBACK_ENV, raising=False)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A fake resolver: name → addresses; an unknown name does not resolve."""
    table: dict[str, list[str]] = {"pact.example.com": [PUBLIC]}
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[Any]:
        calls.append(host)
        if host not in table:
            raise OSError("Name or service not known")
        return [ipaddress.ip_address(a) for a in table[host]]

    monkeypatch.setattr(urlguard, "resolve_host", resolve)
    table["_calls"] = calls  # type: ignore[assignment]
    return table


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_refused(url: str, dns: dict[str, list[str]]) -> None:
    with pytest.raises(UnsafeUrlError) as err:
        check_url(url, "base_url")
    assert err.value.location.path == "base_url"


@pytest.mark.parametrize("url", [u for u in HOSTILE if u.startswith("https://")])
def test_hostile_urls_are_refused_by_the_client_too(url: str, dns: dict[str, list[str]]) -> None:
    """The client refuses them at construction (or, for a name, at connection: below)."""
    with pytest.raises(UnsafeUrlError):
        PactClient(url, "id", "secret")


def test_public_https_url_is_accepted(dns: dict[str, list[str]]) -> None:
    assert check_url(" https://pact.example.com/ ", "base_url") == "https://pact.example.com"
    assert check_url("https://[2606:4700::1111]:8443/api", "base_url").endswith(":8443/api")
    assert check_url("https://8.8.8.8", "base_url") == "https://8.8.8.8"


def test_a_name_is_judged_by_every_address_it_resolves_to(dns: dict[str, list[str]]) -> None:
    dns["internal.example.com"] = ["10.1.2.3"]
    dns["mixed.example.com"] = [PUBLIC, "127.0.0.1"]
    with use_lang("en"):
        for host in ("internal.example.com", "mixed.example.com"):
            with pytest.raises(UnsafeUrlError, match=f"auth_url: refused: {host} "):
                check_url(f"https://{host}/token", "auth_url")
        with pytest.raises(UnsafeUrlError, match=r"cannot resolve the host name nowhere\.test"):
            check_url("https://nowhere.test", "base_url")


def test_messages_name_the_field_and_the_reason_in_both_languages() -> None:
    with pytest.raises(UnsafeUrlError) as zh:
        check_url("https://169.254.169.254", "base_url")
    assert str(zh.value).startswith("base_url: 拒绝访问：169.254.169.254 是链路本地地址")
    with use_lang("en"), pytest.raises(UnsafeUrlError) as en:
        check_url("https://0x7f.1", "auth_url")
    assert str(en.value).startswith(
        "auth_url: refused: 0x7f.1 is a numeric address in a non-standard form (it means 127.0.0.1)"
    )


def test_loopback_opt_in_comes_from_the_environment_only() -> None:
    assert UrlPolicy.from_env({}) == UrlPolicy(allow_loopback=False)
    assert UrlPolicy.from_env({ALLOW_LOOPBACK_ENV: "1"}).allow_loopback
    assert not UrlPolicy.from_env({ALLOW_LOOPBACK_ENV: "0"}).allow_loopback
    dev = UrlPolicy(allow_loopback=True)
    assert check_url("http://127.0.0.1:8443", "base_url", policy=dev)
    assert check_url("https://[::1]:8443", "base_url", policy=dev)
    for url in ("https://10.0.0.1", "https://169.254.169.254", "https://0.0.0.0"):
        with pytest.raises(UnsafeUrlError):  # loopback only, nothing else private
            check_url(url, "base_url", policy=dev)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Where the guarded backend really connects (the connection itself fails)."""
    seen: list[str] = []

    def connect(self: Any, host: str, port: int, *args: Any, **kw: Any) -> Any:
        seen.append(host)
        raise httpcore.ConnectError("test: no network")

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect)
    yield seen


def test_connection_goes_to_the_address_that_was_checked(
    dns: dict[str, list[str]], connections: list[str]
) -> None:
    with (
        PactClient("https://pact.example.com", "id", "s", retries=0) as client,
        pytest.raises(TanzujiError, match=r"pact\.example\.com"),
    ):
        client.token()
    assert connections == [PUBLIC]  # the checked address, not the name resolved again


def test_dns_rebinding_is_refused_at_connection(
    dns: dict[str, list[str]], connections: list[str]
) -> None:
    """Public when the partner was registered, loopback when the request is sent."""
    assert check_url("https://pact.example.com", "base_url")
    dns["pact.example.com"] = ["127.0.0.1"]
    with use_lang("en"), PactClient("https://pact.example.com", "id", "s") as client:
        with pytest.raises(UnsafeUrlError, match=r"auth_url: refused: pact.example.com \(127"):
            client.token()
        client._token = "a token"
        with pytest.raises(UnsafeUrlError, match="base_url: refused"):
            client.get_footprint("x")
    assert connections == []


def test_no_environment_proxy_is_used(
    dns: dict[str, list[str]], connections: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    with (
        PactClient("https://pact.example.com", "id", "s", retries=0) as client,
        pytest.raises(TanzujiError),
    ):
        client.token()
    assert connections == [PUBLIC]


def test_redirects_are_not_followed_and_each_target_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partner host that redirects to the metadata service: the client does not follow;
    an httpx client on the guarded transport that did follow would be refused there."""
    from fastapi import FastAPI
    from fastapi.responses import RedirectResponse

    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    def redirect(path: str) -> RedirectResponse:
        return RedirectResponse("https://169.254.169.254/latest/meta-data", status_code=307)

    ca, cert, key = tls_files(tmp_path)
    monkeypatch.setenv(ALLOW_LOOPBACK_ENV, "1")
    import ssl

    transport = GuardedTransport(
        UrlPolicy(allow_loopback=True), ssl.create_default_context(cafile=str(ca))
    )
    with TlsServer(app, cert, key) as srv:
        with (
            PactClient(srv.url, "id", "s", verify=str(ca), retries=0) as client,
            use_lang("en"),
            pytest.raises(TanzujiError, match="not JSON"),
        ):
            client.token()  # the 307 itself, not what it points to
        with (
            httpx.Client(transport=transport, follow_redirects=True) as follower,
            pytest.raises(UnsafeUrlError, match=r"169\.254\.169\.254"),
        ):
            follower.get(srv.url + "/x")


def test_partner_registration_is_checked(dns: dict[str, list[str]], tmp_path: Path) -> None:
    """``add_partner`` (web form and ``pact partner add``) refuses hostile hosts."""
    from tanzuji.services.context import Actor
    from tanzuji.services.pact_partners import add_partner
    from tanzuji.store import UnitOfWork, open_store

    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")  # refused before any use
    actor = Actor(user="admin", org="maker")
    for url in ("https://127.0.0.1", "https://169.254.169.254", "https://[::ffff:10.0.0.1]"):
        with pytest.raises(UnsafeUrlError) as err:
            add_partner(
                UnitOfWork(store), actor, "rival", base_url=url, client_id="c", client_secret="s"
            )
        assert err.value.location.path == "base_url"
    with pytest.raises(UnsafeUrlError) as err:
        add_partner(
            UnitOfWork(store),
            actor,
            "rival",
            base_url="https://pact.example.com",
            auth_url="https://2130706433/token",
            client_id="c",
            client_secret="s",
        )
    assert err.value.location.path == "auth_url"


def test_file_host_partners_are_checked(tmp_path: Path) -> None:
    import yaml

    from tanzuji.pact.host import FileBackend

    cfg = {
        "partners": {"x": {"base_url": "https://10.0.0.1", "client_id": "a", "client_secret": "b"}}
    }
    (tmp_path / "host.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with pytest.raises(UnsafeUrlError) as err:
        FileBackend.from_file(tmp_path / "host.yaml")
    assert err.value.location.path == "partners.x.base_url"
