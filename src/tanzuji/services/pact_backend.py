"""The PACT backend of the web platform over the store (mounted by the web shell).

A client (the platform's one client-credential system) acts as its organisation: it sees the
footprints published to everyone plus those shared with its organisation (and its own), as
listed by :mod:`tanzuji.services.pact_host`; ``RequestCreated`` becomes a stored footprint
request of each data owner concerned, other events are recorded in the audit trail
(:mod:`tanzuji.services.pact_requests`); answers and PublishedEvents go to registered
partner hosts only (:mod:`tanzuji.services.pact_partners`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tanzuji.pact.host import ReceivedEvent
from tanzuji.services.context import Actor
from tanzuji.services.pact_host import (
    CREATED,
    SHARED_CACHE,
    Cache,
    Listed,
    dedup,
    footprint_by_id,
    listed_footprints,
    page_footprints,
)
from tanzuji.services.pact_partners import deliver, published_events
from tanzuji.services.pact_requests import (
    Outgoing,
    fulfil_request,
    record_event,
    record_request,
    reject_request,
)
from tanzuji.store import UnitOfWork

__all__ = ["StorePactHost"]


@dataclass
class StorePactHost:
    """The PACT backend of the web platform (thread-safe; one per application)."""

    store: Any
    base_url: str | None = None
    """This server's public HTTPS URL (``dataSchema``; ``TANZUJI_PUBLIC_URL``, by default
    ``https://HOST:PORT`` of ``tanzuji serve``). Never taken from a request's Host header:
    one forged header would otherwise change every footprint served."""
    verify: bool | str = True
    """CA bundle (path) to trust when calling partner hosts; ``True``: the system's."""
    outbox: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    _cache: Cache = field(default_factory=lambda: SHARED_CACHE)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _uow(self, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.store, write=write)

    def listed(self) -> list[Listed]:
        """Every publication with its footprint."""
        with self._lock, self._uow() as uow:
            return listed_footprints(uow, self.base_url or "https://localhost", self._cache)

    def _org_id(self, org: str) -> int | None:
        with self._uow() as uow:
            found = uow.orgs.get(org)
            return found.id if found is not None else None

    def authenticate(self, client_id: str, secret: str) -> str | None:
        """The organisation of a platform client credential (``tanzuji client add``)."""
        from tanzuji.services.admin import authenticate_client

        acct = authenticate_client(self._uow(), client_id, secret)
        return acct.org_name if acct is not None else None

    def footprints(self, org: str) -> list[dict[str, Any]]:
        """Published to everyone, shared with ``org``, or its own; each id once."""
        org_id = self._org_id(org)
        if org_id is None:
            return []
        return dedup(x for x in self.listed() if x.visible_to(org_id))

    def footprint_page(
        self, org: str, filters: Mapping[str, Sequence[str]], offset: int, limit: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """A page of :meth:`footprints` that pass ``filters``, paged in SQL (``offset`` counts
        the visible footprints before filtering; see ``page_footprints``)."""
        org_id = self._org_id(org)
        if org_id is None:
            return [], None
        wanted = {k: list(v) for k, v in filters.items() if v}
        with self._lock, self._uow() as uow:
            return page_footprints(
                uow, org_id, self.url, self._cache, offset=offset, limit=limit, filters=wanted
            )

    def footprint(self, org: str, pf_id: str) -> tuple[dict[str, Any] | None, bool]:
        """The footprint ``pf_id`` as ``org`` sees it, and whether it exists at all; reads
        that footprint's publications, not the whole list (``footprint_by_id``)."""
        org_id = self._org_id(org)
        with self._lock, self._uow() as uow:
            return footprint_by_id(uow, org_id, pf_id, self.url, self._cache)

    def exists(self, pf_id: str) -> bool:
        """Whether any publication has this footprint id."""
        return self.footprint("", pf_id)[1]

    def receive(self, event: ReceivedEvent) -> None:
        """RequestCreated → footprint requests of the data owners; others → audit trail."""
        if event.type == CREATED:
            answers = record_request(self._uow(write=True), event, self.listed())
            with self._lock:
                self.outbox.extend(answers)
        else:
            record_event(self._uow(write=True), event)

    @property
    def url(self) -> str:
        """The base URL footprints are exported with."""
        return self.base_url or "https://localhost"

    def fulfil(self, actor: Actor, req_id: str, pub_id: str) -> Outgoing:
        """Answer a footprint request with a publication (the event to deliver)."""
        with self._lock:
            return fulfil_request(
                self._uow(write=True), actor, req_id, pub_id, base_url=self.url, cache=self._cache
            )

    def reject(self, actor: Actor, req_id: str, reason: str) -> Outgoing:
        """Reject a footprint request (the event to deliver)."""
        return reject_request(self._uow(write=True), actor, req_id, reason)

    def published(self, org: str, pub_ids: list[str]) -> list[Outgoing]:
        """PublishedEvents of ``org``'s publications for its registered partners."""
        with self._lock:
            return published_events(self._uow(), org, pub_ids, base_url=self.url, cache=self._cache)

    def deliver(self, target: tuple[int, int], event: dict[str, Any]) -> bool:
        """Send one outgoing event to the registered partner host; the outcome is recorded."""
        return deliver(self.store, target, event, verify=self.verify)
