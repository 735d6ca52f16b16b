"""Browser pages of the PACT host: footprint requests to fulfil or reject, partner hosts.

Outgoing events (RequestFulfilled/Rejected, PublishedEvent) are sent in the background to
the partner host the organisation registered; failures are recorded and shown, never raised.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from tanzuji.i18n import tr
from tanzuji.web.backend import actor_of
from tanzuji.web.deps import State, render
from tanzuji.web.routers.api import Admin, Editor, uow

router = APIRouter(include_in_schema=False)


def pact_host(request: Request) -> Any:
    """The application's PACT backend (mounted over the store), else 404."""
    host = getattr(request.app.state, "pact_host", None)
    if host is None:
        raise HTTPException(404, detail=tr("未启用 PACT 主机", "no PACT host on this server"))
    return host


def send_later(tasks: BackgroundTasks, host: Any, outgoing: list[Any]) -> None:
    """Queue outgoing events for delivery after the response."""
    for target, event in outgoing:
        tasks.add_task(host.deliver, target, event)


@router.get("/pact/requests")
def requests_page(request: Request, state: State, user: Editor) -> Response:
    """Footprint requests addressed to my organisation, partner hosts, outgoing events."""
    from tanzuji.services.pact_partners import deliveries, list_partners
    from tanzuji.services.pact_requests import list_requests

    host = pact_host(request)
    actor = actor_of(user)
    mine = [
        x for x in host.listed() if x.owner == user.org_name and x.footprint["status"] == "Active"
    ]
    return render(
        request,
        "pact_requests.html",
        {
            "requests": list_requests(uow(state, False), actor),
            "publications": mine,
            "partners": list_partners(uow(state, False), actor),
            "deliveries": deliveries(uow(state, False), actor),
        },
    )


@router.post("/pact/requests/{req_id}/fulfil")
def fulfil(
    request: Request,
    tasks: BackgroundTasks,
    user: Editor,
    req_id: str,
    publication: Annotated[str, Form(max_length=64)],
) -> Response:
    host = pact_host(request)
    send_later(tasks, host, [host.fulfil(actor_of(user), req_id, publication)])
    return RedirectResponse("/pact/requests", status_code=303, background=tasks)


@router.post("/pact/requests/{req_id}/reject")
def reject(
    request: Request,
    tasks: BackgroundTasks,
    user: Editor,
    req_id: str,
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    host = pact_host(request)
    send_later(tasks, host, [host.reject(actor_of(user), req_id, reason)])
    return RedirectResponse("/pact/requests", status_code=303, background=tasks)


@router.post("/pact/partners")
def add_partner_page(
    request: Request,
    state: State,
    user: Admin,
    partner: Annotated[str, Form(max_length=200)],
    base_url: Annotated[str, Form(max_length=500)],
    client_id: Annotated[str, Form(max_length=200)],
    client_secret: Annotated[str, Form(max_length=500)],
    auth_url: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    from tanzuji.services.pact_partners import add_partner

    pact_host(request)
    add_partner(
        uow(state),
        actor_of(user),
        partner,
        base_url=base_url,
        client_id=client_id,
        client_secret=client_secret,
        auth_url=auth_url or None,
    )
    return RedirectResponse("/pact/requests", status_code=303)


@router.post("/pact/partners/{partner}/delete")
def remove_partner_page(request: Request, state: State, user: Admin, partner: str) -> Response:
    from tanzuji.services.pact_partners import remove_partner

    pact_host(request)
    remove_partner(uow(state), actor_of(user), partner)
    return RedirectResponse("/pact/requests", status_code=303)
