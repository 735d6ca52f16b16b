"""Tables of the web platform (issue 12): shares of study revisions and publications.

Kept apart from :mod:`tanzuji.store.models` (same declarative base and metadata); created
by their own migration ``w001_web_sharing``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tanzuji.store.models import TIME, Base

__all__ = [
    "LoginFailure",
    "Publication",
    "PublicationRecipient",
    "Share",
    "WebJob",
    "WebSession",
]


class Share(Base):
    """A study revision shared with another organisation (an evaluation institute)."""

    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("revision_id", "to_org_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[str] = mapped_column(ForeignKey("study_revisions.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[str] = mapped_column(TIME)


class Publication(Base):
    """A footprint with an issued report, published to everyone or to named organisations."""

    __tablename__ = "publications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    revision_id: Mapped[str] = mapped_column(ForeignKey("study_revisions.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    public: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[str] = mapped_column(String(10))
    valid_until: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="published")  # |withdrawn
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_at: Mapped[str | None] = mapped_column(TIME, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[str] = mapped_column(TIME)


class PublicationRecipient(Base):
    """An organisation a footprint was shared with privately."""

    __tablename__ = "publication_recipients"
    publication_id: Mapped[str] = mapped_column(ForeignKey("publications.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)


class WebSession(Base):
    """A browser session (its token's id), so that signing out ends it on every worker."""

    __tablename__ = "web_sessions"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(400), index=True)
    created_at: Mapped[str] = mapped_column(TIME)
    expires_at: Mapped[str] = mapped_column(TIME)
    revoked_at: Mapped[str | None] = mapped_column(TIME, nullable=True)


class WebJob(Base):
    """A background job (Monte Carlo) of the web platform: whichever worker process runs
    it writes its state and progress here, so that every worker can answer a poll."""

    __tablename__ = "web_jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)  # the organisation
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))  # queued | running | done | failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)  # JSON
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    worker: Mapped[str] = mapped_column(String(200))  # host:pid of the process running it
    created_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch
    updated_at: Mapped[float] = mapped_column(Float)


class LoginFailure(Base):
    """A failed sign-in (or client-credentials attempt), counted by every worker."""

    __tablename__ = "web_login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(600), index=True)
    at: Mapped[float] = mapped_column(Float)  # seconds since the epoch
