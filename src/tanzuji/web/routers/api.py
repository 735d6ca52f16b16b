"""REST resources over the store: products, studies, revisions, evaluations, sharing,
publishing, reports, certificates, audit log and the authority's registry."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from tanzuji.i18n import tr
from tanzuji.web.accounts import Principal, Role
from tanzuji.web.backend import actor_of
from tanzuji.web.deps import (
    CurrentUser,
    State,
    csrf_guard,
    current_principal,
    get_state,
    optional_principal,
    require_roles,
)
from tanzuji.web.evaluation import MAX_TRIALS, prepare_upload
from tanzuji.web.routers.evaluate import Method, read_picture, read_upload
from tanzuji.web.schemas import job_out
from tanzuji.web.state import AppState

router = APIRouter(prefix="/api", tags=["store"])

DEFAULT_MC_TRIALS = 200_000
Members = (Role.admin, Role.editor, Role.evaluator, Role.viewer)
Editor = Annotated[Principal, Depends(require_roles(Role.admin, Role.editor))]
_member = require_roles(*Members)
Member = Annotated[Principal, Depends(_member)]
Evaluating = Annotated[Principal, Depends(require_roles(Role.admin, Role.editor, Role.evaluator))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
Authority = Annotated[Principal, Depends(require_roles(Role.authority))]


def uow(state: AppState, write: bool = True, *, autocommit: bool = False) -> Any:
    """A fresh unit of work on the application's store (503 when it has none)."""
    if state.store is None:
        raise HTTPException(503, detail=tr("未配置数据库", "no database configured"))
    from tanzuji.store import UnitOfWork

    return UnitOfWork(state.store, write=write, autocommit=autocommit)


@router.get("/products", summary="The organisation's products and their studies")
def products(state: State, user: Member) -> list[dict[str, Any]]:
    from tanzuji.services import list_products

    return list_products(uow(state, False), actor_of(user))


