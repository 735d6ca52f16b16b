"""Evaluate an uploaded study (JJF, full GUM) and run Monte Carlo as a pollable job."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tanzuji.i18n import tr
from tanzuji.web.deps import CurrentUser, State
from tanzuji.web.evaluation import MAX_TRIALS, evaluate_upload, monte_carlo_work
from tanzuji.web.schemas import JobOut, job_out

router = APIRouter(prefix="/api", tags=["evaluations"])


class Method(StrEnum):
    jjf = "jjf"
    full = "full"


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """The upload's bytes, refusing more than ``limit`` without reading it all."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            413, detail=tr(f"文件超过 {limit} 字节", f"file larger than {limit} bytes")
        )
    return data


@router.post("/evaluate", summary="Evaluate an uploaded study (YAML, JSON or xlsx)")
async def evaluate(
    state: State,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="study.yaml, study.json or study.xlsx")],
    uncertainty: Annotated[Method, Form()] = Method.jjf,
) -> dict[str, Any]:
    """The JSON result contract; errors name the sheet/row/column or field path."""
    limit = state.settings.max_upload_bytes
    data = await read_upload(file, limit)
    return await run_in_threadpool(
        evaluate_upload, data, file.filename, full=uncertainty is Method.full, max_bytes=limit
    )


@router.post(
    "/evaluate/monte-carlo",
    status_code=202,
    summary="Start adaptive Monte Carlo (JJF 1059.2) on an uploaded study",
)
async def start_monte_carlo(
    state: State,
    user: CurrentUser,
    file: Annotated[UploadFile, File()],
    seed: Annotated[int | None, Form(ge=0, le=2**63 - 1)] = None,
    trials: Annotated[int | None, Form(ge=1000, le=MAX_TRIALS)] = None,
) -> JSONResponse:
    limit = state.settings.max_upload_bytes
    data = await read_upload(file, limit)
    work = await run_in_threadpool(
        monte_carlo_work, data, file.filename, max_bytes=limit, seed=seed, trials=trials
    )
    job = state.jobs.submit(owner=user.org_id, work=work)
    body = job_out(job).model_dump()
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/jobs/{job.id}"})


@router.get("/jobs/{job_id}", summary="Progress and result of a background job")
def get_job(state: State, user: CurrentUser, job_id: str) -> JobOut:
    job = state.jobs.get(job_id, owner=user.org_id)
    if job is None:
        raise HTTPException(404, detail=tr("没有这个任务", "no such job"))
    return job_out(job, with_result=True)
