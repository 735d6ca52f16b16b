"""A PACT v3 client: token, ListFootprints with pagination, events to a partner host.

Retries with exponential backoff on connection failures, 429 and 5xx; clear errors for TLS,
authentication and malformed replies.
"""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Callable
from typing import Any, Self

import httpx

from tanzuji.errors import TanzujiError, UnsafeUrlError
from tanzuji.i18n import tr
from tanzuji.pact.host import FileBackend
from tanzuji.pact.urlguard import GuardedTransport, UrlPolicy, check_url

__all__ = ["PactClient", "PactClientError", "deliver_to_partner", "next_link"]

_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";,]+)"?')


class PactClientError(TanzujiError):
    """A PACT host could not be used: TLS, authentication, HTTP or reply faults."""


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` target of an RFC 8288 Link header.

    >>> next_link('<https://h/3/footprints?offset=2>; rel="next", <https://h/x>; rel="last"')
    'https://h/3/footprints?offset=2'
    >>> next_link(None) is None
    True
    """
    for target, rel in _LINK.findall(header or ""):
        if rel.strip().lower() == "next":
            return str(target)
    return None


class PactClient:
    """A session with one PACT v3 host.

    Every request goes through :class:`~tanzuji.pact.urlguard.GuardedTransport`: HTTPS to
    public addresses only (``allow_loopback``, by default ``TANZUJI_PACT_ALLOW_LOOPBACK``
    of the environment, opens loopback hosts for tests), the addresses checked are the ones
    connected to, no proxy, no redirects.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        auth_url: str | None = None,
        verify: bool | str | ssl.SSLContext = True,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        allow_loopback: bool | None = None,
    ) -> None:
        policy = UrlPolicy.from_env() if allow_loopback is None else UrlPolicy(allow_loopback)
        self.base_url = check_url(base_url, "base_url", policy=policy, resolve=False)
        self.auth_url = (
            check_url(auth_url, "auth_url", policy=policy, resolve=False)
            if auth_url
            else self.base_url + "/auth/token"
        )
        self._id = client_id
        self._secret = client_secret
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._token: str | None = None
        if isinstance(verify, str):
            try:
                verify = ssl.create_default_context(cafile=verify)
            except (OSError, ssl.SSLError) as exc:
                raise PactClientError(
                    tr(
                        f"无法读取 CA 文件 {verify}：{exc}",
                        f"cannot read the CA file {verify}: {exc}",
                    )
                ) from None
        self._http = httpx.Client(
            transport=GuardedTransport(policy, verify),
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # ------------------------------------------------------------------ transport

    def _send(self, method: str, url: str, **kw: Any) -> httpx.Response:
        delay = self._backoff
        field = "auth_url" if url == self.auth_url else "base_url"
        for attempt in range(self._retries + 1):
            try:
                resp = self._http.request(method, url, **kw)
            except UnsafeUrlError as exc:  # never retried: the address itself is refused
                raise exc.with_location(path=field) from None
            except httpx.ConnectError as exc:
                if _is_tls(exc):
                    raise PactClientError(
                        tr(
                            f"{url}：TLS 证书校验失败（{exc}）；"
                            "主机证书不可信，可用 --cafile 指定 CA",
                            f"{url}: TLS certificate verification failed ({exc}); the host's "
                            "certificate is not trusted (give its CA with --cafile)",
                        )
                    ) from None
                if attempt == self._retries:
                    raise PactClientError(
                        tr(f"无法连接 {url}：{exc}", f"cannot connect to {url}: {exc}")
                    ) from None
            except httpx.TimeoutException:
                if attempt == self._retries:
                    raise PactClientError(tr(f"{url} 超时", f"{url} timed out")) from None
            else:
                if resp.status_code not in (429, 502, 503, 504) and resp.status_code < 500:
                    return resp
                if attempt == self._retries:
                    return resp
                after = resp.headers.get("retry-after", "")
                if after.isdigit():
                    delay = max(delay, min(float(after), 30.0))
            self._sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def token(self) -> str:
        """An access token (client credentials over HTTP Basic)."""
        resp = self._send(
            "POST",
            self.auth_url,
            data={"grant_type": "client_credentials"},
            auth=(self._id, self._secret),
        )
        if resp.status_code in (400, 401, 403):
            raise PactClientError(
                tr(
                    f"{self.auth_url}：客户端认证失败（HTTP {resp.status_code}）；"
                    "检查 client id 和 secret",
                    f"{self.auth_url}: client authentication failed (HTTP {resp.status_code}); "
                    "check the client id and secret",
                )
            )
        body = self._json(resp, self.auth_url)
        tok = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(tok, str) or not tok:
            raise PactClientError(
                tr(
                    f"{self.auth_url}：回复中没有 access_token",
                    f"{self.auth_url}: no access_token in the reply",
                )
            )
        self._token = tok
        return tok

    def _json(self, resp: httpx.Response, url: str) -> Any:
        if resp.status_code >= 400:
            raise PactClientError(
                tr(
                    f"{url}：HTTP {resp.status_code} {resp.text[:200]}",
                    f"{url}: HTTP {resp.status_code} {resp.text[:200]}",
                )
            )
        try:
            return resp.json()
        except ValueError:
            raise PactClientError(
                tr(f"{url}：回复不是 JSON", f"{url}: the reply is not JSON")
            ) from None

    def _get(self, url: str, params: Any = None) -> httpx.Response:
        if self._token is None:
            self.token()
        resp = self._send(
            "GET", url, params=params, headers={"Authorization": f"Bearer {self._token}"}
        )
        if resp.status_code == 401:  # expired: one new token
            self.token()
            resp = self._send(
                "GET", url, params=params, headers={"Authorization": f"Bearer {self._token}"}
            )
        if resp.status_code == 401:
            raise PactClientError(
                tr(f"{url}：访问令牌被拒绝", f"{url}: the access token was refused")
            )
        return resp

    # ------------------------------------------------------------------ actions

    def list_footprints(
        self, *, product_ids: list[str] | None = None, limit: int | None = 50, max_pages: int = 1000
    ) -> list[dict[str, Any]]:
        """Every footprint the host lists for us (following ``Link: rel="next"``)."""
        params: list[tuple[str, str]] = [("productId", p) for p in product_ids or []]
        if limit:
            params.append(("limit", str(limit)))
        url: str | None = self.base_url + "/3/footprints"
        items: list[dict[str, Any]] = []
        first = True
        for _ in range(max_pages):
            if url is None:
                break
            resp = self._get(url, params if first else None)
            first = False
            body = self._json(resp, url)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise PactClientError(
                    tr(f"{url}：$.data 应为数组", f"{url}: $.data: expected an array of footprints")
                )
            items.extend(data)
            nxt = next_link(resp.headers.get("link"))
            if nxt is not None and not nxt.startswith(self.base_url + "/"):
                raise PactClientError(
                    tr(
                        f"{url}：分页链接指向其他主机 {nxt}",
                        f"{url}: pagination link points elsewhere: {nxt}",
                    )
                )
            url = nxt
        return items

    def get_footprint(self, pf_id: str) -> dict[str, Any]:
        """One footprint by id."""
        url = f"{self.base_url}/3/footprints/{pf_id}"
        body = self._json(self._get(url), url)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise PactClientError(
                tr(f"{url}：$.data 应为对象", f"{url}: $.data: expected an object")
            )
        return data

    def post_event(self, event: dict[str, Any]) -> None:
        """POST a CloudEvent to the host's ``/3/events``."""
        if self._token is None:
            self.token()
        url = self.base_url + "/3/events"
        resp = self._send(
            "POST",
            url,
            json=event,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/cloudevents+json; charset=UTF-8",
            },
        )
        if resp.status_code >= 400:
            raise PactClientError(f"{url}: HTTP {resp.status_code} {resp.text[:200]}")


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def deliver_to_partner(backend: FileBackend, org: str, event: dict[str, Any]) -> bool:
    """Send an answer event to the partner host ``org`` registered; never anywhere else.

    Returns whether it was delivered (no registered partner: kept, not sent).
    """
    partner = backend.config.partners.get(org)
    if partner is None:
        return False
    try:
        with PactClient(
            partner.base_url,
            partner.client_id,
            partner.client_secret,
            auth_url=partner.auth_url,
            verify=partner.ca_file or True,
        ) as client:
            client.post_event(event)
    except TanzujiError:
        return False
    return True
