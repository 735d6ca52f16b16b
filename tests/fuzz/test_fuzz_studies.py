"""The fuzz harness inside ``make test`` (small budget; ``make fuzz`` runs the long campaign).

Every generated study either evaluates to a result whose JSON is finite, or is rejected by
one of tanzuji's errors naming the file on every line. Anything else fails the test with
the input attached.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import fuzzlib

GOOD = {"ok", "rejected"}


@pytest.mark.parametrize("seed", range(4))
def test_mutated_studies_end_cleanly(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    seeds = fuzzlib.seeds()
    for i in range(40):
        folder = tmp_path / str(i)
        folder.mkdir()
        path = fuzzlib.study_case(folder, rng, seeds)
        outcome, detail = fuzzlib.evaluate_case(path)
        assert outcome in GOOD, (outcome, detail, path.read_text(encoding="utf-8")[:2000])


def test_mutated_workbooks_end_cleanly(tmp_path: Path) -> None:
    if not fuzzlib.WORKBOOKS:
        pytest.fail("no bundled workbook to mutate")
    template = fuzzlib.WORKBOOKS[0].read_bytes()
    rng = random.Random(7)
    for i in range(6):
        folder = tmp_path / str(i)
        folder.mkdir()
        path = fuzzlib.workbook_case(folder, rng, template)
        outcome, detail = fuzzlib.evaluate_case(path)
        assert outcome in GOOD, (outcome, detail)


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from(["1e400", "-0", "1 %", "nan", "inf"]),
)
units = st.one_of(
    st.sampled_from(["kg", "kWh", "度", "千克", "m2", "t*km", "kg**2", "1/h", "piece"]),
    st.text(alphabet="kgmWh*/^()0123456789 .·度吨-", max_size=30),
)
uncertainty = st.one_of(
    st.none(),
    st.fixed_dictionaries({"standard": numbers}),
    st.fixed_dictionaries({"relative": numbers}),
    st.fixed_dictionaries({"expanded": numbers, "k": numbers}),
    st.fixed_dictionaries({"min": numbers, "max": numbers}),
    st.fixed_dictionaries({"standard": numbers, "dof": numbers}),
)
activity = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(["raw_materials", "manufacturing", "use", "原材料获取"]),
        "name": st.text(min_size=1, max_size=20),
        "quantity": numbers,
        "unit": units,
        "factor": st.sampled_from(["cn.electricity.footprint.2023", "material.pc.ice2", "nope"]),
    },
    optional={"uncertainty": uncertainty},
)
study = st.fixed_dictionaries(
    {
        "id": st.text(alphabet="ABCxyz-_.0123456789", min_size=1, max_size=10),
        "product": st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=30)},
            optional={"annual_output": st.fixed_dictionaries({"quantity": numbers, "unit": units})},
        ),
        "period": st.one_of(st.integers(min_value=-5, max_value=10**12), st.just(2025)),
        "activities": st.lists(activity, min_size=1, max_size=4),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=study, as_json=st.booleans())
def test_generated_studies_end_cleanly(
    data: dict[str, object], as_json: bool, tmp_path: Path
) -> None:
    import json

    import yaml

    path = tmp_path / ("study.json" if as_json else "study.yaml")
    if as_json:
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    outcome, detail = fuzzlib.evaluate_case(path)
    assert outcome in GOOD, (outcome, detail, data)
