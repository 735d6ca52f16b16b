"""Signing authority: authorised signatories and technical reviewers' approvals

Revision ID: authority01
Revises: 0002
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "authority01"
down_revision = "storerev_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signatories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=600), nullable=False),
        sa.Column("user_email", sa.String(length=320), nullable=True),
        sa.Column("subject_name", sa.String(length=200), nullable=True),
        sa.Column("subject_org", sa.String(length=300), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_signatories_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatories")),
        sa.UniqueConstraint("org_id", "key", name=op.f("uq_signatories_org_id")),
    )
    op.create_index(op.f("ix_signatories_org_id"), "signatories", ["org_id"])
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=320), nullable=False),
        sa.Column("reviewer_name", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_approvals_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["study_revisions.id"],
            name=op.f("fk_approvals_revision_id_study_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index(op.f("ix_approvals_org_id"), "approvals", ["org_id"])
    op.create_index(op.f("ix_approvals_revision_id"), "approvals", ["revision_id"])
    if op.get_bind().dialect.name == "postgresql":  # approvals are append-only
        op.execute(
            "CREATE TRIGGER tz_approvals_immutable BEFORE UPDATE OR DELETE ON approvals "
            "FOR EACH ROW EXECUTE FUNCTION tz_refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tz_approvals_immutable ON approvals")
    op.drop_index(op.f("ix_approvals_revision_id"), table_name="approvals")
    op.drop_index(op.f("ix_approvals_org_id"), table_name="approvals")
    op.drop_table("approvals")
    op.drop_index(op.f("ix_signatories_org_id"), table_name="signatories")
    op.drop_table("signatories")
