"""The bundled examples exist as filled workbooks and evaluate exactly as their YAML does.

If an example's study.yaml changes, regenerate its workbook:
``tanzuji convert examples/NAME/study.yaml examples/NAME/study.xlsx``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tanzuji.jsonio import result_to_dict
from tanzuji.studyfiles import evaluate_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = sorted(d.name for d in EXAMPLES.iterdir() if (d / "study.yaml").exists())


def test_there_are_examples() -> None:
    assert NAMES


@pytest.mark.parametrize("name", NAMES)
def test_example_workbook_evaluates_like_the_yaml(name: str) -> None:
    workbook = EXAMPLES / name / "study.xlsx"
    assert workbook.exists(), f"run: tanzuji convert examples/{name}/study.yaml {workbook}"
    from_yaml, result_yaml = evaluate_file(EXAMPLES / name / "study.yaml")
    from_xlsx, result_xlsx = evaluate_file(workbook)
    assert from_xlsx.study.model_dump() == from_yaml.study.model_dump()
    as_json = [
        json.dumps(result_to_dict(r, s.study), ensure_ascii=False, sort_keys=True)
        for r, s in ((result_yaml, from_yaml), (result_xlsx, from_xlsx))
    ]
    assert as_json[0] == as_json[1]
