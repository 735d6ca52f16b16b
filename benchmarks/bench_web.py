"""Open-loop load on the web platform (issue 12, point 9): fixed request rates on a real
``tanzuji serve`` (uvicorn, one worker) over SQLite or PostgreSQL.

    .venv/bin/python benchmarks/bench_web.py                       # SQLite, 60 s per rate
    .venv/bin/python benchmarks/bench_web.py --seconds 10 --database-url postgresql+psycopg://…

Three endpoints at each rate, in the same run: ``GET /healthz`` (the near-bare endpoint:
a constant through the same middleware), ``GET /api/revisions/{rev}`` (reading a stored
result) and ``POST /api/evaluate`` (a JJF evaluation of an uploaded study). Requests are
sent on schedule whether or not earlier ones finished (open loop), so queueing shows up in
the latency instead of lowering the rate. The load generator shares the 2-core machine with
the server: rates are what the pair sustains together.

Goals: result reads p99 < 100 ms at 200 req/s and a sustained rate ≥ 30 % of the bare
endpoint's; JJF evaluations p99 < 300 ms at 20 req/s; 50 concurrent connections without
errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "examples" / "single-phase-meter" / "study.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(url: str) -> tuple[str, str, str]:
    """An organisation with a client and one saved revision; (client id, secret, revision)."""
    from tanzuji.services.admin import add_api_client, add_org
    from tanzuji.services.context import Actor
    from tanzuji.services.save import save_study
    from tanzuji.store import UnitOfWork, open_store

    store = open_store(url)
    store.upgrade()
    actor = Actor(user="bench", org="bench")
    add_org(UnitOfWork(store), actor, "bench")
    client = add_api_client(UnitOfWork(store), actor, org="bench", name="bench")
    rev = save_study(UnitOfWork(store), actor, STUDY)
    return client["client_id"], client["client_secret"], rev.revision_id


async def _run(client: httpx.AsyncClient, make: object, rate: float, seconds: float) -> dict:
    lat: list[float] = []
    errors = 0

    async def one() -> None:
        nonlocal errors
        t0 = time.perf_counter()
        try:
            r = await make(client)  # type: ignore[operator]
            if r.status_code >= 400:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        lat.append(time.perf_counter() - t0)

    tasks = []
    start = time.perf_counter()
    n = int(rate * seconds)
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    return {"rate": rate, "n": n, "errors": errors, "p50": pick(0.5), "p99": pick(0.99)}


async def main_async(args: argparse.Namespace, base: str, cid: str, secret: str, rev: str) -> None:
    limits = httpx.Limits(
        max_connections=args.connections, max_keepalive_connections=args.connections
    )
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as c:
        r = await c.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret)
        )
        token = r.json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        study = STUDY.read_bytes()
        cases = {
            "bare /healthz": (lambda cl: cl.get("/healthz"), args.read_rates, 100.0),
            "stored result": (lambda cl: cl.get(f"/api/revisions/{rev}"), args.read_rates, 100.0),
            "JJF evaluation": (
                lambda cl: cl.post("/api/evaluate", files={"file": ("s.yaml", study)}),
                args.eval_rates,
                300.0,
            ),
        }
        print(f"{'endpoint':<16} {'rate/s':>7} {'n':>6} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8}")
        best: dict[str, float] = {}
        for name, (make, rates, goal) in cases.items():
            for rate in rates:
                res = await _run(c, make, rate, args.seconds)
                ok = res["errors"] == 0 and res["p99"] < goal
                if ok:
                    best[name] = max(best.get(name, 0.0), rate)
                print(
                    f"{name:<16} {rate:>7.0f} {res['n']:>6} {res['errors']:>6} "
                    f"{res['p50']:>8.1f} {res['p99']:>8.1f} {'ok' if ok else 'over goal'}"
                )
        print("highest rate with p99 under the goal and no errors:", best)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--read-rates", type=float, nargs="+", default=[50, 100, 200, 400])
    ap.add_argument("--eval-rates", type=float, nargs="+", default=[5, 10, 20])
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tzj-bench-web-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    cid, secret, rev = _prepare(url)
    port = _free_port()
    env = {**os.environ, "TANZUJI_DATABASE_URL": url, "XDG_DATA_HOME": str(tmp)}
    env["TANZUJI_SECRET_KEY"] = "b" * 48
    server = subprocess.Popen(
        [sys.executable, "-m", "tanzuji.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        asyncio.run(main_async(args, base, cid, secret, rev))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
