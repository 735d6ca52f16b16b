"""A revision keeps the product picture its study names; reports issued from the store
(``report --rev``, the web issue flow) show it without reading files beside the study."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import inspect

from tanzuji.services import Actor, save_study
from tanzuji.services.backup import export_jsonl, import_jsonl
from tanzuji.services.issue import IssueRequest
from tanzuji.services.issuing import issue_stored_revision
from tanzuji.store import Store, UnitOfWork, open_store
from tanzuji.store.models import StudyRevision

from .helpers import variant

WIDTH, HEIGHT = 40, 30
RED, BLUE = (255, 0, 0, 255), (0, 0, 255, 255)


def _expected_pixel(x: int, y: int) -> tuple[int, int, int, int]:
    """The test picture: left half red, right half blue, one green pixel at (5, 7)."""
    if (x, y) == (5, 7):
        return (0, 255, 0, 255)
    return RED if x < WIDTH // 2 else BLUE


def _study_with_picture(tmp_path: Path, ref: str = "photo.bmp", write: bool = True) -> Path:
    """The single-phase example naming a BMP picture beside it (BMP: the store must keep
    the re-encoded PNG, not the file's bytes)."""
    from PIL import Image

    study = variant(tmp_path, "with-picture", "  name: 单相智能电能表\n",
                    f"  name: 单相智能电能表\n  picture: {ref}\n")  # fmt: skip
    if write:
        img = Image.new("RGBA", (WIDTH, HEIGHT))
        img.putdata([_expected_pixel(x, y) for y in range(HEIGHT) for x in range(WIDTH)])
        img.convert("RGB").save(study.parent / ref, format="BMP")
    return study


def _is_the_picture(png: bytes) -> bool:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        if img.format != "PNG" or img.size != (WIDTH, HEIGHT):
            return False
        rgba = img.convert("RGBA")
        return all(
            rgba.getpixel((x, y)) == _expected_pixel(x, y)
            for y in range(HEIGHT)
            for x in range(WIDTH)
        )


def _embedded_pngs(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


def _draft(store: Store, actor: Actor, rev: str, out: Path) -> tuple[str, tuple[str, ...]]:
    """A draft report issued from the stored revision: its HTML, and the notes."""
    issued = issue_stored_revision(
        lambda: UnitOfWork(store),
        actor,
        rev,
        IssueRequest(pdf=out / "draft.pdf", html=out / "draft.html", full=False),
    )
    return (out / "draft.html").read_text(encoding="utf-8"), issued.notes


def test_report_from_a_stored_revision_shows_the_saved_picture(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    study = _study_with_picture(tmp_path)
    saved = save_study(UnitOfWork(store), actor, study)
    assert saved.created and saved.notes == ()
    with UnitOfWork(store, write=False) as uow:
        row = uow.session.get(StudyRevision, saved.revision_id)
        assert row is not None and row.picture_media_type == "image/png"
        assert row.picture_sha256 is not None
        kept = uow.revisions.blob(row.picture_sha256)
    assert kept is not None and _is_the_picture(kept)
    shutil.rmtree(study.parent)  # the report reads nothing beside the study
    out = tmp_path / "out"
    out.mkdir()
    html, notes = _draft(store, actor, saved.revision_id, out)
    assert notes == ()
    assert sum(_is_the_picture(png) for png in _embedded_pngs(html)) == 1
    if shutil.which("pdfimages"):  # the PDF carries it as an image XObject of its size
        listing = subprocess.run(
            ["pdfimages", "-list", str(out / "draft.pdf")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        sizes = {tuple(line.split()[3:5]) for line in listing.splitlines()[2:]}
        assert (str(WIDTH), str(HEIGHT)) in sizes


def test_the_picture_survives_export_and_import(store: Store, actor: Actor, tmp_path: Path) -> None:
    saved = save_study(UnitOfWork(store), actor, _study_with_picture(tmp_path))
    f = tmp_path / "backup.jsonl"
    with f.open("w", encoding="utf-8") as fh:
        export_jsonl(UnitOfWork(store, write=False), fh)
    other = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        other.upgrade()
        import_jsonl(UnitOfWork(other), actor, f)
        with UnitOfWork(other, write=False) as uow:
            row = uow.session.get(StudyRevision, saved.revision_id)
            assert row is not None and row.picture_sha256 is not None
            assert row.picture_media_type == "image/png"
            kept = uow.revisions.blob(row.picture_sha256)
        assert kept is not None and _is_the_picture(kept)
    finally:
        other.dispose()


def test_a_picture_that_cannot_be_kept_is_said_at_save_and_at_issue(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    study = _study_with_picture(tmp_path, "missing.png", write=False)
    saved = save_study(UnitOfWork(store), actor, study)
    assert saved.created  # the study itself is saved
    assert len(saved.notes) == 1 and "picture was not stored" in saved.notes[0]
    assert "missing.png" in saved.notes[0] and saved.to_dict()["notes"] == list(saved.notes)
    out = tmp_path / "out"
    out.mkdir()
    html, notes = _draft(store, actor, saved.revision_id, out)
    assert len(notes) == 1 and "'missing.png'" in notes[0] and "no picture" in notes[0]
    assert '<td class="picture"><img' not in html


def test_a_study_without_picture_says_nothing(store: Store, actor: Actor) -> None:
    from .conftest import SP

    saved = save_study(UnitOfWork(store), actor, SP)
    assert saved.notes == ()
    with UnitOfWork(store, write=False) as uow:
        row = uow.session.get(StudyRevision, saved.revision_id)
        assert row is not None and row.picture_sha256 is None and row.picture_media_type is None


def test_database_before_the_migration_asks_for_upgrade_then_has_the_picture_columns(
    db_url: str,
) -> None:
    from alembic import command

    from tanzuji.errors import SchemaVersionError
    from tanzuji.store.engine import _alembic_config

    s = open_store(db_url)
    try:
        with s.write_engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "authority01")  # before this change
        with s.write_engine.connect() as conn:
            cols = {c["name"] for c in inspect(conn).get_columns("study_revisions")}
        assert "picture_sha256" not in cols
        with pytest.raises(SchemaVersionError, match=r"tanzuji db upgrade"):
            s.check_schema()
        s.upgrade()
        s.check_schema()
        with s.write_engine.connect() as conn:
            cols = {c["name"] for c in inspect(conn).get_columns("study_revisions")}
            fks = inspect(conn).get_foreign_keys("study_revisions")
        assert {"picture_sha256", "picture_media_type"} <= cols
        assert any(
            fk["constrained_columns"] == ["picture_sha256"] and fk["referred_table"] == "blobs"
            for fk in fks
        )
        with s.write_engine.begin() as conn:  # and back
            command.downgrade(_alembic_config(conn), "authority01")
        with s.write_engine.connect() as conn:
            cols = {c["name"] for c in inspect(conn).get_columns("study_revisions")}
        assert "picture_sha256" not in cols
    finally:
        s.dispose()
