"""Outgoing requests to partner hosts never reach the server's own network (SSRF guard).

A partner URL is typed by a user or an organisation's administrator, and the server (or the
command line) then sends requests there. Without a guard one could make the server talk to
``127.0.0.1:5432``, the cloud metadata service ``169.254.169.254`` or any host of the
internal network. Two checks, one rule:

* :func:`check_url` — when a partner is configured (and again when a client is built): the
  scheme must be ``https``; no user name or password in the URL; the host must not be a
  numeric address in a non-standard form (``2130706433``, ``0x7f.1``, ``127.1``), nor a
  ``localhost`` name; every address it resolves to must be public (:func:`address_problem`).
* :class:`GuardedTransport` — every request: the same static checks on the URL actually
  requested, then the connection itself goes through :class:`GuardedBackend`, which
  resolves the host **once**, checks every address and connects to those checked addresses
  (TLS still verifies the certificate against the host *name*). A DNS answer that changes
  between the check and the connection (DNS rebinding) therefore cannot slip through, and
  no proxy from the environment is used (a proxy would resolve the name itself). Redirects
  are not followed by the PACT client; were they, each new connection would pass here too.

The one exception, for tests and local development only: ``TANZUJI_PACT_ALLOW_LOOPBACK=1``
in the environment of the server or command line allows loopback addresses (and plain
``http`` to them). It is read from the environment only; no request or form can set it.

>>> check_url("https://pact.example.com/", "base_url", resolve=False)
'https://pact.example.com'
>>> from tanzuji.i18n import use_lang
>>> with use_lang("en"):
...     check_url("https://169.254.169.254", "base_url", resolve=False)
Traceback (most recent call last):
...
tanzuji.errors.UnsafeUrlError: base_url: refused: 169.254.169.254 is a link-local address \
(such as the cloud metadata service); requests go to public hosts only \
(got 'https://169.254.169.254')
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from tanzuji.errors import UnsafeUrlError
from tanzuji.i18n import tr

__all__ = [
    "ALLOW_LOOPBACK_ENV",
    "GuardedBackend",
    "GuardedTransport",
    "UrlPolicy",
    "address_problem",
    "check_url",
    "resolve_host",
]

ALLOW_LOOPBACK_ENV = "TANZUJI_PACT_ALLOW_LOOPBACK"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class UrlPolicy:
    """What outgoing requests may reach; by default public hosts over HTTPS only."""

    allow_loopback: bool = False
    """Tests and local development: loopback addresses (and ``http`` to them) are allowed."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> UrlPolicy:
        """The policy of this process: ``TANZUJI_PACT_ALLOW_LOOPBACK=1`` opts in to loopback."""
        env = os.environ if env is None else env
        flag = env.get(ALLOW_LOOPBACK_ENV, "").strip().lower()
        return cls(allow_loopback=flag in {"1", "true", "yes", "on"})


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress, policy: UrlPolicy) -> tuple[str, str] | None:
    """Why a request must not go to ``ip`` (Chinese, English), or ``None`` when it may.

    >>> address_problem(ipaddress.ip_address("::ffff:10.0.0.1"), UrlPolicy())[1]
    'a private (internal network) address'
    >>> address_problem(ipaddress.ip_address("8.8.8.8"), UrlPolicy()) is None
    True
    """
    inner = _embedded_v4(ip)
    if inner is not None:
        return address_problem(inner, policy)
    if ip.is_unspecified:
        return "未指定地址（指向本机）", "the unspecified address (this machine)"
    if ip.is_loopback:
        return None if policy.allow_loopback else ("本机回环地址", "a loopback address")
    if ip.is_link_local:
        return (
            "链路本地地址（如云主机元数据服务）",
            "a link-local address (such as the cloud metadata service)",
        )
    if ip.is_multicast:
        return "组播地址", "a multicast address"
    if ip.is_private:
        return "内网（私有）地址", "a private (internal network) address"
    if ip.is_reserved or not ip.is_global:
        return "保留或非公网地址", "a reserved or non-public address"
    return None


def _refuse(host: str, why: tuple[str, str], field: str | None, url: str | None) -> UnsafeUrlError:
    message = tr(
        f"拒绝访问：{host} 是{why[0]}；只向公网主机发送请求",
        f"refused: {host} is {why[1]}; requests go to public hosts only",
    )
    if url is None:
        return UnsafeUrlError(message, path=field)
    return UnsafeUrlError(message, path=field, got=url)


def _literal(host: str) -> IPAddress | None:
    """The address a host names literally (``[::1]``, ``10.0.0.1``), else ``None``.

    A numeric IPv4 host in any non-standard form that the C resolver would still accept
    (``2130706433``, ``0x7f.1``, ``127.1``, ``0177.0.0.1``) is refused outright.
    """
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:
        packed = socket.inet_aton(bare)
    except OSError:
        return None
    shown = str(ipaddress.IPv4Address(packed))
    raise UnsafeUrlError(
        tr(
            f"拒绝访问：{host} 是非标准写法的数字地址（即 {shown}）",
            f"refused: {host} is a numeric address in a non-standard form (it means {shown})",
        )
    )


