"""Where signatures come from: one small interface, one class per kind of key.

A :class:`SigningProvider` knows its certificate (the identity the report, the stamp and
``verify`` show) and signs PDF bytes. tanzuji ships:

* :class:`KeyFileProvider` — a PEM/DER private key and its certificate file (the file may
  hold the chain after the signer's certificate: intermediate and root CA);
* :class:`Pkcs12Provider` — a PKCS#12 (``.p12``/``.pfx``) bundle of key, certificate and chain;
* :class:`Pkcs11Provider` — a key that never leaves a hardware token or HSM, through its
  PKCS#11 library (tested with SoftHSM2).

These three sign through pyHanko (:class:`PyHankoProvider`: they only have to open a
pyHanko ``Signer``). **pyHanko cannot sign with SM2** (GB/T 32918, the Chinese national
algorithm; nor hash with SM3): an SM2 provider would subclass :class:`SigningProvider`
directly and produce the signed PDF itself (e.g. through a vendor's GM/T 0031 library or
signing server), then pass it to :class:`~tanzuji.services.issue.IssueRequest` as
``provider``; the rest of issuance (gate, identity, numbering, recording) is unchanged.

Every provider's certificate is checked before signing (validity period, key usage).

>>> KeyFileProvider.kind, Pkcs11Provider.kind
('key file', 'PKCS#11 token')
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from tanzuji.i18n import tr
from tanzuji.report.certs import Subject, certificate_problems, subject_of
from tanzuji.report.errors import SignatureError
from tanzuji.report.pades import PadesOptions, SigningPlan, pades_sign, plan_level

__all__ = [
    "KeyFileProvider",
    "Pkcs11Provider",
    "Pkcs12Provider",
    "PyHankoProvider",
    "SigningProvider",
    "check_signing_certificate",
    "load_certificates",
    "load_pkcs12_signer",
]


def _quiet() -> None:
    """pyHanko logs expected validation problems with tracebacks; we report them ourselves."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def check_signing_certificate(cert: Any, where: str) -> None:
    """Refuse a certificate that is out of its validity period or not valid for signing."""
    problems = certificate_problems(cert, dt.datetime.now(dt.UTC))
    if problems:
        raise SignatureError(
            tr("不能用此证书签名：", "cannot sign with this certificate: ") + "; ".join(problems),
            file=where,
        )


class SigningProvider(ABC):
    """A source of signatures: a certificate, and PDF bytes in, signed PDF bytes out."""

    kind: ClassVar[str] = "provider"

    @property
    @abstractmethod
    def certificate(self) -> Any:
        """The signing certificate (asn1crypto ``x509.Certificate``)."""

    @property
    def chain(self) -> tuple[Any, ...]:
        """Other certificates of the chain (intermediate and root CAs), if known."""
        return ()

    @property
    def where(self) -> str:
        """Where the key is, for messages (file, token)."""
        return self.kind

    def subject(self) -> Subject:
        """The certificate's holder (name, organisation)."""
        return subject_of(self.certificate)

    def plan(self, options: PadesOptions) -> SigningPlan:
        """The PAdES level the signature will reach with these options, and why not higher."""
        return plan_level(self.certificate, self.chain, options.timestamp_url,
                          options.trust_roots)  # fmt: skip

    @abstractmethod
    def sign(self, data: bytes, options: PadesOptions) -> bytes:
        """The signed PDF."""

    def prepare(self) -> None:
        """Load what signing will need, ahead of time (it may run on another thread while
        the PDF is laid out; its errors show again when signing). Default: nothing."""
        return None


class PyHankoProvider(SigningProvider):
    """A provider that signs through pyHanko: it only opens a pyHanko ``Signer``."""

    @contextmanager
    @abstractmethod
    def open(self) -> Iterator[Any]:
        """A pyHanko ``Signer`` (closed again after use)."""
        yield None  # pragma: no cover

    def sign(self, data: bytes, options: PadesOptions) -> bytes:
        """Check the certificate, then sign with pyHanko (:func:`pades_sign`)."""
        _quiet()
        with self.open() as signer:
            check_signing_certificate(signer.signing_cert, self.where)
            return pades_sign(data, signer, options)


def load_certificates(path: Path) -> list[Any]:
    """The certificates in a PEM (one or more) or DER file, in order (asn1crypto)."""
    from pyhanko.keys import load_certs_from_pemder

    try:
        return list(load_certs_from_pemder([str(path)]))  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as exc:
        raise SignatureError(
            tr(f"无法读取证书（{exc}）", f"cannot read the certificate ({exc})"), file=str(path)
        ) from None


