"""Files in and out (an adapter helper; the pure core never touches files).

Writing: whole or not at all — a temporary file beside the target, fsynced, then renamed over
it; the target must be a regular file (a device node, pipe or directory is never replaced);
temporary files are removed on any failure and on SIGTERM/SIGINT; several files that belong
together (a report's HTML and PDF) are written as a set (:func:`write_atomic_many`).

Reading: :func:`read_bounded` opens regular files only and reads at most the limit (the size a
file reports is not trusted: ``/dev/zero`` reports 0 bytes); :func:`resolve_inside` is the
file policy for references inside a study (docs/robustness.md).

>>> import tempfile
>>> target = Path(tempfile.mkdtemp()) / "sub" / "r.txt"
>>> write_atomic(target, "碳足迹")
>>> target.read_text(encoding="utf-8"), [p.name for p in target.parent.iterdir()]
('碳足迹', ['r.txt'])
>>> oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
True
>>> read_bounded(target, 100)
b'\\xe7\\xa2\\xb3\\xe8\\xb6\\xb3\\xe8\\xbf\\xb9'
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from tanzuji.errors import InputError, OutputError
from tanzuji.i18n import os_reason, tr

__all__ = [
    "MAX_REFERENCE_LENGTH",
    "Content",
    "check_output_dir",
    "check_output_path",
    "read_bounded",
    "resolve_inside",
    "write_atomic",
    "write_atomic_many",
]

Content = bytes | str | Callable[[Path], None]

#: Longest file reference a study may hold (characters).
MAX_REFERENCE_LENGTH = 1024
NAME_MAX = 255  # bytes in one path component on Linux file systems (ext4, xfs, tmpfs)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- reading


def read_bounded(path: Path, limit: int, *, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``; at most ``limit`` bytes are ever read.

    A device, pipe, socket or directory is refused without reading from it; a file that
    turns out larger than ``limit`` is refused. Errors name the file, never its content.
    """
    where = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(tr("文件不存在", "file not found"), file=where) from None
    except IsADirectoryError:
        raise InputError(
            tr("这是一个目录，不是文件", f"is a directory; expected a {what}"), file=where
        ) from None
    except OSError as exc:
        raise InputError(
            tr(f"无法打开文件（{os_reason(exc)}）", f"cannot open the {what} ({os_reason(exc)})"),
            file=where,
        ) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(
                tr("这是一个目录，不是文件", f"is a directory; expected a {what}"), file=where
            )
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                tr("不是普通文件（设备、管道等不读取）", f"not a regular file; expected a {what}"),
                file=where,
            )
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise InputError(
                tr(
                    f"文件过大；最多 {limit} 字节",
                    f"{what} too large; expected at most {limit} bytes",
                ),
                file=where,
            )
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(
            tr(f"无法读取文件（{os_reason(exc)}）", f"cannot read the {what} ({os_reason(exc)})"),
            file=where,
        ) from None
    finally:
        os.close(fd)


def resolve_inside(
    ref: object, base: Path, allowed: Sequence[Path] = (), *, what: str = "file"
) -> Path:
    """The file a study's reference ``ref`` names, if the file policy allows it.

    A reference is a relative path (or an absolute one) that, with every symlink resolved,
    lies inside the study's folder ``base`` or one of the ``allowed`` folders
    (``Config.library_dirs``). The error never echoes more than the reference itself.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "lib.yaml").write_text("x")
    >>> resolve_inside("lib.yaml", d) == (d / "lib.yaml").resolve()
    True
    >>> from tanzuji.i18n import use_lang
    >>> with use_lang("en"):
    ...     resolve_inside("../etc/passwd", d)
    Traceback (most recent call last):
    ...
    tanzuji.errors.InputError: outside the study's folder and the configured library folders; ...
    """
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(tr("应为文件路径（文字）", f"expected the path of a {what} as text"))
    if len(ref) > MAX_REFERENCE_LENGTH or "\x00" in ref:
        raise InputError(
            tr(
                f"路径不可用（最多 {MAX_REFERENCE_LENGTH} 个字符）",
                f"not a usable path of a {what} (at most {MAX_REFERENCE_LENGTH} characters)",
            ),
            got=ref[:40] + "…",
        )
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX for part in Path(ref).parts):
        # a non-strict resolve() accepts it, but every later stat() fails with ENAMETOOLONG
        raise InputError(
            tr(
                f"路径不可用：其中一段名称超过 {NAME_MAX} 字节",
                f"not a usable path of a {what}: a name in it is longer than {NAME_MAX} bytes",
            ),
            got=ref[:40] + "…",
        )
    try:
        target = (base / ref).resolve()
        roots = [base.resolve(), *(Path(a).expanduser().resolve() for a in allowed)]
    except (OSError, RuntimeError, ValueError):
        raise InputError(tr("路径不可用", f"not a usable path of a {what}"), got=ref[:80]) from None
    if not any(target.is_relative_to(root) for root in roots):
        raise InputError(
            tr(
                "位于研究文件夹和设置的因子库文件夹（library_dirs）之外；只能引用其中的文件",
                "outside the study's folder and the configured library folders; expected a path "
                f"of a {what} inside the study's folder (or library_dirs in the settings)",
            ),
            got=ref[:80],
        )
    return target


