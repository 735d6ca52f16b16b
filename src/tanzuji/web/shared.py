"""Job runner and sign-in limiter whose state lives in the store (``--workers N``).

Drop-in replacements of :class:`tanzuji.web.jobs.JobRunner` and
:class:`tanzuji.web.security.LoginLimiter` used when the application has a store: a poll
or a sign-in may reach any worker process, so every process reads and writes the same rows
(``tanzuji.services.coordination``). A job still runs in a thread of the process that
accepted it; its progress is written at most every :data:`PROGRESS_SECONDS`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from fastapi import HTTPException

from tanzuji.i18n import tr
from tanzuji.web.jobs import Job, Progress

__all__ = ["PROGRESS_SECONDS", "StoreJobRunner", "StoreLoginLimiter"]

PROGRESS_SECONDS = 0.3


def _uow(store: Any, write: bool = True) -> Any:
    from tanzuji.store import UnitOfWork

    return UnitOfWork(store, write=write)


def _job(record: Any) -> Job:
    return Job(
        id=record.id,
        owner=record.owner,
        kind=record.kind,
        state=record.state,
        done=record.done,
        total=record.total,
        result=record.result,
        error=record.error,
        created=record.created,
    )


def _error_text(exc: Exception) -> str:
    from tanzuji.errors import InputErrors, TanzujiError

    if isinstance(exc, InputErrors):
        return "; ".join(str(e) for e in exc.errors)
    if isinstance(exc, TanzujiError):
        return str(exc)
    return type(exc).__name__


class StoreJobRunner:
    """Background jobs recorded in the store; at most ``per_owner`` unfinished jobs per
    organisation across all processes (one more is refused with 429)."""

    def __init__(self, store: Any, *, threads: int = 1, per_owner: int = 2) -> None:
        self.store = store
        self.per_owner = per_owner
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="tzj-job")
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    def submit(
        self, *, owner: str, work: Callable[[Progress], Any], kind: str = "monte_carlo"
    ) -> Job:
        from tanzuji.services.coordination import create_job, finish_job, job_progress

        job_id = uuid.uuid4().hex
        record = create_job(
            _uow(self.store),
            job_id=job_id,
            owner=str(owner),
            kind=kind,
            worker=self.worker,
            limit=self.per_owner,
        )
        if record is None:
            raise HTTPException(
                429,
                detail=tr(
                    f"本组织已有 {self.per_owner} 个计算任务在进行，请等待其完成后再试",
                    f"your organisation already has {self.per_owner} jobs running; "
                    "try again when one has finished",
                ),
                headers={"Retry-After": "10"},
            )
        last = [0.0]
        seen: list[tuple[int, int | None]] = []

        def tick(done: int, total: int | None) -> None:
            seen[:] = [(done, total)]
            now = time.monotonic()
            if now - last[0] >= PROGRESS_SECONDS:
                last[0] = now
                job_progress(_uow(self.store), job_id, done, total)

        def run() -> None:
            try:
                job_progress(_uow(self.store), job_id, 0, None)
                result = work(tick)
            except Exception as exc:  # reported to the job's owner, not raised
                end = seen[0] if seen else None
                finish_job(_uow(self.store), job_id, error=_error_text(exc), progress=end)
                return
            end = seen[0] if seen else None
            try:
                finish_job(_uow(self.store), job_id, result=result, progress=end)
            except (TypeError, ValueError) as exc:  # a result JSON cannot hold
                finish_job(_uow(self.store), job_id, error=type(exc).__name__, progress=end)

        with self._lock:
            self._futures[job_id] = self._pool.submit(run)
        return _job(record)

    def get(self, job_id: str, *, owner: str) -> Job | None:
        """The job if it exists and belongs to ``owner``, whichever process runs it."""
        from tanzuji.services.coordination import read_job

        if len(job_id) > 64:
            return None
        record = read_job(_uow(self.store, write=False), job_id, owner=str(owner))
        return _job(record) if record is not None else None

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Wait for a job this process runs (tests)."""
        with self._lock:
            fut = self._futures.get(job_id)
        if fut is not None:
            fut.result(timeout=timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class StoreLoginLimiter:
    """At most ``attempts`` failed sign-ins per key within ``window_seconds``, counted in
    the store (so across every worker process)."""

    def __init__(self, store: Any, attempts: int, window_seconds: int) -> None:
        self.store = store
        self.attempts = attempts
        self.window = float(window_seconds)

    def allowed(self, key: str, now: float | None = None) -> bool:
        from tanzuji.services.coordination import login_failures

        n = login_failures(_uow(self.store, write=False), key, self.window, now=now)
        return n < self.attempts

    def fail(self, key: str, now: float | None = None) -> None:
        from tanzuji.services.coordination import record_login_failure

        record_login_failure(_uow(self.store), key, self.window, now=now)

    def reset(self, key: str) -> None:
        from tanzuji.services.coordination import clear_login_failures

        clear_login_failures(_uow(self.store), key)
