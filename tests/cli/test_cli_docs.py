"""Docs that run: every ```yaml snippet in docs/*.md is a complete study that is evaluated
or a fragment validated against the study schema (with its factor ids looked up in the
builtin libraries); the README's command list runs top to bottom; an LED-lamp study written
from docs/study-format.md alone evaluates."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from clihelpers import ROOT, fresh
from pydantic import TypeAdapter

from tanzuji.factors import FactorLibrary
from tanzuji.jsonio import builtin_libraries, load_factor_library
from tanzuji.model import EmissionFactor, Study, Uncertainty
from tanzuji.model.derived import Calculation
from tanzuji.studyfiles import evaluate_file

DOCS = sorted((ROOT / "docs").glob("*.md"))
#: YAML snippets of other file formats (not studies), recognised by their top-level keys and
#: checked by the tests of their own areas: metering mapping files, PACT settings.
OTHER_FORMATS = {
    "metering.md": {"layout", "meters"},
    "pact.md": {"clients"},
}
HEAD = {"id": "DOC", "product": {"name": "文档示例"}, "period": 2025}
ONE = [{"stage": "use", "name": "x", "quantity": 1, "unit": "kWh", "factor": "f"}]


def _snippets() -> list[Any]:
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in re.finditer(r"^```ya?ml\n(.*?)^```", text, re.S | re.M):
            line = text[: m.start()].count("\n") + 1
            out.append(pytest.param(doc.name, m.group(1), id=f"{doc.name}:{line}"))
    return out


def _builtin() -> FactorLibrary:
    return FactorLibrary.layered(load_factor_library(p) for p in builtin_libraries().values())


def _factor_ids(node: Any) -> list[str]:
    """Every ``factor:`` value in a snippet."""
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "factor" and isinstance(v, str):
                found.append(v)
            else:
                found += _factor_ids(v)
    elif isinstance(node, list):
        for v in node:
            found += _factor_ids(v)
    return found


@pytest.mark.parametrize("doc,body", _snippets())
def test_yaml_snippet_is_valid(doc: str, body: str, tmp_path: Path) -> None:
    lines = [x for x in body.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    if lines and all(x.startswith("uncertainty:") for x in lines):  # alternative forms
        for x in lines:
            Uncertainty.model_validate(yaml.safe_load(x)["uncertainty"])
        return
    data = yaml.safe_load(body)
    other = OTHER_FORMATS.get(doc)
    if other and isinstance(data, dict) and other <= set(data):
        return  # not a study: its own area's tests read it
    own: set[str] = set()
    if isinstance(data, dict) and {"id", "product", "activities"} <= set(data):
        path = tmp_path / "study.yaml"
        path.write_text(body, encoding="utf-8")
        _, result = evaluate_file(path)  # a complete study: evaluated
        assert result.total.value > 0
        return
    if isinstance(data, list) and data and all("stage" in a for a in data):
        Study.model_validate({**HEAD, "activities": data})
    elif isinstance(data, dict) and set(data) == {"instruments"}:
        Study.model_validate({**HEAD, "activities": ONE, **data})
    elif isinstance(data, dict) and set(data) == {"factors"}:
        Study.model_validate({**HEAD, "activities": ONE, **data})
        own = {f["id"] for f in data["factors"]}
        for f in data["factors"]:
            EmissionFactor.model_validate(f)
    elif isinstance(data, dict) and set(data) == {"calculated"}:
        TypeAdapter(Calculation).validate_python(data["calculated"])
    elif isinstance(data, dict) and "meters" in data:  # a metering mapping (docs/metering.md)
        from tanzuji.metering.mapping import Mapping

        Mapping.model_validate(data)
    else:
        pytest.fail(f"{doc}: a yaml snippet of unknown shape; make it a study or a fragment")
    lib = _builtin()
    for fid in _factor_ids(data):
        assert fid in own or fid in lib, f"{doc}: factor id {fid!r} does not exist"


def test_old_nonexistent_factor_ids_are_gone() -> None:
    text = (ROOT / "docs" / "study-format.md").read_text(encoding="utf-8")
    for bad in ("material.pcb.bare\n", "freight.road.hgv\n", "fuel.diesel,"):
        assert bad not in text


# --------------------------------------------------------------------------- README


def _readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    cmds = []
    for line in block.splitlines():
        line = line.split("  #", 1)[0].strip()
        for part in line.split("&&"):
            words = shlex.split(part)
            if words:
                assert words[0] == ".venv/bin/tanzuji", line
                cmds.append(words[1:])
    return cmds


def test_readme_command_list_runs_top_to_bottom(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    cmds = _readme_commands()
    assert any(c[0] == "keygen" for c in cmds)
    keygen_at = next(i for i, c in enumerate(cmds) if c[0] == "keygen")
    signed_at = next(i for i, c in enumerate(cmds) if "--key" in c)
    assert keygen_at < signed_at  # keys exist before they are used
    for args in cmds:
        res = fresh(*args, cwd=tmp_path)
        assert res.code == 0, (args, res.err)


# --------------------------------------------------------------------------- LED lamp

#: Written from docs/study-format.md alone (field names, the documented factor ids, the
#: stage names, the uncertainty forms), as a first-time user would.
LED_LAMP = """\
id: LED-A60-2025
product:
  name: LED 球泡灯
  model: A60 9 W
  functional_unit: 1 只
