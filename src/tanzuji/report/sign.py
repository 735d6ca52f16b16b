"""Signing reports (PAdES-B-B with a visible stamp) and verifying signed PDFs, with pyHanko.

* :func:`keygen` — a self-signed RSA key and certificate **for trying it out only** (anyone
  can make one with any name; a real issuer uses a certificate from a CA the recipients
  trust, or hands out its certificate through a trusted channel).
* :func:`sign_pdf` — signs into the empty field ``tzj-issuer`` that every tanzuji report
  carries over its signature block; other PDFs get a new field at the bottom right of the
  last page. The stamp names the issuer in Chinese and English (an OpenType CJK face, see
  :mod:`tanzuji.report.fonts`).
* :func:`verify_pdf` — checks every signature: the hash of the signed bytes (integrity), the
  signature value, what it covers, and (with ``trust``) the chain to a trusted certificate.

>>> import tempfile, pathlib
>>> key, cert = keygen(pathlib.Path(tempfile.mkdtemp()), name="演示签发人")
>>> oct(key.stat().st_mode & 0o777), cert.name
('0o600', 'cert.pem')
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tanzuji.fileio import write_atomic
from tanzuji.report.errors import SignatureError

__all__ = ["FIELD_NAME", "SignatureCheck", "keygen", "sign_pdf", "verify_pdf"]

FIELD_NAME = "tzj-issuer"
PT_PER_MM = 72 / 25.4


def keygen(
    directory: Path,
    *,
    name: str = "tanzuji demo signer",
    organisation: str | None = None,
    days: int = 730,
    force: bool = False,
) -> tuple[Path, Path]:
    """Write ``key.pem`` (RSA-2048, 0600) and a self-signed ``cert.pem`` into ``directory``.

    NOT for production: the certificate proves nothing about who holds the key.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = directory / "key.pem", directory / "cert.pem"
    if not force and (key_path.exists() or cert_path.exists()):
        raise SignatureError(
            "key.pem or cert.pem already exists; pass --force to replace them", file=str(directory)
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    subject = x509.Name(attrs)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomic(key_path, pem_key, mode=0o600)
    write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _quiet() -> None:
    """pyHanko logs expected validation problems with tracebacks; we report them ourselves."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _common_name(cert: Any) -> str:
    try:
        return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
    except (AttributeError, ValueError):
        return "?"


def _stamp_box(reader: Any) -> tuple[int, tuple[int, int, int, int]]:
    """Bottom right of the last page, inside the lower margin (for PDFs made elsewhere)."""
    pages = reader.root["/Pages"]
    count = int(pages["/Count"])
    page = reader.get_object(reader.find_page_for_modification(count - 1)[0])
    box = [float(x) for x in page.get("/MediaBox", pages.get("/MediaBox"))]
    right = box[2] - 15 * PT_PER_MM
    return count - 1, (
        round(right - 70 * PT_PER_MM),
        round(3 * PT_PER_MM),
        round(right),
        round(19 * PT_PER_MM),
    )


def sign_pdf(
    data: bytes,
    key: Path,
    cert: Path,
    *,
    issuer: str | None = None,
    organisation: str | None = None,
    reason: str = "签发碳足迹计量评价报告 / issue of the evaluation report",
    passphrase: bytes | None = None,
) -> bytes:
    """Sign a PDF (PAdES-B-B, SHA-256) with a visible stamp naming ``issuer``."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter, enumerate_sig_fields
    from pyhanko.stamp import TextStampStyle

    from tanzuji.report.fonts import stamp_font_file

    _quiet()
    for p in (key, cert):
        if not p.is_file():
            raise SignatureError("file not found", file=str(p))
    signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(key), str(cert), key_passphrase=passphrase
    )
    if signer is None:
        raise SignatureError(
            "cannot load the key or certificate; expected a PEM/DER private key and X.509 "
            "certificate (is the key encrypted?)",
            file=f"{key}, {cert}",
        )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except Exception as exc:
        raise SignatureError(f"not a readable PDF ({exc})") from None
    empty = {name for name, value, _ in enumerate_sig_fields(writer) if value is None}
    name = issuer or _common_name(signer.signing_cert)
    field_spec = None
    field = FIELD_NAME
    if FIELD_NAME not in empty:
        existing = {n for n, _, _ in enumerate_sig_fields(writer)}
        i = 2
        while field in existing:
            field, i = f"{FIELD_NAME}-{i}", i + 1
        page, box = _stamp_box(writer.prev)
        field_spec = SigFieldSpec(field, on_page=page, box=box)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        name=name,
    )
    lines = [f"签发人 Issuer：{name}"]
    if organisation:
        lines.append(organisation)
    lines += ["签名时间 Signed：%(ts)s", "PAdES 数字签名 · tanzuji verify"]
    text = "\n".join(lines)
    font = stamp_font_file(text.replace("%(ts)s", "0123456789-: UTC"))
    style = TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font), 9)),
        border_width=1,
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, stamp_style=style, new_field_spec=field_spec
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


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


def verify_pdf(data: bytes, trust: Sequence[Path] = ()) -> list[SignatureCheck]:
    """Verify every signature of a PDF; :class:`SignatureError` when there is none.

    Without ``trust`` the chain of trust is not judged (``trusted`` is ``None``); with it,
    a signature must chain to one of the given certificates.

    >>> verify_pdf(b"%PDF-1.7 truncated")
    Traceback (most recent call last):
    ...
    tanzuji.report.errors.SignatureError: the file is damaged or was altered: ...
    """
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _quiet()
    roots = []
    for p in trust:
        try:
            roots.append(load_cert_from_pemder(str(p)))  # type: ignore[no-untyped-call]
        except (OSError, ValueError) as exc:
            raise SignatureError(
                f"cannot read the trusted certificate ({exc})", file=str(p)
            ) from None
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:
        raise SignatureError(f"the file is damaged or was altered: {exc}") from None
    if not sigs:
        raise SignatureError("the file carries no signature")
    checks = []
    for sig in sigs:
        vc = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            st = validate_pdf_signature(sig, vc)
        except Exception as exc:
            checks.append(
                SignatureCheck(sig.field_name, "?", None, "?", False, False, None, False,
                               f"the signed data cannot be read ({exc})")
            )  # fmt: skip
            continue
        level = st.modification_level
        if st.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            coverage = "entire file"
        elif st.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
            coverage = f"entire revision; later changes: {level.name.lower() if level else '?'}"
        else:
            coverage = "part of the file only"
        problems = []
        if not st.intact:
            problems.append("the signed bytes were altered (hash mismatch)")
        elif not st.valid:
            problems.append("the signature value does not match the signer's certificate")
        if st.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
            problems.append("the signature does not cover its whole revision")
        elif level is not None and level > ModificationLevel.FORM_FILLING:
            problems.append("the document was changed after signing")
        trusted: bool | None = bool(st.trusted) if roots else None
        if roots and not trusted:
            problems.append("the signer's certificate does not chain to a trusted certificate")
        checks.append(
            SignatureCheck(
                field=sig.field_name,
                signer=_common_name(st.signing_cert),
                signed_at=st.signer_reported_dt,
                coverage=coverage,
                intact=bool(st.intact),
                valid=bool(st.valid),
                trusted=trusted,
                ok=not problems,
                problem="; ".join(problems),
            )
        )
    return checks
