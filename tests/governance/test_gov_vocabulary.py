"""Vocabulary: the specification's Chinese names for stages, processes and data types; a
year written as people write it; the use-stage duration as service life × hours per year."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.factors import FactorLibrary
from tanzuji.governance import check_study
from tanzuji.i18n import use_lang
from tanzuji.model import DataType, EmissionFactor, Operation, Process, Stage, Study


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """This module matches the English wording of the library's messages."""
    with use_lang("en"):
        yield


LIB = FactorLibrary.from_factors(
    [
        EmissionFactor.model_validate(
            {
                "id": "grid",
                "name": "grid",
                "value": 0.5,
                "unit": "kgCO2e/kWh",
                "factor_type": "national_database",
                "source": "t",
            }
        )
    ],
    id="t",
)


def _study(acts: list[dict[str, Any]], **extra: Any) -> Study:
    return Study.model_validate(
        {"id": "S", "product": {"name": "灯"}, "period": 2025, "activities": acts, **extra}
    )


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("原材料获取", Stage.RAW_MATERIALS),
        ("生产制造", Stage.MANUFACTURING),
        ("运输分销", Stage.DISTRIBUTION),
        ("使用", Stage.USE),
        ("生命末期", Stage.END_OF_LIFE),
        ("生命末期阶段", Stage.END_OF_LIFE),
        ("Raw-Materials", Stage.RAW_MATERIALS),
    ],
)
def test_gov_vocab_stage_in_chinese(text: str, stage: Stage) -> None:
    s = _study(
        [{"stage": text, "name": "x", "quantity": 1, "unit": "kWh", "factor": "grid"}],
        boundary=[text],
    )
    assert s.activities[0].stage is stage and s.boundary == (stage,)


@pytest.mark.parametrize(
    ("text", "dtype"),
    [
        ("现场实测", DataType.ONSITE_MEASURED),
        ("现场测算", DataType.ONSITE_CALCULATED),
        ("非现场", DataType.OFFSITE),
        ("统计数据", DataType.ENTERPRISE_STATISTICS),
        ("结算凭证", DataType.FINANCIAL_SETTLEMENT),
        ("数据库", DataType.DATABASE),
        ("文献", DataType.LITERATURE),
        ("估算数据", DataType.ESTIMATE),
    ],
)
def test_gov_vocab_data_type_in_chinese(text: str, dtype: DataType) -> None:
    s = _study(
        [
            {
                "stage": "use",
                "name": "x",
                "quantity": 1,
                "unit": "kWh",
                "factor": "grid",
                "data_type": text,
            }
        ]
    )
    assert s.activities[0].data_type is dtype


def test_gov_vocab_process_and_boundary_in_chinese() -> None:
    s = _study(
        [
            {
                "stage": "原材料获取",
                "process": "原材料运输",
                "name": "运",
                "energy": [{"carrier": "电", "quantity": 1, "unit": "kWh", "factor": "grid"}],
            }
        ],
        boundary="摇篮到大门",
    )
    assert s.activities[0].process is Process.INBOUND_TRANSPORT
    assert s.boundary == (Stage.RAW_MATERIALS, Stage.MANUFACTURING)


@pytest.mark.parametrize("period", [2025, "2025", "2025年", " 2025 年 ", {"year": "2025年"}])
def test_gov_vocab_period_as_a_year(period: Any) -> None:
    s = Study.model_validate(
        {
            "id": "S",
            "product": {"name": "灯"},
            "period": period,
            "activities": [
                {"stage": "use", "name": "x", "quantity": 1, "unit": "kWh", "factor": "grid"}
            ],
        }
    )
    assert (s.period.start.isoformat(), s.period.end.isoformat()) == ("2025-01-01", "2025-12-31")


def _op(**kw: Any) -> dict[str, Any]:
    return {
        "stage": "use",
        "name": "运行",
        "factor": "grid",
        "power": {"quantity": 1.2, "unit": "W", "uncertainty": {"standard": 0.06}},
        **kw,
    }


