"""Reports: why and when a report was withdrawn or superseded, and by which report

ISO/IEC 17025 §7.8.8: the reason of a withdrawal or an amendment is kept with the report.

Revision ID: 0002
Revises: w002
Create Date: 2026-12-01 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "w002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("status_changed_at", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("superseded_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("superseded_by")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("status_reason")
