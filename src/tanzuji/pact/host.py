"""What a PACT host serves, independent of HTTP: visibility, the v3 filters, pagination.

A :class:`PactBackend` says who a client is, which footprints it may see (published to
everyone, or shared with its organisation) and what happens to incoming events. The PACT
router (:mod:`tanzuji.pact.api`) works with any backend; :class:`FileBackend` is a small one
configured by a YAML file (clients, footprint files and their sharing, partner hosts).

>>> pf = {"id": "a", "status": "Active", "productIds": ["urn:X:1"], "companyIds": ["urn:c:1"],
...       "pcf": {"geographyCountry": "CN", "referencePeriodEnd": "2026-01-01T00:00:00Z"}}
>>> matches(pf, {"productId": ["urn:x:1", "urn:x:2"], "geography": ["CN"]})
True
>>> matches(pf, {"productId": ["urn:x:1"], "companyId": ["urn:other"]})
False
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.pact.schema import validate_footprint

__all__ = [
    "FILTERS",
    "FileBackend",
    "HostConfig",
    "PactBackend",
    "Partner",
    "ReceivedEvent",
    "matches",
    "parse_time",
    "validity",
]

FILTERS = (
    "productId",
    "companyId",
    "geography",
    "classification",
    "validOn",
    "validAfter",
    "validBefore",
    "status",
)


def parse_time(text: str) -> dt.datetime:
    """An RFC 3339 time (naive times are taken as UTC).

    >>> parse_time("2025-01-01T00:00:00Z").isoformat()
    '2025-01-01T00:00:00+00:00'
    """
    value = dt.datetime.fromisoformat(text.strip().replace(" ", "+"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _add_years(t: dt.datetime, years: int) -> dt.datetime:
    try:
        return t.replace(year=t.year + years)
    except ValueError:  # 29 February
        return t.replace(year=t.year + years, day=28)


def validity(pf: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """The validity period: given, else three years from ``referencePeriodEnd`` (v3 rule)."""
    start = pf.get("validityPeriodStart")
    end = pf.get("validityPeriodEnd")
    ref_end = parse_time(pf["pcf"]["referencePeriodEnd"])
    s = parse_time(start) if start else ref_end
    e = parse_time(end) if end else _add_years(ref_end, 3)
    return s, e


def _lower(items: Any) -> set[str]:
    return {str(x).casefold() for x in items or ()}


def matches(pf: Mapping[str, Any], filters: Mapping[str, Sequence[str]]) -> bool:
    """Whether a footprint passes the v3 filters: OR within one criterion, AND across them."""
    pcf = pf.get("pcf", {})
    for name, values in filters.items():
        if not values:
            continue
        wanted = [v.casefold() for v in values]
        if name == "productId":
            ok = bool(_lower(pf.get("productIds")) & set(wanted))
        elif name == "companyId":
            ok = bool(_lower(pf.get("companyIds")) & set(wanted))
        elif name == "classification":
            ok = bool(_lower(pf.get("productClassifications")) & set(wanted))
        elif name == "geography":
            geo = [
                str(pcf.get(k, "")).casefold()
                for k in (
                    "geographyCountry",
                    "geographyRegionOrSubregion",
                    "geographyCountrySubdivision",
                )
                if pcf.get(k)
            ]
            ok = any(g == w or g.startswith(w + "-") for g in geo for w in wanted)
        elif name == "status":
            ok = str(pf.get("status", "")).casefold() in wanted
        elif name in ("validOn", "validAfter", "validBefore"):
            start, end = validity(pf)
            t = parse_time(values[-1])
            ok = (
                start <= t <= end
                if name == "validOn"
                else start > t
                if name == "validAfter"
                else end < t
            )
        else:
            continue
        if not ok:
            return False
    return True


@dataclass(frozen=True)
class ReceivedEvent:
    """An event a client posted, kept for the data owner (requests) or the recipient."""

    org: str
    type: str
    id: str
    data: Mapping[str, Any]
    received: dt.datetime


class PactBackend(Protocol):
    """Where the PACT router gets its clients, footprints and event handling."""

    def authenticate(self, client_id: str, secret: str) -> str | None:
        """The organisation of a client whose secret is right, else ``None``."""

    def footprints(self, org: str) -> list[dict[str, Any]]:
        """The footprints this organisation may see, in a stable order."""

    def footprint_page(
        self, org: str, filters: Mapping[str, Sequence[str]], offset: int, limit: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """``limit`` footprints (all: ``None``) this organisation may see that pass
        ``filters``, from position ``offset``; and the offset of the next page (``None``:
        this is the last). Positions are the backend's own; a client only follows them."""

    def footprint(self, org: str, pf_id: str) -> tuple[dict[str, Any] | None, bool]:
        """The footprint ``pf_id`` as this organisation sees it (``None``: not shared with
        it), and whether a footprint with this id exists at all (to tell 403 from 404)."""

    def exists(self, pf_id: str) -> bool:
        """Whether a footprint with this id exists at all (to tell 403 from 404)."""

    def receive(self, event: ReceivedEvent) -> None:
        """Handle an accepted event (RequestCreated, RequestFulfilled/Rejected, Published)."""


