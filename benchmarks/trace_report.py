"""Timeline of a real command across its processes (issue 8: where a signed report waits).

    .venv/bin/python benchmarks/trace_report.py report examples/single-phase-meter \\
        --out /tmp/r.pdf --force --key K.pem --cert C.pem --quiet

Runs ``tanzuji ARGS`` in this process with the functions below wrapped (when their module
is first imported) to print, on stderr, the wall-clock second at which each starts and ends
and in which process (``main`` or a helper's pid): a fork inherits the wrapping.
"""

import functools
import importlib.abc
import os
import sys
import time

T0 = time.perf_counter()
MAIN = os.getpid()
WRAP = {
    "tanzuji.report.worker": ["_warm", "render_pdf"],
    "tanzuji.report.pdfout": ["html_to_pdf", "add_signature_field"],
    "tanzuji.report.render": ["render_html", "render_report"],
    "tanzuji.report.context": ["build_context"],
    "tanzuji.report.chartwork": ["start", "_warm", "_call"],
    "tanzuji.report.charts": ["_setup", "_uri"],
    "tanzuji.report.sign": ["sign_pdf"],
    "tanzuji.report.prepare": ["prepare_report", "write_outputs"],
    "tanzuji.services.issue": ["issue_report", "plan_issue"],
    "tanzuji.calculation": ["evaluate_full"],
    "tanzuji.studyfiles": ["load_study"],
    "tanzuji.report.weasy": ["import_weasyprint"],
}


def log(msg):
    who = "main" if os.getpid() == MAIN else f"pid{os.getpid()}"
    sys.stderr.write(f"{time.perf_counter() - T0:7.3f} {who:9} {msg}\n")


def wrap(mod, name):
    f = getattr(mod, name, None)
    if f is None or getattr(f, "_traced", False):
        return

    @functools.wraps(f)
    def g(*a, **k):
        t = time.perf_counter()
        log(f"> {mod.__name__}.{name}")
        try:
            return f(*a, **k)
        finally:
            log(f"< {mod.__name__}.{name} {time.perf_counter() - t:.3f}")

    g._traced = True
    setattr(mod, name, g)


class Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname not in WRAP:
            return None
        for f in sys.meta_path:
            if f is self:
                continue
            spec = f.find_spec(fullname, path, target) if hasattr(f, "find_spec") else None
            if spec:
                break
        else:
            return None
        loader = spec.loader
        orig = loader.exec_module

        def exec_module(module):
            orig(module)
            for n in WRAP[fullname]:
                wrap(module, n)

        loader.exec_module = exec_module
        return spec


def main() -> None:
    """Install the wrapping finder, run the command, and mark its start and end."""
    import contextlib

    sys.meta_path.insert(0, Finder())
    sys.argv = ["tanzuji", *sys.argv[1:]]
    log("start")
    from tanzuji.cli import main as tanzuji

    with contextlib.suppress(SystemExit):
        tanzuji()
    log("end")


if __name__ == "__main__":
    main()
