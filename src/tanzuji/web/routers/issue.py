"""Issue and sign a report for a revision (evaluators), download reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tanzuji.errors import TanzujiError
from tanzuji.i18n import tr
from tanzuji.web.accounts import Principal, Role
from tanzuji.web.backend import actor_of
from tanzuji.web.deps import State, render, require_roles
from tanzuji.web.errors import error_items
from tanzuji.web.routers.api import Member, uow
from tanzuji.web.routers.evaluate import read_upload
from tanzuji.web.state import AppState

router = APIRouter(tags=["reports"])

Evaluator = Annotated[Principal, Depends(require_roles(Role.evaluator))]
MAX_P12 = 64 * 1024


def _issue(
    state: AppState,
    user: Principal,
    rev: str,
    p12: bytes,
    passphrase: str,
    lang: str,
    accept_ids: list[str],
    reasons: dict[str, str],
    signer_override: str | None = None,
) -> dict[str, Any]:
    from tanzuji.services.issue import Acceptance
    from tanzuji.services.issue_revision import issue_revision
    from tanzuji.store import UnitOfWork

    accept = [Acceptance(i, reasons.get(i, "")) for i in accept_ids]
    outcome, sha, notes = issue_revision(
        lambda: UnitOfWork(state.store),
        actor_of(user),
        rev,
        p12=p12,
        passphrase=passphrase,
        signer_name=user.name,
        lang=lang,
        accept=accept,
        signer_override=signer_override,
    )
    return {
        "number": outcome.number,
        "pages": outcome.pages,
        "signed": outcome.signed,
        "signer": str(outcome.signer) if outcome.signer else None,
        "accepted": [a.id for a in outcome.accepted],
        "pdf_sha256": sha,
        "lang": lang,
        "notes": list(notes),
    }


@router.post("/api/revisions/{rev}/reports", status_code=201, summary="Issue and sign a report")
async def issue_api(
    state: State,
    user: Evaluator,
    rev: str,
    p12: Annotated[UploadFile, File(description="The evaluator's PKCS#12 (.p12) file")],
    passphrase: Annotated[str, Form(max_length=1024)],
    lang: Annotated[str, Form(pattern="^(zh|en)$")] = "zh",
    accept: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[list[str] | None, Form()] = None,
    signer_override: Annotated[str | None, Form(max_length=1000)] = None,
) -> dict[str, Any]:
    """The gate refuses while ``check`` has errors unless each is accepted by id with a
    reason (``accept`` and ``reason`` repeated in the same order)."""
    if state.store is None:
        raise HTTPException(503)
    data = await read_upload(p12, MAX_P12)
    ids = list(accept or [])
    texts = list(reason or [])
    if len(ids) != len(texts):
        raise HTTPException(
            422, detail=tr("每个 accept 都需要一个 reason", "one reason per accept")
        )
    return await run_in_threadpool(
        _issue,
        state,
        user,
        rev,
        data,
        passphrase,
        lang,
        ids,
        dict(zip(ids, texts, strict=True)),
        signer_override,
    )


@router.get("/revisions/{rev}/issue", include_in_schema=False)
def issue_form(request: Request, state: State, user: Evaluator, rev: str) -> Response:
    from tanzuji.services.issue_revision import issue_preview

    findings, notes = issue_preview(uow(state, False), actor_of(user), rev)
    return render(
        request, "issue.html", {"rev": rev, "findings": findings, "notes": notes, "outcome": None}
    )


@router.post("/revisions/{rev}/issue", include_in_schema=False)
async def issue_page(
    request: Request,
    state: State,
    user: Evaluator,
    rev: str,
    p12: Annotated[UploadFile | None, File()] = None,
    passphrase: Annotated[str | None, Form(max_length=1024)] = None,
    lang: Annotated[str, Form(pattern="^(zh|en)$")] = "zh",
    signer_override: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """The issue form's answer: the issued report, or the problems in the page's language
    (rendered, not a JSON error: htmx shows only what it swaps in)."""

    def problem(message: str) -> Response:
        return render(request, "_errors.html", {"errors": [{"message": message}]})

    form = await request.form()
    ids = [str(v) for v in form.getlist("accept")]
    reasons = {i: str(form.get(f"reason-{i}") or "") for i in ids}
    if p12 is None or not p12.filename:
        return problem(tr("请选择签名密钥文件（PKCS#12，.p12）", "choose the signing key file "
                          "(PKCS#12, .p12)"))  # fmt: skip
    if not passphrase:
        return problem(tr("请输入密钥口令", "enter the passphrase of the key"))
    try:
        data = await read_upload(p12, MAX_P12)
    except HTTPException as exc:
        return problem(str(exc.detail))
    try:
        out = await run_in_threadpool(
            _issue, state, user, rev, data, passphrase, lang, ids, reasons, signer_override
        )
    except TanzujiError as exc:
        return render(request, "_errors.html", {"errors": error_items(exc)})
    return render(request, "_issued.html", {"out": out, "rev": rev})


@router.get("/api/reports/{number}/{lang}.pdf", summary="Download an issued report")
def download(state: State, user: Member, number: str, lang: str) -> Response:
    """Reports my organisation issued, or issued for my organisation's revisions."""
    from tanzuji.services.registry import report_pdf

    pdf = report_pdf(uow(state, False), actor_of(user), number, lang)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="report-{number}-{lang}.pdf"'},
    )
