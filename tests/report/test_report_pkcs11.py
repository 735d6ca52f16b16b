"""Signing with a key on a hardware token through PKCS#11, tested with SoftHSM2 (Debian's
``softhsm2``): a token initialised in a temporary folder (``SOFTHSM2_CONF``), the signer's
key imported into it, its certificate stored beside it. The PIN comes from standard input
(``--pin-stdin``), never from the command line, and is never printed."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from reporthelpers import needs_tools

from tanzuji.report import keygen

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]

LIB_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)
TOKEN, KEY, PIN, SO_PIN = "tzj-token", "issuer-key", "246810", "13579135"


def _softhsm() -> tuple[str | None, str | None]:
    lib = next((p for p in LIB_CANDIDATES if os.path.isfile(p)), None)
    return lib, shutil.which("softhsm2-util")


@dataclass(frozen=True)
class Token:
    lib: Path
    cert: Path


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    """A SoftHSM2 token holding the key of a keygen certificate (张三) and the certificate."""
    lib, util = _softhsm()
    if lib is None or util is None:
        message = "softhsm2 is not installed (scripts/system-deps.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n",
        "utf-8",
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("SOFTHSM2_CONF", str(conf))
    key, cert = keygen(base / "keys", name="张三", organisation="某省计量科学研究院")

    def util_run(*args: str) -> None:
        subprocess.run([util, *args], check=True, capture_output=True, env=dict(os.environ))

    util_run("--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN)
    util_run("--import", str(key), "--token", TOKEN, "--label", KEY, "--id", "01", "--pin", PIN)
    _store_certificate(Path(lib), cert)
    try:
        yield Token(Path(lib), cert)
    finally:
        mp.undo()


def _store_certificate(lib: Path, cert: Path) -> None:
    """Put the certificate on the token next to its key (same label and id)."""
    import pkcs11
    from cryptography import x509
    from pkcs11 import Attribute, CertificateType, ObjectClass

    c = x509.load_pem_x509_certificate(cert.read_bytes())
    from cryptography.hazmat.primitives.serialization import Encoding

    token = pkcs11.lib(str(lib)).get_token(token_label=TOKEN)
    with token.open(user_pin=PIN, rw=True) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: KEY,
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: c.subject.public_bytes(),
                Attribute.VALUE: c.public_bytes(Encoding.DER),
            }
        )


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    return bytes(HTML(string="<p>signed on a token</p>").write_pdf())


def _sign_args(token: Token, doc: Path, *extra: str) -> list[str]:
    return ["sign", str(doc), "--pkcs11-lib", str(token.lib), "--pkcs11-token", TOKEN,
            "--pkcs11-key", KEY, "--pin-stdin", *extra]  # fmt: skip


def test_sign_with_token_and_verify(
    token: Token, run_main: Run, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(plain_pdf)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
    code, out = run_main(*_sign_args(token, doc, "--lang", "en"))
    assert code == 0, out
    assert PIN not in out
    code, out = run_main("verify", str(doc), "--trust", str(token.cert), "--lang", "en")
    assert code == 0, out
    assert "signer 张三 / 某省计量科学研究院" in out and "trusted yes" in out


def test_wrong_pin_is_a_clear_error(
    token: Token, run_main: Run, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(plain_pdf)
    monkeypatch.setattr(sys, "stdin", io.StringIO("000000\n"))
    code, out = run_main(*_sign_args(token, doc, "--lang", "en"))
    assert code == 1
    assert "the PIN is incorrect" in out and "000000" not in out
    assert doc.read_bytes() == plain_pdf  # nothing written


def test_unknown_key_label_names_it(
    token: Token, run_main: Run, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(plain_pdf)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
    args = ["sign", str(doc), "--pkcs11-lib", str(token.lib), "--pkcs11-token", TOKEN,
            "--pkcs11-key", "no-such-key", "--pin-stdin", "--lang", "en"]  # fmt: skip
    code, out = run_main(*args)
    assert code == 1
    assert "the token has no key 'no-such-key'" in out


def test_unknown_token_label_names_it(
    token: Token, run_main: Run, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(plain_pdf)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
    args = ["sign", str(doc), "--pkcs11-lib", str(token.lib), "--pkcs11-token", "other-token",
            "--pkcs11-key", KEY, "--pin-stdin", "--lang", "en"]  # fmt: skip
    code, out = run_main(*args)
    assert code == 1
    assert "other-token" in out


def test_pin_is_read_from_stdin_not_the_command_line(run_main: Run, tmp_path: Path) -> None:
    code, out = run_main("sign", "--help")
    assert code == 0 and "--pin-stdin" in out
    code, out = run_main("sign", str(tmp_path / "x.pdf"), "--pin", PIN)
    assert code == 2 and "没有这个选项: --pin" in out


def test_without_terminal_or_pin_stdin_the_pin_is_asked_for(
    token: Token, run_main: Run, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(plain_pdf)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal, no --pin-stdin
    args = ["sign", str(doc), "--pkcs11-lib", str(token.lib), "--pkcs11-token", TOKEN,
            "--pkcs11-key", KEY, "--lang", "en"]  # fmt: skip
    code, out = run_main(*args)
    assert code == 1 and "--pin-stdin" in out


def test_provider_repr_hides_the_pin(token: Token) -> None:
    from tanzuji.report.signers import Pkcs11Provider

    provider = Pkcs11Provider(token.lib, TOKEN, KEY, PIN)
    assert PIN not in repr(provider) and PIN not in provider.where
    assert provider.subject().name == "张三"


def test_report_issued_with_token(
    token: Token, run_main: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tanzuji report` signs through the token: the gate and the identity rule apply (the
    token certificate's subject 张三 is the study's evaluator), verify names the same person."""
    from reporthelpers import ACCEPTED, FIXTURE

    pdf = tmp_path / "r.pdf"
    args = ["report", str(FIXTURE), "--out", str(pdf), "--pkcs11-lib", str(token.lib),
            "--pkcs11-token", TOKEN, "--pkcs11-key", KEY, "--pin-stdin"]  # fmt: skip
    args += ["--lang", "en"]
    for finding_id, reason in ACCEPTED:
        args += ["--accept", finding_id, "--reason", reason]
    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
    code, out = run_main(*args)
    assert code == 0, out
    assert "signed by 张三 / 某省计量科学研究院, PAdES-B-B" in " ".join(out.split())
    code, out = run_main("verify", str(pdf), "--trust", str(token.cert), "--lang", "en")
    assert code == 0, out
    assert "signer 张三 / 某省计量科学研究院" in out
