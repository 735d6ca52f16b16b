"""The smart-meter product rule checked by `check`, and the comparison of footprints."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pacthelpers import footprint
from typer.testing import CliRunner

from tanzuji.cli import app
from tanzuji.model import Study
from tanzuji.pact.compare import compare_footprints
from tanzuji.pact.pcr import check_pcr, load_rule
from tanzuji.studyfiles import load_study

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "single-phase-meter"


def test_examples_follow_the_smart_meter_rule() -> None:
    rule = load_rule("smart-meter")
    assert rule.service_life_years * rule.operating_hours_per_year == 8 * 8760
    for name in ("single-phase-meter", "three-phase-meter"):
        assert check_pcr(load_study(ROOT / "examples" / name).study, rule) == []


def test_departures_are_found() -> None:
    data: dict[str, Any] = load_study(EXAMPLE).study.model_dump(mode="json", exclude_none=True)
    data = copy.deepcopy(data)
    data["boundary"] = ["raw_materials", "manufacturing", "distribution", "use"]
    use = next(a for a in data["activities"] if a.get("kind") == "operation")
    use["duration"]["quantity"] = 10 * 8760  # ten years instead of the rule's eight
    use["factor"] = "cn.electricity.footprint.2023.wind"
    use["power"]["data_type"] = "estimate"
    found = check_pcr(Study.model_validate(data), load_rule("smart-meter"))
    paths = {f.path.split(".")[-1] for f in found}
    assert paths == {"boundary", "duration", "factor", "power"}
    duration = next(f for f in found if f.path.endswith("duration"))
    assert "70080 h" in duration.en and "87600 h" in duration.en


def test_check_fails_on_a_departure(tmp_path: Path) -> None:
    text = (EXAMPLE / "study.yaml").read_text(encoding="utf-8")
    (tmp_path / "study.yaml").write_text(text.replace("quantity: 70080", "quantity: 60000"))
    run = CliRunner().invoke(app, ["check", str(tmp_path), "--json"])
    data = json.loads(run.stdout)
    assert [p["path"].split(".")[-1] for p in data["pcr"]] == ["duration"]
    assert run.exit_code == 1


def _with(pf: dict[str, Any], **ext: Any) -> dict[str, Any]:
    data = {
        "extension": "tanzuji-uncertainty",
        "version": "1.0.0",
        "value": "4.2",
        "u": "0.2",
        "U": "0.4",
        "k": "2",
        "coverageProbability": "0.95",
        "method": "JJF",
        "boundary": ["raw_materials", "manufacturing"],
        "gridFactors": [{"id": "grid", "year": 2023}],
    } | ext
    pf["extensions"] = [
        {
            "specVersion": "2.0.0",
            "dataSchema": "https://x.test/pact/extensions/tanzuji-uncertainty/1.0.0/schema.json",
            "data": data,
        }
    ]
    return pf


def test_comparison_flags_what_differs() -> None:
    a = _with(footprint(id="5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d71"))
    b = _with(footprint(id="5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d72"))
    c = _with(
        footprint(id="5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d73"),
        gridFactors=[{"id": "grid", "year": 2021}],
    )
    d = footprint(
        id="5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d74", **{"pcf.ipccCharacterizationFactors": ["AR5"]}
    )
    result = compare_footprints([a, b, c, d])
    assert [(e.value, e.U) for e in result.entries][:3] == [(4.2, 0.4)] * 3
    pairs = {(p.first, p.second): p.reasons_en for p in result.pairs}
    assert (0, 1) not in pairs  # identical basis: comparable
    assert pairs[(0, 2)] == ("grid factor year differs (2023 / 2021)",)
    assert any(r.startswith("GWP basis differs") for r in pairs[(0, 3)])
    assert any(r.startswith("no uncertainty") for r in pairs[(0, 3)])


def test_cli_compare(tmp_path: Path) -> None:
    for i, year in enumerate((2023, 2021)):
        pf = _with(
            footprint(id=f"5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d7{i}"),
            gridFactors=[{"id": "grid", "year": year}],
        )
        (tmp_path / f"{i}.json").write_text(json.dumps(pf), encoding="utf-8")
    run = CliRunner().invoke(app, ["--lang", "zh", "pact", "compare", str(tmp_path)])
    assert run.exit_code == 0, run.output
    assert "不可比" in run.stdout and "电力因子年份不同" in run.stdout


def test_boundaries_are_named_by_their_stages_not_their_keys() -> None:
    a = _with(footprint(id="5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d71"))
    b = _with(footprint(id="5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d72"), boundary=["raw_materials"])
    (pair,) = compare_footprints([a, b]).pairs
    zh = "".join(pair.reasons_zh)
    assert "原材料获取阶段+生产制造阶段 / 原材料获取阶段" in zh, zh
    assert "raw_materials" not in zh and "manufacturing" not in zh
    assert "Raw material acquisition+Manufacturing / Raw material acquisition" in "".join(
        pair.reasons_en
    )
    data = load_study(EXAMPLE).study.model_dump(mode="json", exclude_none=True)
    data["boundary"] = ["raw_materials", "manufacturing"]
    found = check_pcr(Study.model_validate(data), load_rule("smart-meter"))
    boundary = next(f for f in found if f.path == "boundary")
    assert "raw_materials" not in boundary.zh and "使用阶段" in boundary.zh, boundary.zh
    assert "use" not in boundary.en.split() and "Use" in boundary.en, boundary.en