# --------------------------------------------------------------------------- file backend


class _Cfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClientEntry(_Cfg):
    """A client credential: its id, the SHA-256 of its secret and its organisation."""

    id: str = Field(min_length=1)
    secret_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    org: str = Field(min_length=1)


class Partner(_Cfg):
    """A partner host an organisation registered: callbacks go there and only there."""

    base_url: str = Field(pattern=r"^https://\S+$")
    auth_url: str | None = Field(default=None, pattern=r"^https://\S+$")
    client_id: str
    client_secret: str
    ca_file: str | None = Field(default=None, description="CA bundle to trust for this host")


class FootprintEntry(_Cfg):
    """A footprint file and who may see it: ``public`` or a list of organisations."""

    file: str
    share: Literal["public"] | tuple[str, ...] = "public"


class HostConfig(_Cfg):
    """The YAML file of a :class:`FileBackend`."""

    clients: tuple[ClientEntry, ...] = ()
    footprints: tuple[FootprintEntry, ...] = ()
    partners: dict[str, Partner] = Field(default_factory=dict)
    auto_respond: bool = Field(
        default=False,
        description="answer RequestCreated events at once from the shared footprints "
        "(fulfilled when some match, rejected otherwise), to the organisation's partner host",
    )


def secret_hash(secret: str) -> str:
    """The SHA-256 (hex) under which a client secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A fresh random client secret."""
    return secrets.token_urlsafe(32)


