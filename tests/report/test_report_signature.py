"""Signing and verifying: intact reports pass, altered, unsigned or untrusted ones fail."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from reporthelpers import Keys, Report, needs_tools

from tanzuji.i18n import use_lang
from tanzuji.report import SignatureError, keygen, sign_pdf, verify_pdf

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]


def _tiny_pdf(path: Path) -> Path:
    """A one-page PDF made elsewhere (no tanzuji signature field)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    HTML(string="<p>not a tanzuji report</p>").write_pdf(path)
    return path


def test_verify_intact_report_with_trust(run_main: Run, report: Report, keys: Keys) -> None:
    code, out = run_main("verify", str(report.pdf), "--trust", str(keys.cert), "--lang", "en")
    assert code == 0, out
    assert "signer 张三" in out and "entire file" in out and "trusted yes" in out


def test_verify_without_trust_checks_integrity_only(run_main: Run, report: Report) -> None:
    code, out = run_main("verify", str(report.pdf), "--lang", "en")
    assert code == 0, out
    assert "not checked" in out


def test_verify_refuses_other_trust_anchor(run_main: Run, report: Report, tmp_path: Path) -> None:
    _, other = keygen(tmp_path / "other", name="别人")
    code, out = run_main("verify", str(report.pdf), "--trust", str(other), "--lang", "en")
    assert code == 1
    assert "does not chain to a trusted certificate" in out


@pytest.mark.parametrize("where", [0.3, 0.6, 0.95])
def test_flipped_byte_is_detected(
    run_main: Run, report: Report, tmp_path: Path, where: float
) -> None:
    data = bytearray(report.pdf.read_bytes())
    i = int(len(data) * where)
    data[i] ^= 0x01
    bad = tmp_path / "flipped.pdf"
    bad.write_bytes(bytes(data))
    code, out = run_main("verify", str(bad), "--lang", "en")
    assert code == 1, out
    assert "error:" in out
    assert any(w in out for w in ("altered", "damaged", "INVALID", "cannot be read")), out


def test_update_appended_after_signing_is_detected(report: Report) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(report.pdf.read_bytes()))
    ref = writer.add_object(generic.StreamObject(stream_data=b"BT (FORGED) Tj ET"))
    writer.add_stream_to_page(0, ref)
    out = io.BytesIO()
    writer.write(out)
    with use_lang("en"):
        (check,) = verify_pdf(out.getvalue())
    assert not check.ok
    assert "changed after signing" in check.problem


def test_unsigned_file_fails(run_main: Run, tmp_path: Path) -> None:
    pdf = _tiny_pdf(tmp_path / "plain.pdf")
    code, out = run_main("verify", str(pdf), "--lang", "en")
    assert code == 1
    assert "plain.pdf: the file carries no signature" in out


def test_sign_command_on_a_foreign_pdf_then_verify(
    run_main: Run, keys: Keys, tmp_path: Path
) -> None:
    pdf = _tiny_pdf(tmp_path / "plain.pdf")
    signed = tmp_path / "signed.pdf"
    code, out = run_main(
        "sign", str(pdf), "--key", str(keys.key), "--cert", str(keys.cert), "--out", str(signed)
    )
    assert code == 0, out
    assert pdf.read_bytes() != signed.read_bytes()
    code, out = run_main("verify", str(signed), "--trust", str(keys.cert))
    assert code == 0, out
    # the first signature certifies the document with no changes permitted: a second
    # signature is refused (the technical reviewer's approval is recorded before issue)
    before = signed.read_bytes()
    code, out = run_main("sign", str(signed), "--key", str(keys.key), "--cert", str(keys.cert))
    assert code == 1 and "不允许任何改动" in out, out
    assert signed.read_bytes() == before


def test_sign_reports_missing_key(run_main: Run, keys: Keys, tmp_path: Path) -> None:
    pdf = _tiny_pdf(tmp_path / "plain.pdf")
    code, out = run_main("sign", str(pdf), "--key", str(tmp_path / "nokey.pem"), "--cert",
                         str(keys.cert))  # fmt: skip
    assert code == 1
    assert "nokey.pem: 文件不存在" in out


