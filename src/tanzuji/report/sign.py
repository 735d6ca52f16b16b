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
from pathlib import Path
from typing import Any

from tanzuji.fileio import write_atomic
from tanzuji.report.certs import Subject, certificate_problems, subject_of
from tanzuji.report.errors import SignatureError
from tanzuji.report.verify import SignatureCheck, verify_pdf

__all__ = [
    "FIELD_NAME",
    "SignatureCheck",
    "keygen",
    "load_signer",
    "sign_pdf",
    "signer_subject",
    "verify_pdf",
]

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


def load_signer(key: Path, cert: Path, passphrase: bytes | None = None) -> Any:
    """A pyHanko signer for a key file and its certificate, refused when the certificate
    is out of its validity period or not valid for signing."""
    from pyhanko.sign import signers

    from tanzuji.i18n import tr

    _quiet()
    for p in (key, cert):
        if not p.is_file():
            raise SignatureError(tr("文件不存在", "file not found"), file=str(p))
    signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(key), str(cert), key_passphrase=passphrase
    )
    if signer is None:
        raise SignatureError(
            tr(
                "无法读取密钥或证书；需要 PEM/DER 私钥和 X.509 证书（密钥是否已加密？）",
                "cannot load the key or certificate; expected a PEM/DER private key and X.509 "
                "certificate (is the key encrypted?)",
            ),
            file=f"{key}, {cert}",
        )
    problems = certificate_problems(signer.signing_cert, dt.datetime.now(dt.UTC))
    if problems:
        raise SignatureError(
            tr("不能用此证书签名：", "cannot sign with this certificate: ") + "; ".join(problems),
            file=str(cert),
        )
    return signer


def signer_subject(cert: Path) -> Subject:
    """The holder (name, organisation) of a certificate file (PEM or DER)."""
    from pyhanko.keys import load_cert_from_pemder

    try:
        return subject_of(load_cert_from_pemder(str(cert)))  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as exc:
        raise SignatureError(f"cannot read the certificate ({exc})", file=str(cert)) from None


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
    reason: str = "签发碳足迹计量评价报告 / issue of the evaluation report",
    passphrase: bytes | None = None,
    certify: bool = True,
    timestamp_url: str | None = None,
) -> bytes:
    """Sign a PDF (PAdES, SHA-256) with a visible stamp naming the certificate's subject.

    With ``certify`` (the default) it is a certification signature whose DocMDP permission
    allows no changes at all: any later revision other than validation data or a document
    timestamp makes verification fail (a PDF that is already signed gets an approval
    signature instead). The stamp shows the certificate's subject (name and organisation),
    the same identity ``verify`` prints — never a name given by the caller.
    """
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import signers
    from pyhanko.sign.fields import (
        MDPPerm,
        SigFieldSpec,
        SigSeedSubFilter,
        enumerate_sig_fields,
    )
    from pyhanko.sign.general import SigningError
    from pyhanko.stamp import TextStampStyle

    from tanzuji.i18n import tr
    from tanzuji.report.fonts import stamp_font_file

    signer = load_signer(key, cert, passphrase)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except Exception as exc:
        msg = tr(f"不是可读的 PDF（{exc}）", f"not a readable PDF ({exc})")
        raise SignatureError(msg) from None
    fields = list(enumerate_sig_fields(writer))
    empty = {name for name, value, _ in fields if value is None}
    already_signed = any(value is not None for _, value, _ in fields)
    subject = subject_of(signer.signing_cert)
    field_spec = None
    field = FIELD_NAME
    if FIELD_NAME not in empty:
        existing = {n for n, _, _ in fields}
        i = 2
        while field in existing:
            field, i = f"{FIELD_NAME}-{i}", i + 1
        page, box = _stamp_box(writer.prev)
        field_spec = SigFieldSpec(field, on_page=page, box=box)
    do_certify = certify and not already_signed
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        name=subject.name,
        certify=do_certify,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    # pyHanko fills the stamp with ``text % params``: user text has its % doubled (issue 9)
    lines = [f"签发人 Issuer：{subject.name.replace('%', '%%')}"]
    if subject.organisation:
        lines.append(subject.organisation.replace("%", "%%"))
    if timestamp_url:
        lines += ["签名时间 Signed：%(ts)s", "PAdES 数字签名（带时间戳）· tanzuji verify"]
    else:
        lines += [
            "签名时间（签名人自称）Signed (claimed)：%(ts)s",
            "PAdES 数字签名 · tanzuji verify",
        ]
    text = "\n".join(lines)
    font = stamp_font_file(text.replace("%(ts)s", "0123456789-: UTC"))
    style = TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font), 9)),
        border_width=1,
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
    )
    timestamper = None
    if timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(timestamp_url)
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, stamp_style=style, new_field_spec=field_spec, timestamper=timestamper
    )
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out)
    except SigningError as exc:
        if "forbids all changes" in str(exc):
            raise SignatureError(
                tr(
                    "该文件带有不允许任何改动的认证签名，不能再签名",
                    "the file carries a certification signature that permits no changes; "
                    "it cannot be signed again",
                )
            ) from None
        raise SignatureError(str(exc)) from None
    return out.getvalue()
