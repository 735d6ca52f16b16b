"""Browser pages that need no stored data: home, upload-and-evaluate, Monte Carlo progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tanzuji.errors import TanzujiError
from tanzuji.i18n import get_lang
from tanzuji.web.deps import CurrentUser, State, render
from tanzuji.web.errors import error_items
from tanzuji.web.evaluation import evaluate_upload, monte_carlo_work, table_a8
from tanzuji.web.routers.evaluate import read_upload
from tanzuji.web.routers.factors import factor_dict, search_factors

router = APIRouter(include_in_schema=False)


@router.get("/upload")
def upload_page(request: Request, state: State, user: CurrentUser) -> Response:
    can_save = state.store is not None and user.role.value in {"admin", "editor"}
    return render(request, "upload.html", {"can_save": can_save})


@router.post("/upload")
async def upload(
    request: Request,
    state: State,
    user: CurrentUser,
    file: Annotated[UploadFile, File()],
    monte_carlo: Annotated[str | None, Form()] = None,
) -> Response:
    """Evaluate the uploaded study; errors are listed by sheet, row and column."""
    limit = state.settings.max_upload_bytes
    data = await read_upload(file, limit)
    lang = str(get_lang())
    try:
        if monte_carlo:
            work = await run_in_threadpool(
                monte_carlo_work, data, file.filename, max_bytes=limit, seed=None, trials=None
            )
            job = state.jobs.submit(owner=user.org_id, work=work)
            return render(request, "_progress.html", {"job": job})
        result = await run_in_threadpool(
            evaluate_upload, data, file.filename, full=False, max_bytes=limit
        )
    except TanzujiError as exc:
        return render(request, "_errors.html", {"errors": error_items(exc)}, status_code=200)
    return render(request, "_result.html", {"result": result, "a8": table_a8(result, lang)})


@router.get("/jobs/{job_id}")
def job_progress(request: Request, state: State, user: CurrentUser, job_id: str) -> Response:
    """The progress bar (polled by htmx) or, once done, the result."""
    job = state.jobs.get(job_id, owner=user.org_id)
    if job is None:
        return render(request, "_errors.html", {"errors": [{"text": "—"}]}, status_code=404)
    if job.state == "done":
        result = job.result
        if "_revision" in result:  # a stored revision: show its page with the new result
            target = f"/revisions/{result['_revision']}"
            return Response(status_code=204, headers={"HX-Redirect": target})
        return render(
            request,
            "_result.html",
            {
                "result": result,
                "a8": table_a8(result, str(get_lang())),
                "mc": result["monte_carlo"],
            },
        )
    if job.state == "failed":
        return render(request, "_errors.html", {"errors": [{"text": job.error or "—"}]})
    return render(request, "_progress.html", {"job": job})


@router.get("/factors")
def factors_page(request: Request, user: CurrentUser, q: str | None = None) -> Response:
    rows = [factor_dict(ef) for ef in search_factors(q[:100] if q else None, 300)]
    return render(request, "factors.html", {"rows": rows, "q": q or ""})
