"""Uploaded study files: size limits, zip-bomb-safe workbooks, server-chosen file names.

An upload is written under a fresh temporary directory as ``study.<ext>``; the user's
file name is only shown back to the user (as the ``file`` of an error), never used as
a path. A product picture uploaded with the study is written into that directory under
the name the study gives in ``product.picture`` (:func:`place_picture`), so the picture
is found beside the study as on the command line; only a plain relative name inside the
directory is accepted.

>>> import io, zipfile
>>> buf = io.BytesIO()
>>> with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
...     z.writestr("xl/big.xml", "0" * 2_000_000)
>>> check_zip(buf.getvalue(), max_unpacked=1_000_000)
Traceback (most recent call last):
...
tanzuji.errors.InputError: 工作簿解压后超过 1000000 字节
>>> suffix_of("我的研究.XLSX"), suffix_of("../../etc/passwd")
('.xlsx', None)
>>> plain_picture_name("img/photo.png"), plain_picture_name("../photo.png")
(True, False)
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

from tanzuji.errors import InputError
from tanzuji.i18n import tr

__all__ = [
    "PICTURE_FIELD",
    "STUDY_SUFFIXES",
    "check_zip",
    "place_picture",
    "plain_picture_name",
    "shown_name",
    "study_upload",
    "suffix_of",
    "upload_root",
]

STUDY_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
MAX_ZIP_ENTRIES = 2000
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 200
#: The study field that names the product picture (shown in errors: the user writes it).
PICTURE_FIELD = "product.picture"
_ODD = set('\\:*?"<>|')
MAX_PICTURE_DEPTH = 4


def shown_name(filename: str | None, default: str = "upload") -> str:
    """The last part of an uploaded file's name, only ever shown back to the user."""
    return PurePath((filename or default).replace("\\", "/")).name or default


def suffix_of(filename: str | None) -> str | None:
    """The allowed study suffix of an uploaded file's name, else ``None``."""
    if not filename:
        return None
    suffix = PurePath(filename.replace("\\", "/")).suffix.lower()
    return suffix if suffix in STUDY_SUFFIXES else None


def check_zip(data: bytes, *, max_unpacked: int = MAX_UNPACKED) -> None:
    """Refuse archives that unpack too large, too many entries, or compress suspiciously."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise InputError(
            tr(
                "不是 Excel 工作簿（.xlsx 文件是 zip 压缩包）",
                "not an Excel workbook (.xlsx is a zip archive)",
            )
        ) from None
    if len(infos) > MAX_ZIP_ENTRIES:
        n = MAX_ZIP_ENTRIES
        text = tr(f"工作簿的组成部分超过 {n} 个", f"the workbook has more than {n} parts")
        raise InputError(text)
    total = sum(i.file_size for i in infos)
    if total > max_unpacked:
        m = max_unpacked
        raise InputError(
            tr(f"工作簿解压后超过 {m} 字节", f"the workbook unpacks to more than {m} bytes")
        )
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 1 << 20:
            raise InputError(
                tr(
                    "工作簿的压缩率高得可疑（可能是 zip 炸弹）",
                    "the workbook is compressed suspiciously well (zip bomb?)",
                )
            )


@functools.cache
def upload_root() -> str | None:
    """Where uploads are written for the moment they are read: ``TANZUJI_UPLOAD_DIR``, else
    ``/dev/shm`` (memory: a few milliseconds less per upload than a disk-backed ``/tmp``),
    else the system's temporary directory. Each upload gets its own 0700 directory."""
    given = os.environ.get("TANZUJI_UPLOAD_DIR")
    if given:
        return given
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


@contextmanager
def study_upload(data: bytes, filename: str | None, *, max_bytes: int) -> Iterator[Path]:
    """A temporary ``study.<ext>`` holding ``data``; removed afterwards."""
    shown = shown_name(filename)
    suffix = suffix_of(filename)
    if suffix is None:
        zh, en = "、".join(STUDY_SUFFIXES), ", ".join(STUDY_SUFFIXES)
        text = tr(f"应为研究文件（扩展名为 {zh}）", f"expected a study file ending in {en}")
        raise InputError(text, file=shown)
    if len(data) > max_bytes:
        n = max_bytes
        raise InputError(tr(f"文件超过 {n} 字节", f"the file is larger than {n} bytes"), file=shown)
    if suffix == ".xlsx":
        try:
            check_zip(data)
        except InputError as exc:
            raise exc.with_location(file=shown) from None
    tmp = Path(tempfile.mkdtemp(prefix="tzj-upload-", dir=upload_root()))
    try:
        path = tmp / f"study{suffix}"
        path.write_bytes(data)
        yield path
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def plain_picture_name(ref: str) -> bool:
    """Whether ``ref`` is a plain relative file name (at most a few folders deep): no
    absolute path, no ``.``/``..`` or hidden parts, no backslash, colon, wildcard or
    control character."""
    if not ref or ref.startswith("/") or any(ch in _ODD or _control(ch) for ch in ref):
        return False
    parts = ref.split("/")
    if len(parts) > MAX_PICTURE_DEPTH:
        return False
    return all(part.strip() == part and part and not part.startswith(".") for part in parts)


def place_picture(folder: Path, ref: object, data: bytes, shown: str) -> Path:
    """Write the uploaded product picture into the upload's own ``folder`` under the name
    the study gives in ``product.picture``; the path written.

    The name must be a plain relative name (:func:`plain_picture_name`) that the study
    file policy (:func:`tanzuji.fileio.resolve_inside`) places inside ``folder`` and that
    names no file already there (the study itself); nothing is ever written elsewhere.
    Errors name the uploaded picture (``file``) and the study field (``path``).
    """
    from tanzuji.fileio import resolve_inside

    if not isinstance(ref, str) or not ref.strip():
        raise InputError(
            tr(
                "上传了产品图片，但研究未指定产品图片；应在研究的 product.picture 中写明"
                "图片文件名（如 picture: photo.png）后再保存",
                "a product picture was uploaded, but the study names none; expected the "
                "picture's file name in the study's product.picture (e.g. picture: photo.png)",
            ),
            file=shown,
            path=PICTURE_FIELD,
        )
    bad = InputError(
        tr(
            "研究指定的产品图片名不可用于上传的图片；应为简单的相对文件名（如 photo.png 或 "
            "images/photo.png），不得为绝对路径，不得含 ..、以点开头的部分、反斜杠或特殊字符",
            "the study's picture name cannot take the uploaded picture; expected a plain "
            "relative file name (e.g. photo.png or images/photo.png): no absolute path, no "
            "'..' or parts starting with a dot, no backslash or special characters",
        ),
        file=shown,
        path=PICTURE_FIELD,
        got=ref,
    )
    if not plain_picture_name(ref):
        raise bad
    try:
        target = resolve_inside(ref, folder, what="picture")
    except InputError:
        raise bad from None
    if target.exists():  # the study file itself
        raise InputError(
            tr(
                "研究指定的产品图片名与研究文件本身同名；应为图片文件的名称（如 photo.png）",
                "the study's picture name is the name of the study file itself; expected the "
                "name of the picture file (e.g. photo.png)",
            ),
            file=shown,
            path=PICTURE_FIELD,
            got=ref,
        )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, flags, 0o600)
    except OSError:  # a folder part that is the study file, say
        raise bad from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return target


def _control(ch: str) -> bool:
    return ord(ch) < 32 or ord(ch) == 127
