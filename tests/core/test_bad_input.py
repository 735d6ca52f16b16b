"""Every bad input: through ``load_study`` + ``compile_study`` and through the CLI.

The table's expectations are the English wording, so both paths run in English; the
Chinese wording of the same messages is tested in tests/cli/test_cli_messages_lang.py.

The table is ``cases/bad_inputs.yaml``. Each problem must come out as exactly one line that
names the file, the field path (``activities[3].quantity``), the YAML line and what was
expected; the CLI must exit 1 without a traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tanzuji.calculation import compile_study
from tanzuji.errors import InputError, InputErrors
from tanzuji.i18n import use_lang
from tanzuji.jsonio import locate_errors
from tanzuji.studyfiles import load_study

CASES_FILE = Path(__file__).parent / "cases" / "bad_inputs.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))

#: activities[0..2]: valid, in cradle-to-gate stages, so every case adds its own problem only
BASE = """\
- {id: cu, stage: raw_materials, name: 铜, quantity: 0.35, unit: kg, factor: copper}
- {id: elec, stage: manufacturing, name: 生产用电, grid: {quantity: 1.2, factor: grid}}
- {id: inbound, stage: raw_materials, name: 原材料运输, mass: {quantity: 0.35, unit: kg},
   distance: {quantity: 300, unit: km}, factor: road}
"""


def _params() -> list[Any]:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
        out.append(pytest.param(case, id=case["name"], marks=marks))
    return out


def _write(write_study: Any, case: dict[str, Any]) -> tuple[Path, int]:
    """Write the case's study; return its path and the file line of ``append``'s line 1."""
    path: Path = write_study(BASE + case["append"], extra=case.get("extra", ""))
    text = path.read_text(encoding="utf-8")
    if "libraries" in case:
        text = text.replace("factor_libraries: []", f"factor_libraries: {case['libraries']}")
        path.write_text(text, encoding="utf-8")
    n_append = len(case["append"].rstrip("\n").split("\n"))
    first = len(text.rstrip("\n").split("\n")) - n_append + 1
    assert text.split("\n")[first - 1] == case["append"].split("\n")[0]
    return path, first


def _header_line(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(prefix))


def check_messages(messages: list[str], case: dict[str, Any], path: Path, first: int) -> None:
    """Exactly one message per expected error, each naming file, path, line and expectation."""
    expected = case["errors"]
    assert len(messages) == len(expected), "\n".join(messages)
    lines = {f"l{i}": first + i - 1 for i in range(1, 40)}
    unmatched = list(messages)
    for exp in expected:
        needles = [str(path)]
        pattern = None
        if "line" in exp:
            n = first + exp["line"] - 1
        elif "header" in exp:
            n = _header_line(path, exp["header"])
        else:
            n = None
        if exp.get("path"):
            needles.append(f"{path}: {exp['path']}" + (f" (line {n})" if n else ""))
        elif n:
            pattern = rf"\bline {n}\b"
        needles += [s.format(**lines) for s in exp.get("expect", [])]
        found = [
            m
            for m in unmatched
            if all(s in m for s in needles)
            and (pattern is None or re.search(pattern, m))
            and not any(r in m for r in exp.get("reject", []))
        ]
        assert found, f"no message with {needles} {pattern or ''} among:\n" + "\n".join(messages)
        unmatched.remove(found[0])


def api_messages(path: Path) -> list[str]:
    """The messages of ``load_study`` + ``compile_study`` (as ``tanzuji evaluate`` uses them)."""
    with use_lang("en"):
        return _api_messages(path)


def _api_messages(path: Path) -> list[str]:
    try:
        loaded = load_study(path)
        try:
            compile_study(loaded.study, loaded.factors)
        except InputErrors as exc:
            raise locate_errors(exc, loaded) from None
    except InputErrors as exc:
        return [str(e) for e in exc.errors]
    except InputError as exc:
        return [str(exc)]
    pytest.fail("the bad input was accepted")


def cli_messages(cli: Any, path: Path) -> list[str]:
    res = cli("--lang", "en", "evaluate", path, "--json")
    assert res.code == 1, res.err
    assert "Traceback" not in res.err
    assert res.out == ""
    lines = res.error_lines
    assert all(line.startswith("error: ") for line in lines), res.err
    return [line.removeprefix("error: ") for line in lines]


@pytest.mark.parametrize("case", _params())
def test_bad_input_api(write_study, case):
    path, first = _write(write_study, case)
    check_messages(api_messages(path), case, path, first)


@pytest.mark.parametrize("case", _params())
def test_bad_input_cli(write_study, cli, case):
    path, first = _write(write_study, case)
    check_messages(cli_messages(cli, path), case, path, first)


def test_case_table_is_well_formed():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    for c in CASES:
        assert c["errors"], c["name"]
        assert set(c) <= {"name", "append", "errors", "extra", "libraries", "xfail"}, c["name"]


def test_the_base_study_alone_is_valid(write_study):
    loaded = load_study(write_study(BASE))
    compile_study(loaded.study, loaded.factors)


# --------------------------------------------------------------------------- whole files


def test_single_invalid_activity_gives_exactly_one_line(write_study, cli):
    # a study whose only activity fails must not also say "expected at least one entry"
    path = write_study("- {stage: use, name: 运行, quantity: -1, unit: kWh, factor: grid}")
    for messages in (api_messages(path), cli_messages(cli, path)):
        assert len(messages) == 1, messages
        assert "activities[0].quantity" in messages[0]


def test_empty_activity_list(write_study, cli):
    text = write_study("- {stage: use, name: a, quantity: 1, unit: kWh, factor: grid}").read_text()
    path = write_study("", raw=text.split("activities:")[0] + "activities: []\n")
    (msg,) = cli_messages(cli, path)
    assert f"{path}: activities" in msg
    assert "at least one" in msg


def test_json_file_with_a_syntax_error(tmp_path, cli):
    p = tmp_path / "study.json"
    p.write_text('{"id": "S",\n "product": {"name": "x"},\n "period": 2025,,\n}', "utf-8")
    for target in (p, tmp_path):  # the file, and its directory
        (msg,) = cli_messages(cli, target)
        assert msg.startswith(f"{p}: ")
        assert "malformed JSON at line 3" in msg
    (msg,) = api_messages(p)
    assert "malformed JSON at line 3" in msg


def test_json_study_validation_error_names_file_and_path(tmp_path, cli):
    p = tmp_path / "study.json"
    study = {
        "id": "S",
        "product": {"name": "表"},
        "period": 2025,
        "factor_libraries": [],
        "activities": [
            {"stage": "use", "name": "a", "quantity": 1, "unit": "kWh", "factor": "x"},
            {"stage": "use", "name": "b", "quantity": -5, "unit": "kWh", "factor": "x"},
        ],
    }
    p.write_text(json.dumps(study, ensure_ascii=False), "utf-8")
    (msg,) = cli_messages(cli, p)
    assert msg.startswith(f"{p}: activities[1].quantity: ")
    assert "≥ 0" in msg


def test_directory_without_a_study_file(tmp_path, cli):
    (tmp_path / "notes.txt").write_text("x")
    (msg,) = cli_messages(cli, tmp_path)
    assert msg.startswith(str(tmp_path))
    assert "study.yaml" in msg and "study.json" in msg
    with pytest.raises(InputError):
        load_study(tmp_path)


def test_study_file_that_does_not_exist(tmp_path, cli):
    (msg,) = cli_messages(cli, tmp_path / "nope.yaml")
    assert msg == f"{tmp_path / 'nope.yaml'}: file not found"


LIB_BAD_UNIT = """\
library: {id: mine, name: 我的因子库}
factors:
  - {id: ok, name: 好, value: 1, unit: kgCO2e/kg, factor_type: literature, source: s}
  - {id: bad, name: 坏, value: 1, unit: bananas/kWh, factor_type: literature, source: s}
