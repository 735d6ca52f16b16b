"""Import WeasyPrint without ctypes' slow shared-library search.

WeasyPrint loads pango, harfbuzz, fontconfig … through cffi, trying several names per
library (``libpango-1.0-0``, ``pango-1.0``, …, ``libpango-1.0.so.0``). For every name
that ``dlopen`` cannot load directly, cffi asks :func:`ctypes.util.find_library`, which on
Linux runs ``ldconfig -p`` and then ``gcc`` and ``ld`` as subprocesses: 22 lookups and
about half a second of a report's start-up (``libharfbuzz-vector``, optional and absent
from Debian 12, misses all six names). The exact sonames in WeasyPrint's lists load with a
plain ``dlopen``, so during the import the search answers "not found" at once; if the
import still fails that way, it is retried with the real search.

>>> weasyprint = import_weasyprint()
>>> hasattr(weasyprint, "HTML")
True
"""

from __future__ import annotations

import ctypes.util
import importlib
import sys
import threading
from types import ModuleType

__all__ = ["import_weasyprint"]

_LOCK = threading.Lock()


def _not_found(name: str) -> None:
    return None


def import_weasyprint() -> ModuleType:
    """The ``weasyprint`` module, imported without subprocess library searches."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    with _LOCK:
        real = ctypes.util.find_library
        ctypes.util.find_library = _not_found
        try:
            return importlib.import_module("weasyprint")
        except OSError:  # a library known only by a name the search would resolve
            for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = real
        return importlib.import_module("weasyprint")
