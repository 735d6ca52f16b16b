"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from tanzuji import __version__
from tanzuji.web.accounts import Accounts
from tanzuji.web.deps import csrf_guard
from tanzuji.web.errors import ServerErrors, install_handlers
from tanzuji.web.middleware import WebMiddleware
from tanzuji.web.public import Publications
from tanzuji.web.settings import WebSettings
from tanzuji.web.state import AppState

__all__ = ["create_app"]

_STATIC = Path(__file__).parent / "static"


def create_app(
    settings: WebSettings,
    accounts: Accounts,
    store: Any = None,
    publications: Publications | None = None,
) -> FastAPI:
    """A new application over ``accounts`` (and the store, when there is one)."""
    from tanzuji.web.routers import (
        api,
        auth,
        authority,
        evaluate,
        factors,
        issue,
        pactui,
        pages,
        portal,
        public,
        verify,
    )

    tz = AppState.build(settings, accounts, store, publications)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        tz.jobs.shutdown()

    app = FastAPI(
        title="tanzuji",
        version=__version__,
        description="碳足迹 tanzuji — product carbon footprints with evaluated uncertainty.",
        dependencies=[Depends(csrf_guard)],
        lifespan=lifespan,
    )
    app.state.tz = tz
    install_handlers(app)
    # routes are matched in order, each costing CPU: the health check and the hot read first
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    app.router.routes.append(ReadRoute("/api/revisions/{rev}", api.revision_direct))
    for module in (
        auth,
        evaluate,
        factors,
        verify,
        public,
        api,
        authority,
        issue,
        portal,
        pactui,
        pages,
    ):
        app.include_router(module.router)
    if store is not None:
        _mount_pact(app, tz, store)
    app.mount("/static", StaticFiles(directory=str(_STATIC)), name="static")

    app.add_middleware(ServerErrors)  # inside WebMiddleware: the language, the headers
    app.add_middleware(
        WebMiddleware,
        secure_cookies=settings.secure_cookies,
        require_https=settings.require_https,
        max_body=max(settings.max_upload_bytes, 30 * 1024 * 1024) + 1024 * 1024,
    )
    return app


async def _healthz() -> dict[str, str]:  # async: never waits for a thread
    return {"status": "ok"}


class ReadRoute(Route):
    """A GET route tried before FastAPI's router, whose endpoint takes the request and calls
    the dependencies of the documented route of the same path itself (see
    ``routers.api.revision_direct``). Any other method goes on to that route."""

    def __init__(self, path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> None:
        super().__init__(path, endpoint, methods=["GET"], include_in_schema=False)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "GET":
            return Match.NONE, {}
        return super().matches(scope)


def _mount_pact(app: FastAPI, tz: AppState, store: Any) -> None:
    """The PACT v3 host over the store, with the platform's one client-credential system.

    ``POST /auth/token`` stays the platform's; HTTPS is checked on the request's scheme
    (uvicorn sets it from X-Forwarded-Proto only for ``--forwarded-allow-ips``).
    """
    import os

    from tanzuji.pact.api import PactApi
    from tanzuji.services.pact_backend import StorePactHost

    host = StorePactHost(
        store,
        base_url=(tz.settings.public_base_url or "").rstrip("/") or None,
        verify=os.environ.get("TANZUJI_PACT_CA_FILE") or True,
    )
    api = PactApi(host, bearer_org=tz.bearer_org, deliver=host.deliver)
    app.include_router(api.router())
    app.state.pact_host = host
