"""Verifying signed PDFs so that a forged or altered report cannot pass.

For every signature (pyHanko does the cryptography):

* **integrity** — the hash of the signed bytes and the signature value;
* **the signature container** — the ``/Contents`` hex string holds the DER signature and
  then only zero padding (bytes there are outside the hash; anything else fails);
* **later revisions** — every incremental update after the signed revision is listed with
  what it changes; one that can change what a reader sees fails (see
  :mod:`tanzuji.report.revisions`); pyHanko's DocMDP judgement of a certification signature
  is applied on top when a later signature follows (otherwise its slow difference analysis
  could add nothing and is skipped);
* **appended bytes** — anything but white space after the last ``%%EOF`` fails;
* **the certificate** — validity period and key usage, checked by tanzuji even for a
  certificate given with ``--trust`` (at the time of a timestamp when the signature carries
  one, otherwise now: without a timestamp the signing time is only the signer's claim);
* **trust** — with ``trust`` (certificate files) or a trust list
  (:mod:`tanzuji.report.trustlist`), the chain to one of the given certificates;
* **long-term validation** — a signature whose document security store (DSS) carries
  validation data (PAdES-B-LT) is checked against that data alone, offline, with
  revocation checking required ("hard fail"): a revoked certificate, or data that does not
  cover the chain, fails.

The PAdES level is reported: B-B (no timestamp: the signing time is the signer's claim),
B-T (RFC 3161 timestamp), B-LT (timestamp and embedded validation data).

>>> verify_pdf(b"%PDF-1.7 truncated")
Traceback (most recent call last):
...
tanzuji.report.errors.SignatureError: ...
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tanzuji.i18n import get_lang
from tanzuji.report.certs import Subject, certificate_problems, subject_of
from tanzuji.report.errors import SignatureError
from tanzuji.report.revisions import Revision, describe_revisions, trailing_bytes
from tanzuji.report.trustlist import TrustList

__all__ = ["SignatureCheck", "check_lines", "contents_padding_ok", "verify_pdf"]


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of verifying one signature."""

    field: str
    signer: str
    signed_at: dt.datetime | None
    coverage: str
    intact: bool
    valid: bool
    trusted: bool | None
    ok: bool
    problem: str
    organisation: str | None = None
    timestamp: dt.datetime | None = None
    """Time of a valid RFC 3161 signature timestamp (``None``: the signing time is a claim)."""
    certified: str | None = None
    """DocMDP permission of a certification signature (``no changes`` …), else ``None``."""
    later: tuple[Revision, ...] = ()
    notes: tuple[str, ...] = ()
    level: str | None = None
    """``PAdES-B-B``, ``PAdES-B-T`` or ``PAdES-B-LT``."""
    trusted_by: str | None = None
    """The trust anchor the chain ends in (its trust-list name, else its subject)."""
    content_ok: bool = False
    """The signed content is unaltered (hash, signature value, container, coverage, no
    harmful later revision, nothing appended) — whatever the certificate's validity or
    trust; what ``audit verify --anchor REPORT.pdf`` needs."""

    @property
    def subject(self) -> Subject:
        """The signing certificate's holder."""
        return Subject(self.signer, self.organisation)


def _tr(zh: str, en: str) -> str:
    return zh if get_lang() == "zh" else en


