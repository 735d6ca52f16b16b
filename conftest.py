"""Fixtures for the whole suite (at the repository root, so that doctest collection of
``tests/`` does not import it as a second top-level ``conftest`` module)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user data folder, so the default database (and anything else
    kept there) is never the real user's nor shared with other tests or checkouts."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def tanzuji_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """Run the console entry point ``tanzuji.cli:main`` in-process: (exit code, out, err).

    ``main()`` is what maps user errors to one line each and exit status 1, so it is called
    (not ``app``) with ``sys.argv`` patched; ``SystemExit`` gives the status. The test
    folders' own runner fixtures wrap this one.
    """
    from tanzuji.cli import main

    def run(*args: Any) -> tuple[int, str, str]:
        capsys.readouterr()  # drop anything printed earlier
        monkeypatch.setattr(sys, "argv", ["tanzuji", *(str(a) for a in args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
