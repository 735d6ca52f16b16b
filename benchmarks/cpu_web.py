"""CPU per request of a real ``tanzuji serve`` and of PostgreSQL (issue 12, point 9).

    .venv/bin/python benchmarks/cpu_web.py                        # SQLite
    .venv/bin/python benchmarks/cpu_web.py --database-url postgresql+psycopg://…

Starts ``tanzuji serve`` (uvicorn, ``--workers N``) and the bare FastAPI app of
``bench_web.py``, sends ``-n`` requests per round from ``--concurrency`` keep-alive
connections (closed loop), and reads the CPU time the server processes used from
``/proc`` (user + system). On PostgreSQL it also reads the CPU of every process of the
``postgres`` user, backends that ended included (through the postmaster's reaped
children), and counts the sessions opened during the round (``pg_stat_database``).
Unlike ``profile_web.py`` this sees what only a real server does: uvicorn's HTTP parsing,
the thread pool hand-offs, the connection pool, the database server's own work. CPU time
hardly depends on other jobs; the PostgreSQL figure does include other databases' work on
the same server, so run it while nothing else uses that server. Linux only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import BARE_APP, Pool, _free_port, _prepare, _wait, get

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu(pids: list[int], *, reaped: bool = False) -> float:
    """CPU seconds of ``pids`` (with ``reaped``: plus their ended, waited-for children)."""
    total = 0
    for pid in pids:
        f = _stat(pid)
        if f is not None:
            total += int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if reaped else 0)
    return total / TICK


def _tree(pid: int) -> list[int]:
    """A process and its descendants (uvicorn's supervisor and its workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            kids = [int(k) for k in fh.read().split()]
    except OSError:
        kids = []
    return [pid] + [p for k in kids for p in _tree(k)]


def _postgres_cpu() -> float:
    out = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout
    pids = [int(p) for p in out.split()]
    # backends are the postmaster's children: the postmaster's reaped children count them
    # once they end; the live ones are counted directly
    return _cpu(pids) + sum(
        _cpu([p], reaped=True) - _cpu([p])
        for p in pids
        if (f := _stat(p)) is not None and int(f[1]) not in pids
    )


def _sessions(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        row = c.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


async def _closed_loop(pool: Pool, raw: bytes, n: int, concurrency: int) -> float:
    """Seconds to get ``n`` answers with ``concurrency`` requests outstanding."""
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            status = await pool.request(raw)
            if not 200 <= status < 400:
                raise SystemExit(f"request failed: {status}")

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0


async def run(
    args: argparse.Namespace,
    url: str,
    ports: dict[str, int],
    token: str,
    rev: str,
    pids: dict[str, list[int]],
) -> None:
    pg = url.startswith("postgresql")
    cases = [
        ("bare", ports["bare"], get("/")),
        ("healthz", ports["tz"], get("/healthz")),
        ("read", ports["tz"], get(f"/api/revisions/{rev}", token)),
    ]
    pools = {p: Pool(p, args.concurrency) for p in ports.values()}
    for _, port, raw in cases:  # warm up: imports, caches, the connection pool
        await _closed_loop(pools[port], raw, 300, args.concurrency)
    rows: dict[str, list[tuple[float, float, int, float]]] = {name: [] for name, _, _ in cases}
    for _ in range(args.rounds):
        for name, port, raw in cases:
            own = pids["bare"] if name == "bare" else pids["tz"]
            db = pg and name == "read"
            s0, c0, g0 = _sessions(url) if db else 0, _cpu(own), _postgres_cpu() if db else 0.0
            seconds = await _closed_loop(pools[port], raw, args.n, args.concurrency)
            c1, g1 = _cpu(own), _postgres_cpu() if db else 0.0
            opened = _sessions(url) - s0 - 1 if db else 0  # minus _sessions' own
            rows[name].append(
                ((c1 - c0) * 1000 / args.n, (g1 - g0) * 1000 / args.n, opened, args.n / seconds)
            )
    for pool in pools.values():
        await pool.close()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        "| path | server CPU ms/request | PostgreSQL CPU ms/request | sessions opened "
        "| requests/s (closed loop) |\n|---|---:|---:|---:|---:|"
    )
    for name, xs in rows.items():
        med = [statistics.median(x[i] for x in xs) for i in range(4)]
        pg_cells = f"{med[1]:.2f} | {med[2]:.0f}" if pg and name == "read" else "— | —"
        print(f"| {name} | {med[0]:.2f} | {pg_cells} | {med[3]:.0f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=None)
    ap.add_argument("-n", type=int, default=2000, help="requests per path and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1, help="tanzuji serve --workers")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tzj-cpu-web-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    cid, secret, rev = _prepare(url)
    ports = {"tz": _free_port(), "bare": _free_port()}
    env = {**os.environ, "TANZUJI_DATABASE_URL": url, "XDG_DATA_HOME": str(tmp)}
    env["TANZUJI_SECRET_KEY"] = "b" * 48
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    cmd = [sys.executable, "-m", "tanzuji.cli", "serve", "--port", str(ports["tz"])]
    servers = {
        "tz": subprocess.Popen([*cmd, "--workers", str(args.workers)], env=env, **quiet),  # type: ignore[call-overload]
        "bare": subprocess.Popen([sys.executable, "-c", BARE_APP, str(ports["bare"])], **quiet),  # type: ignore[call-overload]
    }
    try:
        base = f"http://127.0.0.1:{ports['tz']}"
        _wait(base + "/healthz")
        _wait(f"http://127.0.0.1:{ports['bare']}/")
        r = httpx.post(
            base + "/auth/token", data={"grant_type": "client_credentials"}, auth=(cid, secret)
        )
        token = r.json()["access_token"]
        pids = {name: _tree(s.pid) for name, s in servers.items()}
        print(
            f"tanzuji serve --workers {args.workers} on {url.split(':')[0]}: {args.n} requests "
            f"per path and round, {args.rounds} rounds, {args.concurrency} at a time"
        )
        asyncio.run(run(args, url, ports, token, rev, pids))
    finally:
        for s in servers.values():
            s.terminate()
        for s in servers.values():
            s.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