def test_keygen_writes_private_key_0600_and_refuses_to_overwrite(
    run_main: Run, tmp_path: Path
) -> None:
    d = tmp_path / "k"
    code, out = run_main("keygen", str(d), "--name", "演示")
    assert code == 0, out
    assert "自签名证书不能证明持有人的身份" in out
    assert (d / "key.pem").stat().st_mode & 0o777 == 0o600
    assert b"BEGIN CERTIFICATE" in (d / "cert.pem").read_bytes()
    before = (d / "key.pem").read_bytes()
    code, out = run_main("keygen", str(d))
    assert code == 1 and "--force" in out
    assert (d / "key.pem").read_bytes() == before


def test_verify_pdf_api_raises_on_garbage() -> None:
    with pytest.raises(SignatureError):
        verify_pdf(b"%PDF-1.7 not really")


def test_report_from_cli_is_signed_in_the_signature_block(report: Report) -> None:
    (check,) = verify_pdf(report.pdf.read_bytes())
    assert check.field == "tzj-issuer" and check.ok
    assert "签发人 Issuer：张三" in report.pages[0]  # the stamp sits in the cover's block


def test_sign_with_a_pkcs12_file_from_the_command_line(
    run_main: Run, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--key x.p12`` uses the one PKCS#12 provider (decrypted in memory, the same as the
    web platform's upload); a wrong passphrase or a damaged file is a clear error naming
    the file, in the user's language."""
    import sys

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    from tanzuji.report.signers import Pkcs12Provider

    key = serialization.load_pem_private_key(keys.key.read_bytes(), password=None)
    cert = load_pem_x509_certificate(keys.cert.read_bytes())
    bundle = pkcs12.serialize_key_and_certificates(
        b"zs", key, cert, None,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"p12 pass"),
    )  # fmt: skip
    p12 = tmp_path / "zs.p12"
    p12.write_bytes(bundle)
    # from the file and from its bytes: the same certificate
    by_path = Pkcs12Provider(p12, b"p12 pass").subject()
    by_bytes = Pkcs12Provider(bundle, b"p12 pass", where="upload").subject()
    assert by_path == by_bytes and by_path.name == "张三"
    assert "p12 pass" not in repr(Pkcs12Provider(bundle, b"p12 pass"))
    pdf = _tiny_pdf(tmp_path / "plain.pdf")
    signed = tmp_path / "signed.pdf"
    monkeypatch.setattr(sys, "stdin", io.StringIO("p12 pass\n"))
    code, out = run_main("sign", str(pdf), "--key", str(p12), "--pin-stdin", "--out", str(signed))
    assert code == 0, out
    (check,) = verify_pdf(signed.read_bytes(), trust=[keys.cert])
    assert check.ok and check.signer == "张三"
    damaged = tmp_path / "damaged.p12"
    damaged.write_bytes(bundle[:-30])
    for path, secret, lang, message in [
        (p12, "wrong", "zh", "zs.p12: 无法打开 PKCS#12 文件：口令错误或文件损坏"),
        (damaged, "p12 pass", "en",
         "damaged.p12: cannot open the PKCS#12 file: wrong passphrase or damaged file"),
    ]:  # fmt: skip
        monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
        code, out = run_main("sign", str(pdf), "--key", str(path), "--pin-stdin", "--lang", lang,
                             "--out", str(tmp_path / "x.pdf"))  # fmt: skip
        assert code == 1 and message in " ".join(out.split()), out
        assert not (tmp_path / "x.pdf").exists()


def test_a_key_file_is_loaded_once_and_its_signature_verifies(
    keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyHanko's signer reloads (and re-checks) the key for every signature; the key-file
    provider loads it once — ahead of time with ``prepare`` — and signs with it."""
    from cryptography.hazmat.primitives import serialization

    from tanzuji.report.signers import KeyFileProvider

    loads: list[int] = []
    for name in ("load_pem_private_key", "load_der_private_key"):
        real = getattr(serialization, name)

        def counting(*a: object, _real: Callable[..., object] = real, **k: object) -> object:
            loads.append(1)
            return _real(*a, **k)

        monkeypatch.setattr(serialization, name, counting)
    provider = KeyFileProvider(keys.key, keys.cert)
    provider.prepare()
    assert len(loads) == 1
    signed = sign_pdf(_tiny_pdf(tmp_path / "plain.pdf").read_bytes(), provider=provider)
    assert len(loads) == 1  # the size estimate and the signature used the loaded key
    checks = verify_pdf(signed, [keys.cert])
    assert [c.ok for c in checks] == [True], checks
