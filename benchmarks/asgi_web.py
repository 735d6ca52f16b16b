"""CPU per request of the web application alone, driven with raw ASGI calls (issue 12, point 9).

    .venv/bin/python benchmarks/asgi_web.py                       # SQLite
    .venv/bin/python benchmarks/asgi_web.py --database-url postgresql+psycopg://…

Like ``profile_web.py`` but without any HTTP client: each request is one call of the
application with a prepared ASGI scope, so the figures are the application's own CPU
(``time.process_time``, every thread, thread-pool hand-offs included) and can be set
against a bare FastAPI app returning a constant (the app of ``bench_web.py``) in the same
process. Paths: ``bare``, tanzuji's ``/healthz``, the stored-result ``read`` with a Bearer
token and its revalidation (``304``, ``If-None-Match``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import _prepare
from profile_web import _app

Headers = list[tuple[bytes, bytes]]


async def _call(app: Any, path: str, headers: Headers) -> int:
    """One GET through the application; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def _bare() -> Any:
    from fastapi import FastAPI

    bare = FastAPI()

    @bare.get("/")
    def constant() -> dict[str, str]:
        return {"status": "ok"}

    return bare


async def run(args: argparse.Namespace, app: Any, cid: str, secret: str, rev: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret)
        )
        token = r.json()["access_token"]
        first = await c.get(f"/api/revisions/{rev}", headers={"authorization": f"Bearer {token}"})
        etag = first.headers["etag"]
    base: Headers = [(b"host", b"t"), (b"user-agent", b"asgi_web")]
    auth = [*base, (b"authorization", f"Bearer {token}".encode())]
    cases = {
        "bare": (_bare(), "/", base, 200),
        "healthz": (app, "/healthz", base, 200),
        "read": (app, f"/api/revisions/{rev}", auth, 200),
        "304": (app, f"/api/revisions/{rev}", [*auth, (b"if-none-match", etag.encode())], 304),
    }
    for target, path, headers, status in cases.values():  # warm up; check the answers
        for _ in range(50):
            got = await _call(target, path, headers)
            if got != status:
                raise SystemExit(f"{path}: status {got}, expected {status}")
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (target, path, headers, _) in cases.items():
            t0 = time.process_time()
            for _ in range(args.n):
                await _call(target, path, headers)
            samples[name].append((time.process_time() - t0) * 1000 / args.n)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'path':<8} {'CPU ms/request (median of rounds)':>34} {'min':>8} {'max':>8}")
    for name, xs in samples.items():
        print(f"{name:<8} {statistics.median(xs):>34.3f} {min(xs):>8.3f} {max(xs):>8.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=None)
    ap.add_argument("-n", type=int, default=1000, help="requests per path and round")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tzj-asgi-web-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    cid, secret, rev = _prepare(url)
    asyncio.run(run(args, _app(url, tmp), cid, secret, rev))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
