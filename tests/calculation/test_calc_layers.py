"""The core layers have no cycles: governance → calculation → metrology, never back.

On the old main, ``tanzuji.calculation.compile`` imported ``tanzuji.governance`` inside a
function to hide the cycle; grimp sees function-local imports too.
"""

from __future__ import annotations

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
