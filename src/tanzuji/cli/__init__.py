"""The ``tanzuji`` command line (typer + rich). User errors print one line each, exit 1.

Each command group lives in its own module with ``register(app)``, registered below by
one line. The conventions every command follows (option names, language, outputs,
errors) are written down in ``docs/cli.md``. Nothing heavy is imported here or at the
top of a command module: ``tanzuji --help`` must stay fast.
"""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer
from rich.markup import escape

import tanzuji
from tanzuji.cli import authority as _authority
from tanzuji.cli import factors as _factors
from tanzuji.cli import meter as _meter
from tanzuji.cli import pact as _pact
from tanzuji.cli import report as _report
from tanzuji.cli import store as _store
from tanzuji.cli import study as _study
from tanzuji.cli import web as _web
from tanzuji.cli._common import Lang, err, out
from tanzuji.cli.clitext import TanzujiGroup
from tanzuji.errors import InputErrors, TanzujiError
from tanzuji.i18n import get_lang, tr, use_lang

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="tanzuji",
    cls=TanzujiGroup,  # click's own texts and the help in the chosen language (cli/clitext.py)
    help="tanzuji: traceable, uncertainty-evaluated product carbon footprints.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    # plain help text: typer's rich help imports rich.markdown and markdown-it, which
    # costs more start-up time than the whole rest of `tanzuji --help`
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        out.print(f"tanzuji {tanzuji.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    lang: Annotated[
        Lang | None,
        typer.Option(
            "--lang",
            help="Language of every message, table and report: zh (default) or en. "
            "Default: TANZUJI_LANG, else the config file, else zh.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """tanzuji: traceable, uncertainty-evaluated product carbon footprints."""
    from tanzuji.config import check_timezone, load_config

    # the language was decided before parsing (TanzujiGroup.main: the last --lang, else
    # TANZUJI_LANG, else the config file), so that --help and usage errors use it too;
    # setting it here again would undo a per-command --lang for a usage error
    del lang
    load_config()  # a broken config file is reported here
    if warning := check_timezone():  # a TZ that names no zone (issue 9)
        err.print(f"[yellow]{tr('警告:', 'warning:')}[/yellow] {escape(warning)}", emoji=False)


_study.register(app)  # evaluate, check, schema, template, convert, demo
_report.register(app)  # report, sign, verify, keygen
_factors.register(app)  # factors list/show/search/import-grid
_meter.register(app)
_store.register(app)  # save, products, history, …; db, org, user, audit, … (cli.storeadmin)
_web.register(app)  # serve, client add, publish
_pact.register(app)  # pact export, import, pull, serve, client-add
_authority.register(app)  # signatory add/list/remove, approve


def _error(message: str) -> None:
    err.print(f"[red]{tr('错误:', 'error:')}[/red] {escape(message)}", emoji=False)


def main() -> None:
    """Console entry point: run the app, turning user errors into one-line messages.

    The language chosen by ``--lang`` holds for this one invocation: a caller that runs
    ``main`` in-process (a test, a script) gets its own language back afterwards.
    """
    with use_lang(get_lang()):
        try:
            app(prog_name="tanzuji")  # also under `python -m` (click would say "python -m …")
        except InputErrors as exc:
            for e in exc.errors:
                _error(str(e))
            sys.exit(1)
        except TanzujiError as exc:
            _error(str(exc))
            sys.exit(1)


def run() -> None:
    """The ``tanzuji`` console script (and ``python -m tanzuji.cli``): :func:`main`, then
    an exit without a last sweep of the garbage collector.

    When the interpreter shuts down, tearing down its modules sets off collections over
    everything the command made (about 0.3 s after a signed report, a tenth of it). The
    process ends here, so those objects are first moved where the collector no longer
    looks (:func:`gc.freeze`); files were closed by the commands that wrote them.
    In-process callers (tests, scripts) use :func:`main`, which leaves the collector alone.
    """
    try:
        main()
    finally:
        gc.freeze()
