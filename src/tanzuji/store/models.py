"""The database schema: SQLAlchemy 2 typed models (one class per table).

Times are stored as ISO-8601 UTC strings (``2026-12-01T02:30:00.123456Z``) so that they
hash, export and compare identically on SQLite and PostgreSQL. Hashes are lowercase hex
SHA-256. Immutable tables (revisions, library revisions, evaluations, blobs, audit) are
only ever inserted into; on PostgreSQL triggers refuse UPDATE and DELETE on them.
Large columns (study content, results, PDFs, blobs) load only when read (``deferred``),
so listings stay fast.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ROLES",
    "ApiClient",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Blob",
    "CalibrationCertificate",
    "Evaluation",
    "Instrument",
    "LibraryRevision",
    "Organisation",
    "Product",
    "Report",
    "ReportCounter",
    "RevisionLibrary",
    "Study",
    "StudyRevision",
    "User",
]

ROLES = ("admin", "editor", "evaluator", "viewer", "authority")
"""User roles; the web platform decides what each may do."""

_NAMES = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

HASH = String(64)
TIME = String(32)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (for migrations)."""

    metadata = MetaData(naming_convention=_NAMES)


class Organisation(Base):
    """A tenant: a manufacturer, an evaluating laboratory or an authority."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[str] = mapped_column(TIME)


class User(Base):
    """A person who signs in (web) or acts (CLI); ``password_hash`` is Argon2 (pwdlib)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(TIME)


class ApiClient(Base):
    """A machine client (PACT, web API) with a hashed secret."""

    __tablename__ = "api_clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(Text, default="[]")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(TIME)


class Blob(Base):
    """Content-addressed bytes (source files and product pictures of revisions)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(HASH, primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class Product(Base):
    """A product model of one organisation (the thing footprints are compared for)."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("org_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    key: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(300))
    manufacturer: Mapped[str | None] = mapped_column(String(300))
    model: Mapped[str | None] = mapped_column(String(200))
    rating: Mapped[str | None] = mapped_column(String(200))
    accuracy_class: Mapped[str | None] = mapped_column(String(50))
    identifiers: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of URNs / GTINs
    mass_per_declared_unit_kg: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[str] = mapped_column(TIME)


class Study(Base):
    """A study id within an organisation; ``head`` is its newest revision."""

    __tablename__ = "studies"
    __table_args__ = (UniqueConstraint("org_id", "study_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    study_key: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    head_revision_id: Mapped[str | None] = mapped_column(HASH)
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[str] = mapped_column(TIME)


class StudyRevision(Base):
    """One immutable revision of a study (like a commit)."""

    __tablename__ = "study_revisions"
    __table_args__ = (
        UniqueConstraint("study_id", "seq"),
        Index("ix_study_revisions_product_period", "product_id", "period"),
    )
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    seq: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("study_revisions.id"))
    content_sha256: Mapped[str] = mapped_column(HASH)
    content: Mapped[str] = mapped_column(Text, deferred=True)  # canonical JSON of the study
    period: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(320))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(TIME)
    source_name: Mapped[str | None] = mapped_column(String(500))
    source_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    picture_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    """The product picture the study names, re-encoded as the report embeds it (a blob)."""
    picture_media_type: Mapped[str | None] = mapped_column(String(100))


class LibraryRevision(Base):
    """An immutable snapshot of the factors one library contributed to a study."""

    __tablename__ = "library_revisions"
    __table_args__ = (UniqueConstraint("library_key", "content_sha256"),)
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    library_key: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("library_revisions.id"))
    content_sha256: Mapped[str] = mapped_column(HASH)
    content: Mapped[str] = mapped_column(Text, deferred=True)
    created_at: Mapped[str] = mapped_column(TIME)


class RevisionLibrary(Base):
    """The library revisions a study revision pins, in layer order."""

    __tablename__ = "revision_libraries"
    revision_id: Mapped[str] = mapped_column(ForeignKey("study_revisions.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_revision_id: Mapped[str] = mapped_column(ForeignKey("library_revisions.id"))


class Evaluation(Base):
    """An evaluation of a study revision: the JSON result contract and its provenance."""

    __tablename__ = "evaluations"
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    revision_id: Mapped[str] = mapped_column(ForeignKey("study_revisions.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    method: Mapped[str] = mapped_column(String(40))  # jjf | full | mc
    engine_version: Mapped[str] = mapped_column(String(40))
    mc_trials: Mapped[int | None] = mapped_column(Integer)
    mc_seed: Mapped[int | None] = mapped_column(Integer)
    total_value: Mapped[float] = mapped_column(Float)
    total_u: Mapped[float] = mapped_column(Float)
    total_k: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(Text, deferred=True)  # canonical JSON
    result_sha256: Mapped[str] = mapped_column(HASH)
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[str] = mapped_column(TIME)


class ReportCounter(Base):
    """The last report number issued per organisation and year (gap-free)."""

    __tablename__ = "report_counters"
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Report(Base):
    """An issued report (one number; the zh and en renditions share it)."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("org_id", "year", "seq", "lang"),
        Index("ix_reports_number", "number"),
        Index("ix_reports_pdf_sha256", "pdf_sha256"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    revision_id: Mapped[str | None] = mapped_column(ForeignKey("study_revisions.id"))
    evaluation_id: Mapped[str | None] = mapped_column(ForeignKey("evaluations.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100))
    lang: Mapped[str] = mapped_column(String(8))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(HASH)
    signer_subject: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="issued")  # issued|withdrawn|superseded
    amends: Mapped[str | None] = mapped_column(String(100))  # the number it replaces
    status_reason: Mapped[str | None] = mapped_column(Text)  # why withdrawn / superseded
    status_changed_at: Mapped[str | None] = mapped_column(TIME)  # when the status changed
    superseded_by: Mapped[str | None] = mapped_column(String(100))  # the replacing number
    audit_anchor: Mapped[str | None] = mapped_column(HASH)
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[str] = mapped_column(TIME)


class Instrument(Base):
    """One instrument in an organisation's register."""

    __tablename__ = "instruments"
    __table_args__ = (UniqueConstraint("org_id", "instrument_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    instrument_key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    accuracy_class: Mapped[str | None] = mapped_column(String(50))


class CalibrationCertificate(Base):
    """A verification / calibration certificate of an instrument."""

    __tablename__ = "calibration_certificates"
    __table_args__ = (UniqueConstraint("instrument_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)
    number: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(50))
    issued_on: Mapped[str | None] = mapped_column(String(10))
    valid_until: Mapped[str | None] = mapped_column(String(10), index=True)


class AuditEntry(Base):
    """One link of the append-only hash chain."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    org_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(200))
    object_sha256: Mapped[str | None] = mapped_column(HASH)
    at: Mapped[str] = mapped_column(TIME)
    prev_hash: Mapped[str] = mapped_column(HASH)
    hash: Mapped[str] = mapped_column(HASH)


class AuditHead(Base):
    """One row: the chain's last sequence number and hash (serialises writers)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(HASH)
