"""Metrology: from a measuring instrument, a certificate or an on-site calculation to the
standard uncertainty of a quantity. Pure: no I/O.

This package sits *below* :mod:`tanzuji.calculation` (the compiler asks it for the
uncertainty of a quantity that has none given) and below :mod:`tanzuji.governance` (whose
checks read a compiled study). It imports only ``model``, ``units``, ``uncertainty`` and
``errors``.

>>> from tanzuji.metrology import scale_u
>>> round(scale_u(300, 1, "III"), 3)  # Max 3 kg, e = 1 g, load 300 g, initial verification
0.289
"""

from tanzuji.metrology.instrument_u import (
    InstrumentU,
    NotDerivableError,
    instrument_uncertainty,
    scale_u,
)
from tanzuji.metrology.measurement import DerivedU, derived_uncertainty

__all__ = [
    "DerivedU",
    "InstrumentU",
    "NotDerivableError",
    "derived_uncertainty",
    "instrument_uncertainty",
    "scale_u",
]
