"""PAdES signatures with pyHanko: the visible stamp, DocMDP, timestamps and validation data.

The level a signature reaches depends on what is available (:func:`plan_level`):

* **PAdES-B-B** — no timestamp authority configured: the signing time in the signature is
  only the signer's own claim (the report and ``verify`` say so);
* **PAdES-B-T** — with ``timestamp_url`` an RFC 3161 timestamp authority countersigns the
  signature: the time is proven by a third party;
* **PAdES-B-LT** — with a timestamp *and* a certificate issued by a CA, the validation data
  (the CA certificates, OCSP responses and CRLs) is fetched at signing time and embedded
  in the document security store (DSS), so the signature can be validated offline years
  later, after the CA's services are gone. A self-signed certificate (``tanzuji keygen``)
  cannot reach B-LT: no CA vouches for it and no OCSP responder or CRL covers it.

Any pyHanko :class:`~pyhanko.sign.signers.Signer` signs here (a key file, PKCS#12, a
PKCS#11 token — see :mod:`tanzuji.report.signers`).

>>> plan_level(None, (), None).level
'PAdES-B-B'
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tanzuji.i18n import tr
from tanzuji.report.certs import subject_of
from tanzuji.report.errors import SignatureError

__all__ = [
    "B_B",
    "B_LT",
    "B_T",
    "FIELD_NAME",
    "PadesOptions",
    "SigningPlan",
    "add_validation_data",
    "chain_roots",
    "is_self_signed",
    "pades_sign",
    "plan_level",
]

FIELD_NAME = "tzj-issuer"
PT_PER_MM = 72 / 25.4
B_B, B_T, B_LT = "PAdES-B-B", "PAdES-B-T", "PAdES-B-LT"
DEFAULT_REASON = "签发碳足迹计量评价报告 / issue of the evaluation report"


@dataclass(frozen=True)
class PadesOptions:
    """How to sign: reason, certification, timestamp authority, extra trust anchors."""

    reason: str = DEFAULT_REASON
    certify: bool = True
    timestamp_url: str | None = None
    trust_roots: tuple[Any, ...] = ()
    """Extra trust anchors (asn1crypto certificates, e.g. from the trust list) for the
    chain whose validation data B-LT embeds; the root CA may also come with the chain."""


@dataclass(frozen=True)
class SigningPlan:
    """The PAdES level a signature will reach, and why not a higher one."""

    level: str
    note: str | None = None


def is_self_signed(cert: Any) -> bool:
    """Whether an asn1crypto certificate is signed by its own key (``keygen``'s are)."""
    return str(cert.self_signed) != "no"


def chain_roots(chain: Iterable[Any], extra: Iterable[Any] = ()) -> list[Any]:
    """The self-signed (root) certificates among ``chain`` and ``extra``, without duplicates."""
    roots: dict[bytes, Any] = {}
    for c in [*chain, *extra]:
        if is_self_signed(c):
            roots.setdefault(c.sha256, c)
    return list(roots.values())


def plan_level(cert: Any, chain: Sequence[Any], timestamp_url: str | None,
               extra_roots: Sequence[Any] = ()) -> SigningPlan:  # fmt: skip
    """The level for a certificate (asn1crypto), its chain and a timestamp authority URL."""
    if not timestamp_url:
        return SigningPlan(
            B_B,
            tr(
                "未配置时间戳机构（timestamp_url）：签名为 PAdES-B-B，签名时间仅为签名人自称",
                "no timestamp authority configured (timestamp_url): the signature is "
                "PAdES-B-B and its signing time is only the signer's own claim",
            ),
        )
    if is_self_signed(cert):
        return SigningPlan(
            B_T,
            tr(
                "自签名证书（如 tanzuji keygen 生成的）不能达到 PAdES-B-LT：没有 CA 为它担保，"
                "也没有 OCSP/CRL 可嵌入；签名为 PAdES-B-T（带时间戳）",
                "a self-signed certificate (such as tanzuji keygen makes) cannot reach "
                "PAdES-B-LT: no CA vouches for it and there is no OCSP response or CRL to "
                "embed; the signature is PAdES-B-T (timestamped)",
            ),
        )
    if not chain_roots(chain, extra_roots):
        return SigningPlan(
            B_T,
            tr(
                "不知道证书链的根 CA：在 --cert 文件中签名证书之后附上中间 CA 和根 CA 证书"
                "（或把根 CA 列入信任列表），才能嵌入验证数据（PAdES-B-LT）；签名为 PAdES-B-T",
                "the certificate's root CA is not known: put the intermediate and root CA "
                "certificates after the signer's in the --cert file (or list the root in the "
                "trust list) to embed validation data (PAdES-B-LT); the signature is PAdES-B-T",
            ),
        )
    return SigningPlan(B_LT)


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


def _stamp_text(cert: Any, level: str) -> str:
    subject = subject_of(cert)
    # pyHanko fills the stamp with ``text % params``: user text has its % doubled (issue 9)
    lines = [f"签发人 Issuer：{subject.name.replace('%', '%%')}"]
    if subject.organisation:
        lines.append(subject.organisation.replace("%", "%%"))
    if level == B_B:
        lines += [
            "签名时间（签名人自称）Signed (claimed)：%(ts)s",
            "PAdES 数字签名 · tanzuji verify",
        ]
    else:
        lines += ["签名时间 Signed：%(ts)s", f"{level} 数字签名（带时间戳）· tanzuji verify"]
    return "\n".join(lines)


def pades_sign(data: bytes, signer: Any, options: PadesOptions) -> bytes:
    """Sign a PDF with a pyHanko signer at the highest level :func:`plan_level` allows.

    With ``certify`` (the default) it is a certification signature whose DocMDP permission
    allows no changes at all (a PDF that is already signed gets an approval signature
    instead). The stamp shows the certificate's subject — never a name given by the caller.
    """
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import signers
    from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter, enumerate_sig_fields
    from pyhanko.sign.general import SigningError
    from pyhanko.stamp import TextStampStyle

    from tanzuji.report.fonts import stamp_font_file

    cert = signer.signing_cert
    chain = [c for c in (signer.cert_registry or ()) if c is not None]
    plan = plan_level(cert, chain, options.timestamp_url, options.trust_roots)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except Exception as exc:
        msg = tr(f"不是可读的 PDF（{exc}）", f"not a readable PDF ({exc})")
        raise SignatureError(msg) from None
    fields = list(enumerate_sig_fields(writer))
    empty = {name for name, value, _ in fields if value is None}
    already_signed = any(value is not None for _, value, _ in fields)
    field_spec, field = None, FIELD_NAME
    if FIELD_NAME not in empty:
        existing = {n for n, _, _ in fields}
        i = 2
        while field in existing:
            field, i = f"{FIELD_NAME}-{i}", i + 1
        page, box = _stamp_box(writer.prev)
        field_spec = SigFieldSpec(field, on_page=page, box=box)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=options.reason,
        name=subject_of(cert).name,
        certify=options.certify and not already_signed,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    text = _stamp_text(cert, plan.level)
    font = stamp_font_file(text.replace("%(ts)s", "0123456789-: UTC"))
    style = TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font), 9)),
        border_width=1,
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
    )
    timestamper = None
    if options.timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(options.timestamp_url, timeout=20)
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, stamp_style=style, new_field_spec=field_spec, timestamper=timestamper
    )
    roots = chain_roots(chain, options.trust_roots) if plan.level == B_LT else []
    try:
        return asyncio.run(_sign(pdf_signer, writer, cert, chain, roots))
    except SigningError as exc:
        if "forbids all changes" in str(exc):
            raise SignatureError(
                tr(
                    "该文件带有不允许任何改动的认证签名，不能再签名",
                    "the file carries a certification signature that permits no changes; "
                    "it cannot be signed again",
                )
            ) from None
        raise SignatureError(_signing_failure(exc, plan)) from None
    except OSError as exc:  # the timestamp authority or a CA service cannot be reached
        raise SignatureError(_signing_failure(exc, plan)) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("pyhanko", "aiohttp", "asn1crypto")):
            raise SignatureError(_signing_failure(exc, plan)) from None
        raise


