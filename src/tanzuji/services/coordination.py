"""What the worker processes of the web platform share through the store.

``tanzuji serve --workers N`` runs N processes; a poll for a job's progress, or the next
sign-in attempt, may reach any of them. So background jobs (their state, progress, result
and owner) and failed sign-ins are rows in the store, not objects in one process:

* a job is run by the process that accepted it, which writes its progress (at most a few
  times a second) and its result; every process reads it from here. A job whose process
  stopped writing for :data:`STALE_SECONDS` while queued or running is reported failed;
* the number of unfinished jobs of an organisation is counted here, across processes,
  against the limit of jobs an organisation may have at once;
* sign-in failures are rows counted over a sliding window, across processes.

Times are seconds since the epoch (``time.time()``), the same on every process of a host.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import undefer

from tanzuji.i18n import tr
from tanzuji.store import UnitOfWork
from tanzuji.store.web_models import LoginFailure, WebJob

__all__ = [
    "KEEP_SECONDS",
    "STALE_SECONDS",
    "JobRecord",
    "clear_login_failures",
    "create_job",
    "finish_job",
    "job_progress",
    "login_failures",
    "read_job",
    "record_login_failure",
]

KEEP_SECONDS = 3600.0
"""Finished jobs are kept this long, then deleted."""
STALE_SECONDS = 600.0
"""An unfinished job not updated for this long is taken as lost (its process stopped)."""
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class JobRecord:
    """A background job as the store holds it."""

    id: str
    owner: str
    kind: str
    state: str
    done: int
    total: int | None
    result: Any
    error: str | None
    created: float


def create_job(
    uow: UnitOfWork,
    *,
    job_id: str,
    owner: str,
    kind: str,
    worker: str,
    total: int | None = None,
    limit: int | None = None,
    now: float | None = None,
) -> JobRecord | None:
    """Record a new queued job; ``None`` if ``owner`` has ``limit`` unfinished jobs already."""
    now = time.time() if now is None else now
    with uow:
        s = uow.session
        s.execute(
            delete(WebJob).where(
                WebJob.state.not_in(ACTIVE), WebJob.updated_at < now - KEEP_SECONDS
            )
        )
        if limit is not None:
            active = s.scalar(
                select(func.count())
                .select_from(WebJob)
                .where(
                    WebJob.owner == owner,
                    WebJob.state.in_(ACTIVE),
                    WebJob.updated_at >= now - STALE_SECONDS,
                )
            )
            if (active or 0) >= limit:
                uow.commit()
                return None
        s.add(
            WebJob(
                id=job_id,
                owner=owner,
                kind=kind,
                state="queued",
                done=0,
                total=total,
                worker=worker,
                created_at=now,
                updated_at=now,
            )
        )
        uow.commit()
    return JobRecord(job_id, owner, kind, "queued", 0, total, None, None, now)


def job_progress(
    uow: UnitOfWork, job_id: str, done: int, total: int | None, now: float | None = None
) -> None:
    """A running job's progress (``done`` of ``total``; ``total`` may be unknown)."""
    with uow:
        uow.session.execute(
            update(WebJob)
            .where(WebJob.id == job_id)
            .values(
                state="running",
                done=done,
                total=total,
                updated_at=time.time() if now is None else now,
            )
        )
        uow.commit()


def finish_job(
    uow: UnitOfWork,
    job_id: str,
    *,
    result: Any = None,
    error: str | None = None,
    progress: tuple[int, int | None] | None = None,
) -> None:
    """The job's end: its JSON result (state ``done``), or its error (state ``failed``),
    with its last ``progress`` (done, total) when given."""
    values: dict[str, Any] = {"updated_at": time.time()}
    if progress is not None:
        values.update(done=progress[0], total=progress[1])
    if error is None:
        values.update(state="done", result=json.dumps(result, ensure_ascii=False))
    else:
        values.update(state="failed", error=error)
    with uow:
        uow.session.execute(update(WebJob).where(WebJob.id == job_id).values(**values))
        uow.commit()


def read_job(
    uow: UnitOfWork, job_id: str, *, owner: str, now: float | None = None
) -> JobRecord | None:
    """The job if it exists and belongs to ``owner`` (else ``None``: never another's)."""
    now = time.time() if now is None else now
    with uow:
        job = uow.session.scalar(
            select(WebJob)
            .options(undefer(WebJob.result))
            .where(WebJob.id == job_id, WebJob.owner == owner)
        )
        if job is None:
            return None
        state, error = job.state, job.error
        if state in ACTIVE and job.updated_at < now - STALE_SECONDS:
            state = "failed"
            error = tr(
                "已中断：运行该任务的工作进程已停止",
                "lost: the worker process running it stopped",
            )
        result = json.loads(job.result) if state == "done" and job.result else None
        return JobRecord(
            job.id, job.owner, job.kind, state, job.done, job.total, result, error, job.created_at
        )


def login_failures(uow: UnitOfWork, key: str, window: float, now: float | None = None) -> int:
    """Failed attempts under ``key`` within the last ``window`` seconds."""
    now = time.time() if now is None else now
    with uow:
        n = uow.session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key == key, LoginFailure.at > now - window)
        )
        return int(n or 0)


def record_login_failure(
    uow: UnitOfWork, key: str, window: float, now: float | None = None
) -> None:
    """Count one failed attempt under ``key`` (and forget every expired one)."""
    now = time.time() if now is None else now
    with uow:
        s = uow.session
        s.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
        s.add(LoginFailure(key=key, at=now))
        uow.commit()


def clear_login_failures(uow: UnitOfWork, key: str) -> None:
    """Forget the failures under ``key`` (after a successful sign-in)."""
    with uow:
        uow.session.execute(delete(LoginFailure).where(LoginFailure.key == key))
        uow.commit()
