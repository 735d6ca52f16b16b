"""Document limits, finite numbers and bounded resources (issue 9)."""

from __future__ import annotations

import json
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tanzuji.errors import InputError, InputErrors
from tanzuji.jsonio import read_document
from tanzuji.jsonio.documents import MAX_DEPTH, MAX_NUMBER, MAX_STRING
from tanzuji.model.base import MAX_MAGNITUDE
from tanzuji.studyfiles import evaluate_file, load_study

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from big_study import big_study_text

HEAD = "id: S\nproduct: {name: x}\nperiod: 2025\nactivities:\n"
ROW = "  - {stage: use, name: a, quantity: 1, unit: kWh, factor: cn.electricity.footprint.2023}\n"


def _messages(exc: BaseException) -> list[str]:
    return [str(e) for e in exc.errors] if isinstance(exc, InputErrors) else [str(exc)]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("deep.yaml", "id: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), "nested"),
        ("deep.json", '{"id": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}", "nested"),
        ("long.yaml", "id: " + "x" * (MAX_STRING + 1), "text longer"),
        ("long.json", '{"id": "' + "x" * (MAX_STRING + 1) + '"}', "text too long"),
        ("num.yaml", "id: " + "9" * (MAX_NUMBER + 1), "number longer"),
        ("num.json", '{"id": ' + "9" * (MAX_NUMBER + 1) + "}", "number too long"),
        ("tag.yaml", "id: !!binary aGVsbG8=", "tags"),
        ("hex.yaml", "id: 0x_", "not a readable integer"),
    ],
)
def test_document_limits_are_checked_before_parsing(
    name: str, text: str, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as info:
        read_document(path)
    assert str(path) in str(info.value)


def test_aliases_cannot_expand_without_bound(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="aliases"):
        read_document(path)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "1e200"),
        ("quantity", ".inf"),
        ("quantity", ".nan"),
        ("uncertainty", "{relative: 1e300}"),
        ("uncertainty", "{expanded: 5, k: .inf}"),
        ("uncertainty", "{standard: 1e31}"),
    ],
)
def test_numbers_are_finite_and_bounded_with_the_field_path(
    field: str, value: str, tmp_path: Path
) -> None:
    path = tmp_path / "s.yaml"
    row = ROW.replace("quantity: 1,", "quantity: 1, " if field != "quantity" else "")
    row = row.rstrip("}\n") + f", {field}: {value}}}\n"
    path.write_text(HEAD + row, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_study(path)
    (msg,) = _messages(info.value)
    assert f"activities[0].{field}" in msg and ("finite" in msg or f"{MAX_MAGNITUDE:g}" in msg)


def test_annual_output_must_be_a_count(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = HEAD.replace("{name: x}", "{name: x, annual_output: {quantity: 5, unit: lightyear}}")
    path.write_text(text + ROW, encoding="utf-8")
    with pytest.raises(InputErrors, match=r"product\.annual_output\.unit.*expected a count"):
        load_study(path)
    path.write_text(text.replace("lightyear", "台") + ROW, encoding="utf-8")
    load_study(path)


def test_period_year_out_of_range_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD.replace("period: 2025", "period: {year: 10000000000}") + ROW)
    with pytest.raises(InputErrors, match="period"):
        load_study(path)


def test_huge_dof_reaches_no_special_function(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + ROW.replace("}\n", ", uncertainty: {standard: 0.1, dof: 1e30}}\n"))
    result = run_cli("evaluate", "--uncertainty", "full", "--json", path)
    assert result.code == 0, result.err
    json.loads(result.out, parse_constant=lambda c: pytest.fail(c))


def test_evaluate_memory_grows_linearly(tmp_path: Path) -> None:
    """Peak traced memory per activity does not grow with the study's size."""
    per_activity = []
    for n in (1_000, 4_000):
        path = tmp_path / f"s{n}.yaml"
        path.write_text(big_study_text(n), encoding="utf-8")
        tracemalloc.start()
        evaluate_file(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        per_activity.append(peak / n)
    assert per_activity[1] < 1.5 * per_activity[0], per_activity


def test_a_huge_report_is_refused_clearly(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(big_study_text(5_001), encoding="utf-8")
    result = run_cli("report", path, "--out", tmp_path / "r.pdf")
    assert result.code == 1
    assert "5001" in result.err and "evaluate --json" in result.err
    assert not (tmp_path / "r.pdf").exists()


def test_warnings_are_bounded(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    """25 activities without uncertainty: 20 warning lines and one that counts the rest."""
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + ROW * 25, encoding="utf-8")
    result = run_cli("evaluate", path)
    assert result.code == 0, result.err
    warnings = [line for line in result.lines if line.startswith("warning:")]
    assert len(warnings) == 21
    assert "5 more" in warnings[-1]


def test_a_tiny_coverage_factor_cannot_overflow(tmp_path: Path) -> None:
    """Found by the fuzz campaign: U = 0.1 with k = 2e-300 made u = 5e298 and overflowed."""
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + ROW.replace("}\n", ", uncertainty: {expanded: 0.1, k: 2.0e-300}}\n"))
    with pytest.raises(InputErrors, match=r"activities\[0\]\.uncertainty.*expanded / k"):
        load_study(path)
