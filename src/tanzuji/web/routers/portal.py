"""Browser pages over the store: dashboard, product, revision (study) page, sharing,
publishing, evaluation with progress, audit log viewer, authority registry and export."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    BackgroundTasks,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from tanzuji.errors import TanzujiError
from tanzuji.i18n import get_lang, tr
from tanzuji.web.accounts import Role
from tanzuji.web.backend import actor_of
from tanzuji.web.charts import bar_chart, trend_chart
from tanzuji.web.deps import CurrentUser, State, render
from tanzuji.web.errors import error_items, kind_of
from tanzuji.web.evaluation import prepare_upload, table_a8
from tanzuji.web.routers.api import (
    DEFAULT_MC_TRIALS,
    Admin,
    Authority,
    Editor,
    Evaluating,
    Member,
    evaluate_monte_carlo_stored,
    notify_published,
    uow,
)
from tanzuji.web.routers.evaluate import read_picture, read_upload

router = APIRouter(include_in_schema=False)


def _money(value: float | None, U: float | None) -> tuple[str, str]:
    from tanzuji.report.context import fmt_pair

    if value is None:
        return "—", "—"
    return fmt_pair(value, U or 0.0)


@router.get("/")
def dashboard(request: Request, state: State, user: CurrentUser) -> Response:
    """Products with their latest footprint ± U, shared studies, expiring certificates."""
    if state.store is None or user.role is Role.authority:
        if user.role is Role.authority and state.store is not None:
            return RedirectResponse("/registry", status_code=303)
        return render(request, "home.html", {})
    from tanzuji.services import expiring_certificates, history, list_products
    from tanzuji.services.registry import audit_entries
    from tanzuji.services.sharing import footprints_shared_with, shared_with

    actor = actor_of(user)
    products = []
    for p in list_products(uow(state, False), actor):
        latest = None
        for s in p["studies"]:
            entries = history(uow(state, False), actor, s["study"], limit=1)
            if entries and entries[0].total_value is not None:
                e = entries[0]
                value, U = _money(e.total_value, (e.total_k or 2) * (e.total_u or 0))
                latest = {"value": value, "U": U, "revision": e.revision_id, "period": e.period}
        products.append({**p, "latest": latest})
    return render(
        request,
        "dashboard.html",
        {
            "products": products,
            "shared": shared_with(uow(state, False), actor),
            "footprints": footprints_shared_with(uow(state, False), actor),
            "certificates": expiring_certificates(uow(state, False), actor, 90),
            "activity": audit_entries(uow(state, False), actor, limit=10),
        },
    )


@router.get("/product")
def product_page(
    request: Request, state: State, user: Member, key: Annotated[str, Query(max_length=500)]
) -> Response:
    """A product's revisions and the footprint trend (± U) across them."""
    from tanzuji.services import history

    entries = [e for e in history(uow(state, False), actor_of(user), key) if e.total_value]
    entries.reverse()  # oldest first
    labels = [f"{e.period[:4]}·r{e.seq}" for e in entries]
    values = [e.total_value or 0.0 for e in entries]
    U = [(e.total_k or 2) * (e.total_u or 0.0) for e in entries]
    chart = trend_chart(labels, values, U) if entries else None
    rows = []
    for e in reversed(entries):
        value, Ustr = _money(e.total_value, (e.total_k or 2) * (e.total_u or 0))
        rows.append({"e": e, "value": value, "U": Ustr})
    return render(request, "product.html", {"key": key, "chart": chart, "rows": rows})


def _latest(evaluations: list[dict[str, Any]], *methods: str) -> dict[str, Any] | None:
    found = [e for e in evaluations if e["method"] in methods]
    return found[-1] if found else None


@router.get("/revisions/{rev}")
def revision_page(request: Request, state: State, user: Member, rev: str) -> Response:
    """The study page: Table A.8, stage chart, contributions, budget, history, actions."""
    from tanzuji.services import history, show_revision
    from tanzuji.services.sharing import owner_actor

    lang = str(get_lang())
    owner, rev_id = owner_actor(uow(state, False), actor_of(user), rev)
    view = show_revision(uow(state, False), owner, rev_id)
    ev = _latest(view.evaluations, "jjf", "full", "mc")
    a8 = table_a8(ev["result"], lang) if ev else None
    chart = None
    if ev:
        from tanzuji.model import Stage

        res = ev["result"]
        k = res["total"]["k"]
        stages = [(s, res["stages"].get(s.value)) for s in Stage]
        stages = [(s, r) for s, r in stages if r is not None]
        chart = bar_chart(
            [s.zh if lang == "zh" else s.en for s, _ in stages],
            [r["value"] for _, r in stages],
            [k * r["u"] for _, r in stages],
        )
    full = _latest(view.evaluations, "full", "mc")
    budget = full["result"]["full"]["budget"][:15] if full else None
    mc = _latest(view.evaluations, "mc")
    own = owner.org == user.org_name
    revisions = history(uow(state, False), owner, view.study["id"], limit=20)
    from tanzuji.services.issue_revision import revision_findings

    findings = revision_findings(uow(state, False), actor_of(user), rev_id)
    can_edit = own and user.role in (Role.admin, Role.editor)
    publications = []
    if can_edit:
        from tanzuji.services.sharing import publications_of

        publications = publications_of(uow(state, False), actor_of(user), rev_id)
    return render(
        request,
        "revision.html",
        {
            "view": view,
            "rev": view.revision,
            "study": view.study,
            "a8": a8,
            "chart": chart,
            "budget": budget,
            "mc": mc["result"]["monte_carlo"] if mc else None,
            "own": own,
            "owner": owner.org,
            "revisions": revisions,
            "findings": findings,
            "can_edit": can_edit,
            "publications": publications,
            "can_evaluate": user.role in (Role.admin, Role.editor, Role.evaluator),
        },
    )


