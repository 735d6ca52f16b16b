"""Package names loaded on first use (PEP 562), so that importing a package stays light.

>>> getattr_, dir_ = lazy_exports("json", {"decoder": ("JSONDecodeError",)}, {})
>>> getattr_("JSONDecodeError").__name__
'JSONDecodeError'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, Sequence[str]], namespace: MutableMapping[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name of ``where[module]`` is
    imported from ``package.module`` when first asked for and then kept in ``namespace``
    (the package's ``globals()``)."""
    module_of = {name: module for module, names in where.items() for name in names}
    names = sorted(module_of)

    def getattr_(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(names))

    return getattr_, dir_