class KeyFileProvider(PyHankoProvider):
    """A private key file (PEM/DER) and its certificate file (PEM: may hold the chain)."""

    kind = "key file"

    def __init__(self, key: Path, cert: Path, passphrase: bytes | None = None) -> None:
        for p in (key, cert):
            if not p.is_file():
                raise SignatureError(tr("文件不存在", "file not found"), file=str(p))
        self.key, self.cert, self.passphrase = key, cert, passphrase
        certs = load_certificates(cert)
        if not certs:
            raise SignatureError(tr("文件中没有证书", "no certificate in the file"), file=str(cert))
        self._cert, self._chain = certs[0], tuple(certs[1:])
        self._key: tuple[Any, Any] | None = None  # (loaded key, PKCS#8 form) once loaded

    @property
    def certificate(self) -> Any:
        return self._cert

    @property
    def chain(self) -> tuple[Any, ...]:
        return self._chain

    @property
    def where(self) -> str:
        return str(self.cert)

    def prepare(self) -> None:
        """Load the key (once; :meth:`open` uses it)."""
        self._load_key()

    def _load_key(self) -> tuple[Any, Any]:
        from asn1crypto.keys import PrivateKeyInfo  # type: ignore[import-untyped]
        from cryptography.hazmat.primitives import serialization

        if self._key is not None:
            return self._key
        try:
            raw = self.key.read_bytes()
            load = (
                serialization.load_pem_private_key
                if b"-----BEGIN" in raw  # as pyHanko's loader tells PEM from DER
                else serialization.load_der_private_key
            )
            loaded = load(raw, password=self.passphrase)
            key = PrivateKeyInfo.load(  # the PKCS#8 form pyHanko's signer holds
                loaded.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        except (OSError, ValueError, TypeError) as exc:
            raise SignatureError(
                tr(
                    f"无法读取私钥（{exc}）；需要 PEM/DER 私钥（密钥是否已加密？）",
                    f"cannot load the private key ({exc}); expected a PEM/DER private key "
                    "(is the key encrypted?)",
                ),
                file=str(self.key),
            ) from None
        self._key = (loaded, key)
        return self._key

    @contextmanager
    def open(self) -> Iterator[Any]:
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        loaded, key = self._load_key()
        signer = _loaded_key_signer()(
            signing_cert=self._cert,
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [self._cert, *self._chain]
            ),
        )
        signer.loaded_key = loaded
        yield signer


def _loaded_key_signer() -> type:
    """pyHanko's ``SimpleSigner`` that signs with the key as loaded (and checked) once.

    ``SimpleSigner`` loads the key again from its DER form for every signature (the size
    estimate's dry run included), and each load of an RSA key re-runs its consistency
    check; RSA PKCS#1 v1.5 and ECDSA signatures here use the loaded key (the same bytes:
    both are deterministic given the key, except ECDSA's nonce), anything else pyHanko's
    own path.
    """
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class LoadedKeySigner(signers.SimpleSigner):
        loaded_key: Any = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            key = self.loaded_key
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                algo = mechanism.signature_algo
            except ValueError:
                algo = mechanism["algorithm"].native
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            if algo == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), hash_algo)
            if algo == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(hash_algo))
            return bytes(super().sign_raw(data, digest_algorithm))

    return LoadedKeySigner


class Pkcs12Provider(PyHankoProvider):
    """A PKCS#12 bundle (``.p12``/``.pfx``): key, certificate and chain in one file.

    ``source`` is the file, or its bytes (the web platform's upload). Either way the bundle
    is decrypted **in memory** only: the private key becomes a pyHanko ``SimpleSigner``
    and is never written anywhere (no temporary PEM file). ``where`` names the bundle in
    messages (default: the file's path).
    """

    kind = "PKCS#12"

    def __init__(
        self, source: Path | bytes, passphrase: bytes | None = None, *, where: str | None = None
    ) -> None:
        if isinstance(source, Path):
            if not source.is_file():
                raise SignatureError(tr("文件不存在", "file not found"), file=str(source))
            self.path: Path | None = source
            self._where = where or str(source)
        else:
            self.path = None
            self._where = where or self.kind
        self._data = source if isinstance(source, bytes) else None
        self.passphrase = passphrase
        self._signer: Any = None

    def __repr__(self) -> str:  # never the passphrase or the key
        return f"Pkcs12Provider({self._where!r})"

    def _bytes(self) -> bytes:
        if self._data is not None:
            return self._data
        assert self.path is not None
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise SignatureError(
                tr(f"无法读取（{exc.strerror}）", f"cannot read ({exc.strerror})"),
                file=self._where,
            ) from None

    def _load(self) -> Any:
        if self._signer is None:
            self._signer = load_pkcs12_signer(self._bytes(), self.passphrase, self._where)
        return self._signer

    @property
    def certificate(self) -> Any:
        return self._load().signing_cert

    @property
    def chain(self) -> tuple[Any, ...]:
        cert = self.certificate
        return tuple(c for c in self._load().cert_registry if c != cert)

    @property
    def where(self) -> str:
        return self._where

    @contextmanager
    def open(self) -> Iterator[Any]:
        yield self._load()


