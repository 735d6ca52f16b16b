"""Accuracy classes, MPE tables, user category and Table 3 conformance.

Expected values are the published tables (facts.md §4, OIML R76-1 Table 6, Table 3 Note 1),
written here by hand.
"""

from __future__ import annotations

import pytest

from tanzuji.governance import (
    belt_mpe,
    belt_scale_conforms,
    flow_mpe,
    meter_class_conforms,
    meter_mpe,
    scale_class_conforms,
    scale_mpe_e,
    user_category,
)
from tanzuji.metrology.classes import normalise_class, scale_class
from tanzuji.model import UserCategory

I, II, III, IV, V = (UserCategory(c) for c in ("I", "II", "III", "IV", "V"))  # noqa: E741


@pytest.mark.parametrize(
    ("cls", "mpe"),
    [
        ("0.2S", 0.002),
        ("0.5S", 0.005),
        ("C", 0.005),
        ("1", 0.01),
        ("1.0级", 0.01),
        ("B", 0.01),
        ("2", 0.02),
        ("A", 0.02),
        ("class 0.5s", 0.005),
    ],
)
def test_meter_mpe(cls: str, mpe: float) -> None:
    assert meter_mpe(cls) == pytest.approx(mpe, rel=1e-15)


@pytest.mark.parametrize("bad", ["", "X", "0", "-1", "0.5T"])
def test_meter_class_unknown(bad: str) -> None:
    with pytest.raises(ValueError, match="electricity-meter class"):
        meter_mpe(bad)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # Note 1 thresholds, exactly at and just below each edge (HV billing)
        ({"monthly_kwh": 5_000_000, "high_voltage_billing": True}, I),
        ({"monthly_kwh": 4_999_999, "high_voltage_billing": True}, II),
        ({"monthly_kwh": 1_000_000, "high_voltage_billing": True}, II),
        ({"monthly_kwh": 999_999.9, "high_voltage_billing": True}, III),
        ({"monthly_kwh": 100_000}, III),
        ({"monthly_kwh": 99_999}, IV),
        ({"transformer_kva": 10_000, "high_voltage_billing": True}, I),
        ({"transformer_kva": 9_999, "high_voltage_billing": True}, II),
        ({"transformer_kva": 2_000, "high_voltage_billing": True}, II),
        ({"transformer_kva": 1_999}, III),
        ({"transformer_kva": 315}, III),
        ({"transformer_kva": 314.99}, IV),
        # either criterion suffices
        ({"monthly_kwh": 50_000, "transformer_kva": 12_000, "high_voltage_billing": True}, I),
        # categories I and II are high-voltage billing users only
        ({"monthly_kwh": 6_000_000, "high_voltage_billing": False}, III),
        ({"transformer_kva": 2_500, "high_voltage_billing": False}, III),
        # single-phase supply
        ({"monthly_kwh": 6_000_000, "single_phase": True}, V),
    ],
)
def test_user_category_edges(kwargs: dict[str, object], expected: UserCategory) -> None:
    assert user_category(**kwargs)[0] is expected  # type: ignore[arg-type]


def test_user_category_unknown_and_assumed_hv() -> None:
    assert user_category()[0] is None
    cat, en, zh = user_category(monthly_kwh=5_000_000)
    assert cat is I and "assumed" in en and "高压" in zh


@pytest.mark.parametrize(
    ("cls", "category", "ok"),
    [
        ("0.5S", I, True),
        ("C", I, True),
        ("0.2S", I, True),
        ("0.5", I, False),
        ("1", I, False),
        ("B", II, False),
        ("0.5S", II, True),
        ("1", III, True),
        ("B", III, True),
        ("0.2S", III, True),
        ("0.5S", III, True),
        ("2", III, False),
        ("A", III, False),
        ("2", IV, True),
        ("A", IV, True),
        ("1", IV, True),
        ("2", V, True),
        ("3", V, False),
    ],
)
def test_meter_conformance(cls: str, category: UserCategory, ok: bool) -> None:
    assert meter_class_conforms(cls, category) is ok


@pytest.mark.parametrize(
    ("cls", "ok"),
    [("I", True), ("II", True), ("III", True), ("Ⅲ", True), ("IIII", False), ("Ⅳ", False)],
)
def test_scale_conformance(cls: str, ok: bool) -> None:
    assert scale_class_conforms(cls) is ok


def test_scale_class_spelling() -> None:
    assert scale_class("Ⅲ级") == "III"
    assert normalise_class("准确度等级 0.50S") == "0.5S"
    with pytest.raises(ValueError, match="scale class"):
        scale_class("V")


@pytest.mark.parametrize(
    ("load_e", "cls", "mpe_e"),
    [
        (0, "III", 0.5),
        (300, "III", 0.5),
        (500, "III", 0.5),
        (500.001, "III", 1.0),
        (2000, "III", 1.0),
        (2001, "III", 1.5),
        (10000, "III", 1.5),
        (5000, "II", 0.5),
        (5001, "II", 1.0),
        (20000, "II", 1.0),
        (20001, "II", 1.5),
        (50000, "I", 0.5),
        (50001, "I", 1.0),
        (200001, "I", 1.5),
        (50, "IIII", 0.5),
        (51, "IIII", 1.0),
        (201, "IIII", 1.5),
    ],
)
def test_scale_mpe_bands(load_e: float, cls: str, mpe_e: float) -> None:
    assert scale_mpe_e(load_e, cls) == mpe_e
    assert scale_mpe_e(load_e, cls, in_service=True) == 2 * mpe_e


def test_scale_negative_load() -> None:
    with pytest.raises(ValueError, match="load"):
        scale_mpe_e(-1, "III")


def test_belt_scale() -> None:
    assert belt_mpe("0.5") == pytest.approx(0.0025)
    assert belt_mpe("0.5", in_service=True) == pytest.approx(0.005)
    assert belt_mpe("0.2", in_service=True) == pytest.approx(0.002)
    assert [belt_scale_conforms(c) for c in ("0.2", "0.5", "1", "2")] == [True, True, False, False]


def test_flow_meters() -> None:
    assert flow_mpe("1.5") == pytest.approx(0.015)
    assert flow_mpe("1.0") == pytest.approx(0.01)
    assert flow_mpe("0.3", dispenser=True) == pytest.approx(0.003)
    assert flow_mpe(None, dispenser=True) == pytest.approx(0.003)  # JJG 443 ±0.30 %
    with pytest.raises(ValueError, match="class"):
        flow_mpe(None)
