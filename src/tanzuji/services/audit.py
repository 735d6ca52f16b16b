"""Use cases of the audit trail: verify it (against anchors), read the current anchor."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tanzuji.errors import InputError
from tanzuji.i18n import os_reason, tr
from tanzuji.store import UnitOfWork
from tanzuji.store.audit import (
    AuditResult,
    IssuedAnchor,
    format_anchor,
    parse_anchors,
    verify_chain,
)

__all__ = ["current_anchor", "read_anchor_files", "verify_audit"]

MAX_ANCHOR_FILE = 512 * 1024 * 1024


def read_anchor_files(paths: Sequence[Path]) -> list[tuple[int, str]]:
    """The anchors (``tzanchor:<seq>:<hash>``) in report PDFs, exports or anchor files."""
    return list(_read_anchors(paths)[0])


def _read_anchors(paths: Sequence[Path]) -> tuple[list[tuple[int, str]], list[IssuedAnchor]]:
    """The anchors of every file, and the signed report PDFs among them.

    A PDF must be a signed report whose signature verifies: its anchor is read from the
    document metadata (the signed content), never from loose bytes of the file.
    """
    from tanzuji.report.anchor import is_pdf, read_report_anchor
    from tanzuji.report.errors import SignatureError
    from tanzuji.store.hashing import sha256_hex

    anchors: list[tuple[int, str]] = []
    issued: list[IssuedAnchor] = []
    for p in paths:
        try:
            if p.stat().st_size > MAX_ANCHOR_FILE:
                raise InputError(tr("文件太大", "file too large"), file=str(p))
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(
                tr(f"无法读取（{os_reason(exc)}）", f"cannot read ({os_reason(exc)})"), file=str(p)
            ) from None
        if is_pdf(data):
            try:
                rep = read_report_anchor(data)
            except SignatureError as exc:
                raise InputError(exc.message, file=str(p)) from None
            anchors.append((rep.seq, rep.hash))
            label = tr(f"{rep.number}（{p.name}）", f"{rep.number} ({p.name})")
            issued.append(IssuedAnchor(rep.seq, sha256_hex(data), label))
            continue
        found = parse_anchors(data)
        if not found:
            raise InputError(
                tr(
                    "文件中没有审计锚点（tzanchor:序号:哈希）",
                    "no audit anchor (tzanchor:seq:hash) in the file",
                ),
                file=str(p),
            )
        anchors.extend(found)
    return anchors, issued


def verify_audit(uow: UnitOfWork, anchor_files: Sequence[Path] = ()) -> AuditResult:
    """Verify the whole trail (and the stored objects) against the given anchor files;
    a signed report PDF also needs its own issue entry after its anchor."""
    anchors, issued = _read_anchors(anchor_files)
    with uow:
        return verify_chain(uow, anchors, issued=issued)


def current_anchor(uow: UnitOfWork) -> str:
    """The anchor of the chain's head now (``tzanchor:<seq>:<hash>``)."""
    with uow:
        head = uow.audit.head()
        return format_anchor(head.seq, head.hash)