def _quiet() -> None:
    """pyHanko logs expected validation problems with tracebacks; we report them ourselves."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def contents_padding_ok(data: bytes, byte_range: Sequence[int]) -> bool:
    """Whether ``/Contents`` (the gap of the byte range) is ``<DER + zero padding>``.

    >>> contents_padding_ok(b"xx<3003020101000000>yy", [0, 2, 20, 2])
    True
    >>> contents_padding_ok(b"xx<3003020101000100>yy", [0, 2, 20, 2])
    False
    >>> contents_padding_ok(b"xx<300302010a000000>yy", [0, 2, 20, 2])
    True
    >>> contents_padding_ok(b"xx<300302010A0000a0>yy", [0, 2, 20, 2])
    False
    """
    start, stop = byte_range[0] + byte_range[1], byte_range[2]
    raw = data[start:stop]
    if len(raw) < 4 or raw[:1] != b"<" or raw[-1:] != b">":
        return False
    hexdigits = raw[1:-1]
    if hexdigits.lower() != hexdigits and hexdigits.upper() != hexdigits:
        return False  # same bytes, but not as the signer wrote them
    try:
        der = bytes.fromhex(hexdigits.decode("ascii"))
    except ValueError:
        return False
    if len(der) < 2 or der[0] != 0x30:
        return False
    if der[1] < 0x80:
        end = 2 + der[1]
    else:
        n = der[1] & 0x7F
        end = 2 + n + int.from_bytes(der[2 : 2 + n], "big")
    return end <= len(der) and not der[end:].strip(b"\x00")


def _load_roots(trust: Sequence[Path]) -> list[Any]:
    from pyhanko.keys import load_cert_from_pemder

    roots = []
    for p in trust:
        try:
            roots.append(load_cert_from_pemder(str(p)))  # type: ignore[no-untyped-call]
        except (OSError, ValueError) as exc:
            raise SignatureError(
                _tr(f"无法读取受信任证书（{exc}）", f"cannot read the trusted certificate ({exc})"),
                file=str(p),
            ) from None
    return roots


def _validate(
    sig: Any,
    roots: list[Any],
    moment: dt.datetime | None = None,
    dss: Any = None,
    skip_diff: bool = False,
) -> Any:
    """pyHanko's validation; with a DSS (and trust anchors) against its data alone, offline,
    revocation checking required. ``skip_diff`` skips pyHanko's difference analysis of
    later revisions (for revisions tanzuji has judged itself, see :func:`_check_one`)."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if dss is not None and roots:
        kwargs: dict[str, Any] = {"trust_roots": roots, "allow_fetching": False,
                                  "revocation_mode": "hard-fail"}  # fmt: skip
        vc = dss.as_validation_context({**kwargs, "moment": moment})
        ts_vc = dss.as_validation_context(kwargs)
        return validate_pdf_signature(sig, vc, ts_vc, skip_diff=skip_diff)
    vc = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
    return validate_pdf_signature(sig, vc, skip_diff=skip_diff)


def _read_dss(reader: Any) -> Any:
    """The document security store, if it holds revocation data (OCSP responses or CRLs)."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:
        return None
    return dss if (dss.ocsps or dss.crls) else None


def _anchor_name(st: Any, trust_list: TrustList | None) -> str | None:
    path = getattr(st, "validation_path", None)
    if path is None:
        return None
    anchor = path.trust_anchor
    cert = getattr(anchor, "certificate", None) or getattr(anchor.authority, "certificate", None)
    if cert is None:
        return None
    listed = trust_list.name_of(cert) if trust_list is not None else None
    return listed or str(subject_of(cert))


def _label(sig: Any) -> str:
    try:
        who = str(subject_of(sig.signer_cert))
    except Exception:
        who = "?"
    if str(sig.sig_object_type) == "/DocTimeStamp":
        return _tr(f"文档时间戳（{who}）", f"document timestamp by {who}")
    return _tr(f"签名“{sig.field_name}”（{who}）", f"signature '{sig.field_name}' by {who}")


def _docmdp_text(level: Any) -> str | None:
    if level is None:
        return None
    return {
        1: _tr("不允许任何改动", "no changes permitted"),
        2: _tr("允许填表和签名", "form filling and signing permitted"),
        3: _tr("允许填表、签名和注释", "form filling, signing and annotations permitted"),
    }.get(int(level.value), str(level))


def verify_pdf(
    data: bytes, trust: Sequence[Path] = (), trust_list: TrustList | None = None
) -> list[SignatureCheck]:
    """Verify every signature of a PDF; :class:`SignatureError` when there is none.

    Without ``trust`` or ``trust_list`` the chain of trust is not judged (``trusted`` is
    ``None``); with them, a signature must chain to one of the given certificates.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    _quiet()
    roots = _load_roots(trust) + (trust_list.roots() if trust_list is not None else [])
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
        last_startxref = reader.xrefs.get_startxref_for_revision(reader.total_revisions - 1)
    except Exception as exc:
        raise SignatureError(
            _tr(f"文件已损坏或被改动：{exc}", f"the file is damaged or was altered: {exc}")
        ) from None
    if not sigs:
        raise SignatureError(_tr("文件不带任何签名", "the file carries no signature"))
    ctx = _Context(roots, data, reader, _read_dss(reader), trust_list)
    sig_revisions = {s.signed_revision: _label(s) for s in sigs}
    n_trailing, white = trailing_bytes(data, last_startxref)
    doc_problems, doc_notes = [], []
    if n_trailing and not white:
        doc_problems.append(
            _tr(
                f"文件末尾（最后一个修订之后）附加了 {n_trailing} 字节",
                f"{n_trailing} bytes were appended after the end of the last revision",
            )
        )
    elif n_trailing > 2:
        doc_notes.append(
            _tr(
                f"文件末尾有 {n_trailing} 字节空白（已忽略）",
                f"{n_trailing} bytes of white space after the end of the file (ignored)",
            )
        )
    return [_check_one(sig, ctx, sig_revisions, doc_problems, doc_notes) for sig in sigs]