def load_pkcs12_signer(data: bytes, passphrase: bytes | None, where: str) -> Any:
    """A pyHanko ``SimpleSigner`` from PKCS#12 bytes, decrypted in memory (never on disk).

    >>> load_pkcs12_signer(b"not a bundle", b"pw", "k.p12")
    Traceback (most recent call last):
    tanzuji.report.errors.SignatureError: k.p12: 无法打开 PKCS#12 文件：口令错误或文件损坏
    """
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers

    # cryptography first, for our own messages (pyHanko's loader would fail on a bundle
    # without a key with an unrelated error), then pyHanko's public in-memory loader
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError):
        raise SignatureError(
            tr("无法打开 PKCS#12 文件：口令错误或文件损坏",
               "cannot open the PKCS#12 file: wrong passphrase or damaged file"),
            file=where,
        ) from None  # fmt: skip
    if key is None or cert is None:
        raise SignatureError(
            tr("PKCS#12 文件中没有私钥和证书", "the PKCS#12 file holds no key and certificate"),
            file=where,
        )
    return signers.SimpleSigner.load_pkcs12_data(data, (), passphrase)


class Pkcs11Provider(PyHankoProvider):
    """A key on a hardware token (or HSM) through its PKCS#11 library.

    The token is found by its label, the private key and the certificate by their labels
    (the certificate's label defaults to the key's). The PIN is never logged or shown.
    """

    kind = "PKCS#11 token"

    def __init__(
        self,
        lib: Path,
        token: str,
        key_label: str,
        pin: str,
        *,
        cert_label: str | None = None,
    ) -> None:
        if not lib.is_file():
            raise SignatureError(
                tr("PKCS#11 库文件不存在", "the PKCS#11 library file does not exist"),
                file=str(lib),
            )
        self.lib, self.token, self.key_label = lib, token, key_label
        self.cert_label = cert_label or key_label
        self._pin = pin
        self._cert: Any = None
        self._chain: tuple[Any, ...] = ()

    def __repr__(self) -> str:  # never the PIN
        return f"Pkcs11Provider({str(self.lib)!r}, token={self.token!r}, key={self.key_label!r})"

    @property
    def where(self) -> str:
        return f"PKCS#11 {self.lib} token '{self.token}' key '{self.key_label}'"

    @contextmanager
    def _session(self) -> Iterator[Any]:
        try:
            from pyhanko.config.pkcs11 import TokenCriteria
            from pyhanko.sign import pkcs11
        except ImportError as exc:  # python-pkcs11 missing
            raise SignatureError(
                tr(f"不支持 PKCS#11（{exc}）：需要 python-pkcs11",
                   f"PKCS#11 is not available ({exc}): python-pkcs11 is needed")
            ) from None  # fmt: skip
        try:
            session = pkcs11.open_pkcs11_session(
                str(self.lib), token_criteria=TokenCriteria(label=self.token), user_pin=self._pin
            )
        except Exception as exc:
            raise SignatureError(self._explain(exc), file=self.where) from None
        try:
            yield session
        finally:
            session.close()

    def _explain(self, exc: BaseException) -> str:
        name = type(exc).__name__
        if name == "PinIncorrect":
            return tr("PIN 不正确", "the PIN is incorrect")
        if name == "PinLockedError" or name == "PinLocked":
            return tr("令牌的 PIN 已锁定", "the token's PIN is locked")
        text = str(exc) or name
        if "token" in text.lower() and ("no" in text.lower() or "not found" in text.lower()):
            return tr(f"找不到标签为 '{self.token}' 的令牌",
                      f"no token labelled '{self.token}' ({text})")  # fmt: skip
        return tr(f"无法打开 PKCS#11 令牌（{name}: {text}）",
                  f"cannot open the PKCS#11 token ({name}: {text})")  # fmt: skip

    def _signer(self, session: Any) -> Any:
        from pyhanko.sign import pkcs11

        try:
            signer = pkcs11.PKCS11Signer(
                session, cert_label=self.cert_label, key_label=self.key_label
            )
            cert = signer.signing_cert  # pulls the certificate now: errors surface here
        except Exception as exc:
            raise SignatureError(
                tr(
                    f"令牌上找不到密钥 '{self.key_label}' 或证书 '{self.cert_label}'（{exc}）",
                    f"the token has no key '{self.key_label}' or certificate "
                    f"'{self.cert_label}' ({exc})",
                ),
                file=self.where,
            ) from None
        self._cert = cert
        self._chain = tuple(c for c in (signer.cert_registry or ()) if c != cert)
        return signer

    @property
    def certificate(self) -> Any:
        if self._cert is None:
            with self._session() as session:
                self._signer(session)
        return self._cert

    @property
    def chain(self) -> tuple[Any, ...]:
        _ = self.certificate
        return self._chain

    @contextmanager
    def open(self) -> Iterator[Any]:
        with self._session() as session:
            yield self._signer(session)
