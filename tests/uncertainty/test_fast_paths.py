"""The engine's fast paths give the same results as the plain ones.

* in-place generation of Normal and Rectangular draws against numpy's own ``normal`` and
  ``uniform`` on the same seed (bit for bit: seeded Monte Carlo results must not move);
* the tracer's "exact tape" shortcut (no cross-check for + − × ÷ only) against
  hand-worked derivatives, and the cases that must still be cross-checked;
* input preparation and the garbage-collector pause.
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np
import pytest

from tanzuji.errors import DistributionError
from tanzuji.uncertainty import Normal, Rectangular, gum
from tanzuji.uncertainty import _jacobian as jacobian_module
from tanzuji.uncertainty._ad import Tape
from tanzuji.uncertainty._base import gc_paused
from tanzuji.uncertainty._model import prepare_inputs

SEEDS = [0, 1, 12345, 2**40 + 7]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("dist", "reference"),
    [
        (Normal(3.2, 0.7), lambda rng, n: rng.normal(3.2, 0.7, n)),
        (Normal(1e6, 1e-3), lambda rng, n: rng.normal(1e6, 1e-3, n)),
        (Normal(-0.25, 40.0, dof=5), lambda rng, n: rng.normal(-0.25, 40.0, n)),
        (Rectangular(-1.5, 4.25), lambda rng, n: rng.uniform(-1.5, 4.25, n)),
        (Rectangular(0.1, 0.1000001), lambda rng, n: rng.uniform(0.1, 0.1000001, n)),
        (Rectangular(-3e5, -2e5), lambda rng, n: rng.uniform(-3e5, -2e5, n)),
    ],
)
def test_in_place_draws_are_numpys_draws(seed: int, dist: Any, reference: Any) -> None:
    n = 1000
    block = np.full((3, n), np.nan)
    rng_a, rng_b = np.random.default_rng(seed), np.random.default_rng(seed)
    dist._sample_into(rng_a, block[1])
    expected = reference(rng_b, n)
    assert np.array_equal(block[1], expected)
    assert np.isnan(block[0]).all() and np.isnan(block[2]).all()  # only its own row
    assert rng_a.random() == rng_b.random()  # and the stream is left at the same place


def _count_cross_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = jacobian_module._agrees

    def counting(*args: Any) -> bool:
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(jacobian_module, "_agrees", counting)
    return calls


def test_exact_tape_needs_no_cross_check(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_cross_checks(monkeypatch)
    a, b = 2.0, 8.0
    res = gum(
        lambda a, b: 2.0 * a - b / 4.0 + a * b - 1 / a,
        {"a": Normal(a, 0.1), "b": Normal(b, 0.2)},
    )
    assert calls == []
    assert res.method == "automatic differentiation"
    # ∂/∂a = 2 + b + 1/a², ∂/∂b = −1/4 + a
    assert res.budget.sensitivities.tolist() == pytest.approx(
        [2.0 + b + 1 / a**2, -0.25 + a], rel=1e-15
    )


@pytest.mark.parametrize(
    "model",
    [
        lambda a, b: np.exp(a) * b,  # not + − × ÷
        lambda a, b: a * b if a > 0 else -a * b,  # branches on a comparison
        lambda a, b: a * 0.0 + b,  # a zero sensitivity
        lambda a, b: a**2 * b,  # power
    ],
)
def test_other_tapes_are_cross_checked(monkeypatch: pytest.MonkeyPatch, model: Any) -> None:
    calls = _count_cross_checks(monkeypatch)
    res = gum(model, {"a": Normal(2.0, 0.1), "b": Normal(3.0, 0.2)})
    assert calls == [1]
    assert res.method == "automatic differentiation"


def test_input_read_around_the_tape_is_caught() -> None:
    def model(a: Any, b: Any) -> Any:
        b_plain = b if isinstance(b, np.ndarray | float) else 3.0  # a tracer is dropped
        return 2.0 * a + b_plain

    res = gum(model, {"a": Normal(1.0, 0.1), "b": Normal(3.0, 0.2)})
    assert res.method == "central differences"
    assert res.budget.sensitivities.tolist() == pytest.approx([2.0, 1.0], rel=1e-9)


def test_backward_sweep_with_shared_subexpressions() -> None:
    tape = Tape()
    a, b = tape.variables([2.0, 3.0])
    t = a * b
    y = t + t * a - (b - a) / b
    # y = ab + a²b − 1 + a/b: ∂y/∂a = b + 2ab + 1/b, ∂y/∂b = a + a² − a/b²
    assert y.value == pytest.approx(6.0 + 12.0 - 1.0 + 2.0 / 3.0)
    assert tape.gradient(y, 2) == pytest.approx([3.0 + 12.0 + 1 / 3.0, 2.0 + 4.0 - 2.0 / 9.0])
    assert tape.gradient(b, 2) == [0.0, 1.0]  # an output that is an input
    assert tape.exact is False  # y.value was read


def test_prepare_inputs_fast_and_slow_paths() -> None:
    class Name(str):
        pass

    prep = prepare_inputs({Name("a"): Normal(1.0, 0.5, dof=4), "b": 2.0}, None)
    assert prep.names == ("a", "b")
    assert prep.x.tolist() == [1.0, 2.0]
    assert prep.u.tolist() == [0.5, 0.0]
    assert prep.dof.tolist() == [4.0, float("inf")]
    with pytest.raises(DistributionError, match="non-empty strings"):
        prepare_inputs({"a": Normal(1.0, 0.5), "": Normal(1.0, 0.5)}, None)
    with pytest.raises(DistributionError, match="non-empty strings"):
        prepare_inputs({"a": Normal(1.0, 0.5), 3: Normal(1.0, 0.5)}, None)  # type: ignore[dict-item]


def test_gc_pause_restores_the_previous_state() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
