"""Web platform: shares of study revisions, publications of footprints and their recipients

Revision ID: w001
Revises: 0001
Create Date: 2026-12-01 02:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("to_org_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["study_revisions.id"],
            name=op.f("fk_shares_revision_id_study_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_shares_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["to_org_id"], ["organisations.id"], name=op.f("fk_shares_to_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        sa.UniqueConstraint("revision_id", "to_org_id", name=op.f("uq_shares_revision_id")),
    )
    op.create_index(op.f("ix_shares_revision_id"), "shares", ["revision_id"])
    op.create_index(op.f("ix_shares_to_org_id"), "shares", ["to_org_id"])
    op.create_table(
        "publications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_publications_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["study_revisions.id"],
            name=op.f("fk_publications_revision_id_study_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_publications_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    op.create_index(op.f("ix_publications_org_id"), "publications", ["org_id"])
    op.create_index(op.f("ix_publications_revision_id"), "publications", ["revision_id"])
    op.create_table(
        "publication_recipients",
        sa.Column("publication_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_recipients_publication_id_publications"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_publication_recipients_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("publication_id", "org_id", name=op.f("pk_publication_recipients")),
    )


def downgrade() -> None:
    op.drop_table("publication_recipients")
    op.drop_index(op.f("ix_publications_revision_id"), table_name="publications")
    op.drop_index(op.f("ix_publications_org_id"), table_name="publications")
    op.drop_table("publications")
    op.drop_index(op.f("ix_shares_to_org_id"), table_name="shares")
    op.drop_index(op.f("ix_shares_revision_id"), table_name="shares")
    op.drop_table("shares")
