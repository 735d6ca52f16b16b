"""typer's (vendored click's) own texts — usage errors, ``--help`` — in the user's language.

tanzuji's messages go through :func:`tanzuji.i18n.tr`; the command-line library writes its
own: "No such option", "Missing argument", "Usage:", "Options", "Show this message and
exit.", and prints the English help texts declared on the commands. This module puts them
in the language in force, from two catalogues (English → Chinese):

- :data:`tanzuji.cli.clitext_zh.MESSAGES`: typer's and click's texts. The gettext ones
  (``typer.core`` wraps a few in ``_()``) are looked up as they are; the others are
  f-strings in ``typer._click`` and are matched as templates (``No such option: {name}``)
  against the finished message when an error is shown;
- :data:`tanzuji.cli.help_zh.HELP`: the help of every command and option.

The language is decided **before** click parses anything (:func:`startup_lang`: the last
``--lang`` of the command line, else ``TANZUJI_LANG``, else the config file, else zh), so
an eager ``--help`` — handled while parsing, before any callback — is in the same language
as the rest. :class:`TanzujiGroup` (the root group) does this and localises the freshly
built command tree of this one invocation; in English nothing is changed.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
import typing
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from functools import lru_cache, partial
from pathlib import PurePath
from typing import IO, Any

import typer.core
from typer._click import Context, HelpFormatter
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer._click.utils import echo

from tanzuji.cli.clitext_zh import MESSAGES, RECURSIVE
from tanzuji.cli.help_zh import HELP
from tanzuji.i18n import Lang, get_lang, parse_lang, set_lang

__all__ = [
    "TanzujiGroup",
    "argv_lang",
    "localize",
    "startup_lang",
    "text",
    "translate",
    "wrap",
]

#: a placeholder of a catalogue template: ``{name}`` or ``{name!r}``
PLACEHOLDER = re.compile(r"\{(\w*)(?:![rsa])?\}")


def _zh() -> bool:
    return get_lang() is Lang.zh


def text(message: str) -> str:
    """One of typer's gettext messages in the language in force (replaces ``typer.core._``).

    >>> from tanzuji.i18n import use_lang
    >>> text("Options"), text("No such command {name!r}.")
    ('选项', '没有命令 {name!r}。')
    >>> with use_lang("en"):
    ...     text("Options")
    'Options'
    """
    return MESSAGES.get(message, message) if _zh() else message


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """The catalogue's templates as regular expressions."""
    out: list[tuple[re.Pattern[str], str]] = []
    for en, zh in MESSAGES.items():
        if not PLACEHOLDER.search(en) or "{}" in en:  # "{}": rich help only, looked up as is
            continue
        parts, pos = [], 0
        for m in PLACEHOLDER.finditer(en):
            parts.append(re.escape(en[pos : m.start()]))
            parts.append(f"(?P<{m.group(1)}>.+?)")
            pos = m.end()
        parts.append(re.escape(en[pos:]))
        out.append((re.compile("".join(parts), re.DOTALL), zh))
    return out


def translate(message: str) -> str:
    """A finished message of typer/click in the language in force.

    The message is matched against the catalogue's templates; the parts standing for a
    placeholder are kept as written (names, values the user typed), except ``{message}``
    and ``{kind}``, which are translated in turn. Of several templates that match, the
    one leaving the least text in the kept placeholders wins: ``Value error, {message}``
    rather than ``{value} is not one of {choices}.`` for "Value error, 'fr' is not one
    of 'zh', 'en'.". A message the catalogue does not know is returned unchanged.

    >>> from tanzuji.i18n import use_lang
    >>> translate("Invalid value for '--top': Input should be a valid integer, "
    ...           "unable to parse string as an integer")
    "'--top' 的值无效: 应为整数，无法把字符串解析为整数"
    >>> with use_lang("en"):
    ...     translate("No such option: --x")
    'No such option: --x'
    """
    if not _zh():
        return message
    exact = MESSAGES.get(message)
    if exact is not None:
        return exact
    best: tuple[int, dict[str, str], str] | None = None
    for pattern, zh in _patterns():
        m = pattern.fullmatch(message)
        if m is None:
            continue
        values = m.groupdict()
        kept = sum(len(v) for k, v in values.items() if k not in RECURSIVE)
        if best is None or kept < best[0]:
            best = (kept, values, zh)
    return message if best is None else _fill(best[2], best[1])


