"""The one-pass YAML reader gives exactly what the full safe loader gives (issue 9: speed).

The expected data come from PyYAML's own loader (a second, independent method); an input the
fast path leaves to the full loader must end in the same data or the same error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from tanzuji.errors import InputError
from tanzuji.jsonio import read_document
from tanzuji.jsonio.documents import MAX_DEPTH, _Fallback, _load_yaml_fast

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "a: 1\nb: [yes, no, ~, 2025-01-02, 0x1F, 0o17, 1_000, 1:30, .inf, -.5, '1', \"x\", on]\n",
    "~: 1\nb: 2\n",  # a null key is not the marker of a list
    "- - - 1\n  - 2\n",
    "",
    "# only a comment\n",
    "x",
    "a:\n  ? b\n",
    "[1, {a: [2, {b: c}]}]",
    "t: 2025-01-02T03:04:05Z\n",
    "k: {}\nl: []\n",
    "名称: 电能表\n数量: 1e3\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_fast_path_builds_what_the_safe_loader_builds(text: str) -> None:
    assert _load_yaml_fast(text, "f.yaml") == yaml.safe_load(text)


def test_dates_and_booleans_are_the_same_objects() -> None:
    data = _load_yaml_fast("d: 2025-03-01\nb: yes\nn: ~\n", "f.yaml")
    assert data == {"d": dt.date(2025, 3, 1), "b": True, "n": None}


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",  # a merge key
        "<<: {x: 1}\n",  # a merge key without an alias
        "a: 1\na: 2\n",  # a duplicate key
        "? [1, 2]\n: x\n",  # a complex key
        "a: 1\n---\nb: 2\n",  # two documents
        "id: 0x_\n",  # an unreadable literal
        "id: !!str 1\n",  # an explicit tag
    ],
)
def test_what_the_fast_path_leaves_to_the_full_loader(text: str) -> None:
    with pytest.raises(_Fallback):
        _load_yaml_fast(text, "f.yaml")


def test_an_alias_is_expanded_by_the_full_loader(tmp_path: Path) -> None:
    p = tmp_path / "a.yaml"
    p.write_text("a: &x [1, 2]\nb: *x\n", encoding="utf-8")
    assert read_document(p).data == {"a": [1, 2], "b": [1, 2]}


def test_a_duplicate_key_is_reported_with_its_line(tmp_path: Path) -> None:
    p = tmp_path / "d.yaml"
    p.write_text("id: a\nx: 1\nx: 2\n", encoding="utf-8")
    expected = r"line 3, column 1: duplicate key .x. \(first on line 2\)"
    with pytest.raises(InputError, match=expected):
        read_document(p)


def test_depth_is_refused_on_the_same_event_as_the_scan(tmp_path: Path) -> None:
    p = tmp_path / "deep.yaml"
    p.write_text("a:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(MAX_DEPTH)) + "\n")
    with pytest.raises(InputError, match=f"nested deeper than {MAX_DEPTH} levels at line"):
        read_document(p)


@pytest.mark.parametrize("study", sorted((ROOT / "examples").glob("*/study.yaml")), ids=str)
def test_every_example_takes_the_fast_path_and_keeps_its_lines(study: Path) -> None:
    text = study.read_text(encoding="utf-8")
    assert _load_yaml_fast(text, str(study)) == yaml.safe_load(text)
    doc = read_document(study)
    assert doc.node is None  # composed only when a line is asked for
    first_key = next(iter(doc.data))
    assert doc.line_of([first_key]) == next(
        i + 1 for i, line in enumerate(text.splitlines()) if line.startswith(f"{first_key}:")
    )
