"""Issued reports anchor the audit trail: ``audit verify --anchor REPORT.pdf``.

The anchor a report carries is the store's chain head *before* the report; the chain must
still hold that entry with that hash (a wholesale rewrite is caught) and, after it, the
report's own issue entry with the PDF's SHA-256 (a cut-off tail is caught).
"""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from reporthelpers import ACCEPTED, FIXTURE, Keys, Report, needs_tools, pdftotext
from sqlalchemy import create_engine, text
from test_report_store import _authorise

from tanzuji.store.hashing import GENESIS, audit_hash
from tanzuji.store.repositories import entry_fields

pytestmark = needs_tools
Run = Callable[..., tuple[int, str]]
ANCHOR = re.compile(r"tzanchor:(\d+):([0-9a-f]{64})")


def _copy(db: Path, to: Path) -> None:
    """A consistent copy of an SQLite database (its write-ahead log included)."""
    to.unlink(missing_ok=True)
    with sqlite3.connect(db) as src, sqlite3.connect(to) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _sql(db: Path, *stmts: str) -> None:
    """Edit the SQLite database behind the program's back."""
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        for s in stmts:
            conn.execute(text(s))
    engine.dispose()


def _rewrite_whole_chain(db: Path) -> None:
    """A forger's wholesale rewrite: change entry 2, recompute every hash and the head."""
    _sql(db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_log ORDER BY seq")).mappings().all()
    engine.dispose()
    prev, stmts = GENESIS, []
    for r in rows:
        fields = entry_fields(r["seq"], r["org_id"], r["actor"], r["action"], r["object_type"],
                              r["object_id"], r["object_sha256"], r["at"])  # fmt: skip
        h = audit_hash(fields, prev)
        stmts.append(f"UPDATE audit_log SET prev_hash = '{prev}', hash = '{h}' "
                     f"WHERE seq = {r['seq']}")  # fmt: skip
        prev = h
    _sql(db, *stmts, f"UPDATE audit_head SET hash = '{prev}'")


def _cut_tail(db: Path, keep: int) -> None:
    """A forger's cut: delete every entry after ``keep`` and move the head back to it."""
    _sql(
        db,
        f"DELETE FROM audit_log WHERE seq > {keep}",
        f"UPDATE audit_head SET seq = {keep}, "
        f"hash = (SELECT hash FROM audit_log WHERE seq = {keep})",
    )


def test_issued_report_carries_the_anchor_and_anchors_the_chain(
    run_main: Run, keys: Keys, report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pikepdf

    db = tmp_path / "tz.db"
    url = f"sqlite:///{db}"
    assert run_main("db", "init", "--database-url", url)[0] == 0
    _authorise(run_main, url, keys, monkeypatch, tmp_path)
    # the chain head just before the issue, as `audit anchor` tells it (independently)
    code, out = run_main("audit", "anchor", "--database-url", url)
    assert code == 0, out
    m = ANCHOR.search(out)
    assert m is not None, out
    before, seq = m.group(0), int(m.group(1))
    pdf = tmp_path / "r.pdf"
    args = ["report", str(FIXTURE), "--key", str(keys.key), "--cert", str(keys.cert),
            "--database-url", url, "--out", str(pdf)]  # fmt: skip
    for finding_id, reason in ACCEPTED:
        args += ["--accept", finding_id, "--reason", reason]
    code, out = run_main(*args)
    assert code == 0, out
    # visible in the report's statement section, and as document metadata
    flat = re.sub(r"\s+", "", pdftotext(pdf))
    assert "审计链锚点" in flat and before in flat
    with pikepdf.open(pdf) as doc:
        assert str(doc.docinfo["/tanzujiauditanchor"]) == before
    # a report made from a file without a store carries none (today's behaviour)
    assert "tzanchor" not in report.flat and "审计链锚点" not in report.flat

    # the intact database verifies against the report (mixed with an anchor file)
    assert run_main("audit", "anchor", "--out", str(tmp_path / "a.json"),
                    "--database-url", url)[0] == 0  # fmt: skip
    code, out = run_main("audit", "verify", "--anchor", str(pdf), "--anchor",
                         str(tmp_path / "a.json"), "--database-url", url)  # fmt: skip
    assert code == 0 and "2 个锚点" in out, out

    # (a) a wholesale rewrite: the chain alone still verifies, the report does not
    rewritten = tmp_path / "rewritten.db"
    _copy(db, rewritten)
    _rewrite_whole_chain(rewritten)
    assert run_main("audit", "verify", "--database-url", f"sqlite:///{rewritten}")[0] == 0
    code, out = run_main("audit", "verify", "--anchor", str(pdf), "--database-url",
                         f"sqlite:///{rewritten}")  # fmt: skip
    flat = " ".join(out.split())
    assert code == 1 and f"审计记录 {seq} 与锚点不符" in flat, out

    # (b) the tail cut off from the report's own issue entry on (head moved back too)
    cut = tmp_path / "cut.db"
    _copy(db, cut)
    _cut_tail(cut, seq)
    assert run_main("audit", "verify", "--database-url", f"sqlite:///{cut}")[0] == 0
    code, out = run_main("audit", "verify", "--anchor", str(pdf), "--database-url",
                         f"sqlite:///{cut}", "--lang", "en")  # fmt: skip
    flat = " ".join(out.split())
    assert code == 1, out
    assert f"the tail from audit entry {seq + 1} on was cut off" in flat and "2025-00001" in flat
    # … and cut deeper, before the anchored entry itself
    _copy(db, cut)
    _cut_tail(cut, seq - 2)
    code, out = run_main("audit", "verify", "--anchor", str(pdf), "--database-url",
                         f"sqlite:///{cut}", "--lang", "en")  # fmt: skip
    flat = " ".join(out.split())
    assert code == 1 and f"the anchored entry {seq} is not in the chain (it ends at {seq - 2})" \
        in flat, out  # fmt: skip

    # a tampered report (its anchor replaced by the rewritten chain's head) is refused
    code, out = run_main("audit", "anchor", "--database-url", f"sqlite:///{rewritten}")
    forged_anchor = ANCHOR.search(out)
    assert forged_anchor is not None
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_incremental_info(pdf, f"tzanchor:{seq}:{_hash_at(rewritten, seq)}"))
    code, out = run_main("audit", "verify", "--anchor", str(forged), "--database-url",
                         f"sqlite:///{rewritten}", "--lang", "en")  # fmt: skip
    flat = " ".join(out.split())
    assert code != 0 and "forged.pdf" in flat, out
    assert "the report's signature does not verify" in flat and "refused as an audit anchor" \
        in flat, out  # fmt: skip
    flipped = bytearray(pdf.read_bytes())
    at = bytes(flipped).index(b"/Producer")
    flipped[at + 1] ^= 0x20  # one byte inside the signed content
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(bytes(flipped))
    code, out = run_main("audit", "verify", "--anchor", str(broken), "--database-url", url,
                         "--lang", "en")  # fmt: skip
    assert code != 0 and "refused as an audit anchor" in " ".join(out.split()), out
    # a signed report from a file without a store is no anchor either
    code, out = run_main("audit", "verify", "--anchor", str(report.pdf), "--database-url", url,
                         "--lang", "en")  # fmt: skip
    assert code != 0 and "carries no audit anchor" in " ".join(out.split()), out


def _hash_at(db: Path, seq: int) -> str:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        h = conn.execute(text(f"SELECT hash FROM audit_log WHERE seq = {seq}")).scalar()
    engine.dispose()
    return str(h)


def _incremental_info(pdf: Path, anchor: str) -> bytes:
    """The PDF with its anchor metadata replaced in an incremental update (the signed
    bytes stay as they were; a later revision changes the document information)."""
    from pyhanko.pdf_utils.generic import NameObject, pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()))
    ref = w.prev.trailer.raw_get("/Info")
    info = ref.get_object()
    info[NameObject("/tanzujiauditanchor")] = pdf_string(anchor)
    w.mark_update(ref)
    out = io.BytesIO()
    w.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()