@router.get("/diff")
def diff_page(
    request: Request,
    state: State,
    user: Member,
    a: Annotated[str, Query(max_length=64)],
    b: Annotated[str, Query(max_length=64)],
) -> Response:
    """Why the footprint moved: changed activities and the change of each stage and total."""
    from tanzuji.model import Stage
    from tanzuji.web.routers.api import revision_diff

    d = revision_diff(state, user, a, b)
    names = {s.value: (s.zh if str(get_lang()) == "zh" else s.en) for s in Stage}
    return render(request, "diff.html", {"d": d, "stage_names": names})


@router.post("/studies")
async def save_upload(
    request: Request,
    state: State,
    user: Editor,
    file: Annotated[UploadFile, File()],
    message: Annotated[str, Form(max_length=2000)] = "",
    picture: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Save an uploaded study (and the product picture it names) as a revision; errors at
    the cell or the picture; what the user must hear about the save (a picture not kept)
    is shown with a link to the revision, else go to its page."""
    from tanzuji.services.save import commit_prepared

    limit = state.settings.max_upload_bytes
    data = await read_upload(file, limit)
    try:
        pic = await read_picture(picture, limit, len(data))
        prep = await run_in_threadpool(
            prepare_upload, data, file.filename, max_bytes=limit, picture=pic
        )
        result = await run_in_threadpool(
            commit_prepared, uow(state), actor_of(user), prep, message=message
        )
    except TanzujiError as exc:
        return render(request, "_errors.html", {"errors": error_items(exc)})
    target = f"/revisions/{result.revision_id}"
    if result.notes:
        return render(request, "_saved.html", {"result": result, "target": target})
    return Response(status_code=204, headers={"HX-Redirect": target, "Location": target})


@router.post("/revisions/{rev}/evaluate")
def evaluate_page(
    request: Request,
    state: State,
    user: Evaluating,
    rev: str,
    method: Annotated[str, Form(pattern="^(full|mc)$")] = "full",
) -> Response:
    """Full GUM at once; Monte Carlo as a job with a progress bar (polled by htmx)."""
    from tanzuji.services import evaluate_revision
    from tanzuji.services.sharing import owner_actor

    owner, rev_id = owner_actor(uow(state, False), actor_of(user), rev)
    if method == "full":
        evaluate_revision(uow(state), owner, rev_id, full=True)
        return Response(status_code=204, headers={"HX-Redirect": f"/revisions/{rev_id}"})
    store_uow = uow(state)

    def work(progress: Any) -> dict[str, Any]:
        out = evaluate_monte_carlo_stored(
            store_uow, owner, rev_id, None, DEFAULT_MC_TRIALS, progress
        )
        return {**out["result"], "_revision": rev_id}

    job = state.jobs.submit(owner=user.org_id, work=work)
    job.total = DEFAULT_MC_TRIALS
    return render(request, "_progress.html", {"job": job})


@router.post("/revisions/{rev}/share")
def share_page(
    request: Request,
    state: State,
    user: Editor,
    rev: str,
    to: Annotated[str, Form(max_length=200)],
) -> Response:
    from tanzuji.services.sharing import share_revision

    share_revision(uow(state), actor_of(user), rev, to)
    return RedirectResponse(f"/revisions/{rev}", status_code=303)


@router.post("/revisions/{rev}/publish")
def publish_page(
    request: Request,
    tasks: BackgroundTasks,
    state: State,
    user: Editor,
    rev: str,
    to: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Publish to everyone (no names) or privately to the named organisations."""
    from tanzuji.errors import ConflictError
    from tanzuji.services.sharing import publish

    names = [n.strip() for n in to.replace("，", ",").split(",") if n.strip()]
    try:
        pub = publish(uow(state), actor_of(user), rev, to=names)
    except ConflictError as exc:  # no issued report yet: said on the page
        return render(request, "_errors.html", {"errors": error_items(exc)})
    notify_published(request, tasks, user.org_name, pub["publication"])
    target = f"/p/{pub['publication']}" if pub["public"] else f"/revisions/{rev}"
    return Response(status_code=204, headers={"HX-Redirect": target})


@router.post("/publications/{pub_id}/unpublish")
def unpublish_page(
    request: Request,
    tasks: BackgroundTasks,
    state: State,
    user: Editor,
    pub_id: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Withdraw a publication of my organisation, with the reason (CSRF-protected form)."""
    from tanzuji.errors import ConflictError, InputError
    from tanzuji.services.sharing import unpublish

    try:
        info = unpublish(uow(state), actor_of(user), pub_id, reason=reason)
    except (InputError, ConflictError) as exc:  # said on the page; not found: 404
        if kind_of(request) == "page":
            raise  # the browser's own form: the error page (layout, link back), its status
        return render(request, "_errors.html", {"errors": error_items(exc)})
    notify_published(request, tasks, user.org_name, pub_id)  # now Deprecated for partners
    return Response(
        status_code=303,
        headers={"Location": f"/revisions/{info['revision']}", "HX-Redirect": f"/p/{pub_id}"},
    )


@router.get("/footprints/{pub_id}")
def footprint_page(request: Request, state: State, user: CurrentUser, pub_id: str) -> Response:
    """A footprint published to everyone, or shared privately with my organisation."""
    from tanzuji.web.routers.public import page_url

    fp = state.publications.visible_to(pub_id, int(user.org_id)) if state.publications else None
    if fp is None:
        raise HTTPException(404, detail=tr("没有这个碳足迹", "no such footprint"))
    return render(
        request, "public.html", {"fp": fp, "url": page_url(request, state, pub_id), "private": True}
    )


@router.get("/audit")
def audit_page(request: Request, state: State, user: Admin) -> Response:
    from tanzuji.services.registry import audit_entries

    entries = audit_entries(uow(state, False), actor_of(user), limit=500)
    return render(request, "audit.html", {"entries": entries})


def _registry(state: State, user: Any, q: str | None) -> list[dict[str, Any]]:
    from tanzuji.services.registry import registry_search

    return registry_search(uow(state, False), q, actor=actor_of(user))


REGISTRY_COLUMNS = (
    ("manufacturer", "生产者", "Manufacturer"),
    ("product", "产品", "Product"),
    ("model", "型号", "Model"),
    ("functional_unit", "功能单位", "Functional unit"),
    ("period", "评价周期", "Period"),
    ("value", "碳足迹 (kgCO2e)", "Footprint (kgCO2e)"),
    ("U", "扩展不确定度 U", "Expanded uncertainty U"),
    ("k", "k", "k"),
    ("report", "报告编号", "Report number"),
    ("evaluator", "评价机构", "Evaluated by"),
    ("valid_until", "有效期至", "Valid until"),
    ("publication", "公开页面", "Public page"),
    ("visibility", "发布范围", "Published to"),
)
VISIBILITY = {"public": ("公开", "everyone"), "shared": ("私下共享给本机构", "shared with us")}


@router.get("/registry")
def registry_page(
    request: Request,
    state: State,
    user: Authority,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    rows = _registry(state, user, q)
    for r in rows:
        r["value_s"], r["U_s"] = _money(r["value"], r["U"])
        r["visibility_s"] = tr(*VISIBILITY[r["visibility"]])
    stats = {
        "footprints": len(rows),
        "manufacturers": len({r["manufacturer"] for r in rows}),
        "shared": sum(r["visibility"] == "shared" for r in rows),
    }
    return render(
        request,
        "registry.html",
        {"rows": rows, "q": q or "", "columns": REGISTRY_COLUMNS, "stats": stats},
    )


@router.get("/registry.{fmt}")
def registry_export(
    state: State,
    user: Authority,
    fmt: str,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The registry as CSV (UTF-8 with BOM, opens in Excel) or as an xlsx workbook."""
    rows = _registry(state, user, q)
    for r in rows:
        r["visibility"] = tr(*VISIBILITY[r["visibility"]])
    head = [zh if str(get_lang()) == "zh" else en for _, zh, en in REGISTRY_COLUMNS]
    keys = [k for k, _, _ in REGISTRY_COLUMNS]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(head)
        for r in rows:
            w.writerow([_cell(r.get(k)) for k in keys])
        return Response(
            ("\ufeff" + buf.getvalue()).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="registry.csv"'},
        )
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = tr("碳足迹登记", "Footprint registry")
        ws.append(head)
        for r in rows:
            ws.append([_cell(r.get(k)) for k in keys])
        out = io.BytesIO()
        wb.save(out)
        return Response(
            out.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="registry.xlsx"'},
        )
    raise HTTPException(404, detail=tr("仅支持 CSV 与 xlsx", "CSV or xlsx only"))


def _cell(value: Any) -> Any:
    """A spreadsheet cell: text that could be read as a formula is quoted (CSV injection).

    >>> _cell("=HYPERLINK(1)"), _cell("单相"), _cell(59.4)
    ("'=HYPERLINK(1)", '单相', 59.4)
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
