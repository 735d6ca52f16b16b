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

__all__ = ["write_atomic"]


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
