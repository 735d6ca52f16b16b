"""Every case of the signature attack folder (shadow, tamper, certs) is rejected by `verify`.

The cases are re-built here from the scripts' logic (shadow.py: an empty signature field
whose appearance paints forged text; tamper.py: byte flips, appends, truncations and
incremental updates; certs.py: expired, not-yet-valid and wrong-key-usage certificates),
plus an expired leaf certificate under a CA.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reporthelpers import Keys, Report, needs_tools

from tanzuji.i18n import use_lang
from tanzuji.report import SignatureError, verify_pdf
from tanzuji.report.sign import sign_pdf

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]
NOW = dt.datetime.now(dt.UTC)


def _verdict(data: bytes, trust: tuple[Path, ...] = ()) -> tuple[bool, str]:
    """(all signatures ok, problems) — a SignatureError counts as rejected."""
    with use_lang("en"):
        try:
            checks = verify_pdf(data, trust)
        except SignatureError as exc:
            return False, str(exc)
    return all(c.ok for c in checks), "; ".join(c.problem for c in checks)


# --- shadow.py: an empty signature field with a forged appearance --------------------------


def _shadow(signed: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NumberObject,
        TextStringObject,
        pdf_name,
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref = w.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    font = w.add_object(
        DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
            }
        )
    )
    ap = generic.StreamObject(
        {pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
         pdf_name("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(500),
                                         NumberObject(120)]),
         pdf_name("/Resources"): DictionaryObject(
             {pdf_name("/Font"): DictionaryObject({pdf_name("/F1"): font})})},
        stream_data=b"q 1 1 1 rg 0 0 500 120 re f Q BT /F1 28 Tf 1 0 0 rg 10 70 Td "
        b"(FORGED: E = 0.01 kgCO2e) Tj ET",
    )  # fmt: skip
    annot = DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/FT"): pdf_name("/Sig"), pdf_name("/T"): TextStringObject("shadow"),
        pdf_name("/Rect"): ArrayObject([FloatObject(50), FloatObject(420), FloatObject(550),
                                        FloatObject(540)]),
        pdf_name("/AP"): DictionaryObject({pdf_name("/N"): w.add_object(ap)}),
        pdf_name("/F"): NumberObject(4), pdf_name("/P"): page_ref})  # fmt: skip
    aref = w.add_object(annot)
    annots = page.get("/Annots")
    if annots is None:
        page["/Annots"] = ArrayObject([aref])
    else:
        annots.get_object().append(aref)
    w.update_container(page)
    form = w.root["/AcroForm"]
    form["/Fields"].append(aref)
    w.update_container(form)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_shadow_signature_field_fails_and_is_described(
    run_main: Run, report: Report, keys: Keys, tmp_path: Path
) -> None:
    forged = tmp_path / "shadow.pdf"
    forged.write_bytes(_shadow(report.pdf.read_bytes()))
    ok, why = _verdict(forged.read_bytes(), (keys.cert,))
    assert not ok
    assert "changed after signing" in why and "'shadow' (Sig)" in why and "page 1" in why
    code, out = run_main("verify", str(forged), "--trust", str(keys.cert), "--lang", "en")
    assert code == 1
    # verify lists the later revision and what it changes
    assert re.search(r"✗ revision \d+: .*changes page 1.*Widget annotation with an appearance",
                     out), out  # fmt: skip


def test_intact_report_is_certified_no_changes(report: Report, keys: Keys) -> None:
    with use_lang("en"):
        (check,) = verify_pdf(report.pdf.read_bytes(), (keys.cert,))
    assert check.ok and check.certified == "no changes permitted"
    assert check.later == ()
    assert "signing time is the signer's own claim" in " ".join(check.notes)


def test_certified_report_cannot_be_signed_again(report: Report, keys: Keys) -> None:
    with pytest.raises(SignatureError, match=r"permits no changes|不允许任何改动"):
        sign_pdf(report.pdf.read_bytes(), keys.key, keys.cert)


# --- tamper.py: flips, appends, truncations, incremental updates ----------------------------


def _gap(signed: bytes) -> tuple[int, int, int]:
    """(start, stop, DER hex length) of the /Contents hex string of the signature."""
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    assert m
    a, b, c, _ = map(int, m.groups())
    hexstr = signed[a + b + 1 : c - 1]
    return a + b, c, len(hexstr.rstrip(b"0"))


def test_random_bit_flips_never_verify(report: Report) -> None:
    signed = report.pdf.read_bytes()
    rng = random.Random(2024)
    for _ in range(40):
        off = rng.randrange(len(signed))
        new = bytearray(signed)
        new[off] = (new[off] ^ (1 << rng.randrange(8))) or 1
        ok, _ = _verdict(bytes(new))
        assert not ok, f"a flipped bit at offset {off} still verifies"


def test_padding_and_hex_case_flips_in_contents_fail(report: Report) -> None:
    signed = report.pdf.read_bytes()
    start, _, der_len = _gap(signed)
    rng = random.Random(7)
    for _ in range(5):  # non-zero data in the zero padding after the DER signature
        off = start + 1 + der_len + 2 + rng.randrange(100)
        new = bytearray(signed)
        new[off] = ord(rng.choice("123456789abcdef"))
        ok, why = _verdict(bytes(new))
        assert not ok and "(/Contents) was altered" in why
    hexstr = signed[start + 1 : start + 1 + der_len]
    i = next(k for k, ch in enumerate(hexstr) if chr(ch) in "abcdefABCDEF")
    new = bytearray(signed)
    new[start + 1 + i] = ord(chr(new[start + 1 + i]).swapcase())  # same bytes, other case
    ok, why = _verdict(bytes(new))
    assert not ok and "(/Contents) was altered" in why


@pytest.mark.parametrize(
    ("tail", "accepted"),
    [
        (b"\x8a\x01garbage\xff" * 100, False),
        (b"%tampered\n", False),
        (b"%%EOF\n", False),
        (b"\nxref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 1>>\nstartxref\n0\n%%EOF\n", False),
        (b" " * 10_000, False),
        (b"\n", True),  # a line end after %%EOF changes nothing a reader sees
    ],
)
def test_appended_bytes(report: Report, tail: bytes, accepted: bool) -> None:
    ok, why = _verdict(report.pdf.read_bytes() + tail)
    assert ok is accepted, why


def test_truncations_fail(report: Report) -> None:
    signed = report.pdf.read_bytes()
    start, stop, _ = _gap(signed)
    for n in (0, 10, 1000, len(signed) // 2, start, stop, len(signed) - 100, len(signed) - 1):
        ok, _ = _verdict(signed[:n])
        assert not ok, n


def _incremental(signed: bytes, kind: str) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NumberObject,
        TextStringObject,
        pdf_name,
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref = w.root["/Pages"]["/Kids"][0]
    page: Any = page_ref.get_object()
    if kind == "replace-page-content":
        ref = w.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (X) Tj ET"))
        page["/Contents"] = ref
        w.update_container(page)
    elif kind == "append-page-content":
        ref = w.add_object(generic.StreamObject(stream_data=b"q 1 1 1 rg 50 50 500 700 re f Q"))
        old = page["/Contents"]
        arr = ArrayObject(
            list(old) if isinstance(old, ArrayObject) else [page.raw_get("/Contents")]
        )
        arr.append(ref)
        page["/Contents"] = arr
        w.update_container(page)
    elif kind == "info-title":
        info = w.trailer_view["/Info"].get_object()
        info[pdf_name("/Title")] = TextStringObject("TAMPERED")
        w.update_container(info)
    elif kind in ("freetext-annot", "new-textfield"):
        ap = generic.StreamObject(
            {pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
             pdf_name("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(400),
                                             NumberObject(60)])},
            stream_data=b"q 1 1 1 rg 0 0 400 60 re f Q",
        )  # fmt: skip
        annot = DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Rect"): ArrayObject([FloatObject(100), FloatObject(400), FloatObject(500),
                                            FloatObject(460)]),
            pdf_name("/AP"): DictionaryObject({pdf_name("/N"): w.add_object(ap)}),
            pdf_name("/F"): NumberObject(4), pdf_name("/P"): page_ref})  # fmt: skip
        if kind == "freetext-annot":
            annot[pdf_name("/Subtype")] = pdf_name("/FreeText")
            annot[pdf_name("/Contents")] = TextStringObject("TAMPERED")
        else:
            annot[pdf_name("/Subtype")] = pdf_name("/Widget")
            annot[pdf_name("/FT")] = pdf_name("/Tx")
            annot[pdf_name("/T")] = TextStringObject("shadow")
        aref = w.add_object(annot)
        annots = page.get("/Annots")
        if annots is None:
            page["/Annots"] = ArrayObject([aref])
        else:
            annots.get_object().append(aref)
        w.update_container(page)
        if kind == "new-textfield":
            form = w.root["/AcroForm"]
            form["/Fields"].append(aref)
            w.update_container(form)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("replace-page-content", "changes page 1"),
        ("append-page-content", "changes page 1"),
        ("info-title", "changes the document information (Title “TAMPERED”)"),
        ("freetext-annot", "FreeText annotation"),
        ("new-textfield", "form field 'shadow' (Tx)"),
    ],
)
def test_incremental_updates_fail(report: Report, keys: Keys, kind: str, says: str) -> None:
    data = _incremental(report.pdf.read_bytes(), kind)
    assert len(data) > report.pdf.stat().st_size
    ok, why = _verdict(data, (keys.cert,))
    assert not ok and "changed after signing" in why and says in why, why


# --- certs.py: validity period and key usage, even for a --trust certificate --------------


def _make_cert(
    d: Path,
    not_before: dt.datetime,
    not_after: dt.datetime,
    cn: str,
    *,
    signing_usage: bool = True,
    issuer: tuple[Any, Any] | None = None,
    ca: bool = False,
) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    d.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    issuer_name, issuer_key = (issuer[0].subject, issuer[1]) if issuer else (name, key)
    b = (
        x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=signing_usage, content_commitment=signing_usage,
            key_encipherment=not signing_usage, data_encipherment=False, key_agreement=False,
            key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False),
            critical=True)
    )  # fmt: skip
    if issuer:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()), False
        )
    cert = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False).sign(
        issuer_key, hashes.SHA256()
    )
    (d / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                  serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))  # fmt: skip
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return d / "key.pem", d / "cert.pem"


def _raw_sign(pdf: bytes, key: Path, cert: Path, chain: tuple[Path, ...] = ()) -> bytes:
    """Sign without tanzuji's checks (as an outdated or careless signer would)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=[str(c) for c in chain])
    assert signer is not None
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(field_name="Sig1")
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, output=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    data: bytes = HTML(string="<p>a report</p>").write_pdf()
    return data


DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("nb", "na", "usage", "says"),
    [
        (NOW - 400 * DAY, NOW - 30 * DAY, True, "the signing certificate expired on "),
        (NOW + 30 * DAY, NOW + 400 * DAY, True, "the signing certificate is not valid before "),
        (NOW - DAY, NOW + 400 * DAY, False, "not valid for signing (key usage: key encipherment)"),
    ],
    ids=["expired", "not-yet-valid", "wrong-key-usage"],
)
def test_bad_certificates_fail_even_when_trusted(
    run_main: Run,
    plain_pdf: bytes,
    tmp_path: Path,
    nb: dt.datetime,
    na: dt.datetime,
    usage: bool,
    says: str,
) -> None:
    key, cert = _make_cert(tmp_path / "k", nb, na, "bad signer", signing_usage=usage)
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(_raw_sign(plain_pdf, key, cert))
    ok, why = _verdict(signed.read_bytes(), (cert,))
    assert not ok and says in why, why
    code, out = run_main("verify", str(signed), "--trust", str(cert))
    assert code == 1
    assert "已过期" in out or "尚未生效" in out or "不能用于签名" in out, out
    # the same when the certificate is listed in a trust list
    trust = tmp_path / "trust.toml"
    trust.write_text(f'[[trusted]]\nname = "x"\nkind = "institute"\ncert = "{cert}"\n', "utf-8")
    code, out = run_main("verify", str(signed), "--trust-list", str(trust), "--lang", "en")
    assert code == 1 and says in out, out
    # and tanzuji refuses to sign with such a certificate in the first place
    with pytest.raises(SignatureError, match=r"cannot sign with this certificate|不能用此证书签名"):
        sign_pdf(plain_pdf, key, cert)


def test_expired_leaf_under_a_ca_says_expired(plain_pdf: bytes, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    ca_key, ca_cert = _make_cert(tmp_path / "ca", NOW - 900 * DAY, NOW + 900 * DAY, "Test CA",
                                 ca=True)  # fmt: skip
    ca = (x509.load_pem_x509_certificate(ca_cert.read_bytes()),
          serialization.load_pem_private_key(ca_key.read_bytes(), None))  # fmt: skip
    good = _make_cert(tmp_path / "good", NOW - DAY, NOW + 300 * DAY, "good signer", issuer=ca)
    old = _make_cert(tmp_path / "old", NOW - 400 * DAY, NOW - 10 * DAY, "old signer", issuer=ca)
    ok, why = _verdict(_raw_sign(plain_pdf, *good, chain=(ca_cert,)), (ca_cert,))
    assert ok, why  # the control: a valid leaf chains to the CA
    ok, why = _verdict(_raw_sign(plain_pdf, *old, chain=(ca_cert,)), (ca_cert,))
    assert not ok
    assert "expired on" in why and "does not chain" not in why, why
