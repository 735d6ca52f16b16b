"""Canonical JSON and the SHA-256 hashes of revisions and audit entries.

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8, floats in Python's
shortest round-trip form, no NaN/Infinity. Equal content gives equal bytes, so equal hashes.

>>> canonical_json({"b": 1, "a": [1.5, "碳"]})
'{"a":[1.5,"碳"],"b":1}'
>>> sha256_hex(b"abc")[:16]
'ba7816bf8f01cfea'
>>> GENESIS == "0" * 64
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

__all__ = [
    "GENESIS",
    "audit_hash",
    "canonical_json",
    "content_hash",
    "now_iso",
    "revision_id",
    "sha256_hex",
]

GENESIS = "0" * 64
"""The ``prev_hash`` of the first audit entry."""


def canonical_json(data: Any) -> str:
    """The canonical JSON text of ``data``."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def sha256_hex(data: bytes | str) -> str:
    """Lowercase hex SHA-256 of bytes (or of a string's UTF-8)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def content_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON of ``data``."""
    return sha256_hex(canonical_json(data))


def now_iso() -> str:
    """The current UTC time as stored: ``2026-12-01T02:30:00.123456Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def revision_id(
    *,
    content_sha256: str,
    parent: str | None,
    study: str,
    org: str,
    author: str,
    message: str,
    time: str,
) -> str:
    """The id of a study revision: a hash over its content hash, parent and metadata.

    >>> a = revision_id(content_sha256="0"*64, parent=None, study="S", org="O",
    ...                 author="u", message="", time="2026-01-01T00:00:00.000000Z")
    >>> b = revision_id(content_sha256="0"*64, parent=a, study="S", org="O",
    ...                 author="u", message="", time="2026-01-01T00:00:00.000000Z")
    >>> a != b and len(a) == 64
    True
    """
    return content_hash(
        {
            "kind": "tanzuji.study-revision/1",
            "content_sha256": content_sha256,
            "parent": parent,
            "study": study,
            "org": org,
            "author": author,
            "message": message,
            "time": time,
        }
    )


def audit_hash(fields: dict[str, Any], prev_hash: str, key: bytes | None = None) -> str:
    """The hash of one audit entry: over its fields and the previous entry's hash.

    With ``key`` it is an HMAC-SHA256, which nobody without the key can recompute.

    >>> f = {"seq": 1, "actor": "a", "action": "save", "object_type": "revision",
    ...      "object_id": "r", "object_sha256": None, "at": "t", "org_id": None}
    >>> audit_hash(f, GENESIS) != audit_hash(f, GENESIS, key=b"k")
    True
    """
    message = (prev_hash + "\n" + canonical_json(fields)).encode("utf-8")
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()
