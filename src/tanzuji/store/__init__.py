"""The product footprint database: schema, migrations, repositories and unit of work.

Open a database with :func:`open_store` (a SQLAlchemy URL; see
``tanzuji.config.Config.effective_database_url``), then do each piece of work inside one
:class:`UnitOfWork`. The use cases over it live in :mod:`tanzuji.services`.
"""

from __future__ import annotations

from tanzuji.store.engine import SchemaStatus, Store, describe_db_error, open_store
from tanzuji.store.hashing import canonical_json, content_hash, sha256_hex
from tanzuji.store.uow import UnitOfWork, audit_key

__all__ = [
    "SchemaStatus",
    "Store",
    "UnitOfWork",
    "audit_key",
    "canonical_json",
    "content_hash",
    "describe_db_error",
    "open_store",
    "sha256_hex",
]
