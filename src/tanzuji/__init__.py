"""tanzuji (碳足迹): traceable, uncertainty-evaluated product carbon footprints."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tanzuji")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