"""


def test_factor_library_with_a_bad_unit_names_the_library_file(write_study, cli):
    path = write_study("- {stage: use, name: 运行, quantity: 1, unit: kWh, factor: grid}")
    lib = path.parent / "lib.yaml"
    lib.write_text(LIB_BAD_UNIT, "utf-8")
    path.write_text(
        path.read_text("utf-8").replace("factor_libraries: []", "factor_libraries: [lib.yaml]"),
        "utf-8",
    )
    (msg,) = cli_messages(cli, path)
    assert msg.startswith(f"{lib}: factors[1].unit (line 4): ")
    assert "'bananas/kWh'" in msg


def test_factor_from_a_library_file_is_used(write_study, cli):
    path = write_study("- {stage: raw_materials, name: 铜, quantity: 2, unit: kg, factor: lib.cu}")
    lib = path.parent / "lib.yaml"
    lib.write_text(
        "library: {id: mine, name: 我的因子库}\nfactors:\n"
        "  - {id: lib.cu, name: 铜, value: 5.5, unit: kgCO2e/kg, factor_type: literature, "
        "source: s}\n",
        "utf-8",
    )
    path.write_text(
        path.read_text("utf-8").replace("factor_libraries: []", "factor_libraries: [lib.yaml]"),
        "utf-8",
    )
    res = cli("evaluate", path, "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["total"]["value"] == pytest.approx(2 * 5.5, rel=1e-12)


def test_json_factor_library_error_has_no_line_from_the_study(write_study, cli):
    path = write_study("- {stage: use, name: 运行, quantity: 1, unit: kWh, factor: grid}")
    lib = path.parent / "lib.json"
    lib.write_text(
        json.dumps(
            {"library": {"id": "L", "name": "lib"},
             "factors": [{"id": "x", "name": "x", "value": 1, "unit": "bananas/kWh",
                          "factor_type": "literature", "source": "s"}]}
        ),
        "utf-8",
    )  # fmt: skip
    path.write_text(
        path.read_text("utf-8").replace("factor_libraries: []", "factor_libraries: [lib.json]"),
        "utf-8",
    )
    (msg,) = cli_messages(cli, path)
    assert msg.startswith(f"{lib}: factors[0].unit")
    assert "(line" not in msg  # lib.json is one line; a JSON document has no line map


# --------------------------------------------------------------------------- real process


def test_console_script_bad_input_end_to_end(write_study):
    """The real entry point in a fresh interpreter: exit 1, one line per problem, no traceback."""
    path = write_study(
        BASE
        + "- {stage: use, name: 运行, quantity: 1, unit: kWh, factor: gird}\n"
        + "- {stage: use, name: 待机, quantity: 1, unit: kg, factor: grid}\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "tanzuji.cli", "evaluate", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 2, proc.stderr
    assert lines[0].startswith(f"错误: {path}: activities[3].factor（第 "), lines[0]
    assert lines[1].startswith(f"错误: {path}: activities[4].unit（第 "), lines[1]
