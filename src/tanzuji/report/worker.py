"""A render process started early, so WeasyPrint loads while the study is evaluated.

A signed report from the command line spends about a second importing WeasyPrint and
pyHanko (pango/harfbuzz bindings, CSS machinery, cryptography) before it can lay out a
page. :func:`prewarm` forks one process that imports them at once, on the second core,
while this process loads and evaluates the study and draws the charts; the HTML is then
laid out and turned into PDF/A there (:func:`render_pdf`), and this process imports what
signing needs while it waits.

Safety rules:

* the fork happens only while this process has a single thread (forking a threaded
  process can copy a held lock), and only when ``TANZUJI_RENDER_WORKER`` is not ``0``;
* the worker writes nothing; it returns bytes. If it fails in any way, the PDF is made
  again in this process, so an error is always reported as the in-process renderer
  reports it;
* one job per worker; the worker is shut down after it, when the command ends, and at
  exit.

>>> prewarm_enabled({"TANZUJI_RENDER_WORKER": "0"})
False
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

__all__ = ["discard", "prewarm", "prewarm_enabled", "render_pdf"]

_HEAVY = ("weasyprint", "pyhanko.sign.fields", "pyhanko.pdf_utils.incremental_writer")
_state: dict[str, Any] = {}


def prewarm_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether a render worker may be started (``TANZUJI_RENDER_WORKER=0`` turns it off)."""
    env = os.environ if env is None else env
    return env.get("TANZUJI_RENDER_WORKER", "1") != "0"


def _warm() -> None:
    from tanzuji.report.weasy import import_weasyprint

    import_weasyprint()
    for name in _HEAVY[1:]:
        importlib.import_module(name)


def discard() -> None:
    """Stop a worker that was started but not used (the report was refused)."""
    _state.pop("also", None)
    pool = _state.pop("pool", None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def prewarm(also_import: Sequence[str] = ()) -> bool:
    """Start the render worker; ``also_import`` are modules this process will need after
    rendering (imported here while the worker lays out the pages). True if started."""
    discard()  # a worker forked for an earlier command holds that moment's state
    if not prewarm_enabled() or threading.active_count() != 1:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        pool.submit(_warm)
    except (OSError, RuntimeError):
        return False
    _state["pool"] = pool
    _state["also"] = tuple(also_import)
    atexit.register(discard)
    return True


def _import_quietly(names: Sequence[str]) -> None:
    for name in names:
        with contextlib.suppress(ImportError):  # imported again, with its error, where used
            importlib.import_module(name)


def render_pdf(job: Callable[..., Any], *args: Any) -> Any:
    """``job(*args)`` in the render worker when one was started, else here.

    ``job`` must be a module-level function whose arguments and result pickle. Any failure
    of the worker (an exception, a crash) runs ``job`` again in this process.
    """
    pool: ProcessPoolExecutor | None = _state.pop("pool", None)
    if pool is None:
        return job(*args)
    try:
        future: Future[Any] = pool.submit(job, *args)
        waiting = threading.Thread(target=_import_quietly, args=(_state.pop("also", ()),))
        waiting.start()
        try:
            return future.result()
        finally:
            waiting.join()
    except Exception:  # any failure of the worker: redo it here, errors included
        return job(*args)
    finally:
        pool.shutdown(wait=False)
