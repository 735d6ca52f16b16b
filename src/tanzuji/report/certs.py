"""What a signing certificate says and whether it may sign: subject, validity, key usage.

Checked by tanzuji itself for every signing certificate — also for one passed to
``verify --trust`` (a trust anchor is trusted to be *who it says*, not to be valid for
ever or for any purpose) — and before signing, so an expired key cannot issue a report.

>>> import datetime as dt
>>> when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
>>> validity_problem(when - dt.timedelta(days=9), when - dt.timedelta(days=1), when, "en")
'the signing certificate expired on 2025-12-31 00:00 UTC'
>>> validity_problem(when + dt.timedelta(days=1), when + dt.timedelta(days=9), when, "zh")
'签名证书尚未生效（生效时间 2026-01-02 00:00 UTC） / not yet valid'
>>> usage_problem({"key_encipherment"}, "en")
'the certificate is not valid for signing (key usage: key encipherment)'
>>> usage_problem({"digital_signature"}, "en") is None
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tanzuji.i18n import get_lang

__all__ = [
    "SIGNING_USAGES",
    "Subject",
    "certificate_problems",
    "subject_of",
    "usage_problem",
    "validity_problem",
]

SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})
"""Key usages that allow signing documents (non_repudiation = content commitment)."""


@dataclass(frozen=True)
class Subject:
    """The holder of a certificate as people read it: name and organisation."""

    name: str
    organisation: str | None = None

    def __str__(self) -> str:
        return f"{self.name} / {self.organisation}" if self.organisation else self.name


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def subject_of(cert: Any) -> Subject:
    """Name (CN) and organisation (O) of an asn1crypto or ``cryptography`` certificate."""
    if hasattr(cert, "subject") and hasattr(cert.subject, "native"):  # asn1crypto
        native = cert.subject.native
        name = _first(native.get("common_name")) or cert.subject.human_friendly
        return Subject(str(name), _first(native.get("organization_name")))
    from cryptography.x509.oid import NameOID  # a cryptography certificate

    def get(oid: Any) -> str | None:
        attrs = cert.subject.get_attributes_for_oid(oid)
        return str(attrs[0].value) if attrs else None

    return Subject(get(NameOID.COMMON_NAME) or cert.subject.rfc4514_string(),
                   get(NameOID.ORGANIZATION_NAME))  # fmt: skip


def _fmt(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def validity_problem(
    not_before: dt.datetime, not_after: dt.datetime, when: dt.datetime, lang: str | None = None
) -> str | None:
    """Why a certificate is not valid at ``when`` (expired / not yet valid), or ``None``."""
    zh = (lang or get_lang()) == "zh"
    if when > not_after:
        return (
            f"签名证书已过期（于 {_fmt(not_after)}） / expired on {_fmt(not_after)}"
            if zh
            else f"the signing certificate expired on {_fmt(not_after)}"
        )
    if when < not_before:
        return (
            f"签名证书尚未生效（生效时间 {_fmt(not_before)}） / not yet valid"
            if zh
            else f"the signing certificate is not valid before {_fmt(not_before)}"
        )
    return None


def usage_problem(usages: set[str] | None, lang: str | None = None) -> str | None:
    """Why a key usage set does not allow signing documents, or ``None``.

    ``None`` usages (no key usage extension) allow every use (RFC 5280 §4.2.1.3).
    """
    if usages is None or usages & SIGNING_USAGES:
        return None
    shown = ", ".join(sorted(u.replace("_", " ") for u in usages)) or "—"
    if (lang or get_lang()) == "zh":
        return f"该证书不能用于签名（密钥用途：{shown}） / not valid for signing"
    return f"the certificate is not valid for signing (key usage: {shown})"


def certificate_problems(cert: Any, when: dt.datetime, lang: str | None = None) -> list[str]:
    """Validity at ``when`` and key usage of an asn1crypto certificate (empty: fine)."""
    problems = []
    v = validity_problem(cert.not_valid_before, cert.not_valid_after, when, lang)
    if v:
        problems.append(v)
    ku = cert.key_usage_value
    u = usage_problem(set(ku.native) if ku is not None else None, lang)
    if u:
        problems.append(u)
    return problems