def _fill(template: str, values: dict[str, str]) -> str:
    """``template`` with its placeholders replaced by the matched texts (``{message}`` and
    ``{kind}`` translated in turn)."""
    done = {k: translate(v) if k in RECURSIVE else v for k, v in values.items()}
    return PLACEHOLDER.sub(lambda p: done[p.group(1)], template)


# ---------------------------------------------------------------- the language at start-up


def argv_lang(args: Sequence[str]) -> Lang | None:
    """The last valid ``--lang X`` / ``--lang=X`` before ``--`` (a per-command ``--lang``
    comes after the global one and wins, as it does once parsed).

    >>> argv_lang(["--lang", "en", "evaluate", "s.yaml", "--lang=zh"])
    <Lang.zh: 'zh'>
    >>> argv_lang(["evaluate", "--", "--lang", "en"]) is None
    True
    """
    found: Lang | None = None
    items = iter(args)
    for arg in items:
        if arg == "--":
            break
        if arg == "--lang":
            value = next(items, None)
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        else:
            continue
        with suppress(ValueError):  # click reports it, in the language decided without it
            found = parse_lang(value or "")
    return found


def startup_lang(args: Sequence[str]) -> Lang:
    """The language of this invocation before click parses it: ``--lang``, else
    ``TANZUJI_LANG``, else the config file, else zh. A broken config file is reported by
    the root callback later; here it only falls back to the environment."""
    from tanzuji.errors import TanzujiError

    lang = argv_lang(args)
    if lang is not None:
        return lang
    from tanzuji.config import load_config

    try:
        return load_config().lang
    except TanzujiError:
        try:
            return parse_lang(os.environ.get("TANZUJI_LANG", "zh"))
        except ValueError:
            return Lang.zh


# ---------------------------------------------------------------- help


#: no line starts with these, and none ends with the opening ones
_CLOSING = frozenset("，。、；：？！）」』”’》〉】…%")
_OPENING = frozenset("（「『“‘《〈【")


def _width(s: str) -> int:
    """Columns ``s`` takes on a terminal (CJK characters take two)."""
    return sum(2 if _wide(c) else 1 for c in s)


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in "WF"


def _tokens(text: str) -> Iterator[str]:
    """Runs of spaces, single wide (CJK) characters, and runs of anything else."""
    run = ""
    for c in text:
        if _wide(c):
            if run:
                yield run
            run = ""
            yield c
        elif run and run[-1].isspace() != c.isspace():
            yield run
            run = c
        else:
            run += c
    if run:
        yield run


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces or between CJK
    characters, never before closing or after opening punctuation (click's wrapper counts
    characters and breaks only at spaces, so a Chinese paragraph would run off the screen).

    >>> wrap("碳足迹（产品），评价 tanzuji report", 12)
    ['碳足迹（产', '品），评价', 'tanzuji', 'report']
    """
    tokens: list[str] = []
    for tok in _tokens(" ".join(text.split("\n"))):
        if (
            tokens
            and not tok.isspace()
            and not tokens[-1].isspace()
            and (tok[0] in _CLOSING or tokens[-1][-1] in _OPENING)
        ):
            tokens[-1] += tok
        else:
            tokens.append(tok)
    lines: list[str] = []
    line, used, empty, space = first, _width(first), True, False
    for tok in tokens:
        if tok.isspace():
            space = not empty
            continue
        need = _width(tok) + (1 if space else 0)
        if used + need > width and not empty:
            lines.append(line)
            line, used = rest + tok, _width(rest) + _width(tok)
        else:
            line += (" " if space else "") + tok
            used += need
        empty, space = False, False
    lines.append(line)
    return lines


def _paragraphs(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    out: list[str] = []
    for par in re.split(r"\n\s*\n", text.strip()):
        if out:
            out.append("")
        out.extend(wrap(par, width, first, rest))
    return out


class _Formatter(HelpFormatter):
    """click's help formatter; in Chinese: the usage prefix, and lines wrapped by columns."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, text("Usage: ") if prefix is None else prefix)

    def write_text(self, text: str) -> None:
        if not _zh():
            return super().write_text(text)
        indent = " " * self.current_indent
        self.write("\n".join(_paragraphs(text, self.width, indent, indent)) + "\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        if not _zh():
            return super().write_dl(rows, col_max, col_spacing)
        rows = list(rows)
        first_col = min(max(_width(first) for first, _ in rows), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if _width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - _width(first)))
            else:
                self.write("\n" + pad)
            lines = _paragraphs(second, max(self.width - first_col - 2, 10))
            self.write(lines[0] + "\n" + "".join(f"{pad}{x}\n" if x else "\n" for x in lines[1:]))