period: 2025
boundary: cradle-to-grave
factor_libraries: [builtin]
activities:
  - stage: raw_materials
    name: {zh: 铝散热器, en: Aluminium heat sink}
    quantity: 0.045
    unit: kg
    factor: material.aluminium.primary.iai2022
    uncertainty: {standard: 0.0005}
    data_type: database
  - stage: raw_materials
    name: {zh: 驱动电路板, en: Driver board}
    quantity: 0.012
    unit: kg
    factor: material.pcba.active.jema2015
    uncertainty: {relative: "1 %"}
    data_type: database
  - stage: raw_materials
    name: {zh: PC 灯罩, en: PC diffuser}
    quantity: 0.02
    unit: kg
    factor: material.pc.ice2
    uncertainty: {relative: 0.01}
  - stage: manufacturing
    name: {zh: 组装用电, en: Assembly electricity}
    unit: kWh
    total: {quantity: 0.08, unit: kWh, uncertainty: {relative: "0.5 %"}}
    grid: {quantity: 0.08, factor: cn.electricity.footprint.2023, uncertainty: {relative: "0.5 %"}}
  - stage: distribution
    name: {zh: 出厂运输, en: Outbound transport}
    mode: road
    mass: {quantity: 0.1, unit: kg, uncertainty: {standard: 0.001}}
    distance: {quantity: 800, unit: km, uncertainty: {min: 600, max: 1000}, data_type: estimate}
    factor: freight.road.hgv-avg.defra2012
  - stage: use
    name: {zh: 使用阶段用电, en: Electricity in use}
    power: {quantity: 9, unit: W, uncertainty: {min: 8.5, max: 9.5}, data_type: offsite}
    duration: {quantity: 15000, unit: h, note: "rated life 15 000 h"}
    factor: cn.electricity.footprint.2023
  - stage: end_of_life
    name: {zh: 填埋, en: Landfill}
    quantity: 0.08
    unit: kg
    factor: waste.landfill.weee.mixed.defra2011
    uncertainty: {relative: 0.05}
    data_type: estimate
"""


def test_led_lamp_study_from_the_docs_evaluates_first_try(run, tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(LED_LAMP, encoding="utf-8")
    res = run("evaluate", path, "--json")
    assert res.code == 0, res.err
    # the use stage by hand: 9 W × 15 000 h = 135 kWh × 0.6205 kgCO2e/kWh = 83.7675 kgCO2e
    import json

    data = json.loads(res.out)
    assert data["stages"]["use"]["value"] == pytest.approx(9 * 15000 / 1000 * 0.6205, rel=1e-9)
    # every factor id the docs name exists (the LED study uses only documented ids)
    text = (ROOT / "docs" / "study-format.md").read_text(encoding="utf-8")
    for fid in _factor_ids(yaml.safe_load(LED_LAMP)):
        assert fid in text, f"{fid} is not named in docs/study-format.md"
