"""Tables of the signing authority (issue 11 point 9): authorised signatories and the
technical reviewer's approvals of study revisions.

Kept apart from :mod:`tanzuji.store.models` (same declarative base and metadata); created
by their own migration ``authority01_signing_authority``. Approvals are append-only (on
PostgreSQL a trigger refuses UPDATE and DELETE).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tanzuji.store.models import HASH, TIME, Base

__all__ = ["Approval", "Signatory"]


class Signatory(Base):
    """A person an organisation authorises to issue signed reports.

    ``kind`` ``user``: a web user (``user_email``); ``certificate``: the subject of a
    signing certificate (``subject_name``, optionally ``subject_org``) used with key files
    on the command line. ``key`` is the normalised identity (unique per organisation).
    """

    __tablename__ = "signatories"
    __table_args__ = (UniqueConstraint("org_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # user | certificate
    key: Mapped[str] = mapped_column(String(600))
    user_email: Mapped[str | None] = mapped_column(String(320))
    subject_name: Mapped[str | None] = mapped_column(String(200))
    subject_org: Mapped[str | None] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[str] = mapped_column(TIME)


class Approval(Base):
    """A technical reviewer's approval ("checked by", Table A.1) of one study revision,
    recorded by a user of the evaluating organisation."""

    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    revision_id: Mapped[str] = mapped_column(ForeignKey("study_revisions.id"), index=True)
    content_sha256: Mapped[str] = mapped_column(HASH)
    reviewer: Mapped[str] = mapped_column(String(320))  # the user's e-mail (or CLI actor)
    reviewer_name: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(TIME)
