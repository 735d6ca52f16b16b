"""Fixtures of the command-line suite: an isolated user (no config, no TANZUJI_* env)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clihelpers import Res


@pytest.fixture(autouse=True)
def isolated_user(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No config file, no TANZUJI_* variables: every test starts from the defaults."""
    home = tmp_path_factory.mktemp("home")
    for key in list(os.environ):
        if key.startswith("TANZUJI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def run(tanzuji_main: Callable[..., tuple[int, str, str]]) -> Callable[..., Res]:
    """Run the console entry point in-process (error mapping included)."""

    def go(*args: Any) -> Res:
        return Res(*tanzuji_main(*args))

    return go
