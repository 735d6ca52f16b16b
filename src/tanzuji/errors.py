"""The one error hierarchy of tanzuji.

Every error a user can cause is a :class:`TanzujiError`. The CLI prints it without a
traceback and exits with status 1. Errors about an input name *where* the problem is
(file, sheet, row, field path) and *what was expected*.

>>> from tanzuji.i18n import use_lang
>>> with use_lang("en"):
...     str(InputError("must be ≥ 0", path="activities[3].quantity", file="study.yaml", got=-1))
'study.yaml: activities[3].quantity: must be ≥ 0 (got -1)'
>>> str(InputError("应 ≥ 0", file="a.xlsx", sheet="A.2", row=3, got=-1))
"a.xlsx: 工作表 'A.2': 第 3 行: 应 ≥ 0（实际为 -1）"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tanzuji.i18n import get_lang, tr, use_lang

__all__ = [
    "AuditError",
    "CalculationError",
    "ConflictError",
    "DistributionError",
    "InputError",
    "InputErrors",
    "ModelEvaluationError",
    "NotFoundError",
    "SchemaVersionError",
    "StoreError",
    "TanzujiError",
    "UncertaintyError",
    "UnitError",
    "UnsafeUrlError",
]


class TanzujiError(Exception):
    """Base class of every error tanzuji raises on purpose."""


_MISSING = object()


@dataclass(frozen=True)
class Location:
    """Where in the input a problem sits; every part is optional."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(tr(f"工作表 {self.sheet!r}", f"sheet {self.sheet!r}"))
        if self.row is not None:
            parts.append(tr(f"第 {self.row} 行", f"row {self.row}"))
        if self.column:
            parts.append(tr(f"列 {self.column!r}", f"column {self.column!r}"))
        if self.path:
            parts.append(self.path)
        return ": ".join(parts)


class InputError(TanzujiError):
    """One problem in user input, with its location and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        got: Any = _MISSING,
    ) -> None:
        self.message = message
        self.location = Location(file=file, sheet=sheet, row=row, column=column, path=path)
        self.got = got
        # the message was worded in the language in force now: the frame around it too
        self.lang = get_lang()
        super().__init__(str(self))

    def with_location(self, **where: Any) -> InputError:
        """A copy with location parts filled in where they were missing."""
        loc = self.location
        merged: dict[str, Any] = {
            "file": loc.file or where.get("file"),
            "sheet": loc.sheet or where.get("sheet"),
            "row": loc.row if loc.row is not None else where.get("row"),
            "column": loc.column or where.get("column"),
            "path": loc.path or where.get("path"),
        }
        return type(self)(self.message, got=self.got, **merged)

    def __str__(self) -> str:
        with use_lang(self.lang):
            where = str(self.location)
            text = f"{where}: {self.message}" if where else self.message
            if self.got is not _MISSING:
                text += tr(f"（实际为 {_shown(self.got)}）", f" (got {_shown(self.got)})")
            return text


def _shown(value: Any) -> str:
    """The offending value, cut short: an error never echoes a whole file or a huge text.

    Values are written as the study file writes them, never as a Python repr:

    >>> import datetime as dt
    >>> _shown(dt.date(2025, 7, 1)), _shown(True), _shown(None), _shown("2025-07"), _shown(2.5)
    ('2025-07-01', 'true', 'null', "'2025-07'", '2.5')
    >>> len(_shown("x" * 500)), _shown("x" * 500)[-3:]
    (101, 'xx…')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = value.isoformat() if isinstance(value, dt.date | dt.time) else repr(value)
    return text if len(text) <= 120 else text[:100] + "…"


class UnitError(InputError):
    """A unit that cannot be parsed, or units that do not match dimensionally."""


class InputErrors(TanzujiError):
    """Several input problems reported together (one line each)."""

    def __init__(self, errors: Iterable[InputError]) -> None:
        self.errors: Sequence[InputError] = tuple(errors)
        self.lang = get_lang()
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.errors)
        with use_lang(self.lang):
            head = tr(f"输入中有 {n} 个问题：", f"{n} problem{'s' if n != 1 else ''} in the input:")
        return "\n".join([head, *(f"  - {e}" for e in self.errors)])


class CalculationError(TanzujiError):
    """A study that is well-formed but cannot be calculated (e.g. a zero total)."""


class UncertaintyError(TanzujiError):
    """Base class for errors of the uncertainty engine."""


class DistributionError(UncertaintyError, ValueError):
    """A distribution or correlation given with impossible parameters."""


class ModelEvaluationError(UncertaintyError):
    """A measurement model that returned NaN, infinity or the wrong shape."""


class UnsafeUrlError(InputError):
    """A URL the server or the command line must not fetch: not HTTPS, credentials in it,
    or a host on a loopback, private, link-local, multicast or reserved address (SSRF)."""


class OutputError(InputError):
    """An output file that may not be written: it exists (no ``--force``), its directory
    is missing, or its suffix does not match the format written."""


class StoreError(TanzujiError):
    """A problem with the product footprint database (connection, file, state)."""


class ConflictError(StoreError):
    """A write based on a revision that is no longer the newest (optimistic concurrency)."""


class NotFoundError(StoreError):
    """A revision, product, organisation or user that the database does not hold."""


class SchemaVersionError(StoreError):
    """A database whose schema is older (upgrade it) or newer (upgrade tanzuji) than the code."""


class AuditError(StoreError):
    """The audit trail does not verify: names the first entry that breaks the chain."""


class IssuanceError(TanzujiError):
    """A signed report that may not be issued: blocking findings not accepted, a signer
    who is not the study's evaluator without an override, an acceptance that names no
    blocking finding."""
