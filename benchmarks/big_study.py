"""A synthetic study with many activities (issue 9: bounded resources).

``python benchmarks/big_study.py N [FOLDER]`` writes ``FOLDER/study.yaml`` with N activities
(flows, transport legs and electricity, all against builtin factors) and times
``evaluate`` of it in a fresh process, printing wall time and peak RSS.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = """\
id: BIG
product: {name: 大批量测试, annual_output: {quantity: 1000, unit: 台}}
period: 2025
activities:
"""

ROWS = (
    "  - {{stage: raw_materials, name: 原料{i}, quantity: {q}, unit: kg, factor: material.pc.ice2,"
    " uncertainty: {{relative: 0.05}}}}\n",
    "  - {{stage: manufacturing, name: 用电{i}, quantity: {q}, unit: 度,"
    " factor: cn.electricity.footprint.2023, uncertainty: {{standard: 0.01}}}}\n",
    "  - {{stage: use, name: 使用{i}, quantity: {q}, unit: kWh,"
    " factor: cn.electricity.footprint.2023}}\n",
)


def big_study_text(n: int) -> str:
    """The YAML text of a study with ``n`` activities (deterministic)."""
    parts = [HEADER]
    for i in range(n):
        parts.append(ROWS[i % len(ROWS)].format(i=i, q=1 + (i % 97) / 100))
    return "".join(parts)


def write_big_study(folder: Path, n: int) -> Path:
    """Write ``folder/study.yaml`` with ``n`` activities and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "study.yaml"
    path.write_text(big_study_text(n), encoding="utf-8")
    return path


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    path = write_big_study(folder, n)
    exe = Path(sys.executable).with_name("tanzuji")
    for cmd in (["evaluate"], ["check"]):
        start = time.perf_counter()
        proc = subprocess.run(
            [str(exe), *cmd, str(path)], capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"{' '.join(cmd)} of {n} activities: {wall:.1f} s, peak RSS so far {rss:.0f} MB,"
            f" exit {proc.returncode}"
        )
        if proc.returncode not in (0, 1):
            print(proc.stderr[-2000:])


if __name__ == "__main__":
    main()
