"""The signing authority on the web: the organisation's authorised signatories (admin page)
and the technical reviewer's approval of a revision (a button on the study and issue pages).
Thin: the rules are :mod:`tanzuji.services.authority`'s."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tanzuji.errors import NotFoundError, TanzujiError
from tanzuji.web.accounts import Principal, Role
from tanzuji.web.backend import actor_of
from tanzuji.web.deps import State, render, require_roles
from tanzuji.web.errors import error_items
from tanzuji.web.routers.api import Admin, Member, uow

router = APIRouter(tags=["signing authority"])

Reviewer = Annotated[Principal, Depends(require_roles(Role.admin, Role.evaluator))]
Short = Annotated[str | None, Form(max_length=320)]


def _signatories_page(
    request: Request, state: State, user: Principal, errors: list[Any] | None = None
) -> Response:
    from tanzuji.services.authority import list_signatories

    rows = list_signatories(uow(state, False), user.org_name)
    return render(
        request,
        "signatories.html",
        {"rows": rows, "errors": errors or []},
        status_code=422 if errors else 200,
    )


@router.get("/signatories", include_in_schema=False)
def signatories_page(request: Request, state: State, user: Admin) -> Response:
    """The organisation's authorised signatories, with forms to add and remove them."""
    return _signatories_page(request, state, user)


def _change(
    request: Request,
    state: State,
    user: Principal,
    action: str,
    email: str | None,
    name: str | None,
    organisation: str | None,
) -> Response:
    from tanzuji.services.authority import add_signatory, remove_signatory

    fn = add_signatory if action == "add" else remove_signatory
    try:
        fn(
            uow(state),
            actor_of(user),
            org=user.org_name,
            user=email or None,
            name=name or None,
            organisation=organisation or None,
        )
    except TanzujiError as exc:
        return _signatories_page(request, state, user, error_items(exc))
    return RedirectResponse("/signatories", status_code=303)


@router.post("/signatories", include_in_schema=False)
def signatories_add(
    request: Request,
    state: State,
    user: Admin,
    email: Short = None,
    name: Short = None,
    organisation: Short = None,
) -> Response:
    return _change(request, state, user, "add", email, name, organisation)


@router.post("/signatories/remove", include_in_schema=False)
def signatories_remove(
    request: Request,
    state: State,
    user: Admin,
    email: Short = None,
    name: Short = None,
    organisation: Short = None,
) -> Response:
    return _change(request, state, user, "remove", email, name, organisation)


@router.get("/api/signatories", summary="The organisation's authorised signatories")
def signatories_api(state: State, user: Admin) -> list[dict[str, Any]]:
    from tanzuji.services.authority import list_signatories

    return list_signatories(uow(state, False), user.org_name)


def _review_panel(request: Request, state: State, user: Principal, rev: str) -> Response:
    from tanzuji.services.authority import approvals_of, is_signatory

    actor = actor_of(user)
    approvals = approvals_of(uow(state, False), actor, rev)
    signatory = user.kind == "user" and is_signatory(uow(state, False), actor, user.login)
    return render(
        request,
        "_approvals.html",
        {
            "rev": rev,
            "approvals": approvals,
            "signatory": signatory,
            "can_approve": user.role in (Role.admin, Role.evaluator) and user.kind == "user",
            "approved_by_me": any(a["reviewer"] == user.login for a in approvals),
        },
    )


@router.get("/revisions/{rev}/approvals", include_in_schema=False)
def approvals_panel(request: Request, state: State, user: Member, rev: str) -> Response:
    """The technical review of a revision by the user's organisation (an htmx panel)."""
    return _review_panel(request, state, user, rev)


@router.post("/revisions/{rev}/approve", include_in_schema=False)
def approve_page(
    request: Request,
    state: State,
    user: Reviewer,
    rev: str,
    comment: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Record the signed-in user's approval of the revision (audited)."""
    from tanzuji.services.authority import approve_revision

    try:
        approve_revision(uow(state), actor_of(user), rev, comment=comment)
    except TanzujiError as exc:
        if isinstance(exc, NotFoundError):  # another organisation's revision: 404
            raise
        return render(request, "_errors.html", {"errors": error_items(exc)})
    # the form's target is its outcome (errors are said there); the approval redraws the panel
    panel = _review_panel(request, state, user, rev)
    panel.headers["HX-Retarget"] = "#review-panel"
    panel.headers["HX-Reswap"] = "outerHTML"
    return panel


@router.post(
    "/api/revisions/{rev}/approvals",
    status_code=201,
    summary="Approve a revision (technical reviewer, before issue)",
)
def approve_api(
    state: State,
    user: Reviewer,
    rev: str,
    comment: Annotated[str | None, Form(max_length=2000)] = None,
) -> dict[str, Any]:
    """The reviewer (an evaluator or admin of the evaluating organisation, not the signer)
    records an approval of this exact revision; the issue gate requires one."""
    from tanzuji.services.authority import approve_revision

    return approve_revision(uow(state), actor_of(user), rev, comment=comment)
