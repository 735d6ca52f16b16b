"""Withdrawing a publication keeps why, when and by whom; reports found by their PDF hash

A withdrawn publication (``tanzuji unpublish``) keeps its reason, time and actor, so the
public label and the PACT exchange can say why it is no longer valid. ``tanzuji verify``
finds a report by the SHA-256 of its PDF (index).

Revision ID: storerev_0003
Revises: 0002
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "storerev_0003"
down_revision = "pactweb_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.String(length=320), nullable=True))
    op.create_index("ix_reports_pdf_sha256", "reports", ["pdf_sha256"])


def downgrade() -> None:
    op.drop_index("ix_reports_pdf_sha256", table_name="reports")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("withdrawn_reason")
