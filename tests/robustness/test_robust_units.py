"""The safe unit parser: spellings people write, and hostile expressions refused early.

Expected conversions are the definitions of the units (1 m² = 10⁴ cm², 1 t = 1000 kg,
1 度 = 1 kWh, 1 MWh = 1000 kWh, 1 km = 1000 m), not program output.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tanzuji.errors import UnitError
from tanzuji.units import (
    MAX_POWER,
    MAX_UNIT_LENGTH,
    count_unit_problem,
    is_count,
    parse_unit,
    same_dimension,
    suggest_unit,
    to_unit,
)

SPELLINGS = [
    # (spelling, reference unit, how many reference units one of it is)
    ("m2", "m**2", 1.0),
    ("cm2", "m**2", 1e-4),
    ("m3", "m**3", 1.0),
    ("m²", "m**2", 1.0),
    ("千克", "kg", 1.0),
    ("公斤", "kg", 1.0),
    ("克", "kg", 1e-3),
    ("吨", "kg", 1000.0),
    ("千瓦时", "kWh", 1.0),
    ("度", "kWh", 1.0),
    ("兆瓦时", "kWh", 1000.0),
    ("公里", "m", 1000.0),
    ("千米", "m", 1000.0),
    ("米", "m", 1.0),
    ("立方米", "m**3", 1.0),
    ("标准立方米", "m**3", 1.0),  # a volume at the factor's reference state (docs)
    ("台", "piece", 1.0),
    ("件", "piece", 1.0),
    ("个", "piece", 1.0),
    ("吨*公里", "t*km", 1.0),
    ("kgCO2e/千瓦时", "kgCO2e/kWh", 1.0),
    ("kgCO2e/(t·km)", "kgCO2e/(t*km)", 1.0),
]


@pytest.mark.parametrize(("spelling", "ref", "factor"), SPELLINGS)
def test_spellings_convert_by_their_definition(spelling: str, ref: str, factor: float) -> None:
    assert to_unit(1.0, spelling, ref) == pytest.approx(factor, rel=1e-12)


def test_counts_are_counts_and_lengths_are_not() -> None:
    assert is_count("台") and is_count("piece") and is_count("pcs")
    assert not is_count("kg")
    assert count_unit_problem("个") is None
    assert count_unit_problem("lightyear") is not None
    assert "count" in (count_unit_problem("kWh") or "")


@pytest.mark.parametrize(
    ("typo", "meant"), [("KWH", "kWh"), ("kwh", "kWh"), ("kgs", "kg"), ("千瓦", "千瓦时")]
)
def test_unknown_units_suggest_the_closest_spelling(typo: str, meant: str) -> None:
    assert suggest_unit(typo) == meant
    with pytest.raises(UnitError, match=f"did you mean {meant}"):
        parse_unit(typo)


HOSTILE: list[Any] = [
    "kg/0",
    "kg**0",
    "kg^0",
    "kg**9**9**9",
    "kg**2**3**4**5",
    f"kg**{MAX_POWER + 1}",
    "kg**99999999999999999999",
    "kg**-0",
    "(" * 10 + "kg" + ")" * 10,
    "kg*" * 30 + "kg",
    "x" * (MAX_UNIT_LENGTH + 1),
    "1e400 kg",
    "kg; import os",
    "__import__('os')",
    "kg % 3",
    "",
    "   ",
    {"a": 1},
    ["kg"],
    12,
    None,
    "nan",
    "inf",
    "kg/(",
    "kg)",
    "**2",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t)[:30])
def test_hostile_units_are_refused_quickly_with_a_unit_error(text: Any) -> None:
    start = time.process_time()
    with pytest.raises(UnitError) as info:
        parse_unit(text)
    assert "\n" not in str(info.value)
    # a generous bound that only a pint-level blow-up (kg**9**9**9) could break
    assert time.process_time() - start < 5.0


def test_ordinary_units_still_parse() -> None:
    assert same_dimension("kgCO2e/kWh", "kgCO2e/MWh")
    assert to_unit(1.0, "kgCO2e/t.km", "kgCO2e/(t*km)") == pytest.approx(1.0)
    assert to_unit(1.0, "t km", "tkm") == pytest.approx(1.0)
    assert to_unit(1.0, "kWh^-1", "1/kWh") == pytest.approx(1.0)
    assert to_unit(1.0, "Nm³", "m3") == pytest.approx(1.0)
