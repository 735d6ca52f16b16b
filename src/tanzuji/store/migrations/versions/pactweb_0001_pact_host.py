"""PACT host in the web platform: partner hosts, footprint requests, outgoing deliveries

Revision ID: pactweb_0001
Revises: 0002
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pactweb_0001"
down_revision = "webperf_jobs"
branch_labels = None
depends_on = None


def _fk(table: str, col: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], ["organisations.id"], name=op.f(f"fk_{table}_{col}_organisations")
    )


def upgrade() -> None:
    op.create_table(
        "pact_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("partner_org_id", sa.Integer(), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("auth_url", sa.String(length=500), nullable=True),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        _fk("pact_partners", "org_id"),
        _fk("pact_partners", "partner_org_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_partners")),
        sa.UniqueConstraint("org_id", "partner_org_id", name=op.f("uq_pact_partners_org_id")),
    )
    op.create_index(op.f("ix_pact_partners_org_id"), "pact_partners", ["org_id"])
    op.create_table(
        "pact_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=True),
        sa.Column("from_org_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=300), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("publication_id", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("answered_at", sa.String(length=32), nullable=True),
        _fk("pact_requests", "owner_org_id"),
        _fk("pact_requests", "from_org_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_requests")),
    )
    op.create_index(op.f("ix_pact_requests_owner_org_id"), "pact_requests", ["owner_org_id"])
    op.create_table(
        "pact_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("partner_org_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("event_id", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        _fk("pact_deliveries", "org_id"),
        _fk("pact_deliveries", "partner_org_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_deliveries")),
    )
    op.create_index(op.f("ix_pact_deliveries_org_id"), "pact_deliveries", ["org_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pact_deliveries_org_id"), table_name="pact_deliveries")
    op.drop_table("pact_deliveries")
    op.drop_index(op.f("ix_pact_requests_owner_org_id"), table_name="pact_requests")
    op.drop_table("pact_requests")
    op.drop_index(op.f("ix_pact_partners_org_id"), table_name="pact_partners")
    op.drop_table("pact_partners")
