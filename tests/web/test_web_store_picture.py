"""Saving a study with its product picture from the web (the upload page and the JSON API):
the picture the study names in ``product.picture`` is uploaded beside it, kept with the
revision (re-encoded PNG) and shown in reports issued from it; a missing picture is said
to the user; a bad picture name, a file that is not an image or a picture of too many
pixels is refused with the field named, and nothing is saved or written elsewhere."""

from __future__ import annotations

import base64
import html as htmlmod
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import EXAMPLES
from .storekit import StoreWorld, login, store_client
from .test_web_issue import assert_one_language

WIDTH, HEIGHT = 24, 16


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    """The test picture: left half red, right half blue, one green pixel at (3, 5)."""
    if (x, y) == (3, 5):
        return (0, 255, 0, 255)
    return (255, 0, 0, 255) if x < WIDTH // 2 else (0, 0, 255, 255)


def picture_bytes(fmt: str = "BMP") -> bytes:
    """The test picture as a file (BMP by default: what is kept must be a re-encoded PNG,
    not the uploaded bytes)."""
    from PIL import Image

    img = Image.new("RGBA", (WIDTH, HEIGHT))
    img.putdata([_pixel(x, y) for y in range(HEIGHT) for x in range(WIDTH)])
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format=fmt)
    return buf.getvalue()


def is_the_picture(png: bytes) -> bool:
    """Whether ``png`` is a PNG of the test picture's size and pixels (decoded by Pillow
    here, independently of the program)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        if img.format != "PNG" or img.size != (WIDTH, HEIGHT):
            return False
        rgba = img.convert("RGBA")
        return all(
            rgba.getpixel((x, y)) == _pixel(x, y) for y in range(HEIGHT) for x in range(WIDTH)
        )


def study_naming(ref: str | None) -> bytes:
    """The single-phase example study, naming ``ref`` as its product picture."""
    text = (EXAMPLES / "single-phase-meter" / "study.yaml").read_text(encoding="utf-8")
    if ref is not None:
        text = text.replace(
            "  name: 单相智能电能表\n", f"  name: 单相智能电能表\n  picture: {ref}\n"
        )
    return text.encode("utf-8")


def save_page(c: TestClient, token: str, study: bytes, picture: tuple[str, bytes] | None) -> Any:
    """Save through the upload page's form, as htmx sends it."""
    files: dict[str, Any] = {"file": ("研究.yaml", study)}
    if picture is not None:
        files["picture"] = picture
    return c.post(
        "/studies", files=files, data={"csrf_token": token}, headers={"HX-Request": "true"}
    )


def save_api(c: TestClient, token: str, study: bytes, picture: tuple[str, bytes] | None) -> Any:
    files: dict[str, Any] = {"file": ("s.yaml", study)}
    if picture is not None:
        files["picture"] = picture
    return c.post("/api/studies", files=files, headers={"X-CSRF-Token": token})


def stored_picture(world: StoreWorld, rev: str) -> bytes | None:
    """The picture blob the store keeps with revision ``rev`` (read from the store)."""
    from tanzuji.store import UnitOfWork

    with UnitOfWork(world.store, write=False) as uow:
        row = uow.revisions.get(rev)
        if row.picture_sha256 is None:
            return None
        assert row.picture_media_type == "image/png"
        blob = uow.revisions.blob(row.picture_sha256)
        assert blob is not None
        return bytes(blob)


def nothing_saved(c: TestClient) -> bool:
    return c.get("/api/products").json() == []


def errors_of(page: str) -> list[dict[str, str]]:
    """The rows of an ``_errors.html`` fragment: file, field path and message."""
    rows = []
    for row in re.findall(r'(?s)<tr class="error-row">(.*?)</tr>', page):
        cells = dict(re.findall(r'<td class="(\w+)">([^<]*)</td>', row))
        rows.append({k: htmlmod.unescape(v) for k, v in cells.items()})
    return rows


# ------------------------------------------------------------------ the upload page


