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
from functools import partial
from typing import Any

from tanzuji.report import chartwork
from tanzuji.report.helper import Helper, can_fork, prewarm_enabled

__all__ = ["discard", "meanwhile", "prewarm", "prewarm_enabled", "render_pdf"]

_HEAVY = ("tanzuji.report.pdfout", "tanzuji.report.assets")
_state: dict[str, Any] = {}


#: A page with what a report's first page sets in motion: the CJK and Latin faces in
#: regular and bold, a table, a raster picture, page counters, PDF/A-3b with tags and
#: the font subsetting (whose C declarations are parsed on first use).
_WARM_UP = """<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>warm-up</title>
<style>@page {{ size: A4; @bottom-center {{ content: "第 " counter(page) " 页 共 "
counter(pages) " 页"; font-family: {fonts}; }} }}
html {{ font-family: {fonts}; font-size: 9.5pt; }} .md {{ font-family: "DejaVu Sans"; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
th, td {{ border: 0.5pt solid #888; overflow-wrap: anywhere; }}</style></head><body>
<h1>碳足迹 Carbon footprint</h1><p>正文 text, <b>粗体 bold</b> <span class="md">± × √</span>
(59.4 ± 12) kgCO₂e，k = 2</p><table><thead><tr><th>阶段 Stage</th><th>值</th></tr></thead>
<tbody><tr><td>原材料获取阶段</td><td>5.363</td></tr></tbody></table>
<img src="{pixel}" alt=""></body></html>"""
_PIXEL = (  # one white RGB pixel, PNG
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


def _warm() -> None:
    """Import WeasyPrint and lay out a small page, while this worker has nothing else to
    do: the fonts, the font subsetter and PDF/A are then ready when the report arrives
    (about a quarter of a second less on the report's critical path)."""
    from tanzuji.report.weasy import import_weasyprint

    import_weasyprint()
    for name in _HEAVY:
        importlib.import_module(name)
    from tanzuji.report.fonts import css_font_list
    from tanzuji.report.pdfout import html_to_pdf

    html_to_pdf(_WARM_UP.format(fonts=css_font_list(), pixel=_PIXEL))


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


def render_pdf(job: Callable[..., Any], *args: Any, charts: chartwork.Batch | None = None) -> Any:
    """``job(*args)`` in the render worker when one was started, else here.

    ``job`` must be a module-level function whose arguments and result pickle. Any failure
    of the worker (an exception, a crash) runs ``job`` again in this process. The worker
    does one job and is then stopped.

    With ``charts``, the arguments hold the placeholders of that batch: the worker runs
    ``job(*args, charts=FED)`` at once and is sent each chart as it is drawn (the job
    takes them with :class:`~tanzuji.report.chartwork.FedCharts`), so the layout starts
    while the chart worker still draws; run here, ``job`` gets ``charts=`` placeholder →
    data URI.
    """

    def here() -> Any:
        if charts is None:
            return job(*args)
        return job(*args, charts=charts.charts())

    helper: Helper | None = _state.pop("pool", None)
    if helper is None:
        return here()
    try:
        helper.submit(job if charts is None else partial(job, charts=chartwork.FED), *args)
        waiting = threading.Thread(target=_import_quietly, args=(_state.pop("also", ()),))
        waiting.start()
        try:
            if charts is not None:
                for item in charts.deliver():
                    helper.feed(item)
                helper.feed(None)  # the end: a placeholder not fed by now has no chart
            return helper.result()
        finally:
            waiting.join()
    except Exception:  # any failure of the worker or a chart: redo it here, errors included
        return here()
    finally:
        helper.close()
