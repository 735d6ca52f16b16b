"""Writing files whole or not at all (an adapter helper; the pure core never writes files).

>>> import tempfile
>>> target = Path(tempfile.mkdtemp()) / "sub" / "r.txt"
>>> write_atomic(target, "碳足迹")
>>> target.read_text(encoding="utf-8"), [p.name for p in target.parent.iterdir()]
('碳足迹', ['r.txt'])
>>> oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
True
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from tanzuji.errors import OutputError
from tanzuji.i18n import tr

__all__ = ["check_output_dir", "check_output_path", "write_atomic"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The existing file's permissions, else the usual ones for a new file (umask applied)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    return 0o666 & ~_umask()


def write_atomic(
    path: Path,
    content: bytes | str | Callable[[Path], None],
    *,
    mode: int | None = None,
) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then a rename.

    ``content`` is text (written as UTF-8), bytes, or a function that writes the
    temporary file it is given (e.g. ``workbook.save``). The file gets ``mode`` if given,
    else the permissions of the file it replaces, else the usual ones for a new file.
    The temporary file is created 0600, so a private file is never readable by others.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    tmp = Path(name)
    try:
        if callable(content):
            os.close(fd)
            content(tmp)
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(tmp, _mode_for(path) if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_output_path(path: Path, suffixes: tuple[str, ...], *, force: bool = False) -> Path:
    """Check, before any work, that ``path`` may be written; return it.

    * its suffix must be one of ``suffixes`` (case-insensitive; empty: any suffix);
    * its directory must exist (it is not created);
    * an existing file is replaced only with ``force``; a directory is never replaced.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> check_output_path(d / "r.pdf", (".pdf",)).name
    'r.pdf'
    >>> check_output_path(d / "r.docx", (".pdf",))
    Traceback (most recent call last):
    ...
    tanzuji.errors.OutputError: .../r.docx: 输出文件的扩展名应为 .pdf
    >>> _ = (d / "r.pdf").write_text("x")
    >>> check_output_path(d / "r.pdf", (".pdf",))
    Traceback (most recent call last):
    ...
    tanzuji.errors.OutputError: .../r.pdf: 文件已存在；加 --force 才会覆盖
    >>> check_output_path(d / "r.pdf", (".pdf",), force=True).name
    'r.pdf'
    >>> check_output_path(d / "no" / "r.pdf", (".pdf",))
    Traceback (most recent call last):
    ...
    tanzuji.errors.OutputError: .../no/r.pdf: 目录不存在：...
    """
    name = str(path)
    if suffixes and path.suffix.lower() not in {s.lower() for s in suffixes}:
        wanted = " / ".join(suffixes)
        raise OutputError(
            tr(f"输出文件的扩展名应为 {wanted}", f"the output file should end in {wanted}"),
            file=name,
        )
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(
            tr(
                f"目录不存在：{parent}（不会自动创建）",
                f"the directory {parent} does not exist (it is not created)",
            ),
            file=name,
        )
    if path.is_dir():
        raise OutputError(
            tr("这是一个目录，不是文件", "this is a directory, not a file"), file=name
        )
    if path.exists() and not force:
        raise OutputError(
            tr("文件已存在；加 --force 才会覆盖", "the file exists; add --force to replace it"),
            file=name,
        )
    return path


def check_output_dir(path: Path, *, force: bool = False) -> Path:
    """Check an output directory: its parent must exist; an existing non-empty one needs
    ``force`` (its files may be replaced).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> check_output_dir(d / "out").name
    'out'
    >>> _ = (d / "x.txt").write_text("x")
    >>> check_output_dir(d)
    Traceback (most recent call last):
    ...
    tanzuji.errors.OutputError: ...: 目录已存在且非空；加 --force 才会覆盖其中的文件
    """
    name = str(path)
    if path.exists() and not path.is_dir():
        raise OutputError(tr("这不是一个目录", "this is not a directory"), file=name)
    if not path.parent.is_dir():
        raise OutputError(
            tr(
                f"目录不存在：{path.parent}（不会自动创建）",
                f"the directory {path.parent} does not exist (it is not created)",
            ),
            file=name,
        )
    if path.is_dir() and any(path.iterdir()) and not force:
        raise OutputError(
            tr(
                "目录已存在且非空；加 --force 才会覆盖其中的文件",
                "the directory exists and is not empty; add --force to replace its files",
            ),
            file=name,
        )
    return path
