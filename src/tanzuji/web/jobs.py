"""Background jobs (Monte Carlo) with progress that a browser or client can poll.

Jobs run in a small thread pool of this process and are kept in memory for an hour;
every job belongs to one organisation and only that organisation can read it.

>>> runner = JobRunner(workers=1)
>>> job = runner.submit(owner="org-1", work=lambda progress: (progress(5, 10), {"ok": 1})[1])
>>> runner.wait(job.id)
>>> j = runner.get(job.id, owner="org-1")
>>> j.state, j.done, j.total, j.result
('done', 5, 10, {'ok': 1})
>>> runner.get(job.id, owner="org-2") is None
True
>>> runner.shutdown()
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "JobRunner", "Progress"]

Progress = Callable[[int, int | None], None]
_KEEP_SECONDS = 3600


@dataclass
class Job:
    """One background job: its owner, state, progress and result or error."""

    id: str
    owner: str
    kind: str = "monte_carlo"
    state: str = "queued"  # queued | running | done | failed
    done: int = 0
    total: int | None = None
    result: Any = None
    error: str | None = None
    created: float = field(default_factory=time.time)

    def fraction(self) -> float:
        """Share done in [0, 1] (an adaptive run with no known total: a slow approach)."""
        if self.state == "done":
            return 1.0
        if self.total:
            return min(self.done / self.total, 1.0)
        return self.done / (self.done + 200_000) if self.done else 0.0


class JobRunner:
    """A thread pool running jobs and remembering them."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tzj-job")
        self._jobs: dict[str, Job] = {}
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    def submit(
        self, *, owner: str, work: Callable[[Progress], Any], kind: str = "monte_carlo"
    ) -> Job:
        self._expire()
        job = Job(id=uuid.uuid4().hex, owner=owner, kind=kind)

        def tick(done: int, total: int | None) -> None:
            job.done, job.total = done, total

        def run() -> None:
            job.state = "running"
            try:
                job.result = work(tick)
                job.state = "done"
            except Exception as exc:  # reported to the job's owner, not raised
                from tanzuji.errors import InputErrors, TanzujiError

                if isinstance(exc, InputErrors):
                    job.error = "; ".join(str(e) for e in exc.errors)
                elif isinstance(exc, TanzujiError):
                    job.error = str(exc)
                else:
                    job.error = type(exc).__name__
                job.state = "failed"

        with self._lock:
            self._jobs[job.id] = job
            self._futures[job.id] = self._pool.submit(run)
        return job

    def get(self, job_id: str, *, owner: str) -> Job | None:
        """The job if it exists and belongs to ``owner``."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        fut = self._futures.get(job_id)
        if fut is not None:
            fut.result(timeout=timeout)

    def _expire(self) -> None:
        cutoff = time.time() - _KEEP_SECONDS
        with self._lock:
            for jid in [j.id for j in self._jobs.values() if j.created < cutoff]:
                if self._jobs[jid].state in {"done", "failed"}:
                    del self._jobs[jid]
                    self._futures.pop(jid, None)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