# --------------------------------------------------------------------------- writing

_LIVE: set[Path] = set()
_LOCK = threading.Lock()


def _remove_live() -> None:
    for tmp in list(_LIVE):
        with contextlib.suppress(OSError):
            tmp.unlink()
    _LIVE.clear()


@contextlib.contextmanager
def _cleanup_on_signals() -> Iterator[None]:
    """While temporary files exist, SIGTERM/SIGINT remove them before the usual action."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        _remove_live()
        old = previous.get(signum)
        if callable(old):
            old(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL if old is None else old)
        os.kill(os.getpid(), signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ValueError, OSError):
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, old)


def _check_target(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(
            tr("不是普通文件，不会替换它", "not a regular file; refusing to replace it"),
            file=str(path),
        )


def _mode_for(path: Path) -> int:
    """The existing file's permissions, else the usual ones for a new file (umask applied)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    return 0o666 & ~_umask()


def _prepare(path: Path, content: Content, mode: int | None) -> Path:
    """Write ``content`` to a fsynced temporary file beside ``path``; return its name."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    tmp = Path(name)
    with _LOCK:
        _LIVE.add(tmp)
    try:
        if callable(content):
            os.close(fd)
            content(tmp)
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path) if mode is None else mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        with _LOCK:
            _LIVE.discard(tmp)
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, content: Content, *, mode: int | None = None) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, fsync, then a rename.

    ``content`` is text (written as UTF-8), bytes, or a function that writes the
    temporary file it is given (e.g. ``workbook.save``). The file gets ``mode`` if given,
    else the permissions of the file it replaces, else the usual ones for a new file.
    The temporary file is created 0600, so a private file is never readable by others.
    A target that exists and is not a regular file (a device, a pipe) is refused.
    """
    write_atomic_many([(Path(path), content)], mode=mode)


def write_atomic_many(items: Sequence[tuple[Path, Content]], *, mode: int | None = None) -> None:
    """Write several files as a set: either all are replaced or none is.

    Every file is first written and fsynced beside its target; only then are they renamed
    into place. If a rename fails, the targets already replaced get their old content back
    (new targets are removed).
    """
    targets = [Path(p) for p, _ in items]
    for p in targets:
        _check_target(p)
    backups: list[tuple[Path, Path | None]] = []
    temps: list[Path] = []
    with _cleanup_on_signals():
        try:
            for p, (_, content) in zip(targets, items, strict=True):
                p.parent.mkdir(parents=True, exist_ok=True)
                temps.append(_prepare(p, content, mode))
            for p, tmp in zip(targets, temps, strict=True):
                backup: Path | None = None
                if p.exists() and len(targets) > 1:
                    backup = p.with_name(f".{p.name}.{os.getpid()}.bak")
                    os.link(p, backup)
                    with _LOCK:
                        _LIVE.add(backup)
                os.replace(tmp, p)
                with _LOCK:
                    _LIVE.discard(tmp)
                backups.append((p, backup))
            for p in {p.parent for p in targets}:
                _fsync_dir(p)
        except BaseException:
            for p, backup in reversed(backups):  # undo the renames already done
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, p)
                    else:
                        p.unlink()
            for tmp in temps:
                tmp.unlink(missing_ok=True)
            raise
        finally:
            with _LOCK:
                for tmp in temps:
                    _LIVE.discard(tmp)
                for _, backup in backups:
                    if backup is not None:
                        _LIVE.discard(backup)
                        backup.unlink(missing_ok=True)


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
