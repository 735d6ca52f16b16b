"""The public carbon label: page, QR code and label image (no sign-in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tanzuji.i18n import get_lang, tr
from tanzuji.web.deps import OptionalUser, State, render
from tanzuji.web.label import label_png, label_svg, qr_svg
from tanzuji.web.public import PublicFootprint

router = APIRouter(tags=["public"])

_ID = r"^[A-Za-z0-9_-]{6,64}$"


def _find(state: State, pub_id: str) -> PublicFootprint:
    pubs = state.publications
    found = pubs.public(pub_id) if pubs is not None else None
    if found is None:
        raise HTTPException(404, detail=tr("没有这个公开碳足迹", "no such published footprint"))
    return found


def page_url(request: Request, state: State, pub_id: str) -> str:
    """The absolute address of the public page (the configured base URL if there is one)."""
    base = state.settings.public_base_url or str(request.base_url).rstrip("/")
    return f"{base.rstrip('/')}/p/{pub_id}"


@router.get("/p/{pub_id}", include_in_schema=False)
def public_page(request: Request, state: State, user: OptionalUser, pub_id: str) -> Response:
    fp = _find(state, pub_id)
    return render(request, "public.html", {"fp": fp, "url": page_url(request, state, pub_id)})


@router.get("/p/{pub_id}/qr.svg", summary="QR code linking to the public page")
def public_qr(request: Request, state: State, pub_id: str) -> Response:
    _find(state, pub_id)
    svg = qr_svg(page_url(request, state, pub_id))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


@router.get("/p/{pub_id}/label.{fmt}", summary="The carbon label image (SVG or PNG, zh or en)")
async def public_label(
    request: Request,
    state: State,
    pub_id: str,
    fmt: str,
    lang: Annotated[str | None, Query(pattern="^(zh|en)$")] = None,
) -> Response:
    if fmt not in {"svg", "png"}:
        raise HTTPException(404, detail=tr("仅支持 SVG 与 PNG", "SVG or PNG only"))
    fp = _find(state, pub_id)
    data = fp.label(page_url(request, state, pub_id))
    language = lang or str(get_lang())
    if fmt == "svg":
        return Response(label_svg(data, language), media_type="image/svg+xml")
    png = await run_in_threadpool(label_png, data, language)
    return Response(png, media_type="image/png")
