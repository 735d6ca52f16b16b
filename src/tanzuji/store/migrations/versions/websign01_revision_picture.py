"""A revision keeps the product picture its study names

The picture (re-encoded as PNG, as the report embeds it) is a content-addressed blob; a
report issued from the store (``report --rev``, the web platform) shows it without
reading files beside the study.

Revision ID: websign01
Revises: authority01
Create Date: 2026-12-01 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "websign01"
down_revision = "authority01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("study_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("picture_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("picture_media_type", sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_study_revisions_picture_sha256_blobs"),
            "blobs",
            ["picture_sha256"],
            ["sha256"],
        )


def downgrade() -> None:
    with op.batch_alter_table("study_revisions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_study_revisions_picture_sha256_blobs"), type_="foreignkey"
        )
        batch_op.drop_column("picture_media_type")
        batch_op.drop_column("picture_sha256")
