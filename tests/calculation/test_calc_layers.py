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
