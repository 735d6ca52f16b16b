"""Response models of the REST API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tanzuji.web.jobs import Job

__all__ = ["JobOut", "job_out"]


class JobOut(BaseModel):
    """A background job: state (queued, running, done, failed), progress, result or error."""

    id: str
    kind: str
    state: str
    done: int
    total: int | None
    fraction: float
    error: str | None = None
    result: dict[str, Any] | None = None


def job_out(job: Job, with_result: bool = False) -> JobOut:
    return JobOut(
        id=job.id,
        kind=job.kind,
        state=job.state,
        done=job.done,
        total=job.total,
        fraction=job.fraction(),
        error=job.error,
        result=job.result if with_result and job.state == "done" else None,
    )
