"""The report's charts drawn in a separate process while this one builds the rest.

Importing matplotlib and drawing the PNG charts takes about as long as everything else
before the report's HTML is ready. When the command line has started the *chart worker*
(:func:`start`, from :func:`tanzuji.report.worker.prewarm`; a
:class:`~tanzuji.report.helper.Helper`), it imports matplotlib at once, and :func:`draw`
in an open :func:`batch` only sends it the chart's data and returns a placeholder
(``tzj-chart:DIGEST:N``, the digest of the chart's function and data) that the template
puts where the image's URL goes. The render worker gets that HTML at once and each chart
as it is drawn (:meth:`Batch.deliver`, :class:`FedCharts`), so the layout overlaps the
drawing; :meth:`Batch.resolve` puts each data URI in its placeholder's place for the HTML
kept with the report.

Without a chart worker (the web platform, tests, ``TANZUJI_RENDER_WORKER=0``) a batch
draws at once but still returns placeholders, so the same data give the same HTML and
the same PDF bytes on every path; outside a batch, :func:`draw` returns the data URI.

If the chart worker fails in any way (an exception, a crash, no answer), the charts it had
not delivered are drawn again in this process, so a real error is reported as it would be
without it; an error that is not already a tanzuji error becomes a :class:`ReportError`
naming the chart.

>>> from tanzuji.report.charts import stage_chart
>>> with batch() as charts:
...     uri = draw(stage_chart, ["原材料"], [7.8], [0.1])
...     charts.resolve(f'<img src="{uri}">').startswith('<img src="data:image/png;base64,')
True
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import pickle
from collections.abc import Callable, Iterator
from typing import Any

from tanzuji.errors import TanzujiError
from tanzuji.i18n import tr
from tanzuji.report.errors import ReportError
from tanzuji.report.helper import Helper, HelperLost, can_fork, fed

__all__ = ["FED", "PREFIX", "Batch", "FedCharts", "batch", "discard", "draw", "start"]

PREFIX = "tzj-chart:"
TIMEOUT = 300.0  # seconds without an answer after which the chart worker counts as lost
_state: dict[str, Any] = {}
_current: contextvars.ContextVar[Batch | None] = contextvars.ContextVar(
    "tzj_chart_batch", default=None
)

Chart = Callable[..., str]


def _warm() -> None:
    """Import matplotlib with the Agg backend and register the CJK font."""
    import importlib

    from tanzuji.report import charts

    charts._setup()
    for name in ("matplotlib.figure", "matplotlib.backends.backend_agg"):
        importlib.import_module(name)


def _call(chart: Chart, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return chart(*args, **kwargs)


def start() -> bool:
    """Fork the chart worker (by :func:`tanzuji.report.worker.prewarm`); True if started."""
    discard()
    if not can_fork():
        return False
    try:
        _state["helper"] = Helper("tanzuji-charts", _warm)
    except (OSError, RuntimeError):
        return False
    return True


def discard() -> None:
    """Stop the chart worker (the command ends, or the report was refused)."""
    helper = _state.pop("helper", None)
    if helper is not None:
        helper.close()


def _inline(chart: Chart, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    try:
        return chart(*args, **kwargs)
    except TanzujiError:
        raise
    except Exception as exc:
        name = getattr(chart, "__name__", "chart")
        raise ReportError(
            tr(
                f"无法绘制报告图表（{name}）：{exc}",
                f"could not draw the report chart {name}: {exc}",
            ),
        ) from exc


class Batch:
    """The charts of one rendering: sent to the chart worker, or drawn at once; either
    way the HTML gets a placeholder (``tzj-chart:DIGEST:N``, the digest of the chart's
    function and data), so the same data give the same HTML and PDF on every path."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, Chart, tuple[Any, ...], dict[str, Any]]] = []
        self._done: dict[str, str] = {}

    def draw(self, chart: Chart, *args: Any, **kwargs: Any) -> str:
        """A placeholder for ``chart(*args, **kwargs)``: sent to the chart worker, or,
        without one, drawn at once."""
        data = pickle.dumps((getattr(chart, "__qualname__", ""), args, kwargs), protocol=5)
        n = len(self._pending) + len(self._done)
        key = f"{PREFIX}{hashlib.sha256(data).hexdigest()[:16]}:{n}"
        helper = _state.get("helper")
        if helper is not None:
            try:
                helper.submit(_call, chart, args, kwargs)
            except HelperLost:
                discard()
            else:
                self._pending.append((key, chart, args, kwargs))
                return key
        self._done[key] = _inline(chart, args, kwargs)
        return key

    def deliver(self) -> Iterator[tuple[str, str]]:
        """``(placeholder, data URI)`` of every chart of this batch: those drawn, then the
        rest in order as each is drawn (waits for the chart worker; redraws here what it
        does not deliver)."""
        yield from list(self._done.items())
        while self._pending:
            key, chart, args, kwargs = self._pending[0]  # taken off once drawn
            uri = None
            helper = _state.get("helper")
            if helper is not None:
                try:
                    uri = helper.result(timeout=TIMEOUT)
                except Exception:  # any failure of the chart worker: drawn again here
                    discard()
            if not isinstance(uri, str):
                uri = _inline(chart, args, kwargs)
            self._pending.pop(0)
            self._done[key] = uri
            yield key, uri

    def charts(self) -> dict[str, str]:
        """Every placeholder of this batch with its chart's data URI (waits for them)."""
        for _ in self.deliver():
            pass
        return dict(self._done)

    def resolve(self, text: str) -> str:
        """``text`` with every placeholder of this batch replaced by its chart's data URI
        (waits for the chart worker; redraws here what it does not deliver)."""
        for key, uri in self.charts().items():
            text = text.replace(key, uri)
        return text

    def abandon(self) -> None:
        """Forget the charts asked for (the rendering failed): the worker's answers would
        come out of order for a later batch, so it is stopped."""
        if self._pending:
            self._pending = []
            discard()


