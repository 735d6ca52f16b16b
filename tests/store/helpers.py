"""Helpers shared by the store tests."""

from __future__ import annotations

from pathlib import Path

from .conftest import SP


def variant(tmp_path: Path, name: str, old: str, new: str, src: Path = SP) -> Path:
    """A copy of an example study with one text replacement (must occur exactly once)."""
    text = src.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    d = tmp_path / name
    d.mkdir(parents=True, exist_ok=True)
    out = d / "study.yaml"
    out.write_text(text.replace(old, new), encoding="utf-8")
    return out


PCB_OLD = "quantity: 0.0135"
PCB_NEW = "quantity: 0.0150"
