r"""YAML/JSON documents that remember where each field came from (for line numbers).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.yaml"
>>> _ = p.write_text("a: 1\nb:\n  - x\n  - y\n")
>>> doc = read_document(p)
>>> doc.data, doc.line_of(["b", 1])
({'a': 1, 'b': ['x', 'y']}, 4)
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tanzuji.errors import InputError
from tanzuji.fileio import read_bounded
from tanzuji.i18n import tr

__all__ = ["LIMITS", "MAX_BYTES", "MAX_DEPTH", "Document", "read_document"]

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


def _checked(kind: str, construct: Any) -> Any:
    """A scalar constructor that reports an unreadable literal (``0x_``) with its line."""

    def run(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"not a readable {kind} ({type(exc).__name__})", node.start_mark
            ) from None

    return run


_Loader.add_constructor(
    "tag:yaml.org,2002:int",
    _checked("integer", yaml.constructor.SafeConstructor.construct_yaml_int),
)
_Loader.add_constructor(
    "tag:yaml.org,2002:float",
    _checked("number", yaml.constructor.SafeConstructor.construct_yaml_float),
)


@dataclass(frozen=True)
class Document:
    """A parsed YAML/JSON file with a way back from field paths to line numbers.

    ``node`` is the composed YAML tree; when only the YAML ``text`` is kept (the fast
    path of :func:`read_document`), the tree is composed the first time a line is asked
    for — an error message, never the evaluation of a valid study.
    """

    path: Path
    data: Any
    node: yaml.Node | None = None
    text: str | None = field(default=None, repr=False, compare=False)

    @property
    def has_lines(self) -> bool:
        """Whether field paths can be traced back to lines (a YAML file)."""
        return self.node is not None or self.text is not None

    def _tree(self) -> yaml.Node | None:
        if self.node is None and self.text is not None:
            loader = _Loader(self.text)  # the text passed the limits already
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
            object.__setattr__(self, "node", node)
        return self.node

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The 1-based line of a field path, when the file is YAML."""
        node = self._tree()
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


#: The parsers' own wording (PyYAML, json) → Chinese; a detail without an entry is shown in
#: Chinese as "语法错误" with the parser's words quoted after it.
_SYNTAX_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (r"did not find expected (.+)", r"缺少 \1"),
        (r"could not find expected (.+)", r"缺少 \1"),
        (r"expected (.+), but found (.+)", r"应为 \1，实际为 \2"),
        (
            r"mapping values are not allowed here",
            "此处不能出现映射的冒号（值中含 ': ' 时请加引号）",
        ),
        (
            r"found character (.+) that cannot start any token",
            r"字符 \1 不能出现在此处（如制表符）",
        ),
        (r"found undefined alias (.+)", r"未定义的别名 \1"),
        (r"found unexpected end of stream", "文件意外结束（引号或括号未闭合？）"),
        (r"found unknown escape character (.+)", r"未知的转义字符 \1"),
        (r"found duplicate anchor.*", "重复的锚点（anchor）"),
        (
            r"Expecting property name enclosed in double quotes",
            "应为双引号括起的字段名（末尾多了逗号？）",
        ),
        (r"Expecting value", "应为一个值"),
        (r"Expecting '(.)' delimiter", r"缺少分隔符 '\1'"),
        (r"Extra data", "多余的内容"),
        (r"Unterminated string starting at", "字符串未结束"),
        (r"Invalid control character at", "含有无效的控制字符"),
        (r"Invalid \\escape", "无效的转义"),
    )
)


def _detail_zh(detail: str) -> str:
    for pattern, zh in _SYNTAX_ZH:
        if m := pattern.match(detail.strip()):
            return m.expand(zh).replace("' or '", "' 或 '")
    return f"语法错误（{detail}）"