def _is_localhost(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (``OSError`` when it does not resolve)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        seen[ipaddress.ip_address(str(sockaddr[0]).split("%")[0])] = None
    if not seen:
        raise OSError(f"no address for {host}")
    return list(seen)


def _checked(
    host: str, addresses: Iterable[IPAddress], policy: UrlPolicy, field: str | None, url: str | None
) -> list[IPAddress]:
    out = list(addresses)
    for ip in out:
        why = address_problem(ip, policy)
        if why is not None:
            shown = host if _literal(host) == ip else f"{host} ({ip})"
            raise _refuse(shown, why, field, url)
    return out


def check_url(
    url: str, field: str | None, *, policy: UrlPolicy | None = None, resolve: bool = True
) -> str:
    """``url`` without surrounding blanks and trailing ``/``, if requests may go there.

    ``field`` names the setting in error messages (``base_url``, ``auth_url``).
    ``resolve=False`` skips the name lookup (the connection checks the addresses anyway).
    Raises :class:`~tanzuji.errors.UnsafeUrlError` saying why not.
    """
    policy = UrlPolicy.from_env() if policy is None else policy
    url = url.strip()
    shown = url[:200]
    if any(ord(c) < 0x21 or c == "\\" or c == "\x7f" for c in url):
        raise UnsafeUrlError(
            tr(
                "网址中不得有空白、控制字符或反斜杠",
                "the URL must not contain blanks, control characters or backslashes",
            ),
            path=field,
            got=shown,
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"https", "http"}:
        raise UnsafeUrlError(
            tr("应为 https:// 开头的网址", "expected an https:// URL"), path=field, got=shown
        )
    if "@" in parts.netloc:
        raise UnsafeUrlError(
            tr(
                "网址中不得含用户名或密码（凭据另行填写）",
                "the URL must not contain a user name or password (give credentials separately)",
            ),
            path=field,
            got=shown,
        )
    host = parts.hostname
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrlError(tr("端口无效", "invalid port"), path=field, got=shown) from None
    if not host:
        raise UnsafeUrlError(tr("网址中没有主机名", "the URL names no host"), path=field, got=shown)
    try:
        literal = _literal(host)
    except UnsafeUrlError as exc:
        raise exc.with_location(path=field) from None
    local = _is_localhost(host) or (literal is not None and literal.is_loopback)
    if scheme == "http" and not (policy.allow_loopback and local):
        raise UnsafeUrlError(
            tr(
                "应为 https:// 开头的网址（http 仅限测试时的本机主机）",
                "expected an https:// URL (http only for a loopback host in tests)",
            ),
            path=field,
            got=shown,
        )
    if literal is not None:
        _checked(host, [literal], policy, field, shown)
    elif _is_localhost(host) and not policy.allow_loopback:
        raise _refuse(host, ("本机回环地址", "a loopback address"), field, shown)
    elif resolve:
        try:
            addresses = resolve_host(host, port)
        except (OSError, UnicodeError):
            raise UnsafeUrlError(
                tr(f"无法解析主机名 {host}", f"cannot resolve the host name {host}"),
                path=field,
                got=shown,
            ) from None
        _checked(host, addresses, policy, field, shown)
    return url.rstrip("/")


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend that resolves once, checks, and connects to what it checked."""

    def __init__(self, policy: UrlPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to a checked address of ``host`` (the first that answers)."""
        literal = _literal(host)
        if literal is not None:
            addresses = [literal]
        elif _is_localhost(host) and not self.policy.allow_loopback:
            raise _refuse(host, ("本机回环地址", "a loopback address"), None, None)
        else:
            try:
                addresses = resolve_host(host, port)
            except (OSError, UnicodeError) as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        last: Exception | None = None
        for ip in _checked(host, addresses, self.policy, None, None):
            try:
                return self._inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        """Never: a partner host is reached over TCP only."""
        raise httpcore.ConnectError("unix sockets are not used for partner hosts")

    def sleep(self, seconds: float) -> None:
        """As the standard backend."""
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through :class:`GuardedBackend`.

    No proxy, no unix socket; the request's URL is checked as :func:`check_url` does
    (without a name lookup: the backend resolves and checks at connection time).
    """

    def __init__(self, policy: UrlPolicy, verify: bool | ssl.SSLContext = True) -> None:
        context = (
            verify
            if isinstance(verify, ssl.SSLContext)
            else httpx.create_ssl_context(verify=verify, trust_env=False)
        )
        super().__init__(verify=context, trust_env=False)
        self.policy = policy
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Check the URL, then send it (the connection checks the addresses)."""
        check_url(str(request.url), None, policy=self.policy, resolve=False)
        return super().handle_request(request)
