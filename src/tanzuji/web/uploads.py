"""Uploaded study files: size limits, zip-bomb-safe workbooks, server-chosen file names.

An upload is written under a fresh temporary directory as ``study.<ext>``; the user's
file name is only shown back to the user (as the ``file`` of an error), never used as
a path.

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

__all__ = ["STUDY_SUFFIXES", "check_zip", "study_upload", "suffix_of", "upload_root"]

STUDY_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
MAX_ZIP_ENTRIES = 2000
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 200


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
    shown = PurePath((filename or "upload").replace("\\", "/")).name or "upload"
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
