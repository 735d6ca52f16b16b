"""Use cases of the audit trail: verify it (against anchors), read the current anchor."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tanzuji.errors import InputError
from tanzuji.i18n import os_reason, tr
from tanzuji.store import UnitOfWork
from tanzuji.store.audit import AuditResult, format_anchor, parse_anchors, verify_chain

__all__ = ["current_anchor", "read_anchor_files", "verify_audit"]

MAX_ANCHOR_FILE = 512 * 1024 * 1024


def read_anchor_files(paths: Sequence[Path]) -> list[tuple[int, str]]:
    """The anchors (``tzanchor:<seq>:<hash>``) in report PDFs, exports or anchor files."""
    anchors: list[tuple[int, str]] = []
    for p in paths:
        try:
            if p.stat().st_size > MAX_ANCHOR_FILE:
                raise InputError(tr("文件太大", "file too large"), file=str(p))
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(
                tr(f"无法读取（{os_reason(exc)}）", f"cannot read ({os_reason(exc)})"), file=str(p)
            ) from None
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
    return anchors


def verify_audit(uow: UnitOfWork, anchor_files: Sequence[Path] = ()) -> AuditResult:
    """Verify the whole trail (and the stored objects) against the given anchor files."""
    anchors = read_anchor_files(anchor_files)
    with uow:
        return verify_chain(uow, anchors)


def current_anchor(uow: UnitOfWork) -> str:
    """The anchor of the chain's head now (``tzanchor:<seq>:<hash>``)."""
    with uow:
        head = uow.audit.head()
        return format_anchor(head.seq, head.hash)
