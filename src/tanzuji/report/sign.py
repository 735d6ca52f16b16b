"""Signing reports (PAdES with a visible stamp) and verifying signed PDFs, with pyHanko.

* :func:`keygen` — a self-signed RSA key and certificate **for trying it out only** (anyone
  can make one with any name; a real issuer uses a certificate from a CA the recipients
  trust, or hands out its certificate through a trusted channel).
* :func:`sign_pdf` — signs into the empty field ``tzj-issuer`` that every tanzuji report
  carries over its signature block; other PDFs get a new field at the bottom right of the
  last page. The stamp names the issuer in Chinese and English (an OpenType CJK face, see
  :mod:`tanzuji.report.fonts`). The key comes from a :mod:`~tanzuji.report.signers`
  provider (key file, PKCS#12, PKCS#11 token); the level (B-B, B-T with a timestamp
  authority, B-LT with validation data) is decided in :mod:`tanzuji.report.pades`.
* :func:`verify_pdf` — checks every signature: the hash of the signed bytes (integrity), the
  signature value, what it covers, and (with ``trust``) the chain to a trusted certificate.

>>> import tempfile, pathlib
>>> key, cert = keygen(pathlib.Path(tempfile.mkdtemp()), name="演示签发人")
>>> oct(key.stat().st_mode & 0o777), cert.name
('0o600', 'cert.pem')
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tanzuji.fileio import write_atomic
from tanzuji.report.certs import Subject
from tanzuji.report.errors import SignatureError
from tanzuji.report.pades import DEFAULT_REASON, FIELD_NAME, PadesOptions
from tanzuji.report.signers import KeyFileProvider, SigningProvider
from tanzuji.report.verify import SignatureCheck, verify_pdf

__all__ = [
    "FIELD_NAME",
    "SignatureCheck",
    "keygen",
    "sign_pdf",
    "signer_subject",
    "verify_pdf",
]


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


def signer_subject(cert: Path) -> Subject:
    """The holder (name, organisation) of a certificate file (PEM or DER; the first one)."""
    from tanzuji.report.certs import subject_of
    from tanzuji.report.signers import load_certificates

    certs = load_certificates(cert)
    if not certs:
        raise SignatureError("no certificate in the file", file=str(cert))
    return subject_of(certs[0])


def sign_pdf(
    data: bytes,
    key: Path | None = None,
    cert: Path | None = None,
    *,
    reason: str = DEFAULT_REASON,
    passphrase: bytes | None = None,
    certify: bool = True,
    timestamp_url: str | None = None,
    provider: SigningProvider | None = None,
    trust_roots: tuple[Any, ...] = (),
) -> bytes:
    """Sign a PDF (PAdES, SHA-256) with a visible stamp naming the certificate's subject.

    The key is ``provider``, or the key file ``key`` with its certificate ``cert``. With
    ``certify`` (the default) it is a certification signature whose DocMDP permission
    allows no changes at all: any later revision other than validation data or a document
    timestamp makes verification fail (a PDF that is already signed gets an approval
    signature instead). With ``timestamp_url`` the signature is timestamped (B-T) and, for
    a CA-issued certificate whose root is known, carries its validation data (B-LT).
    """
    if provider is None:
        if key is None or cert is None:
            raise SignatureError("give a key and its certificate, or a signing provider")
        provider = KeyFileProvider(key, cert, passphrase)
    options = PadesOptions(
        reason=reason, certify=certify, timestamp_url=timestamp_url, trust_roots=trust_roots
    )
    return provider.sign(data, options)