@dataclass
class FileBackend:
    """A backend from a :class:`HostConfig` file; events are kept in memory and in a log."""

    config: HostConfig
    base: Path
    received: list[ReceivedEvent] = field(default_factory=list)
    outbox: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loaded: list[tuple[dict[str, Any], FootprintEntry]] = field(default_factory=list)

    @classmethod
    def from_file(cls, path: Path) -> FileBackend:
        """Load and check the configuration and every footprint file it names."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        config = HostConfig.model_validate(data)
        from tanzuji.pact.urlguard import check_url

        for org, partner in config.partners.items():  # DNS is checked at each connection
            check_url(partner.base_url, f"partners.{org}.base_url", resolve=False)
            if partner.auth_url:
                check_url(partner.auth_url, f"partners.{org}.auth_url", resolve=False)
        backend = cls(config=config, base=path.parent)
        backend.reload()
        return backend

    def reload(self) -> None:
        """Read every footprint file again (each must be a valid v3 footprint)."""
        loaded = []
        for i, entry in enumerate(self.config.footprints):
            p = (self.base / entry.file).resolve()
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise InputError(
                    tr(f"无法读取足迹文件：{exc}", f"cannot read footprint: {exc}"),
                    path=f"footprints[{i}].file",
                    file=str(p),
                ) from None
            validate_footprint(data)
            loaded.append((data, entry))
        superseded = {pid for pf, _ in loaded for pid in pf.get("precedingPfIds") or ()}
        for pf, _ in loaded:
            if pf["id"] in superseded:
                pf["status"] = "Deprecated"
        self._loaded = loaded

    def authenticate(self, client_id: str, secret: str) -> str | None:
        """The organisation of the client, when the secret's hash matches."""
        for c in self.config.clients:
            if hmac.compare_digest(c.id, client_id) and hmac.compare_digest(
                c.secret_sha256, secret_hash(secret)
            ):
                return c.org
        return None

    def footprints(self, org: str) -> list[dict[str, Any]]:
        """Published footprints and those shared with ``org``."""
        return [pf for pf, e in self._loaded if e.share == "public" or org in e.share]

    def footprint_page(
        self, org: str, filters: Mapping[str, Sequence[str]], offset: int, limit: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """A page of :meth:`footprints` that pass ``filters`` (the files are in memory)."""
        found = [pf for pf in self.footprints(org) if matches(pf, filters)]
        end = len(found) if limit is None else offset + limit
        return found[offset:end], (end if end < len(found) and limit else None)

    def footprint(self, org: str, pf_id: str) -> tuple[dict[str, Any] | None, bool]:
        """One footprint as ``org`` sees it (the files are in memory)."""
        pf = next((pf for pf in self.footprints(org) if pf["id"] == pf_id), None)
        return pf, pf is not None or self.exists(pf_id)

    def exists(self, pf_id: str) -> bool:
        """Whether the id is any footprint of this host."""
        return any(pf["id"] == pf_id for pf, _ in self._loaded)

    @property
    def log_path(self) -> Path:
        """``events.jsonl`` beside the configuration: every event received and answer sent."""
        return self.base / "events.jsonl"

    def _log(self, record: dict[str, Any]) -> None:
        with self._lock, self.log_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    def receive(self, event: ReceivedEvent) -> None:
        """Keep the event (memory and log); answer a request at once with ``auto_respond``."""
        with self._lock:
            self.received.append(event)
        self._log(
            {
                "kind": "received",
                "org": event.org,
                "type": event.type,
                "id": event.id,
                "data": dict(event.data),
                "received": event.received.isoformat(),
            }
        )
        if self.config.auto_respond and event.type.endswith("RequestCreatedEvent.3"):
            self.respond(event)

    def pending_requests(self) -> list[ReceivedEvent]:
        """RequestCreated events in the log that were not answered yet, oldest first."""
        if not self.log_path.exists():
            return []
        created: dict[tuple[str, str], ReceivedEvent] = {}
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            key = (rec["org"], rec.get("id") or rec.get("request", ""))
            if rec["kind"] == "received" and rec["type"].endswith("RequestCreatedEvent.3"):
                created[key] = ReceivedEvent(
                    org=rec["org"],
                    type=rec["type"],
                    id=rec["id"],
                    data=rec["data"],
                    received=dt.datetime.fromisoformat(rec["received"]),
                )
            elif rec["kind"] == "answered":
                created.pop((rec["org"], rec["request"]), None)
        return list(created.values())

    def published_event(self, pf_ids: Sequence[str]) -> tuple[list[str], dict[str, Any]]:
        """The PublishedEvent for ``pf_ids`` and the partner organisations that may see them."""
        orgs: list[str] = []
        for org in self.config.partners:
            visible = {pf["id"] for pf in self.footprints(org)}
            if all(p in visible for p in pf_ids):
                orgs.append(org)
        event = {
            "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
            "specversion": "1.0",
            "id": secrets.token_hex(16),
            "source": "//tanzuji/3/events",
            "time": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
            "data": {"pfIds": list(pf_ids)},
        }
        return orgs, event

    def respond(self, event: ReceivedEvent, *, reject: str | None = None) -> dict[str, Any]:
        """The RequestFulfilled/Rejected event answering ``event``, queued for its partner.

        Fulfilled with the footprints visible to the requester that match its criteria;
        rejected when none match or when ``reject`` gives the data owner's reason.
        """
        filters = {k: _as_list(v) for k, v in event.data.items() if k in FILTERS}
        found = [] if reject else [pf for pf in self.footprints(event.org) if matches(pf, filters)]
        now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
        answer: dict[str, Any] = {
            "specversion": "1.0",
            "id": str(secrets.token_hex(16)),
            "source": "//tanzuji/3/events",
            "time": now,
        }
        if found:
            answer["type"] = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
            answer["data"] = {"requestEventId": event.id, "pfs": found}
        else:
            answer["type"] = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
            answer["data"] = {
                "requestEventId": event.id,
                "error": {
                    "code": "NotFound",
                    "message": reject or "no footprint matches the request",
                },
            }
        with self._lock:
            self.outbox.append((event.org, answer))
        self._log(
            {"kind": "answered", "org": event.org, "request": event.id, "type": answer["type"]}
        )
        return answer


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]