@contextlib.contextmanager
def batch() -> Iterator[Batch]:
    """Open a batch: :func:`draw` sends to it until the block ends."""
    current = Batch()
    token = _current.set(current)
    try:
        yield current
    except BaseException:
        current.abandon()
        raise
    finally:
        _current.reset(token)
    current.abandon()  # placeholders never resolved


#: ``charts=FED``: the render worker's job takes the charts from the feed
FED = "fed"


class FedCharts:
    """The data URIs of a report's chart placeholders for the PDF renderer: from the
    mapping ``charts`` (rendering here), from what the command's process feeds the render
    worker's job when ``charts`` is :data:`FED` (:meth:`Batch.deliver`, then ``None``),
    or none at all (``None``: the HTML holds no placeholder).

    >>> FedCharts({"tzj-chart:ab:0": "data:,"})("tzj-chart:ab:0")
    'data:,'
    >>> FedCharts(None)("tzj-chart:ab:0") is None
    True
    >>> FedCharts(FED)("tzj-chart:ab:0") is None  # not in a helper: the feed is empty
    True
    """

    def __init__(self, charts: dict[str, str] | str | None) -> None:
        self._got: dict[str, str] = dict(charts) if isinstance(charts, dict) else {}
        self._ended = charts != FED

    def __call__(self, key: str) -> str | None:
        """The data URI of ``key`` (waits for it); ``None`` if the feed ended without it."""
        while key not in self._got and not self._ended:
            self._take()
        return self._got.get(key)

    def drain(self) -> None:
        """Take the rest of the feed: the command's process may still be sending charts
        this HTML does not use, and it must not be left blocked on a full pipe while the
        job sends its result."""
        while not self._ended:
            self._take()

    def _take(self) -> None:
        try:
            item = fed()
        except HelperLost:
            item = None
        if item is None:
            self._ended = True
        else:
            self._got[item[0]] = item[1]


def draw(chart: Chart, *args: Any, **kwargs: Any) -> str:
    """``chart(*args, **kwargs)`` as a data URI, or a placeholder of the open :func:`batch`."""
    current = _current.get()
    if current is None:
        return _inline(chart, args, kwargs)
    return current.draw(chart, *args, **kwargs)
