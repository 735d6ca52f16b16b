r"""YAML/JSON documents that remember where each field came from (for line numbers).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.yaml"
>>> _ = p.write_text("a: 1\nb:\n  - x\n  - y\n")
>>> doc = read_document(p)
>>> doc.data, doc.line_of(["b", 1])
({'a': 1, 'b': ['x', 'y']}, 4)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tanzuji.errors import InputError

__all__ = ["MAX_BYTES", "Document", "read_document"]

MAX_BYTES = 20_000_000

# --------------------------------------------------------------------------- YAML with lines


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Safe loader (libyaml when available) that refuses duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Document:
    """A parsed YAML/JSON file with a way back from field paths to line numbers."""

    path: Path
    data: Any
    node: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The 1-based line of a field path, when the file is YAML."""
        node = self.node
        line = None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == part:
                        node, line = v, k.start_mark.line + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node = node.value[part]
                    line = node.start_mark.line + 1
                else:
                    return line
            else:
                return line
        return line


def read_document(path: str | Path) -> Document:
    """Read a YAML or JSON file; malformed content raises :class:`InputError` with its line."""
    p = Path(path)
    where = str(p)
    if not p.exists():
        raise InputError("file not found", file=where)
    if p.is_dir():
        raise InputError("is a directory; expected a YAML or JSON file", file=where)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"file too large ({size} bytes); expected at most {MAX_BYTES}", file=where)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}); expected YAML or JSON", file=where
        ) from None
    if p.suffix.lower() == ".json":
        try:
            return Document(p, json.loads(text), None)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=where
            ) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(f"malformed YAML{pos}: {exc.problem or exc.context}", file=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", file=where) from None
    return Document(p, data, node)
