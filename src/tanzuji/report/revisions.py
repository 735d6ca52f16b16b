"""What each revision of a PDF changes, and whether it can change what a reader sees.

A signed PDF may grow by *incremental updates* (revisions appended after the signed bytes).
The signature still verifies — it covers only its own revision — so a verifier must judge
every later revision itself. tanzuji accepts only three kinds:

* ``signature`` — the revision made by a later signature or document timestamp (which is
  verified on its own, and which a DocMDP "no changes" certification still forbids unless it
  is a document timestamp);
* ``validation-data`` — it adds new objects and changes nothing but the catalogue's
  ``/DSS`` entry (long-term validation data: certificates, OCSP responses, CRLs);
* ``empty`` — it changes no object.

Everything else (a page, an annotation or form field — even an empty signature field with
its own appearance —, the document information, the XMP metadata, any other object) fails.
Bytes after the end of the last revision fail unless they are white space.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tanzuji.i18n import get_lang

__all__ = ["Revision", "describe_revisions", "trailing_bytes"]

_STRUCTURAL = {"/XRef", "/ObjStm"}
_WHITE = b" \t\r\n\x00\x0c"


@dataclass(frozen=True)
class Revision:
    """One revision after a signature: its number (1 = the first), kind and changes."""

    number: int
    kind: str
    """``signature``, ``validation-data``, ``empty`` or ``content``."""
    changes: tuple[str, ...]

    @property
    def harmless(self) -> bool:
        """Whether the revision cannot change what a reader sees."""
        return self.kind != "content"

    def describe(self, lang: str | None = None) -> str:
        """One line: ``revision 4: adds a Widget annotation …``."""
        zh = (lang or get_lang()) == "zh"
        what = "; ".join(self.changes) or ("无改动" if zh else "changes nothing")
        return f"修订 {self.number}：{what}" if zh else f"revision {self.number}: {what}"


def _t(zh: bool, zh_text: str, en_text: str) -> str:
    return zh_text if zh else en_text


def _page_numbers(resolver: Any) -> dict[int, int]:
    """Object number of every page → its page number (1-based) in a historical revision."""
    out: dict[int, int] = {}

    def walk(node_ref: Any, depth: int) -> None:
        if depth > 64:
            return
        ref = getattr(node_ref, "reference", None)
        node = resolver(ref) if ref is not None else node_ref.get_object()
        kids = node.get("/Kids")
        if kids is None:
            idnum = getattr(node_ref, "idnum", None)
            if idnum is not None:
                out[idnum] = len(out) + 1
            return
        for kid in kids:
            walk(kid, depth + 1)

    with contextlib.suppress(Exception):  # a damaged page tree: no page numbers
        walk(resolver.root.raw_get("/Pages"), 0)
    return out


def _text(value: Any) -> str:
    try:
        return str(value)[:80]
    except Exception:
        return "?"


_PRODUCER_ONLY = {"/Producer", "/ModDate"}


def _info_change(obj: Any, prev: Any, zh: bool) -> tuple[str, str]:
    """A changed document information dictionary: harmless when only /Producer and
    /ModDate differ (PDF writers update them), otherwise it changes what a reader sees."""
    try:
        keys = set(obj.keys()) | set(prev.keys() if prev is not None else ())
        changed = {
            k for k in keys
            if prev is None or repr(obj.get(k)) != repr(prev.get(k))
        }  # fmt: skip
    except Exception:
        changed = {"?"}
    if changed <= _PRODUCER_ONLY:
        return _t(zh, "更新文档信息中的生成程序", "updates the producer in the document "
                  "information"), "producer"  # fmt: skip
    shown = ", ".join(
        f"{str(k).lstrip('/')} “{_text(obj.get(k))}”" for k in sorted(changed - _PRODUCER_ONLY)
    )
    return _t(zh, f"修改文档信息（{shown}）", f"changes the document information ({shown})"), "info"


def _describe_object(
    obj: Any,
    idnum: int,
    added: bool,
    pages: Mapping[int, int],
    info: tuple[int | None, Any],
    zh: bool,
) -> tuple[str | None, str]:
    """(description or None for structure, category) of one object written in a revision."""
    verb = _t(zh, "新增", "adds ") if added else _t(zh, "修改", "changes ")
    if idnum == info[0]:
        return _info_change(obj, info[1], zh)
    if not hasattr(obj, "get"):
        return f"{verb}{_t(zh, '对象', 'object')} {idnum}", "other"
    typ = obj.get("/Type")
    typ = str(typ) if typ is not None else None
    if typ in _STRUCTURAL:
        return None, "structure"
    if typ == "/Page" or idnum in pages:
        n = pages.get(idnum, "?")
        return _t(zh, f"{verb}第 {n} 页", f"{verb}page {n}"), "page"
    if typ == "/Annot" or ("/Subtype" in obj and "/Rect" in obj):
        sub = str(obj.get("/Subtype", "?")).lstrip("/")
        extra = ""
        if "/FT" in obj:
            ft = str(obj.get("/FT")).lstrip("/")
            extra = _t(zh, f"，表单域“{_text(obj.get('/T', ''))}”（{ft}）",
                       f", form field '{_text(obj.get('/T', ''))}' ({ft})")  # fmt: skip
        visible = _t(zh, "，带外观", " with an appearance") if "/AP" in obj else ""
        return _t(zh, f"{verb}{sub} 注释{visible}{extra}",
                  f"{verb}a {sub} annotation{visible}{extra}"), "annotation"  # fmt: skip
    if typ == "/Catalog":
        return f"{verb}{_t(zh, '文档目录', 'the document catalogue')}", "catalog"
    if typ == "/Metadata":
        return f"{verb}{_t(zh, 'XMP 元数据', 'the XMP metadata')}", "metadata"
    if typ in {"/Sig", "/DocTimeStamp"}:
        return f"{verb}{_t(zh, '签名值', 'a signature value')}", "signature"
    if typ == "/XObject":
        return f"{verb}{_t(zh, '一个绘图（XObject）', 'a drawing (form XObject)')}", "drawing"
    if typ in {"/Font", "/FontDescriptor"}:
        return f"{verb}{_t(zh, '字体', 'a font')}", "font"
    if "/Fields" in obj:
        return f"{verb}{_t(zh, '表单', 'the form (AcroForm)')}", "form"
    return f"{verb}{_t(zh, '对象', 'object')} {idnum}", "other"


def _only_dss_changed(reader: Any, rev: int) -> bool:
    """Whether the catalogue of ``rev`` differs from the one before only in ``/DSS``."""
    try:
        new = reader.get_historical_resolver(rev).root
        old = reader.get_historical_resolver(rev - 1).root
    except Exception:
        return False
    keys = set(new.keys()) | set(old.keys())

    def raw(d: Any, k: str) -> str:  # raw_get's 2nd argument is not a default
        return repr(d.raw_get(k)) if k in d else "<absent>"

    changed = {k for k in keys if raw(new, k) != raw(old, k)}
    return changed <= {"/DSS"}


def describe_revisions(
    reader: Any, after: int, signature_revisions: Mapping[int, str], lang: str | None = None
) -> list[Revision]:
    """Every revision of ``reader`` after revision ``after`` (0-based), classified.

    ``signature_revisions`` maps the revision a later signature or timestamp signed to a
    short label of it ("signature 'tzj-review' by …").
    """
    zh = (lang or get_lang()) == "zh"
    out = []
    for rev in range(after + 1, reader.total_revisions):
        resolver = reader.get_historical_resolver(rev)
        pages = _page_numbers(resolver)
        info = resolver.trailer_view.raw_get("/Info", None)
        info_id = getattr(info, "idnum", None)
        prev = reader.get_historical_resolver(rev - 1)
        prev_info = prev.trailer_view.raw_get("/Info", None)
        try:
            prev_info_obj = prev(prev_info.reference) if prev_info is not None else None
        except Exception:
            prev_info_obj = None
        changes: list[str] = []
        cats: set[str] = set()
        any_changed_existing = False
        if repr(info) != repr(prev_info):
            changes.append(_t(zh, "更换文档信息", "replaces the document information"))
            cats.add("info")
        for ref in sorted(reader.xrefs.explicit_refs_in_revision(rev), key=lambda r: r.idnum):
            try:
                obj = resolver(ref).get_object()
                added = reader.xrefs.get_introducing_revision(ref) == rev
            except Exception:
                obj, added = None, False
            text, cat = _describe_object(obj, ref.idnum, added, pages, (info_id, prev_info_obj), zh)
            if text is None:
                continue
            cats.add(cat)
            if not added and cat not in {"catalog", "producer"}:
                any_changed_existing = True
            if text not in changes:
                changes.append(text)
        if rev in signature_revisions:
            kind = "signature"
            changes.insert(0, signature_revisions[rev])
        elif not changes or cats <= {"producer"}:
            kind = "empty"
        elif (
            cats <= {"catalog", "other"}
            and not any_changed_existing
            and (_only_dss_changed(reader, rev))
        ):
            kind = "validation-data"
            changes = [_t(zh, "新增长期验证数据（DSS）", "adds long-term validation data (DSS)")]
        else:
            kind = "content"
        out.append(Revision(rev + 1, kind, tuple(changes)))
    return out


def trailing_bytes(data: bytes, last_startxref: int) -> tuple[int, bool]:
    """(count, white space only) of the bytes after the ``%%EOF`` of the last revision.

    >>> trailing_bytes(b"%PDF-1.7 ... startxref 4 %%EOF\\n", 4)
    (1, True)
    >>> trailing_bytes(b"%PDF-1.7 ... startxref 4 %%EOF\\n%tampered\\n", 4)
    (11, False)
    """
    kw = data.find(b"startxref", max(last_startxref, 0))
    at = data.find(b"%%EOF", max(kw, last_startxref, 0))
    if at < 0:
        return len(data), False
    rest = data[at + 5 :]
    return len(rest), not rest.strip(_WHITE)
