"""What every command group shares: consoles, the language option, status lines, outputs.

Light imports only (typer, rich, tanzuji.i18n, tanzuji.fileio): ``tanzuji --help``
imports this module, so nothing heavy may be imported at its top.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from tanzuji.fileio import check_output_path
from tanzuji.i18n import Lang, get_lang, set_lang, tr

__all__ = [
    "ForceOption",
    "Lang",
    "LangOption",
    "McOption",
    "QuietOption",
    "UncertaintyMethod",
    "UncertaintyOption",
    "apply_lang",
    "err",
    "lang_value",
    "out",
    "output_path",
    "text_of",
    "warn",
    "wrote",
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
if not out.is_terminal:  # files and pipes: wide enough for the tables
    out.width = 120


class UncertaintyMethod(StrEnum):
    """``--uncertainty``: the specification's formulas only, or also the full GUM."""

    jjf = "jjf"
    full = "full"


LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        help="Language of this command's output (overrides the global --lang).",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing output file.")]
McOption = Annotated[
    bool,
    typer.Option("--mc", help="Also run adaptive Monte Carlo (JJF 1059.2) and validate the GUM."),
]
UncertaintyOption = Annotated[
    UncertaintyMethod,
    typer.Option(
        "--uncertainty",
        help="jjf: the specification's formulas (1)–(18) only; full: also the complete GUM "
        "evaluation (factors, distances, correlations, budget).",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No status lines on stderr.")]


def apply_lang(lang: Lang | None) -> str:
    """Use a per-command ``--lang`` if given; the language in force as ``"zh"``/``"en"``."""
    if lang is not None:
        set_lang(lang)
    return get_lang().value


def lang_value() -> str:
    """The language in force as ``"zh"`` or ``"en"``."""
    return get_lang().value


def output_path(path: Path, suffixes: tuple[str, ...], *, force: bool) -> Path:
    """Check an output file before any work is done (see :func:`check_output_path`)."""
    return check_output_path(path, suffixes, force=force)


def wrote(path: Path, extra_zh: str = "", extra_en: str = "") -> None:
    """The status line after writing a file, in the user's language."""
    err.print(escape(tr(f"已写入 {path}{extra_zh}", f"wrote {path}{extra_en}")))


def warn(zh: str, en: str) -> None:
    """A warning line on stderr: ``警告:`` / ``warning:`` and the message."""
    err.print(f"[yellow]{tr('警告:', 'warning:')}[/yellow] {escape(tr(zh, en))}")


def text_of(items: list[Any], width: int = 110) -> str:
    """Rich renderables as plain text (for ``--out`` files)."""
    with open(os.devnull, "w") as sink:
        console = Console(record=True, width=width, file=sink)
        for item in items:
            console.print(item)
        return console.export_text()
