"""CPU cost per request of the web platform, in process (issue 12, point 9).

    .venv/bin/python benchmarks/profile_web.py                 # CPU ms per request
    .venv/bin/python benchmarks/profile_web.py --profile read  # plus cProfile of one path

The application ``tanzuji serve`` runs (``tanzuji.web.main.create_from_env``, SQLite or
``--database-url``) is driven through httpx's ASGI transport: no sockets, no uvicorn, so
what is measured is the application's own work (routing, middleware, authentication, the
store, serialisation). CPU time (``time.process_time``, every thread of the process) does
not grow when other jobs load the machine, unlike wall time, so it is the number to
compare before and after a change. Three paths, interleaved in rounds:

* ``bare``: ``GET /healthz`` (a constant through the same middleware);
* ``read``: ``GET /api/revisions/{rev}`` with a Bearer token (a stored result);
* ``jjf``: ``POST /api/evaluate`` of the bundled meter study (JJF evaluation).

``--profile PATH`` runs the threadpool parts inline so that cProfile sees them.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import STUDY, _prepare

Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def _app(url: str, data_home: Path) -> Any:
    os.environ["TANZUJI_DATABASE_URL"] = url
    os.environ["XDG_DATA_HOME"] = str(data_home)
    os.environ["TANZUJI_SECRET_KEY"] = "b" * 48
    from tanzuji.web.main import create_from_env

    return create_from_env()


def _inline_threadpool() -> None:
    """Run ``run_in_threadpool`` work on the event loop's thread (for cProfile only)."""
    import fastapi.dependencies.utils as dep_utils
    import fastapi.routing as routing

    async def inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    routing.run_in_threadpool = inline  # type: ignore[assignment]
    dep_utils.run_in_threadpool = inline  # type: ignore[assignment]
    for name in ("tanzuji.web.routers.evaluate", "tanzuji.web.routers.api", "tanzuji.web.deps"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "run_in_threadpool"):
            module.run_in_threadpool = inline


async def _cpu_ms(client: httpx.AsyncClient, call: Call, n: int) -> float:
    """CPU milliseconds per request over ``n`` sequential requests."""
    t0 = time.process_time()
    for _ in range(n):
        r = await call(client)
        if r.status_code >= 400:
            raise SystemExit(f"request failed: {r.status_code} {r.text[:300]}")
    return (time.process_time() - t0) * 1000 / n


async def run(args: argparse.Namespace, app: Any, cid: str, secret: str, rev: str) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret)
        )
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        study = STUDY.read_bytes()
        calls: dict[str, tuple[Call, int]] = {
            "bare": (lambda c: c.get("/healthz"), args.n),
            "read": (lambda c: c.get(f"/api/revisions/{rev}"), args.n),
            "jjf": (
                lambda c: c.post("/api/evaluate", files={"file": ("s.yaml", study)}),
                max(args.n // 20, 5),
            ),
        }
        for call, _ in calls.values():  # warm up imports and caches
            for _ in range(3):
                await call(client)
        if args.profile:
            call, n = calls[args.profile]
            # wall time by default (shows waits on the database); --cpu: CPU time only
            prof = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
            prof.enable()
            await _cpu_ms(client, call, n)
            prof.disable()
            if args.dump:
                prof.dump_stats(args.dump)
            stats = pstats.Stats(prof, stream=sys.stdout)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            return
        samples: dict[str, list[float]] = {k: [] for k in calls}
        for _ in range(args.rounds):
            for name, (call, n) in calls.items():
                samples[name].append(await _cpu_ms(client, call, n))
        size = len((await calls["read"][0](client)).content)
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"stored result response: {size:,} bytes")
        print(f"{'path':<6} {'CPU ms/request (median of rounds)':>34} {'min':>8} {'max':>8}")
        for name, xs in samples.items():
            print(f"{name:<6} {statistics.median(xs):>34.2f} {min(xs):>8.2f} {max(xs):>8.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=None)
    ap.add_argument("-n", type=int, default=200, help="requests per round (JJF: n/20)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", choices=["bare", "read", "jjf"], default=None)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--cpu", action="store_true", help="profile CPU time instead of wall time")
    ap.add_argument("--dump", default=None, help="write the cProfile stats to this file")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tzj-profile-web-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    cid, secret, rev = _prepare(url)
    app = _app(url, tmp)
    if args.profile:
        _inline_threadpool()
    asyncio.run(run(args, app, cid, secret, rev))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
