"""Safe writes and bounded reads (tanzuji.fileio) and the file policy for study references."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tanzuji.errors import InputError, TanzujiError
from tanzuji.fileio import read_bounded, resolve_inside, write_atomic, write_atomic_many


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_device_or_pipe_is_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.pdf"
    os.mkfifo(fifo)
    with pytest.raises(TanzujiError, match=r"不是普通文件|not a regular file"):
        write_atomic(fifo, b"%PDF")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert _leftovers(tmp_path) == []


def test_failure_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "r.pdf", broken)
    assert list(tmp_path.iterdir()) == []


def test_data_is_fsynced_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1]
    )
    write_atomic(tmp_path / "r.txt", "x")
    assert calls.index("fsync") < calls.index("replace")


def test_a_pair_is_written_all_or_nothing(tmp_path: Path) -> None:
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    html.write_text("old html")
    pdf.write_text("old pdf")

    def broken(tmp: Path) -> None:
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        write_atomic_many([(html, "new html"), (pdf, broken)])
    assert (html.read_text(), pdf.read_text()) == ("old html", "old pdf")
    write_atomic_many([(html, "new html"), (pdf, "new pdf")])
    assert (html.read_text(), pdf.read_text()) == ("new html", "new pdf")
    assert _leftovers(tmp_path) == []


def test_sigterm_removes_the_temporary_file(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from tanzuji.fileio import write_atomic

        def slow(tmp):
            tmp.write_bytes(b"partial")
            Path({str(tmp_path / "started")!r}).write_text("1")
            time.sleep(60)

        write_atomic(Path({str(tmp_path / "r.pdf")!r}), slow)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while not (tmp_path / "started").exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == -signal.SIGTERM
    assert [p.name for p in tmp_path.iterdir()] == ["started"]


def test_reads_are_bounded_and_regular_files_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_bounded(Path("/dev/zero"), 1000)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match="too large"):
        read_bounded(big, 1000)
    assert read_bounded(big, 2000) == b"x" * 2000


def test_references_stay_inside_the_study_folder_or_library_dirs(tmp_path: Path) -> None:
    study, libs, outside = tmp_path / "study", tmp_path / "libs", tmp_path / "outside"
    for d in (study, libs, outside):
        d.mkdir()
    (outside / "secret.yaml").write_text("root:x:0:0")
    (study / "link.yaml").symlink_to(outside / "secret.yaml")
    (libs / "lib.yaml").write_text("library: {}")
    for ref in ("../outside/secret.yaml", str(outside / "secret.yaml"), "link.yaml", "/etc/passwd"):
        with pytest.raises(InputError, match="outside the study's folder") as info:
            resolve_inside(ref, study)
        assert "root:x" not in str(info.value)
    assert resolve_inside(str(libs / "lib.yaml"), study, [libs]) == (libs / "lib.yaml").resolve()
    with pytest.raises(InputError, match="at most 1024"):
        resolve_inside("x" * 5000, study)


def test_a_name_longer_than_the_file_system_allows_is_refused(tmp_path: Path) -> None:
    # found by `make fuzz`: resolve() accepted it and the later stat() raised ENAMETOOLONG
    for ref in ("x" * 256 + ".yaml", "sub/" + "库" * 86 + ".yaml"):  # 256 and 258 bytes
        with pytest.raises(InputError, match=r"255"):
            resolve_inside(ref, tmp_path, what="picture")
    (tmp_path / ("x" * 250 + ".yaml")).write_text("x")
    assert resolve_inside("x" * 250 + ".yaml", tmp_path).is_file()  # 255 bytes still fine
