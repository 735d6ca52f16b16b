"""tanzuji (碳足迹): traceable, uncertainty-evaluated product carbon footprints.

``__version__`` is read from the installed metadata on first use (importlib.metadata
costs start-up time, and most commands never need it).
"""

from __future__ import annotations

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("tanzuji")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            value = "0.0.0"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
