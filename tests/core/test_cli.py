"""The command line: --version, schema, evaluate --json (the result contract), --out, summary."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

STAGE_KEYS = {"raw_materials", "manufacturing", "distribution", "use", "end_of_life"}
TOP_KEYS = {"study_id", "product", "unit", "method", "stages", "total", "contributions"}
REL = 1e-12


def _run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tanzuji.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


# --------------------------------------------------------------------------- version, schema


def test_version_in_a_fresh_process():
    proc = _run_module("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"tanzuji {version('tanzuji')}"


def test_version_in_process(cli):
    res = cli("--version")
    assert res.code == 0
    assert res.out.strip() == f"tanzuji {version('tanzuji')}"


def test_schema_is_valid_json_schema(cli):
    res = cli("schema")
    assert res.code == 0, res.err
    schema = json.loads(res.out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    for key in ("activities", "product", "period"):
        assert key in schema["properties"], key
        assert key in schema["required"], key
    assert schema["properties"]["activities"]["type"] == "array"
    # every local $ref resolves
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    assert refs
    for ref in refs:
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref


def test_schema_out_file(cli, tmp_path):
    target = tmp_path / "schema.json"
    res = cli("schema", "--out", target)
    assert res.code == 0, res.err
    assert res.out == ""
    assert "activities" in json.loads(target.read_text("utf-8"))["properties"]


# --------------------------------------------------------------------------- evaluate --json


def check_contract(data: dict[str, Any], exp: dict[str, Any]) -> None:
    """The JSON result contract, with every number compared to the hand-worked values."""
    assert set(data) >= TOP_KEYS  # the contract allows new keys (e.g. data_quality)
    assert set(data) - TOP_KEYS <= {"data_quality", "full", "monte_carlo"}
    assert data["study_id"] == "CORE-T"
    assert data["unit"] == "kgCO2e"
    assert data["method"] == "jjf"
    assert data["product"]["name"] == "单相智能电能表"
    assert data["product"]["model"] == "DDZY-T"
    assert set(data["stages"]) == STAGE_KEYS
    for stage, (value, u) in exp["stages"].items():
        got = data["stages"][stage]
        assert set(got) == {"value", "u"}
        assert got["value"] == pytest.approx(value, rel=REL)
        assert got["u"] == pytest.approx(u, rel=REL)
    t = data["total"]
    assert set(t) == {"value", "u", "k", "U", "U_rel_percent"}
    assert t["value"] == pytest.approx(exp["total"], rel=REL)
    assert t["u"] == pytest.approx(exp["u"], rel=REL)
    assert t["k"] == 2
    assert t["U"] == pytest.approx(exp["U"], rel=REL)
    assert t["U_rel_percent"] == pytest.approx(exp["U_rel"], rel=REL)
    contribs = data["contributions"]
    assert len(contribs) == len(exp["activities"])
    for c in contribs:
        assert {"activity", "stage", "value", "share"} <= set(c)
        assert c["stage"] in STAGE_KEYS
    by_id = {c["id"]: c for c in contribs}
    for key, (value, _u) in exp["activities"].items():
        assert by_id[key]["value"] == pytest.approx(value, rel=REL)
        assert by_id[key]["share"] == pytest.approx(value / exp["total"], rel=REL)
    values = [abs(c["value"]) for c in contribs]
    assert values == sorted(values, reverse=True)
    assert math.fsum(c["share"] for c in contribs) == pytest.approx(1.0, abs=1e-12)


def test_evaluate_json_contract(cli, full_study):
    path, exp = full_study
    res = cli("evaluate", path, "--json")
    assert res.code == 0, res.err
    check_contract(json.loads(res.out), exp)


def test_evaluate_json_accepts_the_directory(cli, full_study):
    path, exp = full_study
    res = cli("evaluate", path.parent, "--json")
    assert res.code == 0, res.err
    check_contract(json.loads(res.out), exp)


def test_evaluate_json_numbers_are_unrounded(cli, full_study):
    path, exp = full_study
    data = json.loads(cli("evaluate", path, "--json").out)
    # U_rel by hand has many digits; a rounded report value (e.g. 2 significant) would fail
    assert data["total"]["U_rel_percent"] == pytest.approx(exp["U_rel"], rel=REL)
    assert data["stages"]["distribution"]["u"] == pytest.approx(0.02 * 1200 * 0.0847e-3, rel=REL)
    assert len(repr(data["total"]["value"]).replace(".", "").lstrip("0")) > 4


def test_evaluate_json_out_file(cli, full_study, tmp_path):
    path, exp = full_study
    target = tmp_path / "result.json"
    res = cli("evaluate", path, "--json", "--out", target)
    assert res.code == 0, res.err
    assert res.out == ""
    written = json.loads(target.read_text("utf-8"))
    check_contract(written, exp)
    assert written == json.loads(cli("evaluate", path, "--json").out)


def test_evaluate_json_in_a_fresh_process_with_bundled_libraries(full_study):
    """The real entry point, bundled libraries loaded; the study's own factors win."""
    path, exp = full_study
    proc = _run_module("evaluate", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    check_contract(json.loads(proc.stdout), exp)


def test_cradle_to_gate_stages_are_null_in_json(cli, write_study):
    path = write_study(
        "- {stage: raw_materials, name: 铜, quantity: 0.35, unit: kg, factor: copper, "
        "uncertainty: {standard: 0.002}}",
        extra="boundary: cradle-to-gate",
    )
    data = json.loads(cli("evaluate", path, "--json").out)
    assert set(data["stages"]) == STAGE_KEYS
    assert data["stages"]["distribution"] is None
    assert data["stages"]["use"] is None
    assert data["stages"]["end_of_life"] is None
    assert data["stages"]["manufacturing"] == {"value": 0.0, "u": 0.0}
    assert data["stages"]["raw_materials"]["value"] == pytest.approx(0.35 * 4.2, rel=REL)
    assert data["total"]["U"] == pytest.approx(2 * 0.002 * 4.2, rel=REL)


def test_zero_total_gives_null_relative_uncertainty_and_shares(cli, write_study):
    path = write_study("- {stage: use, name: 待机, quantity: 0, unit: kWh, factor: grid}")
    data = json.loads(cli("evaluate", path, "--json").out)
    assert data["total"]["value"] == 0
    assert data["total"]["U_rel_percent"] is None
    assert [c["share"] for c in data["contributions"]] == [None]


# --------------------------------------------------------------------------- human summary

SUMMARY_STUDY = """\
- {stage: raw_materials, name: copper, quantity: 2.93942, unit: kg, factor: copper,
   uncertainty: {standard: 0.00557}}
- {stage: manufacturing, name: electricity, quantity: 84.1, unit: kWh, factor: grid,
   uncertainty: {standard: 1.5}}
"""
# By hand:
#   raw:   E = 2.93942·4.2 = 12.345564, u = 0.00557·4.2 = 0.023394 → u "0.023", E "12.346"
#   mfg:   E = 84.1·0.6205 = 52.18405,  u = 1.5·0.6205 = 0.93075   → u "0.93",  E "52.18"
#   total: E = 64.529614, u = √(0.023394² + 0.93075²) = 0.931044    → u "0.93",  E "64.53"
#   U = 2u = 1.862088 → "1.9", E to 0.1 → "64.5"; U_rel = 186.2088/64.529614 = 2.8856 % → "2.9"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.replace("┃", "│").split("│") if cell.strip()]


def _row(text: str, label: str) -> list[str]:
    return _cells(next(line for line in text.splitlines() if label in line))


def test_summary_rounds_per_jjf_1059_1(cli, write_study, tmp_path):
    path = write_study(SUMMARY_STUDY, extra="boundary: cradle-to-gate")
    target = tmp_path / "summary.txt"
    res = cli("evaluate", path, "--lang", "en", "--out", target)
    assert res.code == 0, res.err
    text = target.read_text("utf-8")
    assert _row(text, "Raw material acquisition") == ["Raw material acquisition", "12.346", "0.023"]
    assert _row(text, "Manufacturing") == ["Manufacturing", "52.18", "0.93"]
    assert _row(text, "Total") == ["Total", "64.53", "0.93"]
    assert "outside the system boundary" in _row(text, "Distribution")[1]
    assert "Expanded uncertainty (k=2) = 1.9 kgCO2e" in text
    assert "relative expanded uncertainty (k=2) = 2.9 %" in text
    assert "E = (64.5 ± 1.9) kgCO2e, k = 2" in text


def test_summary_to_stdout_in_chinese(cli, write_study):
    path = write_study(SUMMARY_STUDY, extra="boundary: cradle-to-gate")
    res = cli("evaluate", path)
    assert res.code == 0, res.err
    assert "产品碳足迹 E = (64.5 ± 1.9) kgCO2e" in res.out
    assert "12.346" in res.out and "0.023" in res.out
    assert "不在系统边界内" in res.out


def test_summary_of_the_full_study_shows_every_stage(cli, full_study, tmp_path):
    path, exp = full_study
    target = tmp_path / "s.txt"
    assert cli("evaluate", path, "--lang", "en", "--out", target).code == 0
    text = target.read_text("utf-8")
    for label in (
        "Raw material acquisition",
        "Manufacturing",
        "Distribution",
        "Use",
        "End of life",
    ):
        assert len(_row(text, label)) >= 3, label
    # by hand the largest contribution is 运行 (use): 1.2 W · 87600 h · 0.6205 = 65.2 kgCO2e
    assert exp["activities"]["run"][0] == pytest.approx(65.227, rel=1e-4)
    rows = [_cells(line) for line in text.splitlines()]
    first = next(cells for cells in rows if cells and cells[0] == "1")
    assert first[1:3] == ["运行", "Use"]


def test_help_lists_the_commands(cli):
    res = cli("--help")
    assert res.code == 0
    for cmd in ("evaluate", "schema"):
        assert cmd in res.out


def test_unknown_option_is_a_usage_error_not_a_traceback(cli, full_study):
    path, _ = full_study
    res = cli("evaluate", path, "--no-such-option")
    assert res.code == 2
    assert "Traceback" not in res.err


def test_out_file_is_absent_when_evaluation_fails(cli, write_study, tmp_path):
    path = write_study("- {stage: use, name: a, quantity: -1, unit: kWh, factor: grid}")
    target = tmp_path / "never.json"
    res = cli("evaluate", path, "--json", "--out", target)
    assert res.code == 1
    assert not target.exists()


def test_json_output_is_utf8_not_escaped(cli, full_study):
    path, _ = full_study
    out = cli("evaluate", path, "--json").out
    assert "单相智能电能表" in out


def test_paths_relative_to_cwd(cli, full_study, monkeypatch):
    path, exp = full_study
    monkeypatch.chdir(path.parent)
    data = json.loads(cli("evaluate", Path("study.yaml"), "--json").out)
    assert data["total"]["value"] == pytest.approx(exp["total"], rel=REL)
