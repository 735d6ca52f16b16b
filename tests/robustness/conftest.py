"""Fixtures of the robustness suite: the CLI in-process, keys, and a local HTTP server."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are matched in English (the CLI runs get ``--lang en``)."""
    from tanzuji.i18n import use_lang

    with use_lang("en"):
        yield


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def run_cli(tanzuji_main: Callable[..., tuple[int, str, str]]) -> Callable[..., CliResult]:
    """``tanzuji.cli:main`` in-process, in English (one line per user error, exit 1)."""

    def run(*args: Any) -> CliResult:
        return CliResult(*tanzuji_main("--lang", "en", *args))

    return run


@dataclass
class Server:
    port: int
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def http_server() -> Iterator[Server]:
    """A server on 127.0.0.1 (free port) that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(httpd.server_address[1], seen)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def sign_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from tanzuji.report import keygen

    key, cert = keygen(tmp_path_factory.mktemp("keys"), name="100% 王五")
    return key, cert
