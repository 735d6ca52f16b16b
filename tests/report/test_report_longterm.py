"""Long-term signatures against a test PKI on 127.0.0.1 (certomancer: root and intermediate
CA, OCSP responder, CRLs, RFC 3161 timestamp authority): PAdES-B-T with a timestamp
authority, PAdES-B-LT with a CA-issued certificate (validation data in the DSS, verified
offline), a self-signed keygen certificate stopping at B-T with a message, a revoked
certificate refused, and the trust list."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reporthelpers import ACCEPTED, FIXTURE, Keys, Report, needs_tools, pdftotext
from testpki import ServedPki, serve_test_pki

from tanzuji.report import keygen

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedPki]:
    with serve_test_pki(tmp_path_factory.mktemp("pki")) as served:
        yield served


@pytest.fixture(scope="module")
def plain_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A one-page PDF made elsewhere (signed into a new field)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    return bytes(HTML(string="<p>a document to sign</p>").write_pdf())


def _dss_counts(pdf: Path) -> tuple[int, int, int]:
    """(OCSP responses, CRLs, certificates) in the document security store, read by pikepdf."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        dss = doc.Root.get("/DSS")
        if dss is None:
            return 0, 0, 0
        return tuple(len(dss.get(k, [])) for k in ("/OCSPs", "/CRLs", "/Certs"))  # type: ignore[return-value]