@dataclass(frozen=True)
class _Context:
    """What every signature of one document is checked against."""

    roots: list[Any]
    data: bytes
    reader: Any
    dss: Any
    trust_list: TrustList | None


def _check_one(
    sig: Any,
    ctx: _Context,
    sig_revisions: dict[int, str],
    doc_problems: list[str],
    doc_notes: list[str],
) -> SignatureCheck:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    roots, data, reader = ctx.roots, ctx.data, ctx.reader
    # pyHanko's difference analysis re-reads object streams for every object (minutes on a
    # tagged report). Its verdict is used only when tanzuji's own, stricter judgement of the
    # later revisions finds them all harmless, and it adds something only for a later
    # *signature* (DocMDP): without one it is skipped — a content revision fails anyway.
    try:
        seen = tuple(describe_revisions(reader, sig.signed_revision, sig_revisions))
    except Exception:
        seen = None
    skip_diff = seen is not None and not any(r.kind == "signature" for r in seen)
    try:
        st = _validate(sig, roots, dss=ctx.dss, skip_diff=skip_diff)
    except Exception as exc:
        return SignatureCheck(
            sig.field_name, "?", None, "?", False, False, None, False,
            _tr(f"无法读取签名数据（{exc}）", f"the signed data cannot be read ({exc})"),
        )  # fmt: skip
    problems = list(doc_problems)
    notes = list(doc_notes)
    level = st.modification_level
    if st.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        coverage = _tr("整个文件", "entire file")
    elif st.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        coverage = _tr("其所在修订（之后另有修订）", "its whole revision; later revisions follow")
    else:
        coverage = _tr("文件的一部分", "part of the file only")
    if not st.intact:
        problems.append(
            _tr("签名数据被改动（哈希不符）", "the signed bytes were altered (hash mismatch)")
        )
    elif not st.valid:
        problems.append(
            _tr(
                "签名值与签名人证书不符",
                "the signature value does not match the signer's certificate",
            )
        )
    byte_range = [int(x) for x in sig.sig_object.get("/ByteRange", [0, 0, 0, 0])]
    if st.intact and not contents_padding_ok(data, byte_range):
        problems.append(
            _tr(
                "签名容器（/Contents）被改动（签名之后有非零数据或大小写被改）",
                "the signature container (/Contents) was altered (non-zero data after the "
                "signature, or its hex digits changed case)",
            )
        )
    if st.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        problems.append(
            _tr("签名未覆盖其整个修订", "the signature does not cover its whole revision")
        )
    later = (
        seen
        if seen is not None
        else tuple(describe_revisions(reader, sig.signed_revision, sig_revisions))
    )
    if st.coverage == SignatureCoverageLevel.ENTIRE_REVISION and not later:
        coverage = _tr("整个文件（末尾空白除外）", "entire file (but trailing white space)")
    for rev in later:
        if not rev.harmless:
            problems.append(
                _tr(f"文档在签名后被改动 — {rev.describe()}",
                    f"the document was changed after signing — {rev.describe()}")
            )  # fmt: skip
    if (
        level is not None
        and level > ModificationLevel.FORM_FILLING
        and all(r.harmless for r in later)
    ):
        problems.append(_tr("文档在签名后被改动", "the document was changed after signing"))
    if st.docmdp_ok is False and all(r.harmless for r in later):
        problems.append(
            _tr("签名后的改动超出认证签名允许的范围",
                "changes after signing exceed what the certification signature permits")
        )  # fmt: skip
    content_ok = not problems  # everything so far is about the signed bytes
    # the certificate: validity at the timestamp's time (or now) and key usage
    ts = st.timestamp_validity
    ts_time = ts.timestamp if ts is not None and ts.intact and ts.valid else None
    moment = ts_time or dt.datetime.now(dt.UTC)
    cert = st.signing_cert
    cert_problems = certificate_problems(cert, moment)
    problems += cert_problems
    if st.signer_reported_dt is not None and not ts_time:
        claimed = certificate_problems(cert, st.signer_reported_dt)
        problems += [p for p in claimed if p not in cert_problems]
    trusted: bool | None = None
    if roots:
        trusted = bool(st.trusted)
        if not trusted:
            # a certificate that is only out of its validity period still chains: say
            # "expired", not "does not chain"
            chains = False
            if cert_problems:
                inside = cert.not_valid_after - dt.timedelta(seconds=1)
                inside = max(inside, cert.not_valid_before + dt.timedelta(seconds=1))
                try:
                    again = _validate(sig, roots, moment=inside, skip_diff=skip_diff)
                    chains = bool(again.trusted)
                except Exception:
                    chains = False
            if st.revoked:
                when = getattr(st.revocation_details, "revocation_date", None)
                shown = f" ({when:%Y-%m-%d %H:%M} UTC)" if when else ""
                problems.append(
                    _tr(f"签名人证书已被吊销{shown}",
                        f"the signer's certificate was revoked{shown}")
                )  # fmt: skip
            elif ctx.dss is not None and not chains:
                problems.append(
                    _tr("签名人证书不能用文件中嵌入的验证数据链接到受信任的证书"
                        "（链不可信，或验证数据不全）",
                        "the signer's certificate cannot be validated to a trusted "
                        "certificate with the validation data embedded in the file (the "
                        "chain is not trusted, or the data is incomplete)")
                )  # fmt: skip
            elif not chains:
                problems.append(
                    _tr("签名人证书不能链接到受信任的证书",
                        "the signer's certificate does not chain to a trusted certificate")
                )  # fmt: skip
    if ts_time is None:
        notes.append(
            _tr("无可信时间戳：签名时间仅为签名人自称",
                "no timestamp: the signing time is the signer's own claim")
        )  # fmt: skip
    level = "PAdES-B-B" if ts_time is None else "PAdES-B-T"
    if ts_time is not None and ctx.dss is not None:
        level = "PAdES-B-LT"
        if roots and trusted:
            notes.append(
                _tr("已用文件中嵌入的验证数据（OCSP/CRL）离线核验证书链和吊销状态",
                    "chain and revocation status checked offline against the validation "
                    "data (OCSP/CRL) embedded in the file")
            )  # fmt: skip
    subject = subject_of(cert)
    return SignatureCheck(
        field=sig.field_name,
        signer=subject.name,
        organisation=subject.organisation,
        signed_at=st.signer_reported_dt,
        timestamp=ts_time,
        coverage=coverage,
        intact=bool(st.intact),
        valid=bool(st.valid),
        trusted=trusted,
        ok=not problems,
        problem="; ".join(dict.fromkeys(problems)),
        certified=_docmdp_text(sig.docmdp_level),
        later=later,
        notes=tuple(notes),
        level=level,
        trusted_by=_anchor_name(st, ctx.trust_list) if trusted else None,
        content_ok=content_ok,
    )


