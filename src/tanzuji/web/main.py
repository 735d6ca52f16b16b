"""The application `tanzuji serve` runs in each uvicorn worker (settings from the environment)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from tanzuji.web.app import create_app
from tanzuji.web.backend import StoreAccounts
from tanzuji.web.settings import WebSettings, load_secret

__all__ = ["create_from_env"]


def create_from_env() -> FastAPI:
    """Open the configured database and build the application over it."""
    from tanzuji.config import load_config
    from tanzuji.store import open_store
    from tanzuji.web.publishing import StorePublications

    config = load_config()
    store = open_store(config.effective_database_url)
    store.check_schema()
    settings = WebSettings(
        secret_key=load_secret(),
        database_url=config.effective_database_url,
        secure_cookies=os.environ.get("TANZUJI_WEB_SECURE") == "1",
        require_https=os.environ.get("TANZUJI_WEB_REQUIRE_HTTPS") == "1",
        public_base_url=os.environ.get("TANZUJI_PUBLIC_URL") or None,
    )
    return create_app(
        settings, StoreAccounts(store), store=store, publications=StorePublications(store)
    )