def _write(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _trust_list(tmp_path: Path, cert: Path, name: str) -> Path:
    path = tmp_path / "trust.toml"
    path.write_text(f'[[trusted]]\nname = "{name}"\nkind = "ca"\ncert = "{cert}"\n', "utf-8")
    return path


def test_ca_certificate_with_tsa_gives_b_lt_report(
    pki: ServedPki, run_main: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tanzuji report` with a timestamp authority configured and a CA-issued certificate:
    PAdES-B-LT, the report says the time is proven by a TSA, verify shows the timestamp."""
    monkeypatch.setenv("TANZUJI_TIMESTAMP_URL", pki.tsa_url)
    pdf = tmp_path / "report.pdf"
    args = ["report", str(FIXTURE), "--out", str(pdf), "--lang", "en"]
    args += ["--key", str(pki.signer_key), "--cert", str(pki.signer_cert)]
    for finding_id, reason in ACCEPTED:
        args += ["--accept", finding_id, "--reason", reason]
    before = dt.datetime.now(dt.UTC)
    code, out = run_main(*args)
    assert code == 0, out
    assert "PAdES-B-LT" in out
    text = " ".join(pdftotext(pdf).split())
    assert "RFC 3161 timestamp (PAdES-B-LT)" in text, text[-2000:]
    assert "proven by a timestamp authority" in text
    assert "signer's own claim" not in text
    ocsps, crls, certs = _dss_counts(pdf)
    assert ocsps >= 1 and crls >= 1 and certs >= 3, (ocsps, crls, certs)
    code, out = run_main("verify", str(pdf), "--trust", str(pki.root), "--lang", "en")
    assert code == 0, out
    assert "level: PAdES-B-LT" in out and "trusted yes" in out
    assert "checked offline against the validation data" in out
    stamp = out.split("timestamp (RFC 3161): ")[1][:19]
    when = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    assert before - dt.timedelta(seconds=2) <= when <= dt.datetime.now(dt.UTC)


def test_b_lt_verifies_offline_after_the_ca_is_gone(
    run_main: Run, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signed while the CA's services run; verified after they are shut down, against the
    embedded validation data alone (revocation checking required)."""
    with serve_test_pki(tmp_path / "pki") as own:
        monkeypatch.setenv("TANZUJI_TIMESTAMP_URL", own.tsa_url)
        doc = _write(tmp_path, plain_pdf)
        code, out = run_main("sign", str(doc), "--key", str(own.signer_key),
                             "--cert", str(own.signer_cert), "--lang", "en")  # fmt: skip
        assert code == 0, out
        assert "(PAdES-B-LT)" in out
    trust = _trust_list(tmp_path, own.root, "Test Root CA (listed)")
    code, out = run_main("verify", str(doc), "--trust-list", str(trust), "--lang", "en")
    assert code == 0, out
    assert "level: PAdES-B-LT" in out
    assert "trusted yes (Test Root CA (listed))" in out


def test_b_lt_without_the_validation_data_is_not_long_term(
    pki: ServedPki, tmp_path: Path, plain_pdf: bytes
) -> None:
    """The same chain without a timestamp carries no DSS: it is B-B, and verify says its
    signing time is only claimed (the DSS is what makes B-LT, not the CA)."""
    from tanzuji.report import sign_pdf, verify_pdf
    from tanzuji.report.trustlist import TrustEntry, TrustList

    data = sign_pdf(plain_pdf, pki.signer_key, pki.signer_cert)
    doc = _write(tmp_path, data)
    assert _dss_counts(doc) == (0, 0, 0)
    from pyhanko.keys import load_cert_from_pemder

    root = load_cert_from_pemder(str(pki.root))
    (check,) = verify_pdf(data, trust_list=TrustList((TrustEntry("Root", "ca", root),)))
    assert check.ok and check.trusted and check.level == "PAdES-B-B"
    assert check.timestamp is None and check.trusted_by == "Root"


def test_self_signed_keygen_stops_at_b_t(
    pki: ServedPki,
    run_main: Run,
    keys: Keys,
    tmp_path: Path,
    plain_pdf: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TANZUJI_TIMESTAMP_URL", pki.tsa_url)
    doc = _write(tmp_path, plain_pdf)
    code, out = run_main("sign", str(doc), "--key", str(keys.key), "--cert", str(keys.cert),
                         "--lang", "en")  # fmt: skip
    assert code == 0, out
    assert "(PAdES-B-T)" in out
    assert "a self-signed certificate (such as tanzuji keygen makes) cannot reach PAdES-B-LT" in (
        " ".join(out.split())
    )
    assert _dss_counts(doc) == (0, 0, 0)
    code, out = run_main("verify", str(doc), "--trust", str(keys.cert), "--lang", "en")
    assert code == 0, out
    assert "level: PAdES-B-T" in out and "timestamp (RFC 3161): " in out
    assert "signer's own claim" not in out


def test_without_timestamp_the_time_is_a_claim(run_main: Run, report: Report) -> None:
    """The report fixture is signed with no timestamp authority: B-B, and both the report
    and verify say the signing time is the signer's own claim."""
    assert "签名时间仅为签名人自称" in report.dense
    code, out = run_main("verify", str(report.pdf), "--lang", "en")
    assert code == 0, out
    assert "level: PAdES-B-B" in out
    assert "no timestamp: the signing time is the signer's own claim" in out


def test_revoked_certificate_cannot_sign_b_lt(
    pki: ServedPki, tmp_path: Path, plain_pdf: bytes
) -> None:
    from tanzuji.i18n import use_lang
    from tanzuji.report import SignatureError, sign_pdf

    with use_lang("en"), pytest.raises(SignatureError) as caught:
        sign_pdf(plain_pdf, pki.revoked_key, pki.revoked_cert, timestamp_url=pki.tsa_url)
    assert "the signing certificate was revoked by its CA" in str(caught.value)


def test_unreachable_tsa_is_a_clear_error(keys: Keys, tmp_path: Path, plain_pdf: bytes) -> None:
    import socket

    from tanzuji.i18n import use_lang
    from tanzuji.report import SignatureError, sign_pdf

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with use_lang("en"), pytest.raises(SignatureError) as caught:
        sign_pdf(plain_pdf, keys.key, keys.cert, timestamp_url=f"http://127.0.0.1:{port}/tsa")
    assert "timestamp authority" in str(caught.value)


def test_trust_list_naming_another_ca_does_not_trust(
    pki: ServedPki, run_main: Run, tmp_path: Path, plain_pdf: bytes
) -> None:
    from tanzuji.report import sign_pdf

    doc = _write(tmp_path, sign_pdf(plain_pdf, pki.signer_key, pki.signer_cert))
    _, other = keygen(tmp_path / "other", name="别的机构")
    trust = _trust_list(tmp_path, other, "别的机构")
    code, out = run_main("verify", str(doc), "--trust-list", str(trust), "--lang", "en")
    assert code == 1
    assert "does not chain to a trusted certificate" in out


def test_trust_list_from_config(
    pki: ServedPki, run_main: Run, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tanzuji.report import sign_pdf

    doc = _write(tmp_path, sign_pdf(plain_pdf, pki.signer_key, pki.signer_cert))
    monkeypatch.setenv("TANZUJI_TRUST_LIST", str(_trust_list(tmp_path, pki.root, "测试根 CA")))
    code, out = run_main("verify", str(doc))
    assert code == 0, out
    assert "受信任 是（测试根 CA）" in out


def test_trust_list_errors_name_the_entry(run_main: Run, tmp_path: Path) -> None:
    bad = tmp_path / "trust.toml"
    bad.write_text('[[trusted]]\nname = "X"\nkind = "root"\ncert = "x.pem"\n', "utf-8")
    pdf = tmp_path / "any.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    code, out = run_main("verify", str(pdf), "--trust-list", str(bad), "--lang", "en")
    assert code != 0
    assert "trust.toml" in out and "trusted[1].kind" in out and "ca, institute" in out


def test_platform_verify_uses_the_configured_trust_list(
    pki: ServedPki, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The web verify route's function judges trust by the configured trust list."""
    from tanzuji.report import sign_pdf
    from tanzuji.web.routers.verify import verify_bytes

    data = sign_pdf(plain_pdf, pki.signer_key, pki.signer_cert, timestamp_url=pki.tsa_url)
    monkeypatch.delenv("TANZUJI_TRUST_LIST", raising=False)
    monkeypatch.setenv("TANZUJI_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("", "utf-8")
    (sig,) = verify_bytes(data)["signatures"]
    assert sig["trusted"] is None and sig["level"] == "PAdES-B-LT" and sig["timestamp"]
    monkeypatch.setenv("TANZUJI_TRUST_LIST", str(_trust_list(tmp_path, pki.root, "测试根 CA")))
    out = verify_bytes(data)
    assert out["ok"] is True
    (sig,) = out["signatures"]
    assert sig["trusted"] is True and sig["trusted_by"] == "测试根 CA"


def test_pkcs12_bundle_with_chain_signs_b_lt(
    pki: ServedPki, run_main: Run, tmp_path: Path, plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--key signer.p12` (key, certificate and CA chain in one file, passphrase on stdin)."""
    import sys

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = serialization.load_pem_private_key(pki.signer_key.read_bytes(), None)
    leaf, *chain = x509.load_pem_x509_certificates(pki.signer_cert.read_bytes())
    p12 = tmp_path / "signer.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer", key, leaf, chain,  # type: ignore[arg-type]
            serialization.BestAvailableEncryption(b"p12-secret"),
        )
    )  # fmt: skip
    monkeypatch.setenv("TANZUJI_TIMESTAMP_URL", pki.tsa_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO("p12-secret\n"))
    doc = _write(tmp_path, plain_pdf)
    code, out = run_main("sign", str(doc), "--key", str(p12), "--pin-stdin", "--lang", "en")
    assert code == 0, out
    assert "(PAdES-B-LT)" in out and "p12-secret" not in out
    code, out = run_main("verify", str(doc), "--trust", str(pki.root), "--lang", "en")
    assert code == 0, out
    assert "signer 张三 / 某省计量科学研究院" in out and "level: PAdES-B-LT" in out
