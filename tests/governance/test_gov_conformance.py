"""Instrument conformance (Table 3) and certificate validity over the whole period (§6.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from govhelpers import METER, cert, make_study

from tanzuji.governance import Finding, Level, check_instruments, site_category
from tanzuji.governance.conformance import certificate_gaps
from tanzuji.model import Certificate, Period


def codes(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.level.value, f.code, f.path) for f in findings]


def meter(**kw: Any) -> dict[str, Any]:
    return METER | kw


P2025 = Period.model_validate(2025)


@pytest.mark.parametrize(
    ("date", "valid_until", "expected"),
    [
        ("2024-06-01", "2025-12-31", []),  # ends exactly on the last day: covered
        ("2024-06-01", "2025-12-30", [("2025-12-31", "2025-12-31")]),  # one day short
        ("2025-01-01", "2026-01-01", []),
        ("2025-01-02", "2026-01-01", [("2025-01-01", "2025-01-01")]),
        ("2023-01-01", "2024-12-31", [("2025-01-01", "2025-12-31")]),  # expired before
    ],
)
def test_certificate_gaps(date: str, valid_until: str, expected: list[tuple[str, str]]) -> None:
    c = Certificate(number="C", date=date, valid_until=valid_until)
    got = [(a.isoformat(), b.isoformat()) for a, b in certificate_gaps([c], P2025)]
    assert got == expected


def test_history_bridges_a_recalibration() -> None:
    old = Certificate(number="A", date="2024-01-10", valid_until="2025-01-09")
    new = Certificate(number="B", date="2025-01-10", valid_until="2026-01-09")
    assert certificate_gaps([new, old], P2025) == []
    late = Certificate(number="B", date="2025-01-12", valid_until="2026-01-09")
    assert certificate_gaps([late, old], P2025) == [(dt.date(2025, 1, 10), dt.date(2025, 1, 11))]


def test_certificate_findings() -> None:
    study = make_study(
        instruments=[
            meter(id="A", certificate=cert(valid_until="2025-12-30")),
            meter(id="B", certificate=cert(date="2025-02-01")),
            meter(
                id="C",
                certificate=cert(date="2024-01-10", valid_until="2025-06-30"),
                history=[cert(date="2025-07-02", valid_until="2026-07-01")],
            ),
            meter(id="D", certificate=None),
            meter(id="E", certificate={"number": "X"}),
            meter(id="F", certificate=cert(date="2023-01-01", valid_until="2024-12-31")),
        ],
        site={"monthly_consumption_kwh": 200_000},
    )
    got = codes(check_instruments(study))
    assert got == [
        ("error", "certificate.expired", "instruments[0].certificate.valid_until"),
        ("error", "certificate.not_yet_valid", "instruments[1].certificate.date"),
        ("error", "certificate.gap", "instruments[2].history"),
        ("error", "certificate.missing", "instruments[3].certificate"),
        ("warning", "certificate.dates_missing", "instruments[4].certificate"),
        ("error", "certificate.not_covering", "instruments[5].certificate"),
    ]


def test_expired_one_day_before_the_end_names_the_day() -> None:
    study = make_study(
        instruments=[meter(certificate=cert(valid_until="2025-12-30"))],
        site={"transformer_kva": 500},
    )
    [f] = check_instruments(study)
    assert f.clause == "§6.1" and "2025-12-31" in f.message_en and "2025-12-31" in f.message_zh


@pytest.mark.parametrize(
    ("site", "cls", "nonconforming"),
    [
        ({"monthly_consumption_kwh": 5_000_000, "high_voltage_billing": True}, "1", True),
        ({"monthly_consumption_kwh": 5_000_000, "high_voltage_billing": True}, "0.5S", False),
        ({"monthly_consumption_kwh": 5_000_000, "high_voltage_billing": True}, "C", False),
        ({"transformer_kva": 315}, "2", True),
        ({"transformer_kva": 315}, "0.2S", False),
        ({"transformer_kva": 314}, "2", False),
        ({"single_phase": True}, "A", False),
        ({"user_category": "II"}, "1", True),
    ],
)
def test_meter_class_against_site(site: dict[str, Any], cls: str, nonconforming: bool) -> None:
    study = make_study(instruments=[meter(accuracy_class=cls)], site=site)
    got = [f for f in check_instruments(study) if f.code == "instrument.class_nonconforming"]
    assert bool(got) is nonconforming
    if got:
        assert got[0].clause == "§6.1 Table 3" and got[0].level is Level.ERROR
        assert got[0].path == "instruments[0].accuracy_class"


def test_site_category_unknown_and_mismatch() -> None:
    study = make_study(instruments=[meter()])
    assert codes(check_instruments(study)) == [("warning", "site.category_unknown", "site")]
    study = make_study(
        instruments=[meter()], site={"user_category": "I", "monthly_consumption_kwh": 150_000}
    )
    sc = site_category(study)
    assert (sc.category, sc.derived, sc.required_meter_class) == ("I", "III", "0.5S / C")
    got = codes(check_instruments(study))
    assert ("warning", "site.category_mismatch", "site.user_category") in got
    assert ("error", "instrument.class_nonconforming", "instruments[0].accuracy_class") in got


def test_scales_and_belt_scales() -> None:
    def scale(cls: str, kind: str = "scale_nonautomatic") -> dict[str, Any]:
        return {
            "id": f"S{len(cls)}{kind[0]}",
            "name": "秤",
            "kind": kind,
            "accuracy_class": cls,
            "certificate": cert(),
        }

    study = make_study(
        instruments=[
            scale("III"),
            scale("IIII"),
            scale("0.5", "belt_scale"),
            scale("1", "belt_scale"),
            scale("Z"),
        ]
    )
    got = codes(check_instruments(study))
    assert got == [
        ("error", "instrument.class_nonconforming", "instruments[1].accuracy_class"),
        ("error", "instrument.class_nonconforming", "instruments[3].accuracy_class"),
        ("warning", "instrument.class_unknown", "instruments[4].accuracy_class"),
    ]


def test_class_missing_and_synthesised_chain() -> None:
    chain_ok = meter(
        id="K1",
        accuracy_class=None,
        components=[
            {"name": "互感器", "accuracy_class": "0.2"},
            {"name": "二次仪表", "mpe": "0.5 %"},
        ],
    )
    chain_bad = meter(
        id="K2",
        accuracy_class=None,
        components=[
            {"name": "互感器", "accuracy_class": "0.5"},
            {"name": "二次仪表", "mpe": "1 %"},
        ],
    )
    missing = meter(id="K3", accuracy_class=None)
    study = make_study(
        instruments=[chain_ok, chain_bad, missing], site={"monthly_consumption_kwh": 150_000}
    )  # III: 1 %
    got = codes(check_instruments(study))
    # √(0.2² + 0.5²) = 0.539 % ≤ 1 %; √(0.5² + 1²) = 1.118 % > 1 %
    assert got == [
        ("info", "instrument.class_synthesised", "instruments[0].components"),
        ("info", "instrument.class_synthesised", "instruments[1].components"),
        ("error", "instrument.class_nonconforming", "instruments[1].components"),
        ("warning", "instrument.class_missing", "instruments[2].accuracy_class"),
    ]
