"""Browser sessions of the web platform: opened at sign-in, checked on every request,
ended at sign-out — in the database, so every worker process agrees."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from tanzuji.store import UnitOfWork
from tanzuji.store.hashing import now_iso
from tanzuji.store.web_models import WebSession

__all__ = ["close_session", "open_session", "session_valid"]


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def open_session(uow: UnitOfWork, subject: str, jti: str, expires: dt.datetime) -> None:
    """Record a new session (and forget sessions that expired)."""
    with uow:
        uow.session.execute(delete(WebSession).where(WebSession.expires_at < now_iso()))
        uow.session.add(
            WebSession(jti=jti, subject=subject, created_at=now_iso(), expires_at=_iso(expires))
        )
        uow.commit()


def session_valid(uow: UnitOfWork, jti: str) -> bool:
    """Whether the session exists, is not revoked and has not expired."""
    with uow:
        s = uow.session.scalar(select(WebSession).where(WebSession.jti == jti))
        return s is not None and s.revoked_at is None and s.expires_at > now_iso()


def close_session(uow: UnitOfWork, jti: str) -> None:
    """End a session (sign-out)."""
    with uow:
        s = uow.session.get(WebSession, jti)
        if s is not None and s.revoked_at is None:
            s.revoked_at = now_iso()
            uow.commit()
