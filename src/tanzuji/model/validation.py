"""From a pydantic validation error to one clear message and field path (pure, no I/O).

The public home of what every reader of studies shares (YAML/JSON in ``tanzuji.jsonio``,
workbooks in ``tanzuji.xlsx``): :func:`clean_loc` drops pydantic's union tags,
:func:`error_path` writes ``activities[3].quantity``, :func:`error_message` says what was
expected, with a did-you-mean for unknown fields and values, and the allowed values of
stages, processes and data types named in the user's language (:func:`tanzuji.i18n.tr`).

>>> error_path(clean_loc(["activities", 3, "flow", "quantity"]))
'activities[3].quantity'
>>> from tanzuji.i18n import use_lang
>>> with use_lang("en"):
...     text = enum_message("usa", ["raw_materials", "use", "end_of_life"])
>>> text[:60]
'expected one of raw_materials (Raw material acquisition), us'
>>> text[-21:]
"; did you mean 'use'?"
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, get_args

from pydantic import BaseModel

from tanzuji.i18n import tr
from tanzuji.model.derived import CALCULATION_MODELS
from tanzuji.model.enums import DataType, Process, Stage
from tanzuji.model.study import (
    ACTIVITY_KINDS,
    Activity,
    ElectricitySupply,
    Operation,
    Transport,
)

__all__ = [
    "allowed_fields",
    "clean_loc",
    "did_you_mean",
    "enum_message",
    "error_message",
    "error_path",
    "expected_text",
    "number_text",
]


def error_path(loc: Sequence[str | int]) -> str:
    """A location as a field path: ``activities[3].quantity``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def clean_loc(loc: Sequence[str | int]) -> list[str | int]:
    """Drop pydantic's union tags (``activities.3.flow.quantity`` → ``activities[3].quantity``)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if (
            isinstance(part, str)
            and i >= 2
            and loc[i - 2] == "activities"
            and part in ACTIVITY_KINDS
        ):
            continue
        if isinstance(part, str) and part.startswith(("function-", "tagged-union[")):
            continue
        if i >= 1 and loc[i - 1] == "calculated" and part in CALCULATION_MODELS:
            continue  # the calculation model's tag (docs/governance.md)
        out.append(part)
    return out


_KINDS: dict[str, type[BaseModel]] = {
    "flow": Activity,
    "transport": Transport,
    "electricity": ElectricitySupply,
    "operation": Operation,
}


def allowed_fields(model: type[BaseModel], loc: Sequence[str | int]) -> list[str] | None:
    """Field names of the model that owns the last part of ``loc`` (for 'unknown field')."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if part in _KINDS:
            current = _KINDS[part]
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def did_you_mean(got: object, choices: Sequence[str]) -> str | None:
    """The closest of ``choices`` to ``got``, if one is close enough."""
    if not isinstance(got, str) or not choices:
        return None
    close = difflib.get_close_matches(got.strip(), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _names(value: str) -> tuple[str, str] | None:
    """(Chinese, English) name of an enum value of the specification's tables."""
    for enum in (Stage, DataType):
        try:
            member = enum(value)
        except ValueError:
            continue
        if member.value == value:
            return member.zh, member.en
    try:
        proc = Process(value)
    except ValueError:
        return None
    return (proc.zh, proc.value.replace("_", " ")) if proc.value == value else None


def enum_message(got: object, expected: Sequence[str]) -> str:
    """'expected one of …' with each value named in the user's language and a did-you-mean."""
    zh_items, en_items = [], []
    for value in expected:
        names = _names(value)
        zh_items.append(f"{names[0]}（{value}）" if names else value)
        en_items.append(f"{value} ({names[1]})" if names else value)
    guess = did_you_mean(got, expected)
    if guess is None and isinstance(got, str):
        # a Chinese name close to one of the values' Chinese names
        by_zh = {n[0]: v for v in expected if (n := _names(v))}
        zh_guess = did_you_mean(got, list(by_zh))
        guess = by_zh[zh_guess] if zh_guess else None
    return tr(
        "应为以下之一：" + "、".join(zh_items) + (f"；是否为 '{guess}'？" if guess else ""),
        "expected one of " + ", ".join(en_items) + (f"; did you mean {guess!r}?" if guess else ""),
    )


_DATE = ("应为日期，如 2025-01-01", "expected a date such as 2025-01-01")
#: What was expected, by pydantic error ``type`` (Chinese, English).
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填字段", "required field is missing"),
    "float_parsing": ("应为数字", "expected a number"),
    "float_type": ("应为数字", "expected a number"),
    "int_parsing": ("应为整数", "expected an integer"),
    "int_type": ("应为整数", "expected an integer"),
    "int_from_float": ("应为整数", "expected an integer"),
    "string_type": ("应为文字", "expected text"),
    "bool_type": ("应为 true 或 false", "expected true or false"),
    "bool_parsing": ("应为 true 或 false", "expected true or false"),
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_parsing": _DATE,
    "date_type": _DATE,
    "datetime_parsing": (
        "应为日期时间，如 2025-01-01T08:00",
        "expected a date and time such as 2025-01-01T08:00",
    ),
    "datetime_type": (
        "应为日期时间，如 2025-01-01T08:00",
        "expected a date and time such as 2025-01-01T08:00",
    ),
    "finite_number": ("应为有限数值", "expected a finite number"),
    "too_short": ("应至少有一项", "expected at least one entry"),
    "list_type": ("应为列表", "expected a list"),
    "tuple_type": ("应为列表", "expected a list"),
    "set_type": ("应为列表", "expected a list"),
    "model_type": ("应为字段映射（key: value）", "expected a mapping of fields"),
    "model_attributes_type": ("应为字段映射（key: value）", "expected a mapping of fields"),
    "dict_type": ("应为字段映射（key: value）", "expected a mapping of fields"),
    "string_too_short": ("应为非空文字", "expected a non-empty text"),
    "string_pattern_mismatch": (
        "应为由字母、数字和 . _ : - 组成的标识（不含空格）",
        "expected an id made of letters, digits and . _ : - (no spaces)",
    ),
    "url_parsing": (
        "应为网址，如 https://example.org",
        "expected a URL such as https://example.org",
    ),
    "url_scheme": (
        "应为网址，如 https://example.org",
        "expected a URL such as https://example.org",
    ),
    "url_type": (
        "应为网址，如 https://example.org",
        "expected a URL such as https://example.org",
    ),
    "datetime_from_date_parsing": (
        "应为日期时间，如 2025-01-01T08:00",
        "expected a date and time such as 2025-01-01T08:00",
    ),
    "int_parsing_size": ("整数超出允许范围", "the whole number is too large"),
    "json_invalid": ("不是有效的 JSON", "not valid JSON"),
    "json_type": ("应为 JSON 文本", "expected JSON text"),
    "uuid_parsing": ("应为 UUID 标识", "expected a UUID"),
    "uuid_type": ("应为 UUID 标识", "expected a UUID"),
    "uuid_version": ("应为 UUID 标识", "expected a UUID"),
    "bytes_type": ("应为文件或文字", "expected a file or text"),
    "none_required": ("此处应留空", "expected no value here"),
    "extra_forbidden": ("不允许的字段", "a field that is not allowed here"),
}