def test_web_page_keeps_the_uploaded_picture_and_reports_show_it(
    c: TestClient, world: StoreWorld, tmp_path: Path
) -> None:
    token = login(c, "ed@maker.example")
    r = save_page(c, token, study_naming("photo.png"), ("我的照片.bmp", picture_bytes()))
    assert r.status_code == 204, r.text
    target = r.headers["HX-Redirect"]
    rev = target.rsplit("/", 1)[1]
    png = stored_picture(world, rev)
    assert png is not None and is_the_picture(png)
    doc = c.get(f"/api/revisions/{rev}").json()
    assert doc["revision"]["picture_sha256"] is not None
    page = c.get(target).text
    assert 'id="picture-kept"' in page and 'id="picture-missing"' not in page
    # a report issued from the revision embeds the very picture
    from tanzuji.services.context import Actor
    from tanzuji.services.issue import IssueRequest
    from tanzuji.services.issuing import issue_stored_revision
    from tanzuji.store import UnitOfWork

    issued = issue_stored_revision(
        lambda: UnitOfWork(world.store),
        Actor(user="ed@maker.example", org="maker"),
        rev,
        IssueRequest(pdf=tmp_path / "draft.pdf", html=tmp_path / "draft.html", full=False),
    )
    assert issued.notes == ()
    html = (tmp_path / "draft.html").read_text(encoding="utf-8")
    embedded = re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)
    assert any(is_the_picture(base64.b64decode(b)) for b in embedded)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("empty_part", [False, True], ids=["no-part", "empty-part"])
def test_web_page_without_the_picture_saves_and_says_so(
    c: TestClient, world: StoreWorld, lang: str, empty_part: bool
) -> None:
    """A browser sends an empty part for a file input left empty: the same as none."""
    token = login(c, "ed@maker.example", lang)
    r = save_page(c, token, study_naming("photo.png"), ("", b"") if empty_part else None)
    assert r.status_code == 200 and 'id="saved"' in r.text, r.text
    notes = re.findall(r'<li class="warn">([^<]+)</li>', r.text)
    expected = {
        "zh": "研究指定了产品图片 photo.png，但未随研究上传该图片",
        "en": "the study names the product picture photo.png, but it was not uploaded",
    }
    assert len(notes) == 1 and expected[lang] in htmlmod.unescape(notes[0]), r.text
    assert_one_language(r.text, lang)
    link = re.search(r'href="(/revisions/[0-9a-f]{64})"', r.text)
    assert link is not None
    rev = link.group(1).rsplit("/", 1)[1]
    assert stored_picture(world, rev) is None
    # the study page says so too, in the session's language
    page = htmlmod.unescape(c.get(link.group(1)).text)
    missing = re.search(r'<p class="warn" id="picture-missing"[^>]*>([^<]+)</p>', page)
    assert missing is not None and "photo.png" in missing.group(1)
    assert_one_language(missing.group(1), lang)