def test_gov_vocab_service_life_times_hours_per_year() -> None:
    # 8 years × 8760 h = 70 080 h; 1.2 W × 70 080 h = 84.096 kWh; × 0.5 = 42.048 kgCO2e
    s = _study([_op(service_life={"quantity": 8, "unit": "year"})], boundary=["use"])
    op = s.activities[0]
    assert isinstance(op, Operation)
    assert (op.duration.quantity, op.duration.unit, op.hours_per_year) == (70080.0, "h", 8760.0)
    r = evaluate_jjf(compile_study(s, LIB))
    assert r.total.value == pytest.approx(1.2 * 8 * 8760 / 1000 * 0.5)
    # 10 years at 4000 h/year, u(life) = 1 year → u(t) = 4000 h
    s2 = _study(
        [
            _op(
                service_life={"quantity": 10, "unit": "a", "uncertainty": {"standard": 1}},
                hours_per_year=4000,
            )
        ],
        boundary=["use"],
    )
    d = s2.activities[0].duration  # type: ignore[union-attr]
    assert d.quantity == 40000.0 and d.uncertainty.standard == 4000.0
    assert not [f for f in check_study(s2, LIB).findings if f.code == "duration.calendar_year"]


def test_gov_vocab_bare_year_duration_warns() -> None:
    s = _study([_op(duration={"quantity": 8, "unit": "year"})], boundary=["use"])
    found = [f for f in check_study(s, LIB).findings if f.code == "duration.calendar_year"]
    assert len(found) == 1 and found[0].path == "activities[0].duration.unit"
    assert "8760" in found[0].message_en and "70128" in found[0].message_en


def test_gov_vocab_service_life_and_duration_exclusive() -> None:
    with pytest.raises(ValueError, match="either duration or service_life"):
        _study(
            [
                _op(
                    service_life={"quantity": 8, "unit": "year"},
                    duration={"quantity": 1, "unit": "h"},
                )
            ]
        )


def test_gov_vocab_did_you_mean_and_allowed_values_in_the_users_language(tmp_path: Any) -> None:
    from tanzuji.errors import InputErrors
    from tanzuji.i18n import use_lang
    from tanzuji.studyfiles import load_study

    (tmp_path / "study.yaml").write_text(
        "id: S\nproduct: {name: 灯}\nperiod: 2025年\nactivities:\n"
        "  - {stage: 生产, name: x, quantiy: 1, unit: kWh, factor: grid}\n"
        "  - {stage: 使用阶段, name: y, quantity: 1, unit: kWh, factor: grid, data_type: 现场}\n",
        encoding="utf-8",
    )
    with use_lang("zh"), pytest.raises(InputErrors) as zh:
        load_study(tmp_path / "study.yaml")
    msgs = {e.location.path.split("（")[0]: e.message for e in zh.value.errors}
    assert "是否为 'quantity'" in msgs["activities[0].quantiy"]
    assert "现场实测（onsite_measured）" in msgs["activities[1].data_type"]
    with use_lang("en"), pytest.raises(InputErrors) as en:
        load_study(tmp_path / "study.yaml")
    msgs = {e.location.path.split(" ")[0]: e.message for e in en.value.errors}
    assert "did you mean 'quantity'?" in msgs["activities[0].quantiy"]
    assert "onsite_measured (on-site, measured)" in msgs["activities[1].data_type"]


@pytest.mark.parametrize(
    ("written", "got"),
    [('"2025-07"', "(got '2025-07')"), ("2025-07-01", "(got 2025-07-01)"), ("true", "(got true)")],
)
def test_gov_vocab_period_not_a_year_lists_the_accepted_forms(
    written: str, got: str, tmp_path: Any
) -> None:
    """A period that is neither a year nor a mapping is answered with the forms a period
    may take, and the value as the file wrote it (no ``datetime.date(…)``, no ``True``)."""
    from tanzuji.errors import InputErrors
    from tanzuji.studyfiles import load_study

    path = tmp_path / "s.yaml"
    path.write_text(
        f"id: S\nproduct: {{name: 灯}}\nperiod: {written}\nactivities:\n"
        "  - {stage: use, name: x, quantity: 1, unit: kWh, factor: grid}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as info:
        load_study(path)
    text = str(info.value)
    assert "period (line 3): expected a year (2025 or 2025年), {year: 2025}" in text, text
    assert got in text and "datetime" not in text and "mapping" not in text


@pytest.mark.parametrize(
    ("kw", "said"),
    [
        ({"hours_per_year": "3000 h"}, "hours_per_year must be a number"),
        ({"hours_per_year": "3000"}, "hours_per_year must be a number"),
        ({"service_life": {"quantity": "5年", "unit": "year"}}, "service_life.quantity must be"),
    ],
)
def test_gov_vocab_service_life_not_a_number_is_named(kw: dict[str, Any], said: str) -> None:
    """The error names the field that is not a number, not a missing ``duration``."""
    op = _op(**{"service_life": {"quantity": 5, "unit": "year"}, "hours_per_year": 3000, **kw})
    with pytest.raises(ValueError, match=said) as info:
        _study([op], boundary=["use"])
    assert "duration\n" not in str(info.value) and "Field required" not in str(info.value)
