"""Helpers of the command-line suite (imported by the tests as ``clihelpers``)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@dataclass
class Res:
    code: int
    out: str
    err: str


def fresh(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Res:
    """Run ``python -m tanzuji.cli ARGS`` as a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-m", "tanzuji.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    return Res(proc.returncode, proc.stdout, proc.stderr)
