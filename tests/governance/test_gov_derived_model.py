"""The model extension: candidates (priority rules), calculated quantities, allocation,
and the compile hook that takes u from the instrument / calculation / allocation."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from govhelpers import LIB, METER, cert, make_study
from pydantic import ValidationError

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.errors import InputErrors
from tanzuji.governance import candidate_choices
from tanzuji.i18n import use_lang
from tanzuji.model import Activity, DataType, Study
from tanzuji.model.derived import Candidate, select_candidate
from tanzuji.studyfiles import load_study

R3 = math.sqrt(3)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """This module matches the English wording of the library's messages."""
    with use_lang("en"):
        yield


def flow(**kw: Any) -> dict[str, Any]:
    return {"stage": "manufacturing", "name": "电", "factor": "grid", **kw}


# --------------------------------------------------------------------------- candidates


def test_priority_by_data_type_then_uncertainty_then_order() -> None:
    c = [
        Candidate(quantity=12, unit="kWh", data_type="literature"),
        Candidate(quantity=11, unit="kWh", data_type="financial_settlement"),
        Candidate(quantity=10, unit="kWh", data_type="onsite_calculated"),
        Candidate(quantity=10.5, unit="kWh", data_type="onsite_measured"),
    ]
    idx, en, zh = select_candidate(c)
    assert idx == 3 and "onsite_measured" in en and "onsite_calculated" in en and "表2" in zh
    same = [
        Candidate(quantity=10, unit="kWh", data_type="database", uncertainty={"relative": 0.05}),
        Candidate(quantity=10, unit="kWh", data_type="database", uncertainty={"relative": 0.02}),
        Candidate(quantity=10, unit="kWh", data_type="database"),
    ]
    idx, en, _ = select_candidate(same)
    assert idx == 1 and "smaller relative uncertainty" in en
    tie = [Candidate(quantity=1, unit="kWh", data_type="estimate") for _ in range(2)]
    assert select_candidate(tie)[0] == 0
    # Table 4 order inside one grade: statistics before settlement documents
    med = [
        Candidate(quantity=1, unit="kWh", data_type="financial_settlement"),
        Candidate(quantity=2, unit="kWh", data_type="enterprise_statistics"),
    ]
    assert select_candidate(med)[0] == 1


def test_candidates_fill_the_activity_and_round_trip() -> None:
    study = make_study(
        [
            flow(
                unit="MWh",
                candidates=[
                    {
                        "quantity": 9000,
                        "unit": "kWh",
                        "data_type": "financial_settlement",
                        "source": "电费单",
                    },
                    {
                        "quantity": 9500,
                        "unit": "kWh",
                        "data_type": "onsite_measured",
                        "instrument": "EM",
                        "uncertainty": {"relative": "0.5 %"},
                    },
                ],
            )
        ],
        instruments=[METER],
    )
    act = study.activities[0]
    assert isinstance(act, Activity)
    assert act.quantity == pytest.approx(9.5)  # converted to the activity's MWh
    assert act.data_type is DataType.ONSITE_MEASURED
    assert act.instrument == "EM" and act.uncertainty is not None
    again = Study.model_validate(study.model_dump(mode="json"))
    assert again == study
    [choice] = candidate_choices(study)
    assert choice.chosen == 1 and choice.path == "activities[0].candidates[1]"


def test_candidate_quantity_that_disagrees_is_refused() -> None:
    with pytest.raises(ValidationError, match="disagrees with the chosen candidate"):
        make_study(
            [
                flow(
                    quantity=5,
                    unit="kWh",
                    candidates=[{"quantity": 6, "data_type": "onsite_measured"}],
                )
            ]
        )
    with pytest.raises(ValidationError, match="differs from the chosen candidate"):
        make_study(
            [
                flow(
                    unit="kWh",
                    data_type="estimate",
                    candidates=[{"quantity": 6, "data_type": "onsite_measured"}],
                )
            ]
        )
    with pytest.raises(ValidationError, match="give the unit"):
        make_study([flow(candidates=[{"quantity": 6, "data_type": "onsite_measured"}])])


def test_only_one_derived_block() -> None:
    with pytest.raises(ValidationError, match="only one of candidates, calculated, allocation"):
        make_study(
            [
                flow(
                    unit="kWh",
                    candidates=[{"quantity": 1, "data_type": "estimate"}],
                    calculated={"model": "register_difference", "start": 0, "end": 1},
                )
            ]
        )


# --------------------------------------------------------------------------- calculated


def test_calculated_fills_quantity_unit_type_instrument() -> None:
    study = make_study(
        [
            flow(
                calculated={
                    "model": "register_difference",
                    "start": 100,
                    "end": 150,
                    "ct_ratio": "200/5",
                    "instrument": "EM",
                }
            )
        ],
        instruments=[METER],
    )
    act = study.activities[0]
    assert isinstance(act, Activity)
    assert (act.quantity, act.unit, act.data_type, act.instrument) == (
        2000.0,
        "kWh",
        DataType.ONSITE_CALCULATED,
        "EM",
    )
    mwh = make_study(
        [flow(unit="MWh", calculated={"model": "register_difference", "start": 100, "end": 150})]
    )
    assert mwh.activities[0].quantity == pytest.approx(0.05)  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="disagrees with the calculated value 2000"):
        make_study(
            [
                flow(
                    quantity=1999,
                    calculated={
                        "model": "register_difference",
                        "start": 100,
                        "end": 150,
                        "ct_ratio": 40,
                    },
                )
            ]
        )


