"""The PACT v3 host API as a FastAPI router: token, ListFootprints, GetFootprint, Events.

* ``POST /auth/token``: OAuth2 client credentials (HTTP Basic, RFC 6749 §4.4); a wrong
  client gives 401 ``invalid_client``.
* ``GET /3/footprints``: the v3 filters (OR within a criterion, AND across criteria),
  ``limit`` with an absolute ``Link: <…>; rel="next"`` on the request's host.
* ``GET /3/footprints/{id}``: 404 for an unknown id, 403 for one not shared with the client.
* ``POST /3/events``: CloudEvents; RequestCreated is kept (and may be answered), Published,
  RequestFulfilled and RequestRejected are accepted; anything malformed is a 400.
* HTTPS only: a request that did not arrive over TLS (directly, or through a proxy listed in
  ``trusted_proxies`` that says ``X-Forwarded-Proto: https``) is refused with 403 and no data.
* The extension's JSON Schema at :data:`~tanzuji.pact.extension.SCHEMA_PATH`.

Callbacks (RequestFulfilled/Rejected) go only to the partner host the client's organisation
registered, never to an address taken from the event.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from tanzuji.i18n import use_lang
from tanzuji.pact.extension import DOC_PATH, SCHEMA_PATH, shipped_schema
from tanzuji.pact.host import FILTERS, PactBackend, ReceivedEvent, parse_time
from tanzuji.pact.schema import footprint_errors

__all__ = ["TOKEN_LIFETIME", "PactApi", "create_app"]

TOKEN_LIFETIME = 3600
EVENT_TYPES = {
    f"org.wbcsd.pact.ProductFootprint.{name}.3"
    for name in (
        "RequestCreatedEvent",
        "RequestFulfilledEvent",
        "RequestRejectedEvent",
        "PublishedEvent",
    )
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


@dataclass
class PactApi:
    """The router and its state (issued tokens) around one backend."""

    backend: PactBackend
    trusted_proxies: Sequence[str] = ()
    deliver: Callable[[Any, dict[str, Any]], object] | None = None
    """Sends an answer event to a registered partner host (set by the server); its first
    argument is the target the backend queued with the event in its ``outbox``."""
    bearer_org: Callable[[str], str | None] | None = None
    """Reads another system's access token (e.g. the web platform's) → organisation; when set,
    ``POST /auth/token`` is left to that system and not served by this router."""
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ helpers

    def _https(self, request: Request) -> bool:
        if request.url.scheme == "https":
            return True
        client = request.client.host if request.client else ""
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return client in self.trusted_proxies and proto == "https"

    def _org(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        if self.bearer_org is not None:
            return self.bearer_org(token.strip())
        with self._lock:
            entry = self._tokens.get(token.strip())
            if entry is None:
                return None
            org, expires = entry
            if expires < time.monotonic():
                del self._tokens[token.strip()]
                return None
        return org

    def _base(self, request: Request) -> str:
        host = request.headers.get("host") or request.url.netloc
        return f"https://{host}"

    # ------------------------------------------------------------------ router

    def router(self) -> APIRouter:
        """The PACT routes (mount at the server's root)."""
        r = APIRouter()

        async def token(request: Request) -> Response:
            if not self._https(request):
                return _error(403, "AccessDenied", "HTTPS is required")
            form = parse_qs((await request.body()).decode("utf-8", "replace"))
            if form.get("grant_type", [""])[0] != "client_credentials":
                return JSONResponse(
                    {
                        "error": "unsupported_grant_type",
                        "error_description": "grant_type must be client_credentials",
                    },
                    status_code=400,
                )
            client_id, secret = _basic(request.headers.get("authorization", ""))
            if client_id is None:
                client_id = form.get("client_id", [None])[0]
                secret = form.get("client_secret", [None])[0]
            org = (
                self.backend.authenticate(client_id, secret)
                if client_id is not None and secret is not None
                else None
            )
            if org is None:
                return JSONResponse(
                    {
                        "error": "invalid_client",
                        "error_description": "client authentication failed",
                    },
                    status_code=401,
                    headers={"WWW-Authenticate": 'Basic realm="pact"'},
                )
            tok = secrets.token_urlsafe(32)
            with self._lock:
                now = time.monotonic()
                self._tokens = {k: v for k, v in self._tokens.items() if v[1] > now}
                self._tokens[tok] = (org, now + TOKEN_LIFETIME)
            return JSONResponse(
                {
                    "access_token": tok,
                    "token_type": "Bearer",
                    "expires_in": TOKEN_LIFETIME,
                    "scope": "footprint:list footprint:read",
                },
                headers={"Cache-Control": "no-store"},
            )

        if self.bearer_org is None:
            r.add_api_route("/auth/token", token, methods=["POST"], include_in_schema=False)

        @r.get("/.well-known/openid-configuration", include_in_schema=False)
        async def openid(request: Request) -> Response:
            if not self._https(request):
                return _error(403, "AccessDenied", "HTTPS is required")
            base = self._base(request)
            return JSONResponse(
                {
                    "issuer": base,
                    "token_endpoint": base + "/auth/token",
                    "grant_types_supported": ["client_credentials"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                }
            )

        @r.get("/3/footprints", include_in_schema=False)
        async def list_footprints(request: Request) -> Response:
            if not self._https(request):
                return _error(403, "AccessDenied", "HTTPS is required")
            org = self._org(request)
            if org is None:
                return _error(401, "BadRequest", "invalid or expired access token")
            params = request.query_params
            if any(k.startswith("$") for k in params):
                return _error(400, "BadRequest", "the v2 $filter syntax is not supported in v3")
            filters = {
                name: params.getlist(name) + params.getlist(name.lower()) for name in FILTERS
            }
            for name in ("validOn", "validAfter", "validBefore"):
                for v in filters[name]:
                    try:
                        parse_time(v)
                    except ValueError:
                        return _error(400, "BadRequest", f"{name}: expected an RFC 3339 time")
            try:
                limit = int(params["limit"]) if "limit" in params else None
                offset = int(params.get("offset", "0"))
            except ValueError:
                return _error(400, "BadRequest", "limit and offset must be whole numbers")
            if (limit is not None and limit < 0) or offset < 0:
                return _error(400, "BadRequest", "limit and offset must not be negative")
            page, end = await run_in_threadpool(
                self.backend.footprint_page, org, filters, offset, limit
            )
            headers: dict[str, str] = {}
            if end is not None:
                query = [(k, v) for k, v in params.multi_items() if k not in ("offset", "limit")]
                query += [("limit", str(limit)), ("offset", str(end))]
                headers["Link"] = (
                    f'<{self._base(request)}/3/footprints?{urlencode(query)}>; rel="next"'
                )
            return JSONResponse({"data": page}, headers=headers)

        @r.get("/3/footprints/{pf_id}", include_in_schema=False)
        async def get_footprint(pf_id: str, request: Request) -> Response:
            if not self._https(request):
                return _error(403, "AccessDenied", "HTTPS is required")
            org = self._org(request)
            if org is None:
                return _error(401, "BadRequest", "invalid or expired access token")
            pf, known = await run_in_threadpool(self.backend.footprint, org, pf_id)
            if pf is not None:
                return JSONResponse({"data": pf})
            if known:
                return _error(403, "AccessDenied", "this footprint is not shared with you")
            return _error(404, "NotFound", f"no footprint with id {pf_id}")

        @r.post("/3/events", include_in_schema=False)
        async def events(request: Request) -> Response:
            if not self._https(request):
                return _error(403, "AccessDenied", "HTTPS is required")
            org = self._org(request)
            if org is None:
                return _error(401, "BadRequest", "invalid or expired access token")
            try:
                body = json.loads(await request.body())
            except (json.JSONDecodeError, UnicodeDecodeError):
                return _error(400, "BadRequest", "the body is not JSON")
            problem = _event_problem(body)
            if problem:
                return _error(400, "BadRequest", problem)
            event = ReceivedEvent(
                org=org,
                type=body["type"],
                id=str(body["id"]),
                data=body["data"],
                received=dt.datetime.now(dt.UTC),
            )
            self.backend.receive(event)
            outbox = getattr(self.backend, "outbox", None)
            tasks = BackgroundTasks()
            if self.deliver is not None and outbox:
                pending = list(outbox)
                outbox.clear()
                for target, answer in pending:
                    tasks.add_task(self.deliver, target, answer)
            return Response(status_code=200, background=tasks)

        @r.get(SCHEMA_PATH, include_in_schema=False)
        async def extension_schema() -> Response:
            return Response(shipped_schema(), media_type="application/schema+json")

        @r.get(DOC_PATH, include_in_schema=False)
        async def extension_doc() -> Response:
            return Response(_EXTENSION_DOC, media_type="text/plain; charset=utf-8")

        return r


_EXTENSION_DOC = (
    "tanzuji-uncertainty 1.0.0: a PACT v3 data model extension carrying the measurement "
    "uncertainty of a product footprint (u, U, k, coverage probability, method, per-stage "
    "values and u, report number and SHA-256 of the signed report). JSON Schema: schema.json "
    "beside this page. Documentation: docs/pact.md of tanzuji.\n"
)


def _basic(header: str) -> tuple[str | None, str | None]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = text.partition(":")
    return (user, password) if sep else (None, None)


def _event_problem(body: Any) -> str | None:
    """Why a CloudEvent is not a valid v3 event, or ``None``."""
    if not isinstance(body, dict):
        return "expected a CloudEvent JSON object"
    for key in ("type", "specversion", "id", "source", "time", "data"):
        if key not in body:
            return f"$.{key}: required property missing"
    if body["type"] not in EVENT_TYPES:
        return f"$.type: unknown event type {body['type']!r}"
    if body["specversion"] != "1.0":
        return "$.specversion: expected 1.0"
    try:
        parse_time(str(body["time"]))
    except ValueError:
        return "$.time: expected an RFC 3339 time"
    data = body["data"]
    if not isinstance(data, dict):
        return "$.data: expected an object"
    kind = body["type"].split(".")[-2]
    if kind == "PublishedEvent":
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids:
            return "$.data.pfIds: expected a non-empty list of footprint ids"
        for i, pid in enumerate(ids):
            try:
                uuid.UUID(str(pid))
            except ValueError:
                return f"$.data.pfIds[{i}]: expected a UUID (got {pid})"
    elif kind == "RequestCreatedEvent":
        for key, value in data.items():
            if key in ("productId", "companyId", "geography", "classification") and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                return f"$.data.{key}: expected a list of strings"
            if key in ("validOn", "validAfter", "validBefore"):
                try:
                    parse_time(str(value))
                except ValueError:
                    return f"$.data.{key}: expected an RFC 3339 time"
    else:
        if not data.get("requestEventId"):
            return "$.data.requestEventId: required property missing"
        if kind == "RequestFulfilledEvent":
            pfs = data.get("pfs")
            if not isinstance(pfs, list) or not pfs:
                return "$.data.pfs: expected a non-empty list of footprints"
            for i, pf in enumerate(pfs):
                with use_lang("en"):  # a protocol response: the spec's language
                    errs = footprint_errors(pf)
                if errs:
                    return errs[0].replace("$", f"$.data.pfs[{i}]", 1)
        elif not isinstance(data.get("error"), dict):
            return "$.data.error: required property missing"
    return None


def create_app(
    backend: PactBackend,
    *,
    trusted_proxies: Sequence[str] = (),
    deliver: Callable[[Any, dict[str, Any]], object] | None = None,
) -> FastAPI:
    """A FastAPI application serving the PACT routes of ``backend``."""
    app = FastAPI(title="tanzuji PACT host", docs_url=None, redoc_url=None, openapi_url=None)
    api = PactApi(backend, trusted_proxies=tuple(trusted_proxies), deliver=deliver)
    app.include_router(api.router())
    app.state.pact = api
    return app
