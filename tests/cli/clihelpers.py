"""Helpers of the command-line suite (imported by the tests as ``clihelpers``)."""

from __future__ import annotations

import os
import re
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


#: Tokens that are not English prose: file names, ids, units, field paths, numbers.
_NOT_PROSE = re.compile(
    r"""(?x)
    [/\\][^\s：:，,（）()]*            # a path
    | [\w.\-]+\.(?:ya?ml|json|xlsx|pdf|csv)\b
    | \b[A-Za-z_]+(?:\[\d+\])?(?:\.[A-Za-z_0-9]+(?:\[\d+\])?)+  # a dotted id or field path
    | \b\w*_\w*\b                        # snake_case keys (values the user types)
    | '[^']*' | "[^"]*" | `[^`]*`          # quoted values and commands
    """
)
_ENGLISH_RUN = re.compile(r"(?<![\w-])[A-Za-z]{2,}(?: +[A-Za-z]+){2,}(?![\w-])")


_COMMANDS: re.Pattern[str] | None = None


def _commands() -> re.Pattern[str]:
    """A tanzuji command line as messages quote it: ``tanzuji org add ACME --role admin``.

    The command path must be a real command of the app; after it come options and
    arguments that are not plain lower-case words (so prose after a command still counts).
    """
    global _COMMANDS
    if _COMMANDS is None:
        import typer

        from tanzuji.cli import app

        paths: list[str] = []

        def walk(cmd: object, prefix: str) -> None:
            for name, sub in (getattr(cmd, "commands", None) or {}).items():
                walk(sub, f"{prefix} {name}".strip())
            if prefix:
                paths.append(prefix)

        walk(typer.main.get_command(app), "")
        names = "|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True))
        _COMMANDS = re.compile(
            rf"\btanzuji (?:{names})\b"
            r"(?: +(?:--?[\w-]+|[^\sa-z（）()，,：:；;。][^\s（）()，,：:；;。]*))*"
        )
    return _COMMANDS


def english_runs(text: str) -> list[str]:
    """Runs of three or more English words in ``text`` (file names, ids, field paths,
    quoted values, snake_case keys and tanzuji command lines excluded): what must not
    appear in a Chinese session.

    >>> english_runs("错误: /tmp/a b c.yaml: activities[0].unit: 未知单位（实际为 'kWh x y'）")
    []
    >>> english_runs("错误: s.yaml: expected a number (got 1)")
    ['expected a number']
    >>> english_runs("没有组织 'X'（用 tanzuji org add NoSuchOrg --role admin 添加）")
    []
    >>> english_runs("tanzuji check lists them all")
    ['lists them all']
    """
    return _ENGLISH_RUN.findall(_NOT_PROSE.sub(" ", _commands().sub(" ", text)))
