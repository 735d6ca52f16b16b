"""Cut-off rule (§5.1) at its boundaries."""

from __future__ import annotations

from govhelpers import LIB, make_study

from tanzuji.governance import check_cutoff, check_study
from tanzuji.model import ExcludedProcess


def ex(*estimates: float, stage: str = "raw_materials") -> list[ExcludedProcess]:
    return [ExcludedProcess(name=f"p{i}", stage=stage, estimate=e) for i, e in enumerate(estimates)]


def codes(findings: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f.code, f.path) for f in findings]


def test_single_limit_boundary() -> None:
    # complete total = evaluated + excluded = 100
    summary, f = check_cutoff(ex(0.99), 99.01)
    assert f == [] and summary.rows[0].share == 0.99 / 100
    _, f = check_cutoff(ex(1.0), 99.0)
    assert codes(f) == [("cutoff.single", "excluded[0].estimate")]
    assert f[0].clause == "§5.1" and f[0].level.value == "error"
    _, f = check_cutoff(ex(0.3, 1.2, 0.2), 98.3)
    assert codes(f) == [("cutoff.single", "excluded[1].estimate")]


def test_total_limit_boundary() -> None:
    five = ex(0.98, 0.98, 0.98, 0.98, 0.98, 0.1)  # 5.0 in all, each < 1 %
    summary, f = check_cutoff(five, 95.0)
    assert f == [] and abs(summary.excluded_share - 0.05) < 1e-12  # type: ignore[operator]
    over = ex(0.98, 0.98, 0.98, 0.98, 0.98, 0.11)  # 5.01 of 100
    _, f = check_cutoff(over, 94.99)
    assert codes(f) == [("cutoff.total", "excluded")]


def test_evaluated_basis_is_stricter() -> None:
    # 0.99 of an evaluated 99 is 1.0 % of the evaluated total
    _, f = check_cutoff(ex(0.99), 99.0)
    assert f == []
    _, f = check_cutoff(ex(0.99), 99.0, basis="evaluated")
    assert codes(f) == [("cutoff.single", "excluded[0].estimate")]


def test_outside_boundary_and_zero_total() -> None:
    _, f = check_cutoff(ex(0.1, stage="use"), 100.0, boundary=["raw_materials"])
    assert codes(f) == [("cutoff.outside_boundary", "excluded[0].stage")]
    summary, f = check_cutoff(ex(0.0), 0.0)
    assert f == [] and summary.rows[0].share is None


def test_cutoff_in_a_whole_study() -> None:
    # 20 kWh × 0.5 = 10 kgCO2e evaluated; 0.1 excluded → 0.1/10.1 = 0.99 % (ok)
    acts = [
        {
            "stage": "manufacturing",
            "name": "电",
            "quantity": 20,
            "unit": "kWh",
            "factor": "grid",
            "uncertainty": {"relative": "1 %"},
        }
    ]
    ok = make_study(acts, excluded=[{"name": "胶", "stage": "manufacturing", "estimate": 0.1}])
    assert not [f for f in check_study(ok, LIB).findings if f.code.startswith("cutoff")]
    # 0.102 of 10.102 = 1.0097 % (violation)
    bad = make_study(acts, excluded=[{"name": "胶", "stage": "manufacturing", "estimate": 0.102}])
    report = check_study(bad, LIB)
    assert [f.code for f in report.findings if f.code.startswith("cutoff")] == ["cutoff.single"]
    assert not report.ok
