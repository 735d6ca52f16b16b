"""The core layers have no cycles: governance → calculation → metrology, never back.

On the old main, ``tanzuji.calculation.compile`` imported ``tanzuji.governance`` inside a
function to hide the cycle; grimp sees function-local imports too.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

GRAPH = grimp.build_graph("tanzuji")


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("tanzuji.calculation", "tanzuji.governance"),
        ("tanzuji.metrology", "tanzuji.calculation"),
        ("tanzuji.metrology", "tanzuji.governance"),
        ("tanzuji.model", "tanzuji.calculation"),
    ],
)
def test_calc_lower_layer_never_imports_upper(lower: str, upper: str) -> None:
    chain = GRAPH.find_shortest_chain(importer=lower, imported=upper, as_packages=True)
    assert chain is None, f"{lower} reaches {upper} via {' → '.join(chain or ())}"


def test_calc_instrument_uncertainty_lives_below_calculation() -> None:
    from tanzuji.calculation import compile as compile_module
    from tanzuji.metrology import derived_uncertainty

    assert compile_module.derived_uncertainty is derived_uncertainty


def test_calc_no_module_imports_private_names_of_jsonio() -> None:
    # the xlsx reader imported jsonio's _clean_loc, _message, _resolve_libraries; their
    # public homes are tanzuji.model.validation and jsonio.resolve_libraries
    import re
    from pathlib import Path

    import tanzuji

    root = Path(tanzuji.__file__).parent
    imports = re.compile(r"^\s*from tanzuji\.jsonio[\w.]* import ([^\n(]+|\([^)]*\))", re.M)
    offenders = []
    for path in root.rglob("*.py"):
        if path.relative_to(root).parts[0] == "jsonio":
            continue
        for m in imports.finditer(path.read_text(encoding="utf-8")):
            names = [n.strip().split(" as ")[0] for n in m.group(1).strip("()").split(",")]
            offenders += [f"{path.relative_to(root)}: {n}" for n in names if n.startswith("_")]
    assert offenders == []


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("tanzuji.jsonio", "tanzuji.xlsx"),  # the xlsx reader builds on jsonio, not the reverse
        ("tanzuji.jsonio", "tanzuji.studyfiles"),
        ("tanzuji.xlsx", "tanzuji.studyfiles"),
    ],
)
def test_calc_file_type_dispatch_sits_above_both_readers(lower: str, upper: str) -> None:
    chain = GRAPH.find_shortest_chain(importer=lower, imported=upper, as_packages=True)
    assert chain is None, f"{lower} reaches {upper} via {' → '.join(chain or ())}"


def test_calc_acyclic_contract_has_no_exception() -> None:
    import tomllib
    from pathlib import Path

    conf = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    contracts = conf["tool"]["importlinter"]["contracts"]
    (acyclic,) = [c for c in contracts if c["type"] == "acyclic_siblings"]
    assert not acyclic.get("ignore_imports")


def test_calc_studyfiles_reads_every_study_type(tmp_path) -> None:
    from tanzuji.studyfiles import load_study
    from tanzuji.xlsx import WorkbookStudy, convert_study

    src = Path(__file__).parents[2] / "examples" / "single-phase-meter" / "study.yaml"
    convert_study(src, tmp_path / "s.xlsx")
    assert isinstance(load_study(tmp_path / "s.xlsx"), WorkbookStudy)
    assert not isinstance(load_study(src), WorkbookStudy)