async def _sign(
    pdf_signer: Any, writer: Any, cert: Any, chain: list[Any], roots: list[Any]
) -> bytes:
    """Sign; with ``roots`` (B-LT) first check the certificate's chain and revocation
    status with its CA's services, and afterwards embed the validation data."""
    out = io.BytesIO()
    if not roots:
        await pdf_signer.async_sign_pdf(writer, output=out)
        return out.getvalue()
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    backend = AIOHttpFetcherBackend(per_request_timeout=20)
    vc = ValidationContext(trust_roots=roots, other_certs=chain, allow_fetching=True,
                           revocation_mode="hard-fail", fetcher_backend=backend)  # fmt: skip
    try:
        validator = CertificateValidator(cert, chain, validation_context=vc)
        await validator.async_validate_usage(set())  # type: ignore[no-untyped-call]
        await pdf_signer.async_sign_pdf(writer, output=out)
        return await add_validation_data(out.getvalue(), vc)
    finally:
        await backend.close()  # type: ignore[no-untyped-call]


async def add_validation_data(data: bytes, vc: Any) -> bytes:
    """Append the validation data of the last signature (and its timestamp) as a DSS.

    The validation paths are built and checked with ``vc`` (fetching OCSP responses and
    CRLs from the CA's services); the incremental update changes nothing but the
    catalogue's ``/DSS`` and adds its objects — unlike pyHanko's own B-LT update, which
    also rewrites the XMP metadata of a PDF/A (and so would fail tanzuji's own check of
    later revisions, :mod:`tanzuji.report.revisions`).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore, collect_validation_info

    class _DssOnlyWriter(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:  # no XMP or /Info update in this revision
            return None

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sig = reader.embedded_signatures[-1]
    paths = await collect_validation_info(sig, vc)
    writer = _DssOnlyWriter.from_reader(reader)
    DocumentSecurityStore.supply_dss_in_writer(
        writer, sig.pkcs7_content.hex().encode("ascii"), validation_context=vc, paths=paths
    )
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def _signing_failure(exc: BaseException, plan: SigningPlan) -> str:
    cause = str(exc) or type(exc).__name__
    if type(exc).__name__ == "RevokedError":
        return tr(
            f"签名证书已被其 CA 吊销，不能签名（{cause}）",
            f"the signing certificate was revoked by its CA; it cannot sign ({cause})",
        )
    if type(exc).__name__ == "TimestampRequestError" or "imestamp" in cause:
        return tr(f"无法从时间戳机构取得时间戳（{cause}）",
                  f"cannot get a timestamp from the timestamp authority ({cause})")  # fmt: skip
    if plan.level == B_LT:
        return tr(
            f"无法为 PAdES-B-LT 取得并核验签名证书的验证数据（OCSP/CRL）：{cause}"
            "（证书是否已被吊销？CA 的服务能否访问？）",
            f"cannot collect and check the validation data (OCSP/CRL) of the signing "
            f"certificate for PAdES-B-LT: {cause} (is the certificate revoked? can the CA's "
            "services be reached?)",
        )
    return cause
