"""Component studies: a BOM line referencing another study, with a shared grid factor."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tanzuji.calculation import evaluate_full, evaluate_jjf
from tanzuji.errors import InputErrors
from tanzuji.i18n import use_lang
from tanzuji.jsonio.components import compile_with_components
from tanzuji.studyfiles import evaluate_file, load_study

GRID = {
    "id": "grid",
    "name": "grid",
    "value": 0.5,
    "unit": "kgCO2e/kWh",
    "factor_type": "national_database",
    "source": "MEE",
    "uncertainty": {"standard": 0.05},
}
STEEL = {
    "id": "steel",
    "name": "steel",
    "value": 3.0,
    "unit": "kgCO2e/kg",
    "factor_type": "international_database",
    "source": "DB",
    "uncertainty": {"standard": 0.3},
}


def _write(folder: Path, data: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _component(folder: Path, **extra: Any) -> None:
    # 2 kWh (u 0.1) × grid + 1 kg steel (exact) × steel factor: 1 + 3 = 4 kgCO2e per piece
    _write(
        folder,
        {
            "id": "PCBA",
            "product": {"name": "main board"},
            "period": 2025,
            "boundary": ["raw_materials", "manufacturing"],
            "factor_libraries": [],
            "factors": [GRID, STEEL],
            "activities": [
                {
                    "stage": "manufacturing",
                    "name": "electricity",
                    "quantity": 2,
                    "unit": "kWh",
                    "factor": "grid",
                    "uncertainty": {"standard": 0.1},
                },
                {
                    "stage": "raw_materials",
                    "name": "steel",
                    "quantity": 1,
                    "unit": "kg",
                    "factor": "steel",
                },
            ],
        }
        | extra,
    )


def _parent(folder: Path, ref: str = "component:pcba") -> None:
    # 3 kWh (u 0.2) × grid + 2 pieces (u 0.04) of the component
    _write(
        folder,
        {
            "id": "METER",
            "product": {"name": "meter"},
            "period": 2025,
            "boundary": ["raw_materials", "manufacturing"],
            "factor_libraries": [],
            "factors": [GRID],
            "activities": [
                {
                    "stage": "manufacturing",
                    "name": "electricity",
                    "quantity": 3,
                    "unit": "kWh",
                    "factor": "grid",
                    "uncertainty": {"standard": 0.2},
                },
                {
                    "stage": "raw_materials",
                    "name": "main board",
                    "quantity": 2,
                    "unit": "piece",
                    "factor": ref,
                    "uncertainty": {"standard": 0.04},
                },
            ],
        },
    )


def test_two_level_gum_by_hand(tmp_path: Path) -> None:
    _parent(tmp_path)
    _component(tmp_path / "pcba")
    loaded = load_study(tmp_path)
    model = compile_with_components(loaded, load_study)
    # E = 3·g + q·(k·g + s·f) = 1.5 + 2·(1 + 3) = 9.5
    assert evaluate_jjf(model).total.value == pytest.approx(9.5)
    # sensitivities: e 0.5 (u 0.2), g 3 + q·k = 7 (u 0.05, ONE input), q 4 (u 0.04),
    # k q·g = 1 (u 0.1), f q·s = 2 (u 0.3)
    u2 = (0.5 * 0.2) ** 2 + (7 * 0.05) ** 2 + (4 * 0.04) ** 2 + (1 * 0.1) ** 2 + (2 * 0.3) ** 2
    full = evaluate_full(model)
    assert full.total.u == pytest.approx(math.sqrt(u2), rel=1e-3)
    # two independent grid inputs would give (3·0.05)² + (4·0.05)² instead of (7·0.05)²
    assert full.total.u > math.sqrt(u2 - 0.1225 + 0.0625) * 1.03
    assert sum(1 for n in model.inputs if n == "EF:grid") == 1
    # the specification's method (activity data only): manufacturing 0.5·0.2; raw materials
    # q: 4·0.04 and the component's electricity 1·0.1
    jjf = evaluate_jjf(model)
    assert jjf.total.u == pytest.approx(math.sqrt(0.1**2 + 0.16**2 + 0.1**2), rel=1e-6)


def test_evaluate_file_resolves_components(tmp_path: Path) -> None:
    _parent(tmp_path)
    _component(tmp_path / "pcba")
    _, result = evaluate_file(tmp_path)
    assert result.total.value == pytest.approx(9.5)


def test_a_cycle_is_an_error_naming_the_loop(tmp_path: Path) -> None:
    _parent(tmp_path, ref="component:self")
    os.symlink(tmp_path, tmp_path / "self")
    with use_lang("en"), pytest.raises(InputErrors, match="cycle"):
        compile_with_components(load_study(tmp_path), load_study)


def test_component_outside_the_folder_is_refused(tmp_path: Path) -> None:
    _parent(tmp_path / "p", ref="component:../pcba")
    _component(tmp_path / "pcba")
    with pytest.raises(InputErrors) as info:
        compile_with_components(load_study(tmp_path / "p"), load_study)
    assert str(info.value.errors[0].location.path).startswith("activities[1].factor")


def test_component_must_be_cradle_to_gate(tmp_path: Path) -> None:
    _parent(tmp_path)
    _component(tmp_path / "pcba", boundary=["raw_materials", "manufacturing", "use"])
    with use_lang("en"), pytest.raises(InputErrors, match="cradle-to-gate"):
        compile_with_components(load_study(tmp_path), load_study)


def test_one_factor_id_means_one_factor(tmp_path: Path) -> None:
    _parent(tmp_path)
    _component(tmp_path / "pcba", factors=[GRID | {"value": 0.6}, STEEL])
    with use_lang("en"), pytest.raises(InputErrors, match="differs"):
        compile_with_components(load_study(tmp_path), load_study)


def test_cli_full_gum_resolves_components(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from tanzuji.cli import app

    _parent(tmp_path)
    _component(tmp_path / "pcba")
    run = CliRunner().invoke(app, ["evaluate", str(tmp_path), "--uncertainty", "full", "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    u2 = (0.5 * 0.2) ** 2 + (7 * 0.05) ** 2 + (4 * 0.04) ** 2 + (1 * 0.1) ** 2 + (2 * 0.3) ** 2
    assert data["full"]["total"]["u"] == pytest.approx(math.sqrt(u2), rel=1e-3)


def test_web_evaluation_keeps_the_shared_factor_correlation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The web shell compiles through the services layer (components spliced in): its full
    GUM and Monte Carlo see the grid factor of parent and component as one input."""
    import contextlib

    from tanzuji.web import evaluation as web_evaluation

    _parent(tmp_path)
    _component(tmp_path / "pcba")

    @contextlib.contextmanager
    def in_place(data: bytes, filename: str | None, *, max_bytes: int) -> Any:
        yield tmp_path / "study.yaml"  # stands for an upload whose components are present

    monkeypatch.setattr(web_evaluation, "study_upload", in_place)
    u2 = (0.5 * 0.2) ** 2 + (7 * 0.05) ** 2 + (4 * 0.04) ** 2 + (1 * 0.1) ** 2 + (2 * 0.3) ** 2
    out = web_evaluation.evaluate_upload(b"", "study.yaml", full=True, max_bytes=1)
    assert out["full"]["total"]["u"] == pytest.approx(math.sqrt(u2), rel=1e-3)
    work = web_evaluation.monte_carlo_work(b"", "study.yaml", max_bytes=1, seed=1, trials=20000)
    res = work(lambda done, total: None)
    assert res["full"]["total"]["u"] == pytest.approx(math.sqrt(u2), rel=1e-3)
