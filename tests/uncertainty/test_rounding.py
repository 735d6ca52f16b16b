"""Rounding per JJF 1059.1 / GB/T 8170 (expected strings written by hand from the rules)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tanzuji.errors import UncertaintyError
from tanzuji.uncertainty import RoundingError, round_result, to_decimal


@pytest.mark.parametrize(
    ("value", "U", "kwargs", "exp_value", "exp_U"),
    [
        # JJF 1059.1 example form: y = 10.058 mm, U = 0.028 mm
        (10.0575, 0.0283, {}, "10.058", "0.028"),
        # exact decimal ties, half to even (四舍六入逢五取偶)
        (10.0575, 0.0285, {}, "10.058", "0.028"),
        (10.0575, 0.0275, {}, "10.058", "0.028"),
        (10.0525, 0.0265, {}, "10.052", "0.026"),
        (1.0, 0.0255, {}, "1.000", "0.026"),
        # always up (只进不舍)
        (10.0575, 0.0281, {"mode": "up"}, "10.058", "0.029"),
        (10.0575, 0.0280, {"mode": "up"}, "10.058", "0.028"),
        (10.0575, 0.02801, {"mode": "up"}, "10.058", "0.029"),
        # one significant digit
        (10.0575, 0.0283, {"ndig": 1}, "10.06", "0.03"),
        (10.0575, 0.0251, {"ndig": 1, "mode": "up"}, "10.06", "0.03"),
        # carry into a new decade keeps ndig digits
        (0.0996, 0.00996, {}, "0.100", "0.010"),
        (99.96, 9.96, {}, "100", "10"),
        (5.0, 0.0991, {"mode": "up"}, "5.00", "0.10"),
        # integers part of uncertainty
        (61.23, 17.6, {}, "61", "18"),
        (1234.5, 250.0, {}, "1230", "250"),
        (1235.0, 250.0, {}, "1240", "250"),  # value tie: half to even
        (1245.0, 250.0, {}, "1240", "250"),
        # negative values
        (-10.0575, 0.0283, {}, "-10.058", "0.028"),
        (-0.0004, 0.0283, {}, "0.000", "0.028"),  # no negative zero
        # huge and tiny magnitudes: positional notation, never "1.8E+12"
        (3.0e12, 1.83e11, {}, "3000000000000", "180000000000"),
        (2.5e-9, 1.234e-10, {}, "0.00000000250", "0.00000000012"),
        # value much smaller than U
        (1e-8, 0.5, {}, "0.00", "0.50"),
        # exact decimal input
        (Decimal("2.345"), "0.0125", {}, "2.345", "0.012"),
        ("2.345", 1, {"ndig": 1}, "2", "1"),
    ],
)
def test_round_result(
    value: object, U: object, kwargs: dict[str, object], exp_value: str, exp_U: str
) -> None:
    r = round_result(value, U, **kwargs)  # type: ignore[arg-type]
    assert (r.value, r.U) == (exp_value, exp_U)
    assert str(r) == f"{exp_value} ± {exp_U}"


def test_exponent_and_decimals() -> None:
    r = round_result(10.0575, 0.0283)
    assert r.exponent == -3
    assert r.value_decimal == Decimal("10.058")
    assert r.U_decimal == Decimal("0.028")
    assert round_result(3.0e12, 1.83e11).exponent == 10


def test_float_noise_does_not_bump_up() -> None:
    # 0.1 + 0.2 == 0.30000000000000004 in binary; "up" must not give 0.31
    assert round_result(1.0, 0.1 + 0.2, mode="up").U == "0.30"
    # 0.0285 computed in floating point is still a tie
    assert round_result(1.0, 0.0095 * 3).U == "0.028"


def test_zero_uncertainty() -> None:
    r = round_result(12.345, 0)
    assert (r.value, r.U, r.exponent) == ("12.345", "0", -3)


@pytest.mark.parametrize(
    ("value", "U", "kwargs", "fragment"),
    [
        (1.0, -0.1, {}, "U must be ≥ 0"),
        (float("nan"), 0.1, {}, "value must be finite"),
        (1.0, float("inf"), {}, "U must be finite"),
        (1.0, "abc", {}, "U is not a decimal number"),
        (1.0, 0.1, {"ndig": 0}, "ndig"),
        (1.0, 0.1, {"mode": "down"}, "mode"),
        (True, 0.1, {}, "bool"),
    ],
)
def test_bad_input(value: object, U: object, kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(RoundingError, match=fragment) as info:
        round_result(value, U, **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, UncertaintyError)
    assert isinstance(info.value, ValueError)


@given(
    value=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False),
    U=st.floats(min_value=1e-12, max_value=1e12, allow_nan=False),
    ndig=st.integers(min_value=1, max_value=2),
    mode=st.sampled_from(["half_even", "up"]),
)
def test_properties(value: float, U: float, ndig: int, mode: str) -> None:
    r = round_result(value, U, ndig=ndig, mode=mode)  # type: ignore[arg-type]
    u_r = Decimal(r.U)
    assert "E" not in r.value and "E" not in r.U
    # ndig significant digits, last digit at 10**exponent for both strings
    assert len(u_r.normalize().as_tuple().digits) <= ndig
    assert u_r.adjusted() - r.exponent == ndig - 1
    assert Decimal(r.value).as_tuple().exponent == min(r.exponent, 0) or r.exponent > 0
    # rounding error at most half a unit (half_even) or one unit (up, never below U)
    unit = Decimal(1).scaleb(r.exponent)
    if mode == "up":
        assert Decimal(repr(U)) <= u_r * (1 + Decimal("1e-14"))
        assert u_r - Decimal(repr(U)) < unit
    else:
        assert abs(u_r - Decimal(repr(U))) <= unit / 2 * (1 + Decimal("1e-9"))
    # the value is first taken to 15 significant digits (float64 precision), then rounded
    assert abs(Decimal(r.value) - to_decimal(value)) <= unit / 2
