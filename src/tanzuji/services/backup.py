"""Use cases: export the whole database to JSON Lines and import it into an empty one.

Line 1 is a header (format, schema version, row counts, the audit anchor); then one line
per row, table by table in foreign-key order; the last line is a footer with the SHA-256
of every line before it. Bytes are base64 (``{"$b64": …}``); floats are written in
Python's shortest round-trip form, so every value — and so every hash — comes back
exactly. The same pair moves a database from SQLite to PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Integer, MetaData, Table, func, insert, select, text

from tanzuji import __version__
from tanzuji.errors import InputError, StoreError
from tanzuji.i18n import os_reason, tr
from tanzuji.services.context import Actor
from tanzuji.store import UnitOfWork
from tanzuji.store.audit import format_anchor
from tanzuji.store.hashing import now_iso
from tanzuji.store.models import AuditHead, StudyRevision

__all__ = ["FORMAT", "ExportSummary", "export_jsonl", "import_jsonl"]

FORMAT = "tanzuji-export/1"
_BATCH = 2000
# Rows whose parents are in the same table come after them in these orders.
_ORDER = {
    "study_revisions": ("study_id", "seq"),
    "library_revisions": ("created_at", "id"),
    "audit_log": ("seq",),
}


@dataclass(frozen=True)
class ExportSummary:
    """What an export or import moved."""

    rows: dict[str, int]
    audit_anchor: str
    revisions: int

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "audit_anchor": self.audit_anchor, "revisions": self.revisions}


# web_jobs and web_login_failures hold only what the running web workers share (background
# jobs of the last hour, recent failed sign-ins): nothing worth restoring.
_SKIP = {"audit_head", "alembic_version", "web_jobs", "web_login_failures"}


def _tables(uow: UnitOfWork) -> list[Table]:
    """Every table of the database (reflected, so tables of later migrations come too),
    parents before children."""
    meta = MetaData()
    meta.reflect(bind=uow.session.connection())
    return [t for t in meta.sorted_tables if t.name not in _SKIP]


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$b64" in value:
        return base64.b64decode(value["$b64"])
    return value


def _line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def _rows(uow: UnitOfWork, table: Table) -> Iterator[dict[str, Any]]:
    cols = [c.name for c in table.columns]
    order = [table.c[c] for c in _ORDER.get(table.name, [c.name for c in table.primary_key])]
    q = select(table).order_by(*order).execution_options(yield_per=_BATCH)
    for row in uow.session.execute(q):
        yield {c: _encode(v) for c, v in zip(cols, row, strict=True)}


def export_jsonl(uow: UnitOfWork, out: IO[str]) -> ExportSummary:
    """Write every row to ``out`` (one read transaction: a consistent snapshot)."""
    from tanzuji.store.engine import _head_revision

    digest = hashlib.sha256()

    def emit(obj: dict[str, Any]) -> None:
        s = _line(obj)
        digest.update(s.encode("utf-8"))
        out.write(s)

    with uow:
        head = uow.audit.head()
        anchor = format_anchor(head.seq, head.hash)
        tables = _tables(uow)
        counts = {
            t.name: int(uow.session.scalar(select(func.count()).select_from(t)) or 0)
            for t in tables
        }
        emit(
            {
                "type": "header",
                "format": FORMAT,
                "schema": _head_revision(),
                "tanzuji": __version__,
                "exported_at": now_iso(),
                "audit_anchor": anchor,
                "audit_head": {"seq": head.seq, "hash": head.hash},
                "rows": counts,
            }
        )
        for t in tables:
            for row in _rows(uow, t):
                emit({"t": t.name, "r": row})
        out.write(_line({"type": "footer", "sha256": digest.hexdigest()}))
    return ExportSummary(counts, anchor, counts.get(StudyRevision.__tablename__, 0))


def _fail(msg_zh: str, msg_en: str, path: Path, line: int | None = None) -> InputError:
    return InputError(tr(msg_zh, msg_en), file=str(path), row=line)


def import_jsonl(uow: UnitOfWork, actor: Actor, path: Path) -> ExportSummary:
    """Load an export into an empty database (all or nothing), then audit the import."""
    from tanzuji.store.engine import _head_revision

    digest = hashlib.sha256()
    try:
        fh = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise _fail(
            f"无法读取（{os_reason(exc)}）", f"cannot read ({os_reason(exc)})", path
        ) from None
    with fh, uow:
        tables = {t.name: t for t in _tables(uow)}
        if uow.session.scalar(select(func.count()).select_from(tables["organisations"])) or (
            uow.audit.head().seq
        ):
            raise StoreError(
                tr(
                    "只能导入到空数据库（先 tanzuji db init 一个新数据库）",
                    "import needs an empty database (tanzuji db init a new one first)",
                )
            )
        first = fh.readline()
        try:
            header = json.loads(first)
        except json.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise _fail(
                f"不是 tanzuji 导出文件（应为 {FORMAT}）",
                f"not a tanzuji export (expected {FORMAT})",
                path,
                1,
            )
        if header.get("schema") != _head_revision():
            raise _fail(
                f"导出文件的结构版本 {header.get('schema')} 与本程序 {_head_revision()} 不同",
                f"the export's schema {header.get('schema')} differs from this tanzuji's "
                f"{_head_revision()}",
                path,
                1,
            )
        digest.update(first.encode("utf-8"))
        counts: dict[str, int] = dict.fromkeys(tables, 0)
        batch: list[dict[str, Any]] = []
        current: str | None = None
        footer = None
        lineno = 1

        def flush() -> None:
            if batch and current is not None:
                uow.session.execute(insert(tables[current]), batch)
                batch.clear()

        for lineno, raw in enumerate(fh, start=2):
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError:
                raise _fail("不是有效的 JSON 行", "not a valid JSON line", path, lineno) from None
            if obj.get("type") == "footer":
                footer = obj
                break
            digest.update(raw.encode("utf-8"))
            name = obj.get("t")
            if name not in tables or not isinstance(obj.get("r"), dict):
                raise _fail(f"未知的表 {name!r}", f"unknown table {name!r}", path, lineno)
            if name != current:
                flush()
                current = name
            batch.append({k: _decode(v) for k, v in obj["r"].items()})
            counts[name] += 1
            if len(batch) >= _BATCH:
                flush()
        flush()
        if footer is None or footer.get("sha256") != digest.hexdigest():
            raise _fail(
                "导出文件不完整或被改动（校验和不符）",
                "the export is incomplete or was altered (checksum mismatch)",
                path,
                lineno,
            )
        if counts != {k: header["rows"].get(k, 0) for k in tables}:
            raise _fail("行数与文件头不符", "row counts differ from the header", path, lineno)
        head = uow.session.get(AuditHead, 1) or AuditHead(id=1, seq=0, hash="")
        head.seq, head.hash = header["audit_head"]["seq"], header["audit_head"]["hash"]
        uow.session.add(head)
        uow.session.flush()
        if uow.session.get_bind().dialect.name == "postgresql":
            for t in tables.values():
                pk = list(t.primary_key)
                if (
                    len(pk) == 1
                    and pk[0].autoincrement is not False
                    and isinstance(pk[0].type, Integer)
                ):
                    uow.session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{t.name}', '{pk[0].name}'), "
                            f"COALESCE((SELECT MAX({pk[0].name}) FROM {t.name}), 0) + 1, false)"
                        )
                    )
        uow.audit.append(
            actor=actor.user,
            action="import",
            object_type="export",
            object_id=path.name,
            object_sha256=footer["sha256"],
        )
        uow.commit()
    return ExportSummary(counts, str(header["audit_anchor"]), counts.get("study_revisions", 0))
