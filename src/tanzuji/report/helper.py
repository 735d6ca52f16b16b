"""A helper process forked early that imports what it needs at once, then runs jobs.

Used by the render worker (:mod:`tanzuji.report.worker`) and the chart worker
(:mod:`tanzuji.report.chartwork`). Safety rules:

* a helper is forked only while this process has a single thread (forking a threaded
  process can copy a held lock), and only when ``TANZUJI_RENDER_WORKER`` is not ``0``;
* a helper writes nothing; it returns its results through a pipe;
* a helper runs without the cyclic garbage collector: it lives for one command and does
  one job or a few (the report's pages, its charts), and the collector's passes over
  WeasyPrint's box trees took about 40 % of a report's layout;
* helpers never outlive this process: they are stopped when the command ends and at exit,
  they end when they see their pipe closed, and on Linux the kernel kills them if this
  process dies of a signal (``PR_SET_PDEATHSIG``). SIGINT/SIGTERM in a helper end it
  quietly.

>>> prewarm_enabled({"TANZUJI_RENDER_WORKER": "0"})
False
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["Helper", "HelperLost", "can_fork", "fed", "prewarm_enabled"]

_helpers: list[Helper] = []  # live helpers (a later fork closes its copies of their pipes)
_POLL = 0.05  # seconds between checks that a helper is still alive
_FEED = "tzj-feed"  # marks what the parent sends a running job (Helper.feed)
_job: list[Connection] = []  # in a helper: the pipe to its parent


class HelperLost(RuntimeError):
    """The helper process died or its pipe broke before it answered."""


def prewarm_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether helper processes may be started (``TANZUJI_RENDER_WORKER=0`` turns them off)."""
    env = os.environ if env is None else env
    return env.get("TANZUJI_RENDER_WORKER", "1") != "0"


def can_fork() -> bool:
    """Whether a helper may be forked now: enabled, single-threaded, and fork exists."""
    return (
        prewarm_enabled()
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the parent dies (no-op elsewhere)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request
        os._exit(0)


def fed() -> Any:
    """In a helper's job: the next item the parent sends it with :meth:`Helper.feed`
    (waits for it). Outside a helper, or if the parent is gone, :class:`HelperLost`."""
    if not _job:
        raise HelperLost("fed() is only for a job running in a helper")
    try:
        msg = _job[0].recv()
    except (EOFError, OSError) as exc:
        raise HelperLost(str(exc)) from exc
    if not (isinstance(msg, tuple) and len(msg) == 2 and msg[0] == _FEED):
        raise HelperLost("the parent sent a job where an item was expected")
    return msg[1]


def _serve(conn: Connection, other: Connection, parent: int, warm: Callable[[], None]) -> None:
    """The helper's loop: warm up, then run each ``(job, args)`` received and send back
    ``(True, result)`` or ``(False, exception)``; ends when the pipe closes."""
    other.close()  # this process's copy of the parent's end: EOF comes when the parent's closes
    for earlier in _helpers:  # and its copies of the pipes of helpers forked before it
        earlier._conn.close()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    _die_with_parent(parent)
    gc.disable()
    _job.append(conn)
    with contextlib.suppress(Exception):  # errors show again where the job is redone
        warm()
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == _FEED:  # fed to a job that did not ask for all of it
            continue
        job, args = msg
        try:
            reply: tuple[bool, Any] = (True, job(*args))
        except Exception as exc:  # sent back; the parent decides
            reply = (False, exc)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        except Exception as exc:  # an unpicklable result or exception
            conn.send((False, HelperLost(f"{type(exc).__name__}: {exc}")))


class Helper:
    """A forked process that runs ``warm()`` at once, then module-level jobs sent to it
    (arguments and results must pickle), one at a time, in order."""

    def __init__(self, name: str, warm: Callable[[], None]) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve, args=(child, self._conn, os.getpid(), warm), name=name, daemon=True
        )
        self._proc.start()
        child.close()
        _helpers.append(self)
        atexit.register(self.close)

    def submit(self, job: Callable[..., Any], *args: Any) -> None:
        """Send one job (:meth:`result` gets the results in the order they were sent)."""
        try:
            self._conn.send((job, args))
        except (OSError, ValueError) as exc:
            raise HelperLost(str(exc)) from exc

    def feed(self, item: Any) -> None:
        """Send ``item`` to the job running (it takes it with :func:`fed`)."""
        try:
            self._conn.send((_FEED, item))
        except (OSError, ValueError) as exc:
            raise HelperLost(str(exc)) from exc

    def result(self, timeout: float | None = None) -> Any:
        """The next result; the job's exception re-raised; :class:`HelperLost` if the
        process died, the pipe broke or ``timeout`` seconds passed without an answer."""
        waited = 0.0
        try:
            while not self._conn.poll(_POLL):
                waited += _POLL
                if not self._proc.is_alive() or (timeout is not None and waited > timeout):
                    raise HelperLost(f"{self._proc.name} stopped without an answer")
            ok, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise HelperLost(str(exc)) from exc
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Stop the process (it ends by itself when the pipe closes; killed if it lingers)."""
        atexit.unregister(self.close)
        with contextlib.suppress(ValueError):
            _helpers.remove(self)
        self._conn.close()
        if self._proc.is_alive():
            self._proc.join(0.05)
        if self._proc.is_alive():
            with contextlib.suppress(Exception):
                self._proc.kill()
            self._proc.join(1.0)