def syntax_message(kind: str, line: int | None, column: int | None, detail: str) -> str:
    """A YAML/JSON syntax error in the user's language, with line and column.

    >>> from tanzuji.i18n import use_lang
    >>> syntax_message("JSON", 1, 38, "Expecting property name enclosed in double quotes")
    'JSON 格式错误（第 1 行第 38 列）：应为双引号括起的字段名（末尾多了逗号？）'
    >>> with use_lang("en"):
    ...     syntax_message("YAML", 3, 7, "did not find expected ',' or '}'")
    "malformed YAML at line 3, column 7: did not find expected ',' or '}'"
    """
    pos_zh = f"（第 {line} 行第 {column} 列）" if line is not None else ""
    pos_en = f" at line {line}, column {column}" if line is not None else ""
    return tr(
        f"{kind} 格式错误{pos_zh}：{_detail_zh(detail)}", f"malformed {kind}{pos_en}: {detail}"
    )


def yaml_message(exc: yaml.MarkedYAMLError) -> str:
    """:func:`syntax_message` for a PyYAML error with its position."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return syntax_message("YAML", line, column, str(exc.problem or exc.context))


def read_document(path: str | Path) -> Document:
    """Read a YAML or JSON file; malformed or oversized content raises :class:`InputError`.

    The limits of :data:`LIMITS` are checked before the document is built: the size while
    reading, nesting depth, text and number lengths and alias expansion by a scan of the
    text (JSON) or of the parser's events (YAML), so no parser recursion or blow-up happens.
    """
    p = Path(path)
    where = str(p)
    raw = read_bounded(p, MAX_BYTES, what="YAML or JSON file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            tr(
                f"不是 UTF-8 文本（第 {exc.start} 字节）；应为 YAML 或 JSON",
                f"not UTF-8 text (byte {exc.start}); expected YAML or JSON",
            ),
            file=where,
        ) from None
    if p.suffix.lower() == ".json":
        _scan_json(text, where)
        try:
            return Document(p, json.loads(text), None)
        except json.JSONDecodeError as exc:
            raise InputError(
                syntax_message("JSON", exc.lineno, exc.colno, exc.msg), file=where
            ) from None
        except (ValueError, RecursionError):  # pragma: no cover - the scan catches these first
            raise InputError(tr("JSON 格式错误", "malformed JSON"), file=where) from None
    try:
        return Document(p, _load_yaml_fast(text, where), None, text)
    except _Fallback:
        pass  # anchors, merge keys, a duplicate key, an unreadable literal …: the full path
    _scan_yaml(text, where)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise InputError(yaml_message(exc), file=where) from None
    except yaml.YAMLError as exc:
        raise InputError(syntax_message("YAML", None, None, str(exc)[:200]), file=where) from None
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:
        # e.g. '0x_' resolves to an int that int() cannot read
        raise InputError(
            tr(
                f"YAML 格式错误：有一个值无法读取（{type(exc).__name__}）",
                f"malformed YAML: a value cannot be read ({type(exc).__name__})",
            ),
            file=where,
        ) from None
    return Document(p, data, node)


# --------------------------------------------------------------------------- limits

#: Deepest nesting of mappings and lists (a study needs about 8).
MAX_DEPTH = 40
#: Longest text value, in characters.
MAX_STRING = 100_000
#: Longest number literal, in characters (Python refuses integers over 4,300 digits).
MAX_NUMBER = 100
#: Most nodes a YAML document may have once its aliases are expanded (billion laughs).
MAX_NODES = 2_000_000
#: The limits, for docs/robustness.md and error messages.
LIMITS = {
    "bytes": MAX_BYTES,
    "depth": MAX_DEPTH,
    "string": MAX_STRING,
    "number": MAX_NUMBER,
    "nodes": MAX_NODES,
}

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|[-+0-9.eE]{' + str(MAX_NUMBER + 1) + ",}")
#: the messages of the scalar limits, shared by the fast and the full YAML path
_TEXT_TOO_LONG = (f"文字超过 {MAX_STRING} 个字符", f"text longer than {MAX_STRING} characters")
_NUMBER_TOO_LONG = (f"数字超过 {MAX_NUMBER} 个字符", f"number longer than {MAX_NUMBER} characters")


def _event_error(where: str, message: tuple[str, str], event: Any) -> InputError:
    """A limit or policy error at the line of a YAML parser event."""
    line = event.start_mark.line + 1
    return InputError(tr(f"第 {line} 行：{message[0]}", f"{message[1]} at line {line}"), file=where)


_NUMBERISH = re.compile(r"[-+]?\.?[0-9][0-9a-fA-FxXoObB_.:+-]*")


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _scan_json(text: str, where: str) -> None:
    """Depth, text and number lengths of a JSON text, without parsing it."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = _line(text, m.start())
                raise InputError(
                    tr(
                        f"第 {line} 行：嵌套超过 {MAX_DEPTH} 层",
                        f"nested too deeply at line {line}; expected at most {MAX_DEPTH} levels",
                    ),
                    file=where,
                )
        elif c in "]}":
            depth -= 1
        elif c == '"':
            if len(tok) > MAX_STRING + 2:
                line = _line(text, m.start())
                raise InputError(
                    tr(
                        f"第 {line} 行：文字超过 {MAX_STRING} 个字符",
                        f"text too long at line {line}; expected at most {MAX_STRING} characters",
                    ),
                    file=where,
                )
        else:
            line = _line(text, m.start())
            raise InputError(
                tr(
                    f"第 {line} 行：数字超过 {MAX_NUMBER} 个字符",
                    f"number too long at line {line}; expected at most {MAX_NUMBER} characters",
                ),
                file=where,
            )


