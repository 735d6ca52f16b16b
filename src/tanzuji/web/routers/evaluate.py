"""Evaluate an uploaded study (JJF, full GUM) and run Monte Carlo as a pollable job."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.web.deps import CurrentUser, State
from tanzuji.web.evaluation import MAX_TRIALS, PictureUpload, evaluate_upload, monte_carlo_work
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


async def read_picture(file: UploadFile | None, limit: int, used: int) -> PictureUpload | None:
    """The product picture uploaded with a study (``None`` when no file was chosen).

    It counts against the upload limit together with the study (``used`` bytes): more is
    refused with 413 without reading it all; a picture over the report's own limit
    (:data:`~tanzuji.report.assets.MAX_PICTURE_BYTES`) or an empty file is an input error
    naming it.
    """
    from tanzuji.report.assets import MAX_PICTURE_BYTES
    from tanzuji.web.uploads import PICTURE_FIELD, shown_name

    if file is None or (not file.filename and not file.size):
        return None  # a browser sends an empty part for a file input left empty
    room = max(limit - used, 0)
    data = await file.read(min(room, MAX_PICTURE_BYTES) + 1)
    shown = shown_name(file.filename, "picture")
    if len(data) > room:
        raise HTTPException(
            413,
            detail=tr(
                f"研究文件与产品图片合计超过 {limit} 字节",
                f"the study file and the product picture together are larger than {limit} bytes",
            ),
        )
    if len(data) > MAX_PICTURE_BYTES:
        n = MAX_PICTURE_BYTES
        raise InputError(
            tr(
                f"产品图片过大；最多 {n} 字节",
                f"product picture too large; expected at most {n} bytes",
            ),
            file=shown,
            path=PICTURE_FIELD,
        )
    if not data:
        raise InputError(
            tr(
                "产品图片文件是空的；应为图片文件",
                "the product picture file is empty; expected an image",
            ),
            file=shown,
            path=PICTURE_FIELD,
        )
    return PictureUpload(data, file.filename)


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
