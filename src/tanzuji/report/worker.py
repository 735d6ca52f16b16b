"""Helper processes started early, so WeasyPrint and matplotlib load while the study is
evaluated.

A signed report from the command line spends about a second importing WeasyPrint (pango
and harfbuzz bindings, CSS machinery) before it can lay out a page, and about as long
importing matplotlib and drawing the charts. :func:`prewarm` forks, first thing in the
command, a *render worker* that imports WeasyPrint at once, and
:mod:`tanzuji.report.chartwork` a *chart worker* that imports matplotlib; both run on the
second core while this process loads and evaluates the study and builds the report. The
HTML is then laid out and turned into PDF/A in the render worker (:func:`render_pdf`),
and this process imports pyHanko (the signature field, signing) while it waits.

Both are :class:`tanzuji.report.helper.Helper` processes (forked only while this process
is single-threaded, never outliving it). If the render worker fails in any way (an
exception, a crash), the PDF is made again in this process, so an error is always
reported as the in-process renderer reports it. One job per render worker; it is stopped
after it, when the command ends, and at exit.

>>> prewarm_enabled({"TANZUJI_RENDER_WORKER": "0"})
False
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

from tanzuji.report import chartwork
from tanzuji.report.helper import Helper, can_fork, prewarm_enabled

__all__ = ["discard", "meanwhile", "prewarm", "prewarm_enabled", "render_pdf"]

_HEAVY = ("tanzuji.report.pdfout", "tanzuji.report.assets")
_state: dict[str, Any] = {}


def _warm() -> None:
    from tanzuji.report.weasy import import_weasyprint

    import_weasyprint()
    for name in _HEAVY:
        importlib.import_module(name)


def discard() -> None:
    """Stop the helpers that were started but not used (the report was refused), or that
    are done (the command ends)."""
    _state.pop("also", None)
    helper = _state.pop("pool", None)
    if helper is not None:
        helper.close()
    chartwork.discard()


def prewarm(also_import: Sequence[str] = (), charts: bool = False) -> bool:
    """Start the render worker (and, with ``charts``, the chart worker); ``also_import``
    are modules this process will need after rendering (imported here while the worker
    lays out the pages; see also :func:`meanwhile`). True if the render worker started."""
    discard()  # a helper forked for an earlier command holds that moment's state
    if not can_fork():
        return False
    try:
        _state["pool"] = Helper("tanzuji-render", _warm)
    except (OSError, RuntimeError):
        return False
    _state["also"] = tuple(also_import)
    if charts:
        chartwork.start()
    return True


def meanwhile(prepare: Callable[[], object]) -> None:
    """Run ``prepare()`` on a thread of this process while the render worker lays out the
    pages (e.g. load the signing key); nothing happens if no worker was started. Its
    errors are ignored: the real use reports them."""
    if "pool" in _state:
        _state["also"] = (*_state.get("also", ()), prepare)


def _import_quietly(todo: Sequence[str | Callable[[], object]]) -> None:
    for item in todo:
        if callable(item):
            with contextlib.suppress(Exception):  # done again, with its error, where used
                item()
            continue
        with contextlib.suppress(ImportError):  # imported again, with its error, where used
            importlib.import_module(item)


def render_pdf(job: Callable[..., Any], *args: Any) -> Any:
    """``job(*args)`` in the render worker when one was started, else here.

    ``job`` must be a module-level function whose arguments and result pickle. Any failure
    of the worker (an exception, a crash) runs ``job`` again in this process. The worker
    does one job and is then stopped.
    """
    helper: Helper | None = _state.pop("pool", None)
    if helper is None:
        return job(*args)
    try:
        helper.submit(job, *args)
        waiting = threading.Thread(target=_import_quietly, args=(_state.pop("also", ()),))
        waiting.start()
        try:
            return helper.result()
        finally:
            waiting.join()
    except Exception:  # any failure of the worker: redo it here, errors included
        return job(*args)
    finally:
        helper.close()
