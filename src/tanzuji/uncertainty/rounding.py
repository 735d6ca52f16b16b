"""Rounding a result and its uncertainty for reporting (JJF 1059.1, GB/T 8170, JCGM 100 7.2.6).

Rules:

* the uncertainty is given with ``ndig`` significant digits (JJF 1059.1: 1 or at most 2);
* it is rounded either half to even (GB/T 8170 "四舍六入, 逢五取偶", ``mode="half_even"``) or
  always up ("只进不舍", ``mode="up"``, the conservative choice);
* the value is rounded, half to even, to the same decimal place as the last digit of the
  uncertainty (the "always up" rule concerns the uncertainty only).

All arithmetic is decimal. A ``float`` argument is converted through its shortest ``repr``
(``10.0575`` is the decimal 10.0575, not the binary number nearest to it) and then rounded to
15 significant digits, so that noise of the last binary digit (``0.1 + 0.2`` is
``0.30000000000000004``) neither creates nor breaks a tie nor bumps an "always up" result.
``int``, ``str`` and :class:`~decimal.Decimal` arguments are used exactly.

The strings never use scientific notation: ``1.8e12`` is written ``1800000000000``; the
:attr:`RoundedResult.exponent` says which decimal place is the last significant one.

>>> str(round_result(61.23, 17.6))
'61 ± 18'
>>> r = round_result(10.0575, 0.0283)
>>> r.value, r.U, r.exponent
('10.058', '0.028', -3)
>>> round_result(10.0575, 0.0281, mode="up").U
'0.029'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Literal

from tanzuji.errors import UncertaintyError

__all__ = [
    "Number",
    "RoundedResult",
    "RoundingError",
    "RoundingMode",
    "round_result",
    "to_decimal",
]

Number = float | int | str | Decimal
RoundingMode = Literal["half_even", "up"]

#: Significant digits kept from a binary float before decimal rounding (float64 holds 15 exactly).
FLOAT_DIGITS = 15


class RoundingError(UncertaintyError, ValueError):
    """A value or an uncertainty that cannot be rounded (negative, NaN, infinite...).

    >>> round_result(1.0, -0.1)
    Traceback (most recent call last):
    ...
    tanzuji.uncertainty.rounding.RoundingError: U must be ≥ 0, got -0.1
    """


@dataclass(frozen=True)
class RoundedResult:
    """A value and its uncertainty rounded for reporting, as decimal strings.

    ``exponent`` is the decimal exponent of the last digit kept (``-3`` for ``0.028``);
    ``ndig`` and ``mode`` record how the uncertainty was rounded.

    >>> r = round_result(-1234.5, 0.0)
    >>> (r.value, r.U)
    ('-1234.5', '0')
    """

    value: str
    U: str
    exponent: int
    ndig: int
    mode: RoundingMode

    @property
    def value_decimal(self) -> Decimal:
        """The rounded value as a :class:`~decimal.Decimal`."""
        return Decimal(self.value)

    @property
    def U_decimal(self) -> Decimal:
        """The rounded uncertainty as a :class:`~decimal.Decimal`."""
        return Decimal(self.U)

    def __str__(self) -> str:
        return f"{self.value} ± {self.U}"


def to_decimal(x: Number, *, name: str = "value") -> Decimal:
    """Convert a number to a finite :class:`~decimal.Decimal` without binary artefacts.

    >>> to_decimal(0.1 + 0.2)
    Decimal('0.300000000000000')
    >>> to_decimal("2.50")
    Decimal('2.50')
    """
    if isinstance(x, bool):
        raise RoundingError(f"{name} must be a number, got a bool ({x!r})")
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, int):
        d = Decimal(x)
    elif isinstance(x, str):
        try:
            d = Decimal(x.strip())
        except ArithmeticError as exc:
            raise RoundingError(f"{name} is not a decimal number: {x!r}") from exc
    elif isinstance(x, float):
        if not math.isfinite(x):
            raise RoundingError(f"{name} must be finite, got {x!r}")
        d = Decimal(repr(x))
        if d != 0:
            d = Context(prec=FLOAT_DIGITS, rounding=ROUND_HALF_EVEN).plus(d)
    else:
        try:  # numpy scalars and other float-like objects
            return to_decimal(float(x), name=name)
        except (TypeError, ValueError) as exc:
            raise RoundingError(f"{name} must be a number, got {type(x).__name__}") from exc
    if not d.is_finite():
        raise RoundingError(f"{name} must be finite, got {x!r}")
    return d


def _plain(d: Decimal) -> str:
    """Positional notation (no exponent), without a sign on zero."""
    text = format(d, "f")
    if d == 0 and text.startswith("-"):
        text = text[1:]
    return text


def round_result(
    value: Number,
    U: Number,
    ndig: int = 2,
    mode: RoundingMode = "half_even",
) -> RoundedResult:
    """Round ``U`` to ``ndig`` significant digits and ``value`` to the same decimal place.

    ``U`` may be an expanded or a standard uncertainty; it must be ≥ 0. With ``U == 0``
    nothing is rounded: the value is kept as given and ``U`` is ``'0'``.

    >>> str(round_result(10.0575, 0.0285))  # exact tie: half to even
    '10.058 ± 0.028'
    >>> str(round_result(10.0575, 0.0275))
    '10.058 ± 0.028'
    >>> str(round_result(0.0996, 0.00996))  # carry adds a digit: 0.0100 -> 0.010
    '0.100 ± 0.010'
    >>> str(round_result(3.0e12, 1.83e11, ndig=1, mode="up"))
    '3000000000000 ± 200000000000'
    """
    if isinstance(ndig, bool) or not isinstance(ndig, int) or ndig < 1:
        raise RoundingError(f"ndig must be a positive integer, got {ndig!r}")
    if mode not in ("half_even", "up"):
        raise RoundingError(f"mode must be 'half_even' or 'up', got {mode!r}")
    v = to_decimal(value, name="value")
    u = to_decimal(U, name="U")
    if u < 0:
        raise RoundingError(f"U must be ≥ 0, got {U!r}")
    if u == 0:
        exp = v.as_tuple().exponent
        assert isinstance(exp, int)  # finite by construction
        return RoundedResult(_plain(v), "0", exp, ndig, mode)

    rounding = ROUND_HALF_EVEN if mode == "half_even" else ROUND_CEILING
    # Enough precision for any quantize below (huge or tiny magnitudes alike).
    digits = max(len(v.as_tuple().digits), len(u.as_tuple().digits))
    prec = digits + abs(v.adjusted()) + abs(u.adjusted()) + ndig + 10
    with localcontext(Context(prec=prec)):
        exponent = u.adjusted() - (ndig - 1)
        u_r = u.quantize(Decimal(1).scaleb(exponent), rounding=rounding)
        if u_r.adjusted() > u.adjusted():  # 0.0996 -> 0.100: keep ndig digits
            exponent += 1
            u_r = u_r.quantize(Decimal(1).scaleb(exponent), rounding=rounding)
        v_r = v.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
    return RoundedResult(_plain(v_r), _plain(u_r), exponent, ndig, mode)
