"""``python -m tanzuji.cli``: the same entry point as the ``tanzuji`` command."""

from tanzuji.cli import run

run()