@router.get("/history/{what}", summary="Revisions of a study id or of a product (newest first)")
def history(
    state: State, user: Member, what: str, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    from tanzuji.services import history as history_of

    return [e.to_dict() for e in history_of(uow(state, False), actor_of(user), what, limit=limit)]


@router.post("/studies", status_code=201, summary="Save an uploaded study as a new revision")
async def save_study(
    state: State,
    user: Editor,
    file: Annotated[UploadFile, File(description="study.yaml, study.json or study.xlsx")],
    message: Annotated[str, Form(max_length=2000)] = "",
    parent: Annotated[str | None, Form(max_length=64)] = None,
    picture: Annotated[
        UploadFile | None,
        File(
            description="the product picture the study names in product.picture (PNG, JPEG, "
            "WebP, GIF, BMP, TIFF or SVG); kept with the revision, re-encoded as PNG"
        ),
    ] = None,
) -> dict[str, Any]:
    """Validate (errors name sheet/row/column or field path), store, evaluate (JJF).

    The ``picture`` is stored under the name ``product.picture`` gives; it counts against
    the upload limit with the study. A picture that cannot be kept is refused (``422``);
    a study naming a picture saved without one is stored, and ``notes`` says so."""
    from tanzuji.services.save import commit_prepared

    limit = state.settings.max_upload_bytes
    data = await read_upload(file, limit)
    pic = await read_picture(picture, limit, len(data))
    prep = await run_in_threadpool(
        prepare_upload, data, file.filename, max_bytes=limit, picture=pic
    )
    result = await run_in_threadpool(
        commit_prepared, uow(state), actor_of(user), prep, message=message, parent=parent or None
    )
    return result.to_dict()


def _owner_actor(state: AppState, user: Principal, rev: str) -> tuple[Any, str]:
    from tanzuji.services.sharing import owner_actor

    return owner_actor(uow(state, False), actor_of(user), rev)


@router.get(
    "/revisions/{rev}",
    summary="A revision: study, pinned libraries, evaluations",
    response_model=None,
    responses={200: {"content": {"application/json": {}}}, 304: {"description": "unchanged"}},
)
async def revision(state: State, user: Member, rev: str, request: Request) -> Response:
    """Readable by its organisation and by organisations it was shared with.

    The stored JSON is served as stored, with an ``ETag`` (it changes only when an
    evaluation is added): send it back in ``If-None-Match`` to get ``304``."""
    doc = await anyio.to_thread.run_sync(
        _revision_document, state, user, rev, limiter=state.read_threads()
    )
    etag = f'"{doc.etag}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    if etag in _etags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(doc.body, media_type="application/json", headers=headers)


def _revision_document(state: AppState, user: Principal, rev: str) -> Any:
    from tanzuji.services.documents import known_document, revision_document

    actor = actor_of(user)
    # the usual read: one statement (who may read it, which evaluations), bytes from memory
    doc = known_document(state.store, actor, rev) if state.store is not None else None
    if doc is None:
        doc = revision_document(uow(state, False, autocommit=True), actor, rev)
    return doc


async def revision_direct(request: Request) -> Response:
    """``GET /api/revisions/{rev}`` (:func:`revision`) without FastAPI's routing and
    dependency resolution, which cost more CPU than the read itself: the same
    dependencies called in the same order (``web.app`` routes GET here first)."""
    state = get_state(request)
    await csrf_guard(request, state)
    principal = await current_principal(request, await optional_principal(request, state))
    user = await _member(principal)
    return await revision(state, user, request.path_params["rev"], request)


def _etags(header: str | None) -> set[str]:
    """The entity tags of an ``If-None-Match`` header (weak ones compared as strong)."""
    if not header:
        return set()
    return {t.strip().removeprefix("W/") for t in header.split(",")}


def revision_diff(state: AppState, user: Principal, a: str, b: str) -> dict[str, Any]:
    """The semantic diff of two revisions of one organisation (own or shared with mine)."""
    from tanzuji.services.diff import diff_revisions

    owner_a, ra = _owner_actor(state, user, a)
    owner_b, rb = _owner_actor(state, user, b)
    if owner_a.org != owner_b.org:
        raise HTTPException(
            422, detail=tr("两个修订不属于同一组织", "the revisions belong to two organisations")
        )
    return diff_revisions(uow(state, False), owner_a, ra, rb)


@router.get("/diff", summary="What changed from revision a to b (activities by id, stages, total)")
def diff(
    state: State,
    user: Member,
    a: Annotated[str, Query(max_length=64)],
    b: Annotated[str, Query(max_length=64)],
) -> dict[str, Any]:
    return revision_diff(state, user, a, b)


@router.post(
    "/revisions/{rev}/evaluations",
    status_code=201,
    summary="Evaluate a stored revision (JJF, full GUM) and store the result; Monte Carlo: 202",
)
def evaluate_revision(
    state: State,
    user: Evaluating,
    rev: str,
    method: Annotated[str, Form(pattern="^(jjf|full|mc)$")] = "jjf",
    seed: Annotated[int | None, Form(ge=0, le=2**31 - 1)] = None,
    trials: Annotated[int | None, Form(ge=1000, le=MAX_TRIALS)] = None,
) -> Response:
    from tanzuji.services import evaluate_revision as evaluate_stored

    owner, rev_id = _owner_actor(state, user, rev)
    if method != "mc":
        out = evaluate_stored(uow(state), owner, rev_id, full=method == Method.full.value)
        return JSONResponse(out, status_code=201)
    store_uow = uow(state)

    def work(progress: Any) -> dict[str, Any]:
        n = trials or DEFAULT_MC_TRIALS
        return evaluate_monte_carlo_stored(store_uow, owner, rev_id, seed, n, progress)

    job = state.jobs.submit(owner=user.org_id, work=work)
    return JSONResponse(
        job_out(job).model_dump(),
        status_code=202,
        headers={"Location": f"/api/jobs/{job.id}"},
    )


def evaluate_monte_carlo_stored(
    store_uow: Any, owner: Any, rev_id: str, seed: int | None, trials: int | None, progress: Any
) -> dict[str, Any]:
    """Monte Carlo on a stored revision with progress, stored as an evaluation."""
    from tanzuji.services import evaluate_revision as evaluate_stored

    out: dict[str, Any] = evaluate_stored(
        store_uow, owner, rev_id, full=True, mc_trials=trials, mc_seed=seed, progress=progress
    )
    return out


@router.post("/revisions/{rev}/shares", status_code=201, summary="Share a revision")
def share(
    state: State, user: Editor, rev: str, to: Annotated[str, Form(max_length=200)]
) -> dict[str, Any]:
    """Share with an evaluation institute (it may then read, evaluate and issue a report)."""
    from tanzuji.services.sharing import share_revision

    return share_revision(uow(state), actor_of(user), rev, to)


@router.get("/shared", summary="Revisions other organisations shared with mine")
def shared(state: State, user: Member) -> list[dict[str, Any]]:
    from tanzuji.services.sharing import shared_with

    return shared_with(uow(state, False), actor_of(user))


@router.post(
    "/revisions/{rev}/publications",
    status_code=201,
    summary="Publish the footprint (to everyone, or privately to named organisations)",
)
def publish(
    request: Request,
    tasks: BackgroundTasks,
    state: State,
    user: Editor,
    rev: str,
    to: Annotated[list[str] | None, Form(max_length=50)] = None,
) -> dict[str, Any]:
    from tanzuji.services.sharing import publish as publish_footprint

    out = publish_footprint(uow(state), actor_of(user), rev, to=[t for t in to or [] if t])
    notify_published(request, tasks, user.org_name, out["publication"])
    return out


def notify_published(request: Request, tasks: BackgroundTasks, org: str, pub_id: str) -> None:
    """PublishedEvent to the organisation's registered PACT partners (in the background)."""
    host = getattr(request.app.state, "pact_host", None)
    if host is not None:
        for target, event in host.published(org, [pub_id]):
            tasks.add_task(host.deliver, target, event)


@router.post(
    "/publications/{pub_id}/unpublish",
    summary="Withdraw a publication (the public page then shows it withdrawn, with the reason)",
)
def unpublish(
    request: Request,
    tasks: BackgroundTasks,
    state: State,
    user: Editor,
    pub_id: str,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> dict[str, Any]:
    from tanzuji.services.sharing import unpublish as unpublish_footprint

    out = unpublish_footprint(uow(state), actor_of(user), pub_id, reason=reason)
    notify_published(request, tasks, user.org_name, pub_id)  # now Deprecated for partners
    return out


@router.get("/reports", summary="Reports my organisation issued")
def reports(state: State, user: Member) -> list[dict[str, Any]]:
    from tanzuji.services.reports import list_reports

    return list_reports(uow(state, False), actor_of(user))


@router.get("/certificates/expiring", summary="Calibration certificates expiring soon")
def expiring(
    state: State, user: Member, days: Annotated[int, Query(ge=0, le=3650)] = 90
) -> list[dict[str, Any]]:
    from tanzuji.services import expiring_certificates

    return expiring_certificates(uow(state, False), actor_of(user), days)


@router.get("/audit", summary="The audit log of my organisation (administrators)")
def audit(
    state: State, user: Admin, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    from tanzuji.services.registry import audit_entries

    return audit_entries(uow(state, False), actor_of(user), limit=limit)


@router.get(
    "/registry",
    summary="Search every published footprint and those shared with me (authority role)",
)
def registry(
    state: State, user: Authority, q: Annotated[str | None, Query(max_length=100)] = None
) -> list[dict[str, Any]]:
    from tanzuji.services.registry import registry_search

    return registry_search(uow(state, False), q, actor=actor_of(user))


@router.get("/whoami", summary="The signed-in principal")
def whoami(user: CurrentUser) -> dict[str, Any]:
    return {
        "name": user.name,
        "login": user.login,
        "organisation": user.org_name,
        "role": user.role.value,
        "kind": user.kind,
    }
