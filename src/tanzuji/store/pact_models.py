"""Tables of the PACT host in the web platform (issue 13): partners, requests, deliveries.

Kept apart from :mod:`tanzuji.store.models` (same declarative base and metadata); created
by their own migration ``pactweb_0001``.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tanzuji.store.models import TIME, Base

__all__ = ["PactDelivery", "PactPartner", "PactRequest"]


class PactPartner(Base):
    """A partner host an organisation registered: where its outgoing PACT events go.

    ``org_id`` sends; ``partner_org_id`` is the platform organisation the host belongs to
    (visibility is decided by it). The partner's credentials are kept to call it back.
    """

    __tablename__ = "pact_partners"
    __table_args__ = (UniqueConstraint("org_id", "partner_org_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    partner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    base_url: Mapped[str] = mapped_column(String(500))
    auth_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[str] = mapped_column(TIME)


class PactRequest(Base):
    """A footprint request (RequestCreated) for one data owner, and its answer."""

    __tablename__ = "pact_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True, nullable=True
    )
    from_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    event_id: Mapped[str] = mapped_column(String(300))
    criteria: Mapped[str] = mapped_column(Text)  # the event's data (JSON)
    status: Mapped[str] = mapped_column(String(20))  # pending|fulfilled|rejected
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    publication_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[str] = mapped_column(TIME)
    answered_at: Mapped[str | None] = mapped_column(TIME, nullable=True)


class PactDelivery(Base):
    """One outgoing event and its outcome (sent, or failed and why)."""

    __tablename__ = "pact_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    partner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    event_type: Mapped[str] = mapped_column(String(120))
    event_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))  # sent|failed
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[str] = mapped_column(TIME)
