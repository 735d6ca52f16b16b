"""Shared helpers of the benchmarks: the meter model, timing, machine facts, the docs file.

Run the benchmarks with ``make bench`` (see ``benchmarks/README.md``); nothing here is
imported by the package or by the tests.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import numpy as np
import scipy

from tanzuji.calculation import MeasurementModel, compile_study, input_distribution
from tanzuji.studyfiles import load_study
from tanzuji.uncertainty import Distribution

ROOT = Path(__file__).resolve().parent.parent
METER_STUDY = ROOT / "examples" / "single-phase-meter" / "study.yaml"
PERFORMANCE_MD = ROOT / "docs" / "performance.md"

T = TypeVar("T")


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Meter:
    """The bundled single-phase meter study compiled into a measurement model."""

    model: MeasurementModel
    inputs: dict[str, Distribution | float]
    """Every model input's distribution (a plain number when u = 0), as the CLI uses them."""

    @property
    def uncertain(self) -> int:
        """Number of inputs that are sampled (u > 0)."""
        return sum(isinstance(d, Distribution) for d in self.inputs.values())

    def estimate(self) -> float:
        """E_total at the input estimates (kgCO2e)."""
        return float(self.model(**self.model.estimates()))


def load_meter(path: Path = METER_STUDY) -> Meter:
    """Load and compile the bundled meter study (the model every benchmark uses)."""
    loaded = load_study(path)
    model = compile_study(loaded.study, loaded.factors)
    inputs = {name: input_distribution(inp) for name, inp in model.inputs.items()}
    return Meter(model, inputs)


# --------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    """Wall times (s) of repeated runs of one thing."""

    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def first(self) -> float:
        return self.times[0]

    def spread(self) -> str:
        """``median (min–max)`` in a readable unit."""
        return f"{fmt_s(self.median)} ({fmt_s(min(self.times))}–{fmt_s(max(self.times))})"


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall time of one call of ``fn`` and its result."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def fmt_s(seconds: float) -> str:
    """A duration with a sensible unit."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_rate(per_s: float) -> str:
    """A rate such as 1.23 M/s."""
    for scale, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if per_s >= scale:
            return f"{per_s / scale:.3g} {unit}/s"
    return f"{per_s:.3g} /s"


# --------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown"
    m = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return m.group(1).strip() if m else "unknown"


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def machine_info() -> dict[str, str]:
    """The facts printed with every run: cores, CPU, versions, load, date."""
    info = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count() or "?"),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(terse=True),
        "load average (1, 5, 15 min) at start": _loadavg(),
    }
    try:  # without importing them (bw2data reads BRIGHTWAY2_DIR on import)
        bw = f"{metadata.version('bw2calc')} / {metadata.version('bw2data')}"
    except metadata.PackageNotFoundError:
        bw = "not installed"
    info["bw2calc / bw2data"] = bw
    return info


# --------------------------------------------------------------------------- docs file

_HEADER = """# Performance

Benchmarks of issue 3 (section "Performance"). They live in `benchmarks/` and run with
`make bench` (see `benchmarks/README.md`); the tests never time anything. Sections between
`<!-- bench:NAME start -->` and `<!-- bench:NAME end -->` markers are rewritten by
`benchmarks/run_all.py` on every run; the other sections are written by hand.
"""


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} start -->", f"<!-- bench:{name} end -->"


def update_sections(sections: Mapping[str, str], path: Path = PERFORMANCE_MD) -> None:
    """Replace (or append) the generated sections of ``path``; keep everything else.

    Each section is stored between ``<!-- bench:NAME start -->`` and ``... end -->``. The
    file is written to a temporary file and renamed, so it is never left half-written.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    for name, body in sections.items():
        start, end = _markers(name)
        block = f"{start}\n{body.strip()}\n{end}"
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
        if pattern.search(text):
            text = pattern.sub(lambda _m, b=block: b, text, count=1)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".performance.", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def eprint(*args: object) -> None:
    """Progress messages go to stderr, results to stdout."""
    print(*args, file=sys.stderr, flush=True)
