"""Errors of the report adapter (subclasses of the one :class:`~tanzuji.errors.TanzujiError`).

>>> str(SignatureError("the file carries no signature", file="a.pdf"))
'a.pdf: the file carries no signature'
"""

from __future__ import annotations

from tanzuji.errors import TanzujiError

__all__ = ["FontError", "ReportError", "SignatureError"]


class ReportError(TanzujiError):
    """A report that cannot be produced (missing font, picture, unwritable output…)."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.message = message
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)


class FontError(ReportError):
    """No CJK-capable font was found."""


class SignatureError(ReportError):
    """A signature that is missing, broken, untrusted, or cannot be made."""
