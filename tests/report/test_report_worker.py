"""The render worker (report/worker.py): the job runs in the forked process, a failure
there is redone here, and it is never started where forking is unsafe or turned off.

Each case runs in a fresh interpreter: the rule "fork only while single-threaded" depends
on the process, and pytest's own process may hold threads of other tests.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tanzuji.report.worker import prewarm_enabled


def _run(code: str, **env: str) -> str:
    import os

    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_job_runs_in_the_worker_and_weasyprint_is_loaded_there() -> None:
    out = _run(
        """
        import os, sys
        from tanzuji.report import worker
        started = worker.prewarm()
        pid = worker.render_pdf(os.getpid)
        print(started, pid != os.getpid(), "weasyprint" in sys.modules)
        """
    )
    # started; ran elsewhere; this process never imported WeasyPrint itself
    assert out == "True True False"


def test_a_failure_in_the_worker_is_redone_here() -> None:
    out = _run(
        """
        import os
        from tanzuji.report import worker
        HOME = os.getpid()

        def only_at_home(pid):
            if os.getpid() != pid:
                raise RuntimeError("not here")
            return "done at home"

        worker.prewarm()
        print(worker.render_pdf(only_at_home, HOME))
        """
    )
    assert out == "done at home"


@pytest.mark.parametrize(
    ("code", "env"),
    [
        ("", {"TANZUJI_RENDER_WORKER": "0"}),
        (
            "import threading\n"
            "threading.Thread(target=threading.Event().wait, daemon=True).start()",
            {},
        ),
    ],
    ids=["turned-off", "threaded-process"],
)
def test_not_started_where_it_must_not(code: str, env: dict[str, str]) -> None:
    out = _run(
        code
        + """
import os
from tanzuji.report import worker
print(worker.prewarm(), worker.render_pdf(os.getpid) == os.getpid())
""",
        **env,
    )
    assert out == "False True"


def test_switch() -> None:
    assert prewarm_enabled({}) is True
    assert prewarm_enabled({"TANZUJI_RENDER_WORKER": "0"}) is False


def test_weasyprint_loads_without_library_search_subprocesses() -> None:
    """ctypes' find_library runs ldconfig, gcc and ld; WeasyPrint's exact sonames need none."""
    out = _run(
        """
        import subprocess
        calls = []
        real = subprocess.Popen.__init__
        def counting(self, args, *a, **k):
            calls.append(args)
            real(self, args, *a, **k)
        subprocess.Popen.__init__ = counting
        from tanzuji.report.weasy import import_weasyprint
        import_weasyprint().HTML(string="<p>x</p>").render()
        import ctypes.util
        print(len(calls), ctypes.util.find_library.__name__)
        """
    )
    assert out == "0 find_library"


def test_a_refused_command_leaves_no_worker(tmp_path, tanzuji_main, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A report refused after the worker started (here: a study that does not load) leaves
    none behind for a later render in the same process, which must see that moment's code
    and data."""
    import threading

    from tanzuji.report import worker

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest may run threads
    started: list[bool] = []
    real = worker.prewarm
    monkeypatch.setattr(worker, "prewarm", lambda **k: started.append(real(**k)) or True)
    study = tmp_path / "s.yaml"
    study.write_text("not: a study\n", encoding="utf-8")
    code, _out, _err = tanzuji_main("report", study, "--out", tmp_path / "r.pdf")
    assert code != 0, _err
    assert started == [True], _err
    assert "pool" not in worker._state
    from tanzuji.report import chartwork

    assert "helper" not in chartwork._state  # nor a chart worker


CHART_ARGS = '(["原材料", "使用"], [7.8, 52.2], [0.1, 5.2])'


def test_charts_drawn_by_the_chart_worker_are_the_bytes_drawn_here() -> None:
    out = _run(
        f"""
        import sys
        from tanzuji.report import chartwork, worker
        from tanzuji.report.charts import stage_chart
        print(worker.prewarm(charts=True), "helper" in chartwork._state)
        with chartwork.batch() as charts:
            key = chartwork.draw(stage_chart, *{CHART_ARGS})
            html = charts.resolve(f"<img src='{{key}}'><p>{{key}}</p>")
        print(key.startswith(chartwork.PREFIX), "matplotlib" in sys.modules)
        uri = stage_chart(*{CHART_ARGS})  # now drawn here
        print(html == f"<img src='{{uri}}'><p>{{uri}}</p>")
        """
    )
    # started; a placeholder; this process never imported matplotlib; the same PNG
    assert out.split() == ["True", "True", "True", "False", "True"]


