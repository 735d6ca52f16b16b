"""Fixtures for the whole suite (at the repository root, so that doctest collection of
``tests/`` does not import it as a second top-level ``conftest`` module)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user data folder, so the default database (and anything else
    kept there) is never the real user's nor shared with other tests or checkouts."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
