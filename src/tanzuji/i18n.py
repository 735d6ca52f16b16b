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

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

__all__ = [
    "Lang",
    "clause_text",
    "get_lang",
    "os_reason",
    "parse_lang",
    "set_lang",
    "tr",
    "use_lang",
]


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


_CLAUSE_ZH = (("Appendix ", "附录 "), ("Table ", "表 "), ("Note ", "注 "), ("formula ", "公式 "))


def clause_text(clause: str, lang: Lang | str | None = None) -> str:
    """A clause reference in ``lang`` (default: the language in force), written in English
    where it is produced: ``§6.1 Table 3 Note 1`` → ``§6.1 表 3 注 1``.

    >>> clause_text("§7 formula (15)")
    '§7 公式 (15)'
    >>> clause_text("§6.1 Table 3 Note 1", "en")
    '§6.1 Table 3 Note 1'
    """
    if (_LANG.get() if lang is None else parse_lang(str(lang))) is Lang.en:
        return clause
    for en, zh in _CLAUSE_ZH:
        clause = clause.replace(en, zh)
    return clause


#: the operating system's reasons a user meets reading or writing files, in Chinese
_OS_REASONS_ZH = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许的操作",
    errno.EISDIR: "这是一个目录",
    errno.ENOTDIR: "路径中有一部分不是目录",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "只读文件系统",
    errno.EEXIST: "文件已存在",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ELOOP: "符号链接层数过多",
}


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in the language in force (``exc.strerror``
    is the C library's English).

    >>> import errno
    >>> os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory"))
    '文件或目录不存在'
    >>> with use_lang("en"):
    ...     os_reason(PermissionError(errno.EACCES, "Permission denied"))
    'Permission denied'
    """
    en = exc.strerror or str(exc)
    zh = _OS_REASONS_ZH.get(exc.errno) if exc.errno is not None else None
    return tr(zh or f"系统错误（{en}）", en)
