"""``tanzuji serve``: the web platform under uvicorn (thin: parse options, start the server)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from tanzuji.errors import InputError
from tanzuji.i18n import tr

__all__ = ["register"]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Database (SQLAlchemy URL or SQLite file path)."),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="Serve HTTPS with this certificate (PEM).")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="Private key of --tls-cert (PEM).")
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Trusted reverse proxies (comma-separated IPs) whose X-Forwarded-Proto/For "
            "are believed; HTTPS is then required through them.",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
) -> None:
    """Serve the web platform (REST API, browser UI, public carbon labels)."""
    import uvicorn

    from tanzuji.config import load_config
    from tanzuji.web.settings import load_secret

    if (tls_cert is None) != (tls_key is None):
        raise InputError(
            tr("--tls-cert 与 --tls-key 须同时给出", "give both --tls-cert and --tls-key")
        )
    for p in (tls_cert, tls_key):
        if p is not None and not p.is_file():
            raise InputError(tr("文件不存在", "file not found"), file=str(p))
    cfg = load_config().with_overrides(database_url=database_url)
    load_secret()  # made once here, before the workers start, then read by each of them
    os.environ["TANZUJI_DATABASE_URL"] = cfg.effective_database_url
    secure = tls_cert is not None or forwarded_allow_ips is not None
    os.environ["TANZUJI_WEB_SECURE"] = "1" if secure else "0"
    os.environ["TANZUJI_WEB_REQUIRE_HTTPS"] = "1" if forwarded_allow_ips else "0"
    scheme = "https" if tls_cert else "http"
    typer.echo(tr(f"服务地址 {scheme}://{host}:{port}/", f"serving at {scheme}://{host}:{port}/"))
    uvicorn.run(
        "tanzuji.web.main:create_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``tanzuji`` command line."""
    app.command()(serve)
