"""Verifying the audit trail: the hash chain, its head, external anchors and the objects.

An anchor is the text ``tzanchor:<seq>:<hash>`` — the chain's head at some moment, printed
in issued reports and written into exports. Any file holding such texts can serve as
``audit verify --anchor FILE``.

>>> format_anchor(7, "a" * 64) == "tzanchor:7:" + "a" * 64
True
>>> parse_anchors(b'{"audit_anchor": "tzanchor:7:' + b"a" * 64 + b'"}')
[(7, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from tanzuji.i18n import tr
from tanzuji.store.hashing import GENESIS, audit_hash, sha256_hex
from tanzuji.store.models import AuditEntry, Evaluation, Report, StudyRevision
from tanzuji.store.repositories import entry_fields
from tanzuji.store.uow import UnitOfWork

__all__ = [
    "AuditFinding",
    "AuditResult",
    "IssuedAnchor",
    "format_anchor",
    "parse_anchors",
    "verify_chain",
]

_ANCHOR = re.compile(rb"tzanchor:(\d{1,18}):([0-9a-f]{64})")
_SHIFT_WINDOW = 64


def format_anchor(seq: int, hash_: str) -> str:
    """The anchor text for a chain head."""
    return f"tzanchor:{seq}:{hash_}"


def parse_anchors(data: bytes) -> list[tuple[int, str]]:
    """Every anchor text in a file's bytes (JSON, JSONL, text, an uncompressed PDF …)."""
    return [(int(m.group(1)), m.group(2).decode()) for m in _ANCHOR.finditer(data)]


@dataclass(frozen=True)
class IssuedAnchor:
    """A signed report PDF given as an anchor: the chain head it carries (``seq``) and the
    PDF's own SHA-256, which the report's ``report.issue`` entry after ``seq`` records."""

    seq: int
    pdf_sha256: str
    label: str
    """How messages name the report (its number and file)."""


@dataclass(frozen=True)
class AuditFinding:
    """The first place where the trail does not verify."""

    seq: int
    kind: str  # modified | deleted | inserted | reordered | truncated | anchor | object
    message: str


@dataclass
class AuditResult:
    """The outcome of :func:`verify_chain`."""

    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    anchors_checked: int = 0
    objects_checked: int = 0
    keyed: bool = False
    findings: list[AuditFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def anchor(self) -> str:
        return format_anchor(self.head_seq, self.head_hash)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "anchor": self.anchor,
            "anchors_checked": self.anchors_checked,
            "objects_checked": self.objects_checked,
            "hmac": self.keyed,
            "first_problem": None
            if self.ok
            else {
                "seq": self.findings[0].seq,
                "kind": self.findings[0].kind,
                "message": self.findings[0].message,
            },
        }


def _shifted(e: AuditEntry, key: bytes | None) -> int | None:
    """The position an entry was hashed at, if not its current one (moved entries)."""
    base = entry_fields(
        e.seq, e.org_id, e.actor, e.action, e.object_type, e.object_id, e.object_sha256, e.at
    )
    for delta in range(1, _SHIFT_WINDOW + 1):
        for s in (e.seq - delta, e.seq + delta):
            if s >= 1 and audit_hash(base | {"seq": s}, e.prev_hash, key) == e.hash:
                return s
    return None


def _check_entry(e: AuditEntry, expected: int, prev: str, key: bytes | None) -> AuditFinding | None:
    if e.seq > expected:
        return AuditFinding(
            expected,
            "deleted",
            tr(
                f"审计记录 {expected} 已被删除（下一条是 {e.seq}）",
                f"audit entry {expected} was deleted (the next one is {e.seq})",
            ),
        )
    fields = entry_fields(
        e.seq, e.org_id, e.actor, e.action, e.object_type, e.object_id, e.object_sha256, e.at
    )
    if audit_hash(fields, e.prev_hash, key) != e.hash:
        was = _shifted(e, key)
        if was is not None and was < e.seq:
            return AuditFinding(
                was,
                "inserted",
                tr(
                    f"在审计记录 {was} 处插入了记录（原记录 {was} 现为 {e.seq}）",
                    f"an entry was inserted at audit entry {was} (the original entry {was} "
                    f"is now {e.seq})",
                ),
            )
        if was is not None:
            return AuditFinding(
                e.seq,
                "reordered",
                tr(
                    f"审计记录 {e.seq} 被移动（原为第 {was} 条）：顺序被改动",
                    f"audit entry {e.seq} was moved (it was entry {was}): the order was changed",
                ),
            )
        return AuditFinding(
            e.seq,
            "modified",
            tr(
                f"审计记录 {e.seq} 被修改（哈希不符）",
                f"audit entry {e.seq} was modified (its hash does not match)",
            ),
        )
    if e.prev_hash != prev:
        return AuditFinding(
            e.seq,
            "inserted",
            tr(
                f"审计记录 {e.seq} 不接续上一条：在其前插入、删除或调换了记录",
                f"audit entry {e.seq} does not follow the previous one: an entry was inserted, "
                "deleted or reordered before it",
            ),
        )
    return None