#: Bounds, with their values from the error's ``ctx`` (Chinese, English).
_BOUNDS: dict[str, tuple[str, str, str]] = {
    "greater_than_equal": ("ge", "应为 ≥ {} 的数", "expected a number ≥ {}"),
    "greater_than": ("gt", "应为 > {} 的数", "expected a number > {}"),
    "less_than_equal": ("le", "应为 ≤ {} 的数", "expected a number ≤ {}"),
    "less_than": ("lt", "应为 < {} 的数", "expected a number < {}"),
    "too_long": ("max_length", "最多 {} 项", "expected at most {} entries"),
    "string_too_long": ("max_length", "最多 {} 个字符", "expected at most {} characters"),
}


def number_text(x: Any) -> str:
    """A bound as written: integers whole, other numbers short.

    >>> number_text(2**31 - 1), number_text(0.5), number_text(None)
    ('2147483647', '0.5', '?')
    """
    if x is None:
        return "?"
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return f"{x:g}" if isinstance(x, float) else str(x)


def expected_text(kind: str, ctx: Mapping[str, Any] | None = None) -> str | None:
    """What was expected for a pydantic error ``type`` that needs neither the model nor
    the value (the bounds taken from ``ctx``), in the language in force; ``None`` for the
    other types. Shared by study files and the web platform's forms.

    >>> expected_text("less_than_equal", {"le": 2**31 - 1})
    '应为 ≤ 2147483647 的数'
    >>> expected_text("union_tag_invalid") is None
    True
    """
    if kind in _BOUNDS:
        key, zh, en = _BOUNDS[kind]
        value = number_text((ctx or {}).get(key))
        return tr(zh.format(value), en.format(value))
    if kind in _MESSAGES:
        return tr(*_MESSAGES[kind])
    return None


def _expected_list(ctx: dict[str, Any]) -> list[str]:
    text = str(ctx.get("expected", ""))
    parts = [p.strip().strip("'\"") for p in text.replace(" or ", ", ").split(",")]
    return [p for p in parts if p]


def error_message(err: Any, model: type[BaseModel], loc: Sequence[str | int]) -> str:
    """What was expected, for one pydantic error (``loc`` as pydantic gives it)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = allowed_fields(model, loc)
        name = loc[-1] if loc else None
        guess = did_you_mean(name, allowed or [])
        if not allowed:
            return tr("未知字段", "unknown field")
        return tr(
            "未知字段"
            + (f"；是否为 '{guess}'？" if guess else "")
            + "；应为以下之一："
            + "、".join(allowed),
            "unknown field"
            + (f"; did you mean {guess!r}?" if guess else "")
            + f"; expected one of {', '.join(allowed)}",
        )
    if kind in _BOUNDS:
        return expected_text(kind, ctx) or ""
    if kind in ("enum", "literal_error"):
        return enum_message(err.get("input"), _expected_list(ctx))
    if kind == "value_error":
        # the model's validators word their messages with tr() where they raise them
        return str(err["msg"]).removeprefix("Value error, ")
    if kind == "union_tag_invalid":
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        what = str(ctx.get("discriminator", "kind")).strip("'")
        return tr(f"{what} 应为以下之一：{expected}", f"expected {what} to be one of {expected}")
    if kind in _MESSAGES:
        return expected_text(kind) or ""
    # a type without an entry: pydantic's own English text, marked as such in Chinese
    return tr(f"数值无效（{kind}）", str(err["msg"]))
