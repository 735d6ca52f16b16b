"""Second-order terms of the law of propagation of uncertainty (GUM 5.1.2 NOTE) (private).

For independent inputs with symmetric distributions, the variance gains

    Σ_i Σ_j [ ½ (∂²f/∂x_i∂x_j)² + ∂f/∂x_i · ∂³f/∂x_i∂x_j² ] u²(x_i) u²(x_j).

The second and third derivatives come from finite differences with steps h_i = 0.1·u(x_i)
on 1 + 4n + 2n(n − 1) stacked evaluation points (so the cost grows with n²; meant for
models with tens of inputs). Inputs with u = 0 are skipped (their terms vanish).

>>> from tanzuji.uncertainty._model import prepare_inputs
>>> from tanzuji.uncertainty.distributions import Normal
>>> prep = prepare_inputs({"a": Normal(0.0, 1.0), "b": Normal(0.0, 2.0)}, None)
>>> second_order_variance(lambda a, b: a * b, prep, 1).round(9).tolist()  # 2·½·1²·1·4
[4.0]
"""

from __future__ import annotations

import numpy as np

from tanzuji.errors import ModelEvaluationError
from tanzuji.uncertainty._base import FloatArray
from tanzuji.uncertainty._model import Model, Prepared, evaluate

__all__ = ["second_order_variance"]

#: Step of the finite differences, in standard uncertainties.
STEP = 0.1
#: Bound on the number of stacked input values per model call.
CELLS = 1 << 22

Key = tuple[tuple[int, float], ...]


def second_order_variance(model: Model, prep: Prepared, n_outputs: int) -> FloatArray:
    """The second-order variance term of each output (see the module docstring)."""
    act = np.flatnonzero(prep.u > 0)
    k = act.size
    if k == 0:
        return np.zeros(n_outputs)
    h = STEP * prep.u[act]
    # evaluation points: x + Σ s·h_i e_i over a key of (local index, multiple s) pairs
    keys: list[Key] = [()]
    for i in range(k):
        keys += [((i, s),) for s in (1.0, -1.0, 2.0, -2.0)]
    for i in range(k):
        for j in range(i + 1, k):
            keys += [((i, si), (j, sj)) for si in (1.0, -1.0) for sj in (1.0, -1.0)]
    f = _evaluate_points(model, prep, act, h, keys, n_outputs)
    pos = {key: col for col, key in enumerate(keys)}

    def at(*pairs: tuple[int, float]) -> FloatArray:
        key = tuple(sorted(p for p in pairs if p[1] != 0.0))
        return f[:, pos[key]]

    c = np.zeros((n_outputs, k))
    hess = np.zeros((n_outputs, k, k))
    third = np.zeros((n_outputs, k, k))  # third[:, i, j] = ∂³f/∂x_i∂x_j²
    f0 = at()
    for i in range(k):
        fp, fm, fp2, fm2 = at((i, 1.0)), at((i, -1.0)), at((i, 2.0)), at((i, -2.0))
        c[:, i] = (fp - fm) / (2 * h[i])
        hess[:, i, i] = (fp - 2 * f0 + fm) / h[i] ** 2
        third[:, i, i] = (fp2 - 2 * fp + 2 * fm - fm2) / (2 * h[i] ** 3)
    for i in range(k):
        for j in range(k):
            if i == j:
                continue
            pp, pm = at((i, 1.0), (j, 1.0)), at((i, 1.0), (j, -1.0))
            mp, mm = at((i, -1.0), (j, 1.0)), at((i, -1.0), (j, -1.0))
            hess[:, i, j] = (pp - pm - mp + mm) / (4 * h[i] * h[j])
            d2_plus = pp - 2 * at((i, 1.0)) + pm
            d2_minus = mp - 2 * at((i, -1.0)) + mm
            third[:, i, j] = (d2_plus - d2_minus) / (2 * h[i] * h[j] ** 2)
    u2 = prep.u[act] ** 2
    terms = (0.5 * hess**2 + c[:, :, None] * third) * np.outer(u2, u2)[None, :, :]
    return np.asarray(terms.sum(axis=(1, 2)), dtype=np.float64)


def _evaluate_points(
    model: Model,
    prep: Prepared,
    act: np.ndarray,
    h: FloatArray,
    keys: list[Key],
    n_outputs: int,
) -> FloatArray:
    n = len(prep.names)
    per_call = max(1, CELLS // n)
    out = np.empty((n_outputs, len(keys)))
    for s in range(0, len(keys), per_call):
        part = keys[s : s + per_call]
        cols = np.empty((n, len(part)))
        cols[:] = prep.x[:, None]
        for col, key in enumerate(part):
            for i, mult in key:
                cols[act[i], col] += mult * h[i]
        _, f = evaluate(model, prep.names, cols, what="a second-order evaluation point")
        if f.shape[0] != n_outputs:
            raise ModelEvaluationError("the model returned different outputs on different calls")
        out[:, s : s + len(part)] = f
    return out