def test_calculated_on_a_measured_quantity() -> None:
    study = make_study(
        [
            {
                "stage": "distribution",
                "name": "运输",
                "factor": "road",
                "mass": {"quantity": 1, "unit": "kg"},
                "distance": {
                    "calculated": {"model": "readings", "values": [100, 102, 98, 100], "unit": "km"}
                },
            }
        ],
        boundary=["distribution"],
    )
    model = compile_study(study, LIB)
    d = model.inputs["activities[0].distance"]
    # mean 100, Σ(x − x̄)² = 8 → s² = 8/3, u = s/√4
    assert d.estimate == pytest.approx(100)
    assert d.u == pytest.approx(math.sqrt(8 / 3) / 2)
    assert d.u_source == "calculated" and d.dof == pytest.approx(3)


def test_bad_calculated_block_reports_the_field(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(
        "id: S\nproduct: {name: 表}\nperiod: 2025\nactivities:\n"
        "  - stage: manufacturing\n    name: 电\n    factor: grid\n"
        "    calculated: {model: register_difference, start: 10, end: oops}\n",
        encoding="utf-8",
    )
    with use_lang("en"), pytest.raises(InputErrors) as exc:
        load_study(p)
    text = str(exc.value)
    assert "activities[0].calculated.end (line 8): expected a number (got 'oops')" in text
    assert "quantity" not in text  # no second "missing quantity" message


def test_unknown_calculation_model_message(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(
        "id: S\nproduct: {name: 表}\nperiod: 2025\nactivities:\n"
        "  - {stage: use, name: 电, factor: grid, calculated: {model: nope}}\n",
        encoding="utf-8",
    )
    with use_lang("en"), pytest.raises(InputErrors) as exc:
        load_study(p)
    assert (
        "activities[0].calculated (line 5): expected model to be one of "
        "register_difference, gas_standard_volume, readings" in str(exc.value)
    )


# --------------------------------------------------------------------------- allocation


ALLOC = {
    "batch_quantity": 400,
    "unit": "kg",
    "product_model": "A",
    "instrument": "T",
    "models": [
        {"model": "A", "output": 10000, "bom_quantity": 0.03},
        {"model": "B", "output": 1000, "bom_quantity": 0.1},
    ],
}
TRUCK = {
    "id": "T",
    "name": "汽车衡",
    "kind": "scale_nonautomatic",
    "accuracy_class": "III",
    "max_capacity": 30000,
    "scale_interval": 20,
    "capacity_unit": "kg",
    "certificate": cert(),
}


def test_allocation_validation() -> None:
    for bad, msg in (
        ({"product_model": "C"}, "not among the models"),
        ({"models": [{"model": "A", "output": 1, "bom_quantity": 0}]}, "nothing to allocate"),
        ({"models": [{"model": "A", "output": 1, "bom_quantity": 1}] * 2}, "listed twice"),
    ):
        with pytest.raises(ValidationError, match=msg):
            make_study(
                [
                    {
                        "stage": "raw_materials",
                        "name": "铜",
                        "factor": "cu",
                        "allocation": ALLOC | bad,
                    }
                ]
            )


def test_compile_hook_sources_and_explicit_wins() -> None:
    study = make_study(
        [
            flow(id="e1", quantity=1000, unit="kWh", instrument="EM"),  # class 1
            flow(id="e2", quantity=1000, unit="kWh", instrument="EM", uncertainty={"standard": 7}),
            flow(id="e3", quantity=1000, unit="kWh", instrument="NOPE"),
            flow(
                id="e4",
                calculated={
                    "model": "register_difference",
                    "start": 0,
                    "end": 25,
                    "ct_ratio": "200/5",
                    "instrument": "EM",
                },
            ),
            {
                "id": "cu",
                "stage": "raw_materials",
                "name": "铜",
                "factor": "cu",
                "allocation": ALLOC,
            },
        ],
        boundary=["raw_materials", "manufacturing"],
        instruments=[METER, TRUCK],
    )
    m = compile_study(study, LIB)
    e1, e2, e3, e4 = (m.inputs[f"e{i}.quantity"] for i in range(1, 5))
    assert e1.u == pytest.approx(1000 * 0.01 / R3) and e1.u_source == "instrument"
    assert e1.sampling == "rectangular" and "class 1" in (e1.u_basis or "")
    assert e2.u == 7 and e2.u_source == "explicit"
    assert e3.u == 0 and e3.u_source is None  # unknown id: a finding of `tanzuji check`
    assert e4.estimate == 1000 and e4.u == pytest.approx(1000 * 0.01 / R3)
    assert e4.u_source == "calculated"
    cu = m.inputs["cu.quantity"]
    assert cu.estimate == pytest.approx(0.03) and cu.u_source == "allocation"
    assert cu.u == pytest.approx(20 / R3 * 0.03 / 400)  # 400 kg = 20 e, in service ±1 e
    # the specification's method propagates the derived u: u(E_mfg)² = Σ (EF·u)²
    r = evaluate_jjf(m)
    mfg = r.stage("manufacturing")
    assert mfg is not None
    assert mfg.u == pytest.approx(0.5 * math.sqrt(e1.u**2 + 7**2 + e4.u**2))