def verify_chain(
    uow: UnitOfWork,
    anchors: Iterable[tuple[int, str]] = (),
    *,
    check_objects: bool = True,
    issued: Iterable[IssuedAnchor] = (),
) -> AuditResult:
    """Walk the chain inside an entered unit of work; stop at the first problem.

    ``issued``: report PDFs given as anchors — besides their anchor (in ``anchors``), the
    chain must hold each report's own ``report.issue`` entry (its PDF's SHA-256) after it.
    """
    key = uow.audit.key
    res = AuditResult(keyed=key is not None)
    want: dict[int, set[str]] = {}
    for seq, h in anchors:
        want.setdefault(seq, set()).add(h)
    expected, prev = 1, GENESIS
    hashes: dict[int, str] = {}
    objects: dict[str, str | None] = {}
    reports: dict[tuple[int | None, str], str | None] = {}
    issue_seq: dict[str, int] = {}  # PDF SHA-256 -> seq of its report.issue entry
    for e in uow.audit.entries():
        problem = _check_entry(e, expected, prev, key)
        if problem is not None:
            res.findings.append(problem)
            return res
        if e.seq in want:
            hashes[e.seq] = e.hash
        if e.object_type in {"study_revision", "evaluation"}:
            objects[e.object_id] = e.object_sha256
        elif e.action == "report.issue":
            reports[(e.org_id, e.object_id)] = e.object_sha256
            if e.object_sha256:
                issue_seq.setdefault(e.object_sha256, e.seq)
        prev, expected = e.hash, e.seq + 1
        res.entries += 1
    last = expected - 1
    res.head_seq, res.head_hash = last, prev
    head = uow.audit.head()
    if head.seq > last:
        res.findings.append(
            AuditFinding(
                last + 1,
                "truncated",
                tr(
                    f"审计记录 {last + 1}–{head.seq} 已被删除（链尾被截断）",
                    f"audit entries {last + 1}–{head.seq} were deleted (the tail was cut off)",
                ),
            )
        )
        return res
    if head.seq < last or head.hash != prev:
        res.findings.append(
            AuditFinding(
                head.seq + 1 if head.seq < last else last,
                "inserted",
                tr(
                    f"审计链头（{head.seq}）与最后一条记录（{last}）不符：记录在链头之后被追加",
                    f"the chain head ({head.seq}) does not match the last entry ({last}): "
                    "entries were appended behind the program's back",
                ),
            )
        )
        return res
    for seq in sorted(want):
        res.anchors_checked += 1
        if seq > last:
            res.findings.append(
                AuditFinding(
                    last + 1,
                    "truncated",
                    tr(
                        f"锚点记录 {seq} 不在链中（链只到 {last}）：链尾被截断",
                        f"the anchored entry {seq} is not in the chain (it ends at {last}): "
                        "the tail was cut off",
                    ),
                )
            )
            return res
        if hashes.get(seq) not in want[seq]:
            res.findings.append(
                AuditFinding(
                    seq,
                    "anchor",
                    tr(
                        f"审计记录 {seq} 与锚点不符：链在此处或之前被改写并重新计算",
                        f"audit entry {seq} differs from the anchor: the chain was rewritten "
                        "and recomputed at or before it",
                    ),
                )
            )
            return res
    for rep in issued:
        at = issue_seq.get(rep.pdf_sha256)
        if at is None or at <= rep.seq:
            res.findings.append(
                AuditFinding(
                    rep.seq + 1,
                    "truncated",
                    tr(
                        f"报告 {rep.label} 的签发记录（应在审计记录 {rep.seq} 之后）不在链中："
                        f"自审计记录 {rep.seq + 1} 起的链尾被截断或改写",
                        f"the issue of report {rep.label} (an entry after audit entry "
                        f"{rep.seq}) is not in the chain: the tail from audit entry "
                        f"{rep.seq + 1} on was cut off or rewritten",
                    ),
                )
            )
            return res
    if check_objects:
        _check_objects(uow, objects, res)
        if res.ok:
            _check_reports(uow, reports, res)
    return res


