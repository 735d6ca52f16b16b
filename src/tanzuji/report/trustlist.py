"""The trust list: the CAs and institutes whose signatures verify as trusted.

A TOML file (config key ``trust_list``, ``tanzuji verify --trust-list FILE``, and the
platform's verify page) with one ``[[trusted]]`` table per entry::

    [[trusted]]
    name = "示例认证中心 Root CA"   # shown by verify: "trusted: yes (示例认证中心 Root CA)"
    kind = "ca"                    # a CA: certificates it issued are trusted
    cert = "certs/root.pem"        # PEM/DER file, relative to the trust list

    [[trusted]]
    name = "示例计量检测研究院"
    kind = "institute"             # an institute's own signing certificate
    cert = "certs/institute.pem"

Being listed makes a certificate a trust anchor only: validity period and key usage are
still checked for the signing certificate (as for ``--trust``), and revocation against the
validation data embedded in a PAdES-B-LT signature.

>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "list.toml").write_text('[[trusted]]\\nname = "X"\\nkind = "ca"\\n', "utf-8")
>>> load_trust_list(d / "list.toml")
Traceback (most recent call last):
...
tanzuji.report.errors.SignatureError: .../list.toml: trusted[1].cert: ...
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tanzuji.i18n import tr
from tanzuji.report.errors import SignatureError

__all__ = ["KINDS", "TrustEntry", "TrustList", "load_trust_list"]

KINDS = ("ca", "institute")
_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class TrustEntry:
    """One trusted CA or institute: its name, kind and certificate (asn1crypto)."""

    name: str
    kind: str
    cert: Any


@dataclass(frozen=True)
class TrustList:
    """The trusted certificates, with the names people know them by."""

    entries: tuple[TrustEntry, ...]
    source: Path | None = None

    def roots(self) -> list[Any]:
        """The certificates, as trust anchors."""
        return [e.cert for e in self.entries]

    def name_of(self, cert: Any) -> str | None:
        """The listed name of a certificate (matched by its SHA-256), or ``None``."""
        for e in self.entries:
            if e.cert.sha256 == cert.sha256:
                return e.name
        return None


def _fail(path: Path, where: str, en: str, zh: str) -> SignatureError:
    return SignatureError(f"{where}: " + tr(zh, en), file=str(path))


def load_trust_list(path: Path) -> TrustList:
    """Read a trust list file; errors name the file, the entry and the field."""
    from pyhanko.keys import load_certs_from_pemder

    try:
        raw = path.read_bytes()
    except OSError as exc:
        why = exc.strerror
        msg = tr(f"无法读取信任列表（{why}）", f"cannot read the trust list ({why})")
        raise SignatureError(msg, file=str(path)) from None
    if len(raw) > _MAX_BYTES:
        raise SignatureError(tr("信任列表过大", "the trust list is too large"), file=str(path))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SignatureError(
            tr(f"不是有效的 TOML（{exc}）", f"not valid TOML ({exc})"), file=str(path)
        ) from None
    items = data.get("trusted")
    if not isinstance(items, list) or not items:
        raise _fail(path, "trusted", "expected one or more [[trusted]] entries",
                    "需要一个或多个 [[trusted]] 条目")  # fmt: skip
    entries = []
    for i, item in enumerate(items, start=1):
        where = f"trusted[{i}]"
        if not isinstance(item, dict):
            raise _fail(path, where, "expected a table", "应为表")
        name, kind, file = item.get("name"), item.get("kind", "ca"), item.get("cert")
        if not isinstance(name, str) or not name.strip():
            raise _fail(path, f"{where}.name", "expected a non-empty name", "需要非空的名称")
        if kind not in KINDS:
            raise _fail(path, f"{where}.kind", f"expected one of {', '.join(KINDS)}",
                        f"应为 {'、'.join(KINDS)} 之一")  # fmt: skip
        if not isinstance(file, str) or not file.strip():
            raise _fail(path, f"{where}.cert", "expected a certificate file name",
                        "需要证书文件名")  # fmt: skip
        cert_path = (path.parent / file).expanduser()
        try:
            certs = list(load_certs_from_pemder([str(cert_path)]))  # type: ignore[no-untyped-call]
        except (OSError, ValueError) as exc:
            raise _fail(path, f"{where}.cert", f"cannot read {file} ({exc})",
                        f"无法读取 {file}（{exc}）") from None  # fmt: skip
        if not certs:
            raise _fail(path, f"{where}.cert", f"no certificate in {file}", f"{file} 中没有证书")
        entries += [TrustEntry(name.strip(), kind, c) for c in certs]
    return TrustList(tuple(entries), path)