@pytest.mark.parametrize(
    "ref", ["../x.png", "sub/../../x.png", "ABSOLUTE", "a\\b.png", ".hidden.png", "研究.yaml"]
)
def test_web_page_refuses_a_picture_name_outside_the_upload(
    c: TestClient, world: StoreWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: str
) -> None:
    """The name the study gives may not place the picture outside the upload's own folder
    (nor over the study file): refused with the field named, nothing saved, nothing
    written anywhere."""
    root = tmp_path / "uploads" / "root"
    root.mkdir(parents=True)
    monkeypatch.setattr("tanzuji.web.uploads.upload_root", lambda: str(root))
    if ref == "ABSOLUTE":
        ref = str(tmp_path / "uploads" / "abs.png")
    if ref == "研究.yaml":
        ref = "study.yaml"  # the server's own name of the uploaded study
    token = login(c, "ed@maker.example")
    r = save_page(c, token, study_naming(ref), ("photo.png", picture_bytes("PNG")))
    assert r.status_code == 200 and 'id="errors"' in r.text, r.text
    [error] = errors_of(r.text)
    assert error["file"] == "photo.png" and error["path"] == "product.picture", error
    assert "产品图片名" in error["message"], error
    assert nothing_saved(c)
    assert list(root.iterdir()) == []  # the upload's folder is gone
    assert [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_web_page_refuses_a_picture_when_the_study_names_none(
    c: TestClient, world: StoreWorld, lang: str
) -> None:
    token = login(c, "ed@maker.example", lang)
    r = save_page(c, token, study_naming(None), ("photo.png", picture_bytes("PNG")))
    assert r.status_code == 200 and 'id="errors"' in r.text, r.text
    [error] = errors_of(r.text)
    assert error["file"] == "photo.png" and error["path"] == "product.picture", error
    expected = {"zh": "研究未指定产品图片", "en": "the study names none"}
    assert expected[lang] in error["message"], error
    assert nothing_saved(c)


def _too_many_pixels() -> bytes:
    """A PNG of 30 million pixels (small as a file: one bit a pixel, all black)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (6000, 5000)).save(buf, format="PNG")
    return buf.getvalue()


BAD_PICTURES = {
    "not-an-image": (
        lambda: b"%PDF-1.7 this is not a picture\n",
        {"zh": "无法读取的图片", "en": "not a readable picture"},
    ),
    "too-many-pixels": (
        _too_many_pixels,
        {"zh": "6000×5000 像素", "en": "6000×5000 pixels"},
    ),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", sorted(BAD_PICTURES))
def test_web_page_refuses_a_picture_it_cannot_keep(
    c: TestClient, world: StoreWorld, kind: str, lang: str
) -> None:
    make, expected = BAD_PICTURES[kind]
    token = login(c, "ed@maker.example", lang)
    r = save_page(c, token, study_naming("photo.png"), ("photo.png", make()))
    assert r.status_code == 200 and 'id="errors"' in r.text, r.text
    [error] = errors_of(r.text)
    assert error["file"] == "photo.png" and error["path"] == "product.picture", error
    head = {"zh": "上传的产品图片不可用", "en": "the uploaded product picture"}
    assert head[lang] in error["message"] and expected[lang] in error["message"], error
    assert nothing_saved(c)


# ------------------------------------------------------------------ the JSON API


def test_web_api_keeps_the_uploaded_picture(c: TestClient, world: StoreWorld) -> None:
    token = login(c, "ed@maker.example")
    r = save_api(c, token, study_naming("images/photo.png"), ("p.jpg", picture_bytes("PNG")))
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["notes"] == []
    png = stored_picture(world, saved["revision"])
    assert png is not None and is_the_picture(png)
    doc = c.get(f"/api/revisions/{saved['revision']}").json()
    assert doc["revision"]["picture_sha256"] is not None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_web_api_without_the_picture_saves_with_a_note(
    c: TestClient, world: StoreWorld, lang: str
) -> None:
    token = login(c, "ed@maker.example", lang)
    r = save_api(c, token, study_naming("photo.png"), None)
    assert r.status_code == 201, r.text
    saved = r.json()
    expected = {"zh": "未随研究上传该图片", "en": "it was not uploaded with the study"}
    assert len(saved["notes"]) == 1 and expected[lang] in saved["notes"][0], saved
    assert stored_picture(world, saved["revision"]) is None


@pytest.mark.parametrize(
    ("ref", "picture", "message"),
    [
        ("../x.png", picture_bytes("PNG"), "产品图片名"),
        (None, picture_bytes("PNG"), "研究未指定产品图片"),
        ("photo.png", b"GIF89a but not really", "无法读取的图片"),
        ("photo.png", _too_many_pixels(), "6000×5000 像素"),
    ],
    ids=["traversal", "not-named", "not-an-image", "too-many-pixels"],
)
def test_web_api_refuses_a_picture_it_cannot_keep(
    c: TestClient, world: StoreWorld, ref: str | None, picture: bytes, message: str
) -> None:
    token = login(c, "ed@maker.example")
    r = save_api(c, token, study_naming(ref), ("photo.png", picture))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["file"] == "photo.png" and error["path"] == "product.picture", error
    assert message in error["message"], error
    assert nothing_saved(c)


def test_web_api_picture_counts_against_the_upload_limit(world: StoreWorld) -> None:
    """The study and the picture together may not pass ``max_upload_bytes``; a picture
    over the report's own byte limit is refused with the field named."""
    from tanzuji.report.assets import MAX_PICTURE_BYTES

    study = study_naming("photo.png")
    picture = picture_bytes("PNG")
    limit = len(study) + len(picture) - 1  # each fits alone, not both
    with store_client(world, max_upload_bytes=limit) as c:
        token = login(c, "ed@maker.example", "en")
        r = save_api(c, token, study, ("photo.png", picture))
        assert r.status_code == 413, r.text
        assert "the study file and the product picture together" in r.text
        assert nothing_saved(c)
    with store_client(world, max_upload_bytes=MAX_PICTURE_BYTES + 1_000_000) as c:
        token = login(c, "ed@maker.example", "en")
        big = picture + b"\0" * (MAX_PICTURE_BYTES + 1 - len(picture))
        r = save_api(c, token, study, ("photo.png", big))
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["file"] == "photo.png" and error["path"] == "product.picture", error
        assert f"at most {MAX_PICTURE_BYTES} bytes" in error["message"], error
        assert nothing_saved(c)
