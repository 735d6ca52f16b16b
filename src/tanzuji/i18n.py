"""The user's language: Chinese (default) or English, one at a time.

Every user-facing text is written in both languages where it is produced and picked
with :func:`tr` at the moment it is shown. The shells (CLI, web) set the language once
per command or request with :func:`use_lang`; nothing else changes it.

>>> tr("已写入", "wrote")
'已写入'
>>> with use_lang("en"):
...     tr("已写入", "wrote")
'wrote'
>>> str(get_lang())
'zh'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

__all__ = ["Lang", "get_lang", "parse_lang", "set_lang", "tr", "use_lang"]


class Lang(StrEnum):
    """The two languages of the user interface, messages and reports."""

    zh = "zh"
    en = "en"


_LANG: ContextVar[Lang] = ContextVar("tanzuji_lang", default=Lang.zh)


def parse_lang(value: str) -> Lang:
    """A language from what a user writes (``zh``, ``zh-CN``, ``中文``, ``en``, ``English`` …).

    >>> parse_lang("zh_CN.UTF-8"), parse_lang("English")
    (<Lang.zh: 'zh'>, <Lang.en: 'en'>)
    >>> parse_lang("fr")
    Traceback (most recent call last):
    ValueError: unknown language 'fr': expected zh or en
    """
    v = value.strip().lower()
    if v in {"zh", "中文", "chinese"} or v.startswith(("zh-", "zh_")):
        return Lang.zh
    if v in {"en", "english", "英文"} or v.startswith(("en-", "en_")):
        return Lang.en
    raise ValueError(f"unknown language {value!r}: expected zh or en")


def get_lang() -> Lang:
    """The language in force for this command or request."""
    return _LANG.get()


def set_lang(lang: Lang | str) -> None:
    """Set the language for the rest of this context (a CLI command)."""
    _LANG.set(parse_lang(str(lang)))


@contextmanager
def use_lang(lang: Lang | str) -> Iterator[Lang]:
    """Use ``lang`` inside the ``with`` block (a web request, a test)."""
    value = parse_lang(str(lang))
    token = _LANG.set(value)
    try:
        yield value
    finally:
        _LANG.reset(token)


def tr(zh: str, en: str) -> str:
    """The text in the language in force: ``tr("已写入 {path}", "wrote {path}")``."""
    return zh if _LANG.get() is Lang.zh else en
