"""Signing options shared by ``report`` and ``sign``: key file, PKCS#12 or PKCS#11 token.

* ``--key KEY --cert CERT`` — a key file and its certificate (the PEM may carry the chain);
* ``--key BUNDLE.p12`` — a PKCS#12 bundle (``.p12``/``.pfx``), passphrase as for the PIN;
* ``--pkcs11-lib LIB --pkcs11-token LABEL --pkcs11-key LABEL [--pkcs11-cert LABEL]`` — a key
  on a hardware token. The PIN is read from a prompt (not echoed) or, with ``--pin-stdin``,
  from the first line of standard input — never from the command line, where other users
  and shell histories could see it, and never logged.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tanzuji.i18n import tr

if TYPE_CHECKING:
    from tanzuji.report.signers import SigningProvider

__all__ = [
    "PinStdinOption",
    "Pkcs11CertOption",
    "Pkcs11KeyOption",
    "Pkcs11LibOption",
    "Pkcs11TokenOption",
    "SigningOptions",
    "trust_roots_from_config",
]

Pkcs11LibOption = Annotated[
    Path | None,
    typer.Option("--pkcs11-lib", help="PKCS#11 library of a hardware token (e.g. libsofthsm2.so)."),
]
Pkcs11TokenOption = Annotated[
    str | None, typer.Option("--pkcs11-token", help="Label of the token holding the key.")
]
Pkcs11KeyOption = Annotated[
    str | None, typer.Option("--pkcs11-key", help="Label of the private key on the token.")
]
Pkcs11CertOption = Annotated[
    str | None,
    typer.Option(
        "--pkcs11-cert", help="Label of the certificate on the token (default: the key's)."
    ),
]
PinStdinOption = Annotated[
    bool,
    typer.Option(
        "--pin-stdin",
        help="Read the token PIN (or PKCS#12 passphrase) from the first line of standard input "
        "instead of a prompt.",
    ),
]


def _read_secret(from_stdin: bool, zh: str, en: str, *, required: bool) -> str | None:
    from tanzuji.report.errors import SignatureError

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(tr(zh, en) + ": ")
    if required:
        raise SignatureError(
            tr(
                "需要 PIN：在终端中运行以输入，或用 --pin-stdin 从标准输入读取",
                "a PIN is needed: run in a terminal to be asked for it, or give it on standard "
                "input with --pin-stdin",
            )
        )
    return None


@dataclass(frozen=True)
class SigningOptions:
    """What the command line says about the signing key."""

    key: Path | None = None
    cert: Path | None = None
    pkcs11_lib: Path | None = None
    pkcs11_token: str | None = None
    pkcs11_key: str | None = None
    pkcs11_cert: str | None = None
    pin_stdin: bool = False

    def provider(self) -> SigningProvider | None:
        """The signing provider asked for, or ``None`` (no signature: a draft)."""
        from tanzuji.report.errors import SignatureError
        from tanzuji.report.signers import KeyFileProvider, Pkcs11Provider, Pkcs12Provider

        if self.pkcs11_lib is not None:
            if self.key is not None or self.cert is not None:
                raise SignatureError(
                    tr("--pkcs11-lib 不能与 --key/--cert 同时使用",
                       "--pkcs11-lib cannot be combined with --key/--cert")
                )  # fmt: skip
            if not self.pkcs11_token or not self.pkcs11_key:
                raise SignatureError(
                    tr("--pkcs11-lib 需要 --pkcs11-token 和 --pkcs11-key（令牌和密钥的标签）",
                       "--pkcs11-lib needs --pkcs11-token and --pkcs11-key (the labels of the "
                       "token and of the key)")
                )  # fmt: skip
            pin = _read_secret(self.pin_stdin, "令牌 PIN", "token PIN", required=True)
            assert pin is not None
            return Pkcs11Provider(
                self.pkcs11_lib, self.pkcs11_token, self.pkcs11_key, pin,
                cert_label=self.pkcs11_cert,
            )  # fmt: skip
        if self.pkcs11_token or self.pkcs11_key or self.pkcs11_cert:
            raise SignatureError(
                tr("--pkcs11-token/--pkcs11-key 需要 --pkcs11-lib",
                   "--pkcs11-token/--pkcs11-key need --pkcs11-lib")
            )  # fmt: skip
        if (
            self.key is not None
            and self.cert is None
            and self.key.suffix.lower()
            in {
                ".p12",
                ".pfx",
            }
        ):
            secret = _read_secret(self.pin_stdin, "PKCS#12 口令", "PKCS#12 passphrase",
                                  required=False)  # fmt: skip
            return Pkcs12Provider(self.key, secret.encode("utf-8") if secret else None)
        if self.key is None and self.cert is None:
            return None
        if self.key is None or self.cert is None:
            raise SignatureError(
                tr("签名需要同时给出 --key 和 --cert（或 PKCS#12 文件 --key x.p12），或都不给",
                   "give both --key and --cert to sign (or a PKCS#12 file as --key x.p12), "
                   "or neither")
            )  # fmt: skip
        return KeyFileProvider(self.key, self.cert)


def trust_roots_from_config() -> tuple[Any, ...]:
    """The configured trust list's certificates (to complete a chain for B-LT), or none."""
    from tanzuji.config import load_config

    cfg = load_config()
    if cfg.trust_list is None:
        return ()
    from tanzuji.report.trustlist import load_trust_list

    return tuple(load_trust_list(cfg.trust_list).roots())
