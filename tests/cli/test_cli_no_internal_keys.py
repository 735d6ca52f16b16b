"""No internal keys in human output (issue 8.5): the console output of `check`, `evaluate`
and `report` for the bundled examples and the edge/hostile studies of the tests shows no
enum value (``financial_settlement``, ``green_trading``, ``raw_materials`` …) outside a field
path, and upper-case finding codes only in `check`'s id column, next to a human message."""

from __future__ import annotations

import enum
import re
from pathlib import Path

import pytest
from clihelpers import EXAMPLES, ROOT

from tanzuji.model import enums

#: Every snake_case value of the model's enums, and the parts of an electricity split.
KEYS = {
    m.value
    for e in vars(enums).values()
    if isinstance(e, type) and issubclass(e, enum.Enum)
    for m in e
    if isinstance(m.value, str) and "_" in m.value
} | {"green_trading"}

#: a snake_case token that is not part of a field path (``activities[3].green_trading``),
#: a file path or an id (``cn.grid.co2.2022.east``)
_TOKEN = re.compile(r"(?<![\w.\[/\-:])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w\]/\-])")
_CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")

STUDIES = [
    EXAMPLES / "single-phase-meter",
    EXAMPLES / "three-phase-meter",
    ROOT / "tests" / "report" / "fixtures" / "lamp",
    ROOT / "tests" / "report" / "fixtures" / "meter",
    *sorted((ROOT / "tests" / "security_cases" / "studies").glob("*/study.yaml")),
]


def keys_shown(text: str) -> set[str]:
    """The enum values ``text`` shows as words (not inside a field path, file name or id).

    >>> sorted(keys_shown("按次级数据（financial_settlement）; activities[3].green_trading"))
    ['financial_settlement']
    """
    return {t for t in _TOKEN.findall(text) if t in KEYS}


def _ids(path: Path) -> str:
    return path.parent.name if path.name == "study.yaml" else path.name


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # no table cell folded mid-word


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("study", STUDIES, ids=_ids)
def test_check_and_evaluate_show_no_internal_keys(run, study: Path, lang: str) -> None:
    for command in ("check", "evaluate"):
        res = run("--lang", lang, command, study)
        text = res.out + res.err
        assert keys_shown(text) == set(), (command, text)
        if command == "evaluate":
            assert _CODE.findall(text) == [], text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_check_shows_a_finding_code_only_as_a_labelled_id(run, lang: str) -> None:
    res = run("--lang", lang, "check", EXAMPLES / "single-phase-meter")
    header = next(line for line in res.out.splitlines() if "┃" in line)
    assert ("编号" if lang == "zh" else "ID") in header, header
    for line in res.out.splitlines():
        if _CODE.search(line):  # the id column, with the level before it and a message after
            cells = [c.strip() for c in line.split("│") if c.strip()]
            assert len(cells) >= 4, line


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_console_output_shows_no_internal_keys(run, tmp_path: Path, lang: str) -> None:
    res = run(
        "--lang", lang, "report", EXAMPLES / "single-phase-meter", "--out", tmp_path / "r.pdf"
    )
    assert res.code == 0, res.err
    text = res.out + res.err
    assert keys_shown(text) == set(), text
    # a finding code only as a labelled id (blocking findings, for --accept)
    for m in _CODE.finditer(text):
        assert text[: m.start()].endswith(("编号 ", "id ")), text
