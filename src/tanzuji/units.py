"""Units: one pint registry with a CO2-equivalent dimension.

Emission quantities carry the dimension ``[mass] * [co2e]``; a factor in kgCO2e/kWh times an
activity in kWh gives kgCO2e, and incompatible pairs are refused with the names involved.

>>> conversion_to_emission(["kgCO2e/(t·km)", "kg", "km"])
0.001
>>> conversion_to_emission(["kgCO2e/kg", "t"])
1000.0
>>> to_unit(1.5, "MWh", "kWh")
1500.0
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence
from functools import lru_cache
from tokenize import TokenError
from typing import Any

from tanzuji.errors import UnitError

# pint.compat imports dask, uncertainties and babel when they are installed (dask, a
# metering dependency, alone costs about 0.1-0.3 s per process); tanzuji uses none of
# pint's integrations with them, so they are hidden while pint is imported. Start-up time:
# docs/cli.md. A module already imported (e.g. dask by metering) is left alone.
_HIDDEN = [m for m in ("dask", "uncertainties", "babel") if m not in sys.modules]
for _m in _HIDDEN:
    sys.modules[_m] = None  # type: ignore[assignment]
try:
    import pint
finally:
    for _m in _HIDDEN:
        if sys.modules.get(_m, 0) is None:
            del sys.modules[_m]

__all__ = [
    "EMISSION_UNIT",
    "conversion_to_emission",
    "dimensionality",
    "is_emission",
    "parse_unit",
    "same_dimension",
    "to_unit",
    "ureg",
]

EMISSION_UNIT = "kgCO2e"

#: Definitions, in pint's own syntax, added to the default registry.
DEFINITIONS = """
CO2e = [co2e] = CO2e = CO2eq
CO2 = CO2e
gCO2e = gram * CO2e
kgCO2e = kilogram * CO2e = kgCO2e = kgCO2eq
tCO2e = tonne * CO2e = tCO2e = tCO2eq
gCO2 = gram * CO2
kgCO2 = kilogram * CO2
tCO2 = tonne * CO2
tkm = tonne * kilometer
Nm3 = meter ** 3
piece = [item] = pcs = pc
"""


def _registry() -> Any:
    """pint's default registry, its parsed definitions cached in the user's cache folder.

    Parsing pint's definitions file costs about 0.2 s of CPU per process; pint caches the
    parsed form (keyed by the file's content) in ``~/.cache/tanzuji/pint``. The cache is
    the user's own, like the rest of their home. Any problem with it (no writable home, a
    cache half written by a parallel process) falls back to parsing. ``TANZUJI_PINT_CACHE=0``
    turns it off.
    """
    import os

    if os.environ.get("TANZUJI_PINT_CACHE", "1") != "0":
        try:
            import platformdirs

            folder = platformdirs.user_cache_path("tanzuji") / "pint"
            folder.mkdir(parents=True, exist_ok=True)
            return pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=folder)
        except Exception:  # any cache problem: parse instead
            pass
    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=None)


ureg: Any = _registry()
for _line in DEFINITIONS.strip().splitlines():
    ureg.define(_line)
ureg.formatter.default_format = "~P"

_REPLACEMENTS = (
    ("·", "*"),
    ("⋅", "*"),
    ("×", "*"),
    ("Nm³", "Nm3"),
    ("m³", "m**3"),
    ("m²", "m**2"),
)


def _normalise(text: str) -> str:
    out = text.strip()
    for old, new in _REPLACEMENTS:
        out = out.replace(old, new)
    # "t.km" / "t km" style products of two unit names
    out = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", "*", out)
    return out


@lru_cache(maxsize=1024)
def parse_unit(text: str) -> Any:
    """Parse a unit string; raise :class:`UnitError` naming it when that fails.

    >>> f"{parse_unit('kgCO2e/(t·km)'):~P}"
    'kgCO2e/km/t'
    >>> parse_unit("bananas")
    Traceback (most recent call last):
    ...
    tanzuji.errors.UnitError: unknown unit; expected a unit such as kg, ... (got 'bananas')
    """
    if not isinstance(text, str) or not text.strip():
        raise UnitError("a unit is required", got=text)
    try:
        unit = ureg.parse_units(_normalise(text))
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        ValueError,
        AttributeError,
        TypeError,
        AssertionError,
        SyntaxError,
        TokenError,
    ) as exc:
        raise UnitError(
            "unknown unit; expected a unit such as kg, kWh, km, t*km or kgCO2e/kWh", got=text
        ) from exc
    return unit


def dimensionality(text: str) -> str:
    """The dimensionality of a unit, as text (for messages).

    >>> dimensionality("kgCO2e/kWh")
    '[co2e] * [time] ** 2 / [length] ** 2'
    """
    return str(parse_unit(text).dimensionality)


def same_dimension(a: str, b: str) -> bool:
    """Whether two units measure the same kind of quantity.

    >>> same_dimension("t", "kg"), same_dimension("kWh", "kg")
    (True, False)
    """
    return bool(parse_unit(a).dimensionality == parse_unit(b).dimensionality)


def is_emission(text: str) -> bool:
    """Whether a unit is an emission mass (convertible to kgCO2e).

    >>> is_emission("tCO2e"), is_emission("kgCO2e/kWh")
    (True, False)
    """
    return same_dimension(text, EMISSION_UNIT)


def to_unit(value: float, from_unit: str, to: str) -> float:
    """Convert a magnitude between two units of the same dimension.

    >>> to_unit(2, "t", "kg")
    2000.0
    """
    try:
        q = ureg.Quantity(value, parse_unit(from_unit)).to(parse_unit(to))
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {from_unit} to {to}", got=from_unit) from exc
    return float(q.magnitude)


def conversion_to_emission(units: Sequence[str], target: str = EMISSION_UNIT) -> float:
    """The number that turns a product of magnitudes in ``units`` into ``target``.

    The product of the units must have the dimension of an emission; otherwise a
    :class:`UnitError` says what the product came to.

    >>> conversion_to_emission(["kgCO2e/kWh", "kWh"])
    1.0
    >>> conversion_to_emission(["kgCO2e/kWh", "kg"])
    Traceback (most recent call last):
    ...
    tanzuji.errors.UnitError: kgCO2e/kWh × kg gives kgCO2e·kg/kWh, not an emission (kgCO2e)
    """
    product: Any = ureg.Quantity(1.0, ureg.dimensionless)
    for text in units:
        product = product * ureg.Quantity(1.0, parse_unit(text))
    try:
        factor = float(product.to(parse_unit(target)).magnitude)
    except pint.errors.DimensionalityError as exc:
        shown = " × ".join(units)
        raise UnitError(f"{shown} gives {product.units:~P}, not an emission ({target})") from exc
    if not math.isfinite(factor):  # pragma: no cover - defensive
        raise UnitError(f"{' × '.join(units)} does not convert to {target}")
    return factor