def _scan_yaml(text: str, where: str) -> None:
    """Depth, tags, text/number lengths and alias expansion, from the parser's events."""

    fail = functools.partial(_event_error, where)

    depth = 0
    nodes = 0
    #: anchor → node count of its subtree; open collections: [anchor, count at start]
    sizes: dict[str, int] = {}
    open_: list[tuple[str | None, int]] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                nodes += sizes.get(event.anchor or "", 1)
            elif isinstance(event, yaml.NodeEvent):
                tag = getattr(event, "tag", None)
                if (
                    tag is not None
                    and tag != "!"
                    and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0])
                ):
                    raise fail(
                        (
                            "不接受显式 YAML 标签（如 !!binary、!!python）",
                            "explicit YAML tags (such as !!binary or !!python) are not accepted",
                        ),
                        event,
                    )
                nodes += 1
                if isinstance(event, yaml.ScalarEvent):
                    value = event.value
                    if len(value) > MAX_STRING:
                        raise fail(_TEXT_TOO_LONG, event)
                    if not event.style and len(value) > MAX_NUMBER and _NUMBERISH.fullmatch(value):
                        raise fail(_NUMBER_TOO_LONG, event)
                    if event.anchor:
                        sizes[event.anchor] = 1
                else:  # a mapping or a sequence starts
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise fail(
                            (f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH} levels"),
                            event,
                        )
                    open_.append((event.anchor, nodes))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                anchor, start = open_.pop()
                if anchor:
                    sizes[anchor] = nodes - start + 1
            if nodes > MAX_NODES:
                raise InputError(
                    tr(
                        f"展开别名（alias）后的值过多；最多 {MAX_NODES} 个",
                        f"too many values once aliases are expanded; expected at most {MAX_NODES}",
                    ),
                    file=where,
                )
    except yaml.MarkedYAMLError as exc:
        raise InputError(yaml_message(exc), file=where) from None
    except yaml.YAMLError as exc:
        raise InputError(syntax_message("YAML", None, None, str(exc)[:200]), file=where) from None


# --------------------------------------------------------------------------- fast YAML path


class _Fallback(Exception):
    """The fast path met something it leaves to the full loader (the same result or error)."""


