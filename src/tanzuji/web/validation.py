"""Request-validation errors (FastAPI's ``RequestValidationError``) in the user's language.

pydantic words its messages in English and names fields by their internal keys
(``body.message``); a page shows instead what was expected, in Chinese or English, and
the field by the label its form shows.

>>> from tanzuji.i18n import use_lang
>>> err = {"type": "string_too_long", "loc": ("body", "message"), "msg": "String should...",
...        "input": "x" * 2001, "ctx": {"max_length": 2000}}
>>> item = validation_item(err)
>>> item["path"], item["label"], item["message"]
('message', '修订说明', '最多 2000 个字符（提交了 2001 个）')
>>> with use_lang("en"):
...     validation_item(err)["label"], validation_item(err)["message"]
('Revision message', 'at most 2000 characters (2001 given)')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tanzuji.i18n import tr
from tanzuji.model.validation import expected_text, number_text

__all__ = ["FIELD_LABELS", "error_text", "field_label", "loc_path", "validation_item"]

#: The labels of the fields our pages and API post (form, file and query parameters), by
#: parameter name (Chinese, English), worded as the forms show them.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "file": ("文件", "File"),
    "message": ("修订说明", "Revision message"),
    "parent": ("上一修订", "Parent revision"),
    "monte_carlo": ("蒙特卡洛法", "Monte Carlo"),
    "method": ("评价方法", "Evaluation method"),
    "uncertainty": ("不确定度评定方法", "Uncertainty method"),
    "seed": ("随机数种子", "Random seed"),
    "trials": ("试验次数", "Number of trials"),
    "comment": ("审核意见", "Comment"),
    "email": ("电子邮箱", "E-mail"),
    "password": ("密码", "Password"),
    "lang": ("语言", "Language"),
    "back": ("返回页面", "Page to return to"),
    "p12": ("签名密钥（PKCS#12 文件）", "Signing key (PKCS#12 file)"),
    "passphrase": ("密钥口令", "Passphrase of the key"),
    "accept": ("接受的检查错误", "Accepted check errors"),
    "reason": ("理由", "Reason"),
    "signer_override": ("签发理由说明", "Why you sign"),
    "to": ("组织名称", "Organisation names"),
    "publication": ("发布编号", "Publication"),
    "partner": ("组织", "Organisation"),
    "base_url": ("主机地址", "Base URL"),
    "auth_url": ("令牌地址", "Token URL"),
    "client_id": ("客户端 ID", "Client id"),
    "client_secret": ("客户端密钥", "Client secret"),
    "grant_type": ("授权类型", "Grant type"),
    "name": ("姓名（CN）", "Name (CN)"),
    "organisation": ("单位（O）", "Organisation (O)"),
    "q": ("搜索词", "Search text"),
    "limit": ("条数上限", "Limit"),
    "days": ("天数", "Days"),
    "key": ("产品", "Product"),
    "a": ("修订", "Revision"),
    "b": ("修订", "Revision"),
}

#: Where a value without a label came from: what a user is told instead of its key.
_PLACES: dict[str, tuple[str, str]] = {
    "body": ("表单中的一项", "a field of the form"),
    "query": ("网址中的一个参数", "a parameter of the address"),
    "path": ("网址", "the address"),
    "header": ("请求头", "a request header"),
    "cookie": ("浏览器 Cookie", "a browser cookie"),
}
_SOURCES = frozenset({"body", "query", "path", "form", "header", "cookie"})

#: Lengths with their lower bound (the study files' texts only say "not empty").
_AT_LEAST: dict[str, tuple[str, str]] = {
    "too_short": ("至少 {} 项", "at least {} entries"),
    "string_too_short": ("至少 {} 个字符", "at least {} characters"),
}

_CHOICES = re.compile(r"^\^\(?([\w.-]+(?:\|[\w.-]+)*)\)?\$$")
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _one_of(values: Sequence[str]) -> str:
    return tr("应为以下之一：" + "、".join(values), "expected one of " + ", ".join(values))


def _choices(ctx: Mapping[str, Any]) -> list[str]:
    """The values an ``enum`` or ``literal_error`` accepts (``'a', 'b' or 'c'``)."""
    return [a or b for a, b in _QUOTED.findall(str(ctx.get("expected", "")))]


def _own_words(err: Mapping[str, Any]) -> str | None:
    """A validator's own message (``value_error``), when it can be shown in the language in
    force: our validators word theirs with ``tr()``; a library's English is not shown in a
    Chinese session."""
    text = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if not text:
        return None
    if tr("zh", "en") == "zh" and not _CJK.search(text):
        return None
    return text


def error_text(err: Mapping[str, Any]) -> str:
    """What was expected, for one pydantic error, in the language in force."""
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    given = err.get("input")
    if kind == "string_too_long":
        limit = number_text(ctx.get("max_length"))
        if isinstance(given, str):
            n = len(given)
            zh, en = (
                f"最多 {limit} 个字符（提交了 {n} 个）",
                f"at most {limit} characters ({n} given)",
            )
            return tr(zh, en)
        return tr(f"最多 {limit} 个字符", f"at most {limit} characters")
    if kind in _AT_LEAST:
        least = ctx.get("min_length")
        if least == 1:
            return tr("不能为空", "must not be empty")
        zh, en = _AT_LEAST[kind]
        return tr(zh.format(number_text(least)), en.format(number_text(least)))
    if kind == "string_pattern_mismatch":
        m = _CHOICES.match(str(ctx.get("pattern", "")))
        if m:
            return _one_of(m.group(1).split("|"))
        return tr("格式不符合要求", "not in the expected format")
    if kind in ("enum", "literal_error"):
        values = _choices(ctx)
        return _one_of(values) if values else tr("不是允许的值", "not one of the allowed values")
    if kind in ("value_error", "assertion_error"):
        return _own_words(err) or tr("数值无效", "invalid value")
    return expected_text(kind, ctx) or tr("数值无效", "invalid value")


def loc_path(loc: Iterable[Any]) -> str:
    """The technical path of a value (``body.message`` → ``message``, lists as ``[i]``).

    >>> loc_path(("body", "to", 3)), loc_path(("query", "q")), loc_path(("body", "path"))
    ('to[3]', 'q', 'path')
    """
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text


def field_label(loc: Sequence[Any]) -> str:
    """What a user calls the value at ``loc``: its form label, else where it came from.

    >>> field_label(("body", "message")), field_label(("query", "sort"))
    ('修订说明', '网址中的一个参数')
    """
    names = [p for p in loc[1:] if isinstance(p, str)]
    if len(names) == 1 and names[0] in FIELD_LABELS:
        return tr(*FIELD_LABELS[names[0]])
    source = str(loc[0]) if loc else ""
    return tr(*_PLACES.get(source, ("请求中的一个值", "a value in the request")))


def validation_item(err: Mapping[str, Any]) -> dict[str, Any]:
    """One error as the handlers use it: ``message`` (what was expected), ``path`` (the
    technical path, for API clients), ``label`` (the field as a user knows it)."""
    loc = tuple(err.get("loc", ()))
    return {"message": error_text(err), "path": loc_path(loc), "label": field_label(loc)}