def check_lines(check: SignatureCheck) -> list[tuple[bool, str]]:
    """What ``verify`` prints for one signature: (ok, line) for the signature, its
    certification, every later revision and the notes (plain text, user's language)."""
    when = check.signed_at.isoformat(timespec="seconds") if check.signed_at else "?"
    yes, no = _tr("是", "yes"), _tr("否", "NO")
    unchecked = _tr("未检查（未给 --trust 或信任列表）", "not checked (no --trust or trust list)")
    trusted = {None: unchecked, True: yes, False: no}[check.trusted]
    if check.trusted and check.trusted_by:
        trusted += _tr(f"（{check.trusted_by}）", f" ({check.trusted_by})")
    org = f" / {check.organisation}" if check.organisation else ""
    valid = _tr("有效", "valid") if check.valid else _tr("无效", "INVALID")
    intact = yes if check.intact else no
    lines = [
        (
            check.ok,
            _tr(
                f"{check.field}：签名人 {check.signer}{org}，签署于 {when}，覆盖{check.coverage}，"
                f"未被改动 {intact}，签名{valid}，受信任 {trusted}",
                f"{check.field}: signer {check.signer}{org}, signed {when}, covers "
                f"{check.coverage}, intact {intact}, signature {valid}, trusted {trusted}",
            ),
        )
    ]
    if check.level:
        lines.append((True, _tr(f"  级别：{check.level}", f"  level: {check.level}")))
    if check.timestamp:
        ts = check.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        lines.append((True, _tr(f"  时间戳（RFC 3161）：{ts}", f"  timestamp (RFC 3161): {ts}")))
    if check.certified:
        lines.append((True, _tr(f"  认证签名：{check.certified}",
                                f"  certification: {check.certified}")))  # fmt: skip
    lines += [(rev.harmless, "  " + rev.describe()) for rev in check.later]
    lines += [(True, "  " + note) for note in check.notes]
    return lines