class _Context(Context):
    formatter_class = _Formatter


class _HelpNames:
    """What ``Command.get_help_option`` reads of a context: the help option's names."""

    def __init__(self, names: list[str]) -> None:
        self.help_option_names = names


def _help(value: str | None) -> str | None:
    if not value:
        return value
    return HELP.get(inspect.cleandoc(value), value)


def localize(command: Any, help_names: list[str] | None = None) -> None:
    """Put the help texts of ``command`` and all its subcommands into Chinese (in place:
    typer builds a new command tree for every invocation)."""
    names = help_names or ["--help"]
    command.context_class = _Context
    command.help = _help(command.help)
    command.short_help = _help(command.short_help)
    if getattr(command, "options_metavar", None) == "[OPTIONS]":
        command.options_metavar = text("[OPTIONS]")
    if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        command.subcommand_metavar = text("COMMAND [ARGS]...")
    # the help option is made on first use; make it now, so its help is translated too
    command.get_help_option(_HelpNames(names))
    helper = getattr(command, "_help_option", None)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _help(param.help)
    if helper is not None and helper.help:
        helper.help = text(helper.help)
    for sub in (getattr(command, "commands", None) or {}).values():
        localize(sub, names)


# ---------------------------------------------------------------- errors


def _show(exc: ClickException, file: IO[Any] | None = None) -> None:
    """``exc.show()`` in Chinese: usage line, help hint and the error (click's layout)."""
    file = file if file is not None else sys.stderr
    color = None
    if isinstance(exc, UsageError) and exc.ctx is not None:
        ctx = exc.ctx
        color = ctx.color
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = (
                text("Try '{command} {option}' for help.")
                .replace("{command}", ctx.command_path)
                .replace("{option}", ctx.help_option_names[0])
            ) + "\n"
        echo(f"{ctx.get_usage()}\n{hint}", file=file, color=color)
    message = text("Error: {message}").replace("{message}", translate(exc.format_message()))
    echo(message, file=file, color=color)


def _localized_error(exc: ClickException) -> None:
    if _zh() and not isinstance(exc, NoArgsIsHelpError):  # that one shows the help
        show: Callable[..., None] = partial(_show, exc)
        setattr(exc, "show", show)  # noqa: B010 - typer calls exc.show() on this instance


def item_metavars(command: Any) -> None:
    """Show a repeatable option or argument by the type of one value (``--accept <str>``),
    not as typer's ``<list[str]>`` (a Python annotation, meaningless to a user); in place,
    for ``command`` and all its subcommands."""
    for param in command.params:
        desc = getattr(param, "type_descriptor", None)
        args = typing.get_args(desc.annotation) if desc is not None else ()
        if desc is None or typing.get_origin(desc.annotation) is not list or len(args) != 1:
            continue
        item = args[0]
        name = "path" if isinstance(item, type) and issubclass(item, PurePath) else None
        shown = f"<{name or param._bare_type(item)}>"
        param.display_type = lambda ctx, shown=shown: shown  # this parameter only
    for sub in (getattr(command, "commands", None) or {}).values():
        item_metavars(sub)


class TanzujiGroup(typer.core.TyperGroup):
    """The root group: decides the language first, then localises help and errors."""

    def main(self, args: Sequence[str] | None = None, *a: Any, **kw: Any) -> Any:
        set_lang(startup_lang(sys.argv[1:] if args is None else args))
        item_metavars(self)
        if _zh():
            localize(self, list(self.context_settings.get("help_option_names", ["--help"])))
        return super().main(args, *a, **kw)

    def make_context(self, *a: Any, **kw: Any) -> Context:
        try:
            return super().make_context(*a, **kw)
        except ClickException as exc:
            _localized_error(exc)
            raise

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClickException as exc:
            _localized_error(exc)
            raise


typer.core._ = text  # type: ignore[attr-defined]  # typer's gettext messages
