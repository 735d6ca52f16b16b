"""Library-level messages (validation, units, YAML/JSON syntax, workbooks, factor libraries)
in the session's language: a Chinese session shows no English sentence, an English session
shows the English wording, and both keep the file, line and field path (issue 8.5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clihelpers import english_runs

HEAD = "id: S\nproduct: {name: 表}\nperiod: 2025\n"

#: name → (file name, text, what the English message must contain, where it must point)
CASES: dict[str, tuple[str, str, str, str]] = {
    "not a number": (
        "s.yaml",
        HEAD + "activities:\n  - {stage: use, name: 运行, quantity: abc, unit: kWh, factor: x}\n",
        "expected a number",
        "activities[0].quantity",
    ),
    "negative": (
        "s.yaml",
        HEAD + "activities:\n  - {stage: use, name: 运行, quantity: -1, unit: kWh, factor: x}\n",
        "expected a number ≥ 0",
        "activities[0].quantity",
    ),
    "missing field": (
        "s.yaml",
        HEAD + "activities:\n  - {stage: use, quantity: 1, unit: kWh, factor: x}\n",
        "required field is missing",
        "activities[0].name",
    ),
    "empty name": (
        "s.yaml",
        HEAD + "activities:\n  - {stage: use, name: '', quantity: 1, unit: kWh, factor: x}\n",
        "give a name in zh and/or en",
        "activities[0].name",
    ),
    "unknown unit": (
        "s.yaml",
        HEAD + "activities:\n  - {stage: use, name: 运行, quantity: 1, unit: kWhx, factor: x}\n",
        "unknown unit; did you mean kWh?",
        "activities[0].unit",
    ),
    "unknown factor": (
        "s.yaml",
        HEAD
        + "activities:\n  - {stage: use, name: 运行, quantity: 1, unit: kWh, factor: nofactor}\n",
        "unknown factor id",
        "activities[0].factor",
    ),
    "YAML syntax": ("s.yaml", "id: S\nproduct: {name: 表\n", "malformed YAML at line", ""),
    "JSON syntax": ("s.json", '{"id": "S",}', "malformed JSON at line 1", ""),
    "not a workbook": ("s.xlsx", "not a zip", "not an Excel workbook", ""),
    "factor library": (
        "s.yaml",
        HEAD
        + "factor_libraries: [lib.yaml, nolib.yaml]\n"
        + "activities:\n  - {stage: use, name: 运行, quantity: 1, unit: kWh, factor: a}\n",
        "no such factor-library file",
        "factor_libraries[1]",
    ),
}

LIB = "library: {id: L, name: x}\nfactors:\n  - {id: a, value: -1, unit: kgCO2e/kWhh, name: a}\n"


def _write(tmp_path: Path, name: str) -> Path:
    file, text, _, _ = CASES[name]
    (tmp_path / "lib.yaml").write_text(LIB, encoding="utf-8")
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(CASES))
def test_chinese_session_shows_no_english_sentence(run, tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name)
    res = run("--lang", "zh", "evaluate", path)
    assert res.code == 1, res
    assert path.name in res.err or "lib.yaml" in res.err  # the file is still named
    assert CASES[name][3] in res.err  # and the field path
    assert english_runs(res.err) == [], res.err


@pytest.mark.parametrize("name", list(CASES))
def test_english_session_keeps_the_english_wording(run, tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name)
    res = run("--lang", "en", "evaluate", path)
    assert res.code == 1, res
    assert CASES[name][2] in res.err, res.err
    assert CASES[name][3] in res.err


def test_a_library_error_names_library_file_and_line_in_chinese(run, tmp_path: Path) -> None:
    res = run("--lang", "zh", "evaluate", _write(tmp_path, "factor library"))
    assert "lib.yaml: factors[0].value（第 3 行）: 应为 ≥ 0 的数（实际为 -1）" in res.err, res.err


def test_english_run_detector_flags_prose_only() -> None:
    assert english_runs("错误: x.yaml: 应为数字（实际为 'abc def ghi'）") == []
    assert english_runs("或以下之一：builtin、tanzuji-cn-electricity、my-lib-a") == []
    assert english_runs("错误: x.yaml: unknown unit; did you mean kWh?") == ["did you mean kWh"]


#: model-level problems (validators of the study model and the compiler), one per study
MODEL_CASES = {
    "transport with neither form": "  - {stage: distribution, name: 运输, factor: x}\n",
    "duplicate activity id": (
        "  - {id: a, stage: use, name: 甲, quantity: 1, unit: kWh, factor: cn.grid.co2.2022}\n"
        "  - {id: a, stage: use, name: 乙, quantity: 1, unit: kWh, factor: cn.grid.co2.2022}\n"
    ),
    "unit mismatch": (
        "  - {stage: use, name: 运行, quantity: 1, unit: kg, factor: cn.grid.co2.2022}\n"
    ),
    "transport mass not a mass": (
        "  - {stage: distribution, name: 运输, mass: {quantity: 1, unit: km},"
        " distance: {quantity: 1, unit: km}, factor: cn.grid.co2.2022}\n"
    ),
    "register rolled over": (
        "  - {stage: manufacturing, name: 电, factor: cn.grid.co2.2022, unit: kWh,"
        " calculated: {model: register_difference, start: 10, end: 5}}\n"
    ),
    "uncertainty forms": (
        "  - {stage: use, name: 运行, quantity: 1, unit: kWh, factor: cn.grid.co2.2022,"
        " uncertainty: {expanded: 2}}\n"
    ),
}


@pytest.mark.parametrize("name", list(MODEL_CASES))
def test_model_level_messages_in_chinese(run, tmp_path: Path, name: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + "activities:\n" + MODEL_CASES[name], encoding="utf-8")
    res = run("--lang", "zh", "evaluate", path)
    assert res.code == 1, res
    assert "activities[" in res.err
    assert english_runs(res.err) == [], res.err
