"""Verify a signed report PDF (anyone, no sign-in)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tanzuji.web.deps import OptionalUser, State, render
from tanzuji.web.routers.evaluate import read_upload

router = APIRouter(tags=["reports"])

MAX_PDF = 30 * 1024 * 1024


def verify_bytes(data: bytes) -> dict[str, Any]:
    """Signature checks of a PDF and its SHA-256 (to find the published footprint); trust
    is judged against the configured trust list (``trusted`` is ``None`` without one)."""
    from tanzuji.report.errors import SignatureError
    from tanzuji.services.trust import verify_report

    sha = hashlib.sha256(data).hexdigest()
    try:
        checks = verify_report(data)
    except SignatureError as exc:
        return {"sha256": sha, "ok": False, "problem": exc.message, "signatures": []}
    sigs = [
        {
            "field": c.field,
            "signer": c.signer,
            "signed_at": c.signed_at.isoformat(timespec="seconds") if c.signed_at else None,
            "intact": c.intact,
            "valid": c.valid,
            "coverage": str(c.coverage),
            "ok": c.ok,
            "problem": c.problem,
            "level": c.level,
            "timestamp": c.timestamp.isoformat(timespec="seconds") if c.timestamp else None,
            "trusted": c.trusted,
            "trusted_by": c.trusted_by,
        }
        for c in checks
    ]
    return {"sha256": sha, "ok": all(s["ok"] for s in sigs), "problem": None, "signatures": sigs}


@router.post("/api/verify", summary="Verify the signatures of an uploaded report PDF")
async def verify_api(state: State, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    data = await read_upload(file, MAX_PDF)
    out = await run_in_threadpool(verify_bytes, data)
    out["publication"] = _publication_for(state, out["sha256"])
    out["report"] = _status_for(state, out["sha256"])
    return out


def _status_for(state: State, sha256: str) -> dict[str, Any] | None:
    """What the store records of this exact PDF: number, issuer and whether it is still in
    force — withdrawn or superseded, with reason, time and successor (ISO/IEC 17025
    §7.8.8). Whoever holds the PDF may learn this; nothing else is revealed."""
    if state.store is None:
        return None
    from tanzuji.services.reports import report_status
    from tanzuji.store import UnitOfWork

    status = report_status(UnitOfWork(state.store, write=False), sha256)
    if status is None:
        return None
    return status.to_dict() | {"in_force": status.in_force, "lines": status.lines()}


def _publication_for(state: State, sha256: str) -> str | None:
    """The public page of the published footprint whose report has this hash, if any."""
    if state.publications is None:
        return None
    pub_id = state.publications.for_report(sha256)
    return f"/p/{pub_id}" if pub_id else None


@router.get("/verify", include_in_schema=False)
def verify_page(request: Request, user: OptionalUser) -> Response:
    return render(request, "verify.html", {"outcome": None})


@router.post("/verify", include_in_schema=False)
async def verify_form(
    request: Request, state: State, user: OptionalUser, file: Annotated[UploadFile, File()]
) -> Response:
    data = await read_upload(file, MAX_PDF)
    outcome = await run_in_threadpool(verify_bytes, data)
    outcome["publication"] = _publication_for(state, outcome["sha256"])
    outcome["report"] = _status_for(state, outcome["sha256"])
    return render(request, "verify.html", {"outcome": outcome, "filename": file.filename})