def test_a_chart_worker_that_dies_is_replaced_by_drawing_here() -> None:
    out = _run(
        """
        import os
        from tanzuji.report import chartwork, worker
        HOME = os.getpid()

        def dies_elsewhere(text):
            if os.getpid() != HOME:
                os._exit(3)  # the chart worker crashes
            return "data:" + text

        worker.prewarm(charts=True)
        with chartwork.batch() as charts:
            key = chartwork.draw(dies_elsewhere, "drawn at home")
            print(charts.resolve(key), "helper" in chartwork._state)
        """
    )
    assert out == "data:drawn at home False"


def test_an_error_in_a_chart_is_a_report_error_not_a_hang() -> None:
    out = _run(
        """
        from tanzuji.report import chartwork, worker
        from tanzuji.report.errors import ReportError

        def broken(n):
            raise ValueError(f"no data for {n} stages")

        worker.prewarm(charts=True)
        try:
            with chartwork.batch() as charts:
                charts.resolve(chartwork.draw(broken, 3))
        except ReportError as exc:
            print("ReportError:", exc.message)
        """
    )
    assert out.startswith("ReportError:")
    assert "broken" in out and "no data for 3 stages" in out


def _gone(pid: int) -> bool:
    import os

    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # zombie: ended
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL", "exit"])
def test_helpers_never_outlive_the_command(how: str) -> None:
    """Killed with the command (however it ends), even while they are still importing."""
    import os
    import signal
    import time

    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    code = textwrap.dedent(
        """
        import sys, time
        from tanzuji.report import chartwork, worker
        worker.prewarm(charts=True)
        helpers = [worker._state["pool"], chartwork._state["helper"]]
        print(*(h._proc.pid for h in helpers), flush=True)
        if sys.argv[1] == "exit":
            sys.exit(0)
        time.sleep(600)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, how], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert proc.stdout is not None
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2
    if how != "exit":
        proc.send_signal(getattr(signal, how))
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(p) for p in pids), pids


def test_meanwhile_runs_on_this_process_while_the_worker_lays_out() -> None:
    out = _run(
        """
        import os
        from tanzuji.report import worker

        def failing():
            raise RuntimeError("ignored here; the real use reports it")

        worker.prewarm(also_import=("json",))
        worker.meanwhile(failing)
        worker.meanwhile(lambda: print("prepared in", os.getpid()))
        print("job in", worker.render_pdf(os.getpid), "home", os.getpid())
        """
    )
    prepared, job = out.splitlines()
    home = job.split()[-1]
    assert prepared == f"prepared in {home}"
    assert job.split()[2] != home  # the job ran in the worker


def test_charts_are_opaque_rgb_so_the_pdf_writer_encodes_them_once() -> None:
    """An RGBA picture is split by WeasyPrint into colour and a soft mask, each encoded
    again: work on the critical path of a report, for a figure that is opaque anyway."""
    import ast
    import base64
    import io

    from PIL import Image

    from tanzuji.report.charts import pareto_chart, stage_chart

    for uri in (stage_chart(*ast.literal_eval(CHART_ARGS)), pareto_chart(["a", "b"], [0.7, 0.3])):
        im = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
        assert im.format == "PNG" and im.mode == "RGB"
        assert im.getpixel((0, 0)) == (255, 255, 255)  # the white figure, not transparency


def test_the_render_workers_warm_up_page_renders() -> None:
    """The warm-up's errors are swallowed in the worker (the real job reports its own), so
    a broken warm-up page would only cost time unnoticed: render it here, where it fails."""
    from tanzuji.report import worker
    from tanzuji.report.fonts import css_font_list
    from tanzuji.report.pdfout import html_to_pdf

    pdf, pages, stamp = html_to_pdf(
        worker._WARM_UP.format(fonts=css_font_list(), pixel=worker._PIXEL)
    )
    assert pdf.startswith(b"%PDF-") and pages == 1 and stamp is None


def test_helpers_run_without_the_cyclic_collector_and_leave_this_process_alone() -> None:
    """The render and chart workers turn the collector off (its passes over WeasyPrint's
    box trees were ~40 % of the layout); the command's own process keeps it on."""
    out = _run(
        """
        import gc, os
        from tanzuji.report import chartwork, worker
        from tanzuji.report.helper import Helper
        worker.prewarm(charts=True)
        helper = Helper("probe", lambda: None)
        helper.submit(gc.isenabled)
        in_helper = helper.result(timeout=60)
        helper.close()
        in_render = worker.render_pdf(gc.isenabled)
        print(in_helper, in_render, gc.isenabled())
        worker.discard()
        """
    )
    assert out == "False False True"


def test_the_layout_starts_before_the_charts_are_drawn() -> None:
    """The render worker gets the HTML with the chart placeholders at once and each chart
    when it is drawn: its job has begun (monotonic clock, shared by all processes on
    Linux) before the slow chart is finished."""
    out = _run(
        """
        import time
        from tanzuji.report import chartwork, worker
        from tanzuji.report.chartwork import FedCharts

        def slow_chart(n):
            time.sleep(0.5)
            return f"data:,{time.monotonic()}"

        def job(key, charts=None):
            began = time.monotonic()
            return began, FedCharts(charts)(key)

        worker.prewarm(charts=True)
        with chartwork.batch() as charts:
            key = chartwork.draw(slow_chart, 1)
            began, uri = worker.render_pdf(job, key, charts=charts)
        print(began < float(uri.removeprefix("data:,")), uri == charts.resolve(key))
        """
    )
    assert out == "True True"


def test_a_report_pdf_is_the_same_bytes_with_or_without_the_helpers() -> None:
    """Charts drawn by the chart worker and fed to the render worker, or drawn and laid
    out here: the same placeholders (a digest of the chart's data) and the same PDF."""
    out = _run(
        f"""
        import hashlib
        from tanzuji.report import chartwork, worker
        from tanzuji.report.charts import stage_chart
        from tanzuji.report.pdfout import html_to_pdf

        def pdf():
            with chartwork.batch() as charts:
                key = chartwork.draw(stage_chart, *{CHART_ARGS})
                html = f"<html><body><p>图</p><img src='{{key}}' alt='chart'></body></html>"
                made, pages, _ = worker.render_pdf(html_to_pdf, html, charts=charts)
            return key, hashlib.sha256(made).hexdigest(), pages

        worker.prewarm(charts=True)
        with_helpers = pdf()
        worker.discard()
        without = pdf()  # no helpers: drawn and laid out here
        print(with_helpers == without, with_helpers[2], "helper" in chartwork._state)
        """
    )
    assert out == "True 1 False"


def test_a_render_worker_that_dies_mid_feed_is_redone_here_with_the_charts() -> None:
    out = _run(
        """
        import os
        from tanzuji.report import chartwork, worker
        from tanzuji.report.chartwork import FedCharts
        HOME = os.getpid()

        def chart(text):
            return "data:," + text

        def job(key, charts=None):
            if os.getpid() != HOME:
                FedCharts(charts)(key)  # took its chart, then crashes
                os._exit(3)
            return FedCharts(charts)(key)

        worker.prewarm(charts=True)
        with chartwork.batch() as charts:
            key = chartwork.draw(chart, "drawn")
            print(worker.render_pdf(job, key, charts=charts))
        """
    )
    assert out == "data:,drawn"


def test_a_placeholder_without_its_chart_is_an_error_not_a_hole() -> None:
    from tanzuji.report.errors import ReportError
    from tanzuji.report.pdfout import html_to_pdf

    html = "<html><body><img src='tzj-chart:0123456789abcdef:0' alt=''></body></html>"
    with pytest.raises(ReportError, match=r"图表缺失|chart"):
        html_to_pdf(html, charts={})


def test_charts_the_html_does_not_use_do_not_block_a_large_result() -> None:
    """The render job takes the whole feed even when its HTML uses none of the charts:
    otherwise this process would block sending a chart into a full pipe while the worker
    blocks sending a PDF of megabytes back (a deadlock)."""
    out = _run(
        """
        import os
        from tanzuji.report import chartwork, worker
        from tanzuji.report.pdfout import AssociatedFile, html_to_pdf

        def big_chart(n):
            return "data:," + "a" * 1_000_000

        worker.prewarm(charts=True)
        big = AssociatedFile("noise.bin", os.urandom(3_000_000), "incompressible")
        with chartwork.batch() as charts:
            chartwork.draw(big_chart, 1)
            chartwork.draw(big_chart, 2)
            pdf, pages, _ = worker.render_pdf(
                html_to_pdf, "<html><body><p>x</p></body></html>", (big,), charts=charts
            )
        print(len(pdf) > 3_000_000, pages)
        """
    )
    assert out == "True 1"