def _check_objects(uow: UnitOfWork, audited: dict[str, str | None], res: AuditResult) -> None:
    """Revisions and evaluations still hash to what the trail recorded."""
    s = uow.session
    for rev_id, content, sha in s.execute(
        select(StudyRevision.id, StudyRevision.content, StudyRevision.content_sha256)
    ):
        res.objects_checked += 1
        if sha256_hex(content) != sha or audited.get(rev_id, sha) != sha:
            res.findings.append(_object_finding(uow, rev_id, "study revision", "修订"))
            return
        audited.pop(rev_id, None)
    for ev_id, result, sha in s.execute(
        select(Evaluation.id, Evaluation.result, Evaluation.result_sha256)
    ):
        res.objects_checked += 1
        if sha256_hex(result) != sha or audited.get(ev_id, sha) != sha:
            res.findings.append(_object_finding(uow, ev_id, "evaluation", "评价"))
            return
        audited.pop(ev_id, None)
    if audited:
        missing = next(iter(audited))
        res.findings.append(_object_finding(uow, missing, "audited object", "审计对象", gone=True))


def _check_reports(
    uow: UnitOfWork, audited: dict[tuple[int | None, str], str | None], res: AuditResult
) -> None:
    """Every stored report PDF still hashes to its recorded SHA-256 and to the trail's."""
    rows = uow.session.execute(
        select(Report.org_id, Report.number, Report.lang, Report.pdf, Report.pdf_sha256)
        .order_by(Report.id)
        .execution_options(yield_per=50)
    )
    for org_id, number, lang, pdf, sha in rows:
        res.objects_checked += 1
        key = (org_id, f"{number}/{lang}")
        if sha256_hex(pdf) != sha or audited.get(key, sha) != sha:
            seq = uow.session.scalar(
                select(AuditEntry.seq)
                .where(AuditEntry.object_id == key[1], AuditEntry.action == "report.issue")
                .order_by(AuditEntry.seq)
            )
            res.findings.append(
                AuditFinding(
                    seq or 0,
                    "report",
                    tr(
                        f"报告 {number}（{lang}）的 PDF 与记录的 SHA-256 不符：存储后被修改"
                        f"（审计记录 {seq}）",
                        f"report {number} ({lang}): the stored PDF no longer matches its "
                        f"recorded SHA-256 — modified after it was issued (audit entry {seq})",
                    ),
                )
            )
            return
        audited.pop(key, None)
    if audited:
        (_org, missing), _sha = next(iter(audited.items()))
        res.findings.append(
            AuditFinding(
                0,
                "report",
                tr(
                    f"报告 {missing} 已从数据库删除",
                    f"report {missing} was deleted from the database",
                ),
            )
        )


def _object_finding(
    uow: UnitOfWork, object_id: str, en: str, zh: str, *, gone: bool = False
) -> AuditFinding:
    seq = uow.session.scalar(
        select(AuditEntry.seq).where(AuditEntry.object_id == object_id).order_by(AuditEntry.seq)
    )
    if gone:
        return AuditFinding(
            seq or 0,
            "object",
            tr(
                f"{zh} {object_id[:12]} 已从数据库删除（审计记录 {seq}）",
                f"{en} {object_id[:12]} was deleted from the database (audit entry {seq})",
            ),
        )
    return AuditFinding(
        seq or 0,
        "object",
        tr(
            f"{zh} {object_id[:12]} 的内容被修改（审计记录 {seq} 记录的哈希不符）",
            f"{en} {object_id[:12]} was modified (it no longer matches audit entry {seq})",
        ),
    )