_NO_KEY: Any = object()
_SEQ: Any = object()
_PLAIN = (True, False)
_SPECIAL_TAGS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


def _plain_constructor() -> Any:
    """Construct a plain scalar exactly as the safe loader does (its resolver and constructors)."""
    loader = _Loader("")
    constructors = _Loader.yaml_constructors

    def construct(value: str) -> Any:
        tag = loader.resolve(yaml.ScalarNode, value, _PLAIN)
        if tag in _SPECIAL_TAGS:
            raise _Fallback
        if tag == yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG:
            return value
        try:
            return constructors[tag](loader, yaml.ScalarNode(tag, value))
        except Exception:  # the full path reports it with its line
            raise _Fallback from None

    return construct


_construct_plain = _plain_constructor()


def _load_yaml_fast(text: str, where: str) -> Any:
    """Build the data of a YAML text straight from libyaml's events, checking the limits.

    One pass instead of three (limits scan, composition, construction), and each distinct
    plain scalar resolved once. The result equals the full loader's: the same events and the
    same resolver and constructors; whatever this path does not handle itself (anchors and
    aliases, tags, merge keys, complex or duplicate keys, several documents, an unreadable
    literal) raises :class:`_Fallback` so the full path produces the result or its error. A
    limit is checked on the same event, with the same message, as :func:`_scan_yaml` does.
    """
    scalar_ev, alias_ev = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    cache: dict[str, Any] = {}
    construct = _construct_plain
    numberish = _NUMBERISH.fullmatch
    # open containers: [container, pending key or _NO_KEY (mappings), or _SEQ]
    stack: list[list[Any]] = []
    root: Any = None
    nodes = 0
    documents = 0

    fail = functools.partial(_event_error, where)

    parser = _Loader(text)
    next_event = parser.get_event  # libyaml; returns None after the stream's end
    try:
        while (event := next_event()) is not None:
            cls = event.__class__
            if cls is scalar_ev:
                if event.tag is not None or event.anchor is not None:
                    raise _Fallback
                nodes += 1
                value = event.value
                if len(value) > MAX_STRING:
                    raise fail(_TEXT_TOO_LONG, event)
                if event.implicit[0]:
                    if len(value) > MAX_NUMBER and not event.style and numberish(value):
                        raise fail(_NUMBER_TOO_LONG, event)
                    try:
                        obj = cache[value]
                    except KeyError:
                        obj = cache[value] = construct(value)
                else:
                    obj = value
            elif cls is map_start or cls is seq_start:
                if event.tag is not None or event.anchor is not None:
                    raise _Fallback
                nodes += 1
                if len(stack) >= MAX_DEPTH:
                    raise fail(
                        (f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH} levels"),
                        event,
                    )
                if nodes > MAX_NODES:
                    raise _Fallback  # the full path reports it
                if cls is map_start:
                    stack.append([{}, _NO_KEY])
                else:
                    stack.append([[], _SEQ])
                continue
            elif cls in ends:
                obj = stack.pop()[0]
            elif cls is alias_ev:
                raise _Fallback
            else:
                if cls is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise _Fallback
                continue
            if nodes > MAX_NODES:
                raise _Fallback
            if not stack:
                root = obj
                continue
            top = stack[-1]
            container = top[0]
            if top[1] is _SEQ:
                container.append(obj)
            elif top[1] is _NO_KEY:
                if isinstance(obj, dict | list) or obj in container:
                    raise _Fallback  # a complex or a duplicate key
                top[1] = obj
            else:
                container[top[1]] = obj
                top[1] = _NO_KEY
    except yaml.MarkedYAMLError as exc:
        raise InputError(yaml_message(exc), file=where) from None
    except yaml.YAMLError as exc:
        raise InputError(syntax_message("YAML", None, None, str(exc)[:200]), file=where) from None
    finally:
        parser.dispose()
    return root
