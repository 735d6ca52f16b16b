"""A missing uncertainty is warned about by `evaluate` and `report`, naming each activity
counted with u = 0, in the user's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from clihelpers import EXAMPLES

STUDY = """\
id: LED-U
product: {name: LED 灯, functional_unit: 1 只}
period: 2025
factor_libraries: [builtin]
activities:
  - {stage: raw_materials, name: 铝散热器, quantity: 0.05, unit: kg,
     factor: material.aluminium.primary.iai2022, uncertainty: {relative: 0.02}}
  - {stage: manufacturing, name: 组装用电, quantity: 0.2, unit: kWh,
     factor: cn.electricity.footprint.2023}
  - {stage: use, name: {zh: 运行用电, en: Electricity in use}, quantity: 10, unit: kWh,
     factor: cn.electricity.footprint.2023}
"""


@pytest.fixture
def study(tmp_path: Path) -> Path:
    p = tmp_path / "study.yaml"
    p.write_text(STUDY, encoding="utf-8")
    return p


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("警告:", "warning:"))]


def test_evaluate_names_each_activity_counted_with_zero_u(run, study: Path) -> None:
    res = run("evaluate", study)
    assert res.code == 0, res.err
    lines = _warnings(res.err)
    assert len(lines) == 2, res.err
    assert "组装用电" in lines[0] and "u = 0" in lines[0] and "activities[1]" in lines[0]
    assert "运行用电" in lines[1] and "activities[2]" in lines[1]
    assert "铝散热器" not in res.err  # it has its uncertainty
    # by hand: the total's u comes from the heat sink only, 0.02 × 0.05 kg × EF
    assert "E = (" in res.out


def test_evaluate_warning_in_english(run, study: Path) -> None:
    res = run("--lang", "en", "evaluate", study, "--json")
    assert res.code == 0
    lines = _warnings(res.err)
    assert len(lines) == 2 and all(x.startswith("warning:") for x in lines)
    assert all("counted with u = 0" in x for x in lines)
    assert "'Electricity in use'" in lines[1]  # its English name under --lang en
    assert res.out.startswith("{")  # stdout stays pure JSON


def test_quiet_suppresses_the_warnings(run, study: Path) -> None:
    res = run("evaluate", study, "--quiet")
    assert res.code == 0 and _warnings(res.err) == []


def test_complete_example_gives_no_warning(run) -> None:
    res = run("evaluate", EXAMPLES / "single-phase-meter")
    assert res.code == 0 and _warnings(res.err) == []


def test_report_warns_too(run, study: Path, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    res = run("report", study, "--out", tmp_path / "r.pdf")
    assert res.code == 0, res.err
    lines = [x for x in _warnings(res.err) if "u = 0" in x]  # (the issuance adds its own)
    assert len(lines) == 2 and "组装用电" in lines[0] and "运行用电" in lines[1]


def test_evaluate_warns_about_a_julian_year_duration(run, tmp_path: Path) -> None:
    # 8 "year" of pint = 8 × 8766 h = 70 128 h, not the 8 × 8760 h = 70 080 h a user means
    p = tmp_path / "study.yaml"
    p.write_text(
        STUDY.replace(
            "  - {stage: use, name: {zh: 运行用电, en: Electricity in use}, quantity: 10,"
            " unit: kWh,\n     factor: cn.electricity.footprint.2023}\n",
            "  - {stage: use, name: 运行, factor: cn.electricity.footprint.2023,\n"
            "     power: {quantity: 1.2, unit: W, uncertainty: {standard: 0.06}},\n"
            "     duration: {quantity: 8, unit: year}}\n",
        ),
        encoding="utf-8",
    )
    res = run("--lang", "en", "evaluate", p)
    assert res.code == 0, res.err
    lines = [x for x in _warnings(res.err) if "Julian" in x]
    assert len(lines) == 1 and "70128" in lines[0] and "activities[2].duration.unit" in lines[0]


LEG = (
    STUDY
    + """\
  - {stage: distribution, name: {zh: 产品运输, en: Product delivery}, mode: road,
     factor: freight.road.rigid-small.defra2012, data_type: estimate, source: 合同,
     mass: {quantity: 0.3, unit: kg, uncertainty: {relative: 0.02}},
     distance: {quantity: 800, unit: km}}
  - {stage: end_of_life, name: 回收运输, mode: road,
     factor: freight.road.rigid-small.defra2012, data_type: estimate, source: 估算,
     mass: {quantity: 0.3, unit: kg}, distance: {quantity: 100, unit: km}}
"""
)


def test_a_legs_distance_counts_too_and_one_leg_is_said_once(run, tmp_path: Path) -> None:
    """A leg's distance without uncertainty counts with u = 0 like its mass; a leg missing
    both is one warning naming both fields, not two lines saying the same."""
    p = tmp_path / "study.yaml"
    p.write_text(LEG, encoding="utf-8")
    lines = _warnings(run("evaluate", p).err)
    assert len(lines) == 4, lines
    assert "“产品运输”的运输距离未评定测量不确定度" in lines[2]
    assert lines[2].endswith("(activities[3].distance)")
    assert "“回收运输”未评定测量不确定度" in lines[3]
    assert lines[3].endswith("(activities[4].mass, activities[4].distance)")
    en = _warnings(run("--lang", "en", "evaluate", p).err)
    assert "the distance of 'Product delivery'; counted with u = 0" in en[2]
