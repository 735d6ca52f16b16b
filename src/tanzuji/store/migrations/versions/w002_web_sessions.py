"""Web platform: browser sessions, so that signing out ends a session on every worker

Revision ID: w002
Revises: w001
Create Date: 2026-12-01 03:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w002"
down_revision = "w001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_subject"), "web_sessions", ["subject"])


def downgrade() -> None:
    op.drop_index(op.f("ix_web_sessions_subject"), table_name="web_sessions")
    op.drop_table("web_sessions")
