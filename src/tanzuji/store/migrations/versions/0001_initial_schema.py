"""Initial schema: organisations, users, products, revisions, evaluations, reports, audit

Revision ID: 0001
Revises:
Create Date: 2026-12-01 02:29:54.622597
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

IMMUTABLE_TABLES = ("audit_log", "study_revisions", "library_revisions", "evaluations")
_REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION tz_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tanzuji: % on % is refused (append-only table)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=60), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("object_sha256", sa.String(length=64), nullable=True),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "library_revisions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("library_key", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["library_revisions.id"],
            name=op.f("fk_library_revisions_parent_id_library_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_revisions")),
        sa.UniqueConstraint(
            "library_key", "content_sha256", name=op.f("uq_library_revisions_library_key")
        ),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_api_clients_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_api_clients_client_id")),
    )
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_clients_org_id"), ["org_id"], unique=False)

    op.create_table(
        "instruments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("accuracy_class", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_instruments_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instruments")),
        sa.UniqueConstraint("org_id", "instrument_key", name=op.f("uq_instruments_org_id")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("manufacturer", sa.String(length=300), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("rating", sa.String(length=200), nullable=True),
        sa.Column("accuracy_class", sa.String(length=50), nullable=True),
        sa.Column("identifiers", sa.Text(), nullable=False),
        sa.Column("mass_per_declared_unit_kg", sa.Float(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_products_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("org_id", "key", name=op.f("uq_products_org_id")),
    )
    op.create_table(
        "report_counters",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_report_counters_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("org_id", "year", name=op.f("pk_report_counters")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_users_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_org_id"), ["org_id"], unique=False)

    op.create_table(
        "calibration_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=50), nullable=True),
        sa.Column("issued_on", sa.String(length=10), nullable=True),
        sa.Column("valid_until", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_calibration_certificates_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_certificates")),
        sa.UniqueConstraint(
            "instrument_id", "number", name=op.f("uq_calibration_certificates_instrument_id")
        ),
    )
    with op.batch_alter_table("calibration_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calibration_certificates_instrument_id"), ["instrument_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calibration_certificates_valid_until"), ["valid_until"], unique=False
        )

    op.create_table(
        "studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("study_key", sa.String(length=200), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("head_revision_id", sa.String(length=64), nullable=True),
        sa.Column("revision_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_studies_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_studies_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studies")),
        sa.UniqueConstraint("org_id", "study_key", name=op.f("uq_studies_org_id")),
    )
    with op.batch_alter_table("studies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_studies_product_id"), ["product_id"], unique=False)

    op.create_table(
        "study_revisions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_study_revisions_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["study_revisions.id"],
            name=op.f("fk_study_revisions_parent_id_study_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_study_revisions_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["source_sha256"], ["blobs.sha256"], name=op.f("fk_study_revisions_source_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["studies.id"], name=op.f("fk_study_revisions_study_id_studies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_revisions")),
        sa.UniqueConstraint("study_id", "seq", name=op.f("uq_study_revisions_study_id")),
    )
    with op.batch_alter_table("study_revisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_study_revisions_product_period", ["product_id", "period"], unique=False
        )

    op.create_table(
        "evaluations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=False),
        sa.Column("mc_trials", sa.Integer(), nullable=True),
        sa.Column("mc_seed", sa.Integer(), nullable=True),
        sa.Column("total_value", sa.Float(), nullable=False),
        sa.Column("total_u", sa.Float(), nullable=False),
        sa.Column("total_k", sa.Float(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_evaluations_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["study_revisions.id"],
            name=op.f("fk_evaluations_revision_id_study_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluations_revision_id"), ["revision_id"], unique=False
        )

    op.create_table(
        "revision_libraries",
        sa.Column("revision_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("library_revision_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_revision_id"],
            ["library_revisions.id"],
            name=op.f("fk_revision_libraries_library_revision_id_library_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["study_revisions.id"],
            name=op.f("fk_revision_libraries_revision_id_study_revisions"),
        ),
        sa.PrimaryKeyConstraint("revision_id", "position", name=op.f("pk_revision_libraries")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.String(length=64), nullable=True),
        sa.Column("evaluation_id", sa.String(length=64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_subject", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amends", sa.String(length=100), nullable=True),
        sa.Column("audit_anchor", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"], ["evaluations.id"], name=op.f("fk_reports_evaluation_id_evaluations")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_reports_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["study_revisions.id"],
            name=op.f("fk_reports_revision_id_study_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("org_id", "year", "seq", "lang", name=op.f("uq_reports_org_id")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_number", ["number"], unique=False)

    # The chain starts at the genesis hash.
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer),
            sa.column("seq", sa.Integer),
            sa.column("hash", sa.String),
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_REFUSE_FUNCTION)
        for table in IMMUTABLE_TABLES:
            op.execute(
                f"CREATE TRIGGER tz_{table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION tz_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER tz_{table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tz_refuse_change()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in IMMUTABLE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS tz_{table}_immutable ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS tz_{table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS tz_refuse_change()")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_number")

    op.drop_table("reports")
    op.drop_table("revision_libraries")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluations_revision_id"))

    op.drop_table("evaluations")
    with op.batch_alter_table("study_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_study_revisions_product_period")

    op.drop_table("study_revisions")
    with op.batch_alter_table("studies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_studies_product_id"))

    op.drop_table("studies")
    with op.batch_alter_table("calibration_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibration_certificates_valid_until"))
        batch_op.drop_index(batch_op.f("ix_calibration_certificates_instrument_id"))

    op.drop_table("calibration_certificates")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_org_id"))

    op.drop_table("users")
    op.drop_table("report_counters")
    op.drop_table("products")
    op.drop_table("instruments")
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_clients_org_id"))

    op.drop_table("api_clients")
    op.drop_table("organisations")
    op.drop_table("library_revisions")
    op.drop_table("blobs")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
