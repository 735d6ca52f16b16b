"""Correlation between input quantities: validation and a square-root factor.

Correlations are given as a mapping ``{(name_a, name_b): r}``. Only the inputs named there
form the correlated block, so a study with 20 000 inputs and a few correlated pairs never
builds a 20 000 × 20 000 matrix.

>>> c = correlation_block({("a", "b"): 0.5}, ["a", "b", "c"])
>>> c.names, c.matrix.tolist()
(('a', 'b'), [[1.0, 0.5], [0.5, 1.0]])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tanzuji.errors import DistributionError
from tanzuji.uncertainty._base import FloatArray

__all__ = ["Correlation", "CorrelationBlock", "correlation_block", "correlation_from_covariance"]

#: What callers pass: pairs of input names mapped to correlation coefficients.
Correlation = Mapping[tuple[str, str], float]

#: Tolerance on the smallest eigenvalue of a correlation matrix (rounding of published r).
PSD_TOLERANCE = 1e-10


@dataclass(frozen=True)
class CorrelationBlock:
    """The inputs that take part in a correlation, in input order, and their matrix.

    ``index[j]`` is the position of ``names[j]`` among all inputs; ``factor`` is a matrix
    L with L·Lᵀ = ``matrix`` (from the eigen-decomposition, so semi-definite matrices such
    as r = 1 are accepted).

    >>> blk = correlation_block({("b", "c"): 1.0}, ["a", "b", "c"])
    >>> blk.index.tolist(), bool(np.allclose(blk.factor @ blk.factor.T, blk.matrix))
    ([1, 2], True)
    """

    names: tuple[str, ...]
    index: npt.NDArray[np.intp]
    matrix: npt.NDArray[np.float64]
    factor: npt.NDArray[np.float64]

    def off_diagonal(self) -> npt.NDArray[np.float64]:
        """``matrix`` minus the identity."""
        return self.matrix - np.eye(len(self.names))


def correlation_block(
    correlation: Correlation | None, input_names: Sequence[str]
) -> CorrelationBlock | None:
    """Validate ``correlation`` against the inputs; None when there is no correlation.

    Refused with :class:`~tanzuji.errors.DistributionError`: a key that is not a pair of
    names, an unknown input, a coefficient outside [−1, 1] or not finite, a pair given twice
    with different values, a self-correlation other than 1, and a matrix that is not
    positive semi-definite (the message names the inputs involved).

    >>> correlation_block({("a", "z"): 0.1}, ["a", "b"])
    Traceback (most recent call last):
    ...
    tanzuji.errors.DistributionError: correlation ('a', 'z'): unknown input 'z'
    """
    if not correlation:
        return None
    if not isinstance(correlation, Mapping):
        raise DistributionError(
            f"correlation must map (name, name) pairs to coefficients, got "
            f"{type(correlation).__name__}"
        )
    position = {name: i for i, name in enumerate(input_names)}
    pairs: dict[tuple[str, str], float] = {}
    for key, value in correlation.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise DistributionError(f"correlation key must be a pair of input names, got {key!r}")
        a, b = key
        for name in (a, b):
            if name not in position:
                raise DistributionError(f"correlation {key!r}: unknown input {name!r}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise DistributionError(f"correlation {key!r}: coefficient must be a number")
        r = float(value)
        if not (math.isfinite(r) and -1.0 <= r <= 1.0):
            raise DistributionError(
                f"correlation {key!r}: coefficient must lie in [−1, 1], got {value!r}"
            )
        if a == b:
            if r != 1.0:
                raise DistributionError(
                    f"correlation {key!r}: an input's correlation with itself is 1, got {r!r}"
                )
            continue
        pair = (a, b) if position[a] < position[b] else (b, a)
        if pair in pairs and pairs[pair] != r:
            raise DistributionError(
                f"correlation between {pair[0]!r} and {pair[1]!r} given twice: "
                f"{pairs[pair]!r} and {r!r}"
            )
        pairs[pair] = r
    pairs = {k: v for k, v in pairs.items() if v != 0.0}
    if not pairs:
        return None
    involved = sorted({n for pair in pairs for n in pair}, key=position.__getitem__)
    local = {name: j for j, name in enumerate(involved)}
    m = len(involved)
    matrix = np.eye(m)
    for (a, b), r in pairs.items():
        matrix[local[a], local[b]] = matrix[local[b], local[a]] = r
    eigval, eigvec = np.linalg.eigh(matrix)
    if eigval[0] < -PSD_TOLERANCE * m:
        weights = np.abs(eigvec[:, 0])
        culprits = [involved[j] for j in np.argsort(-weights) if weights[j] > 0.1]
        raise DistributionError(
            "correlation matrix is not positive semi-definite (smallest eigenvalue "
            f"{eigval[0]:.3g}); inconsistent coefficients among inputs "
            + ", ".join(repr(n) for n in culprits)
        )
    factor = eigvec * np.sqrt(np.clip(eigval, 0.0, None))
    return CorrelationBlock(
        names=tuple(involved),
        index=np.array([position[n] for n in involved], dtype=np.intp),
        matrix=matrix,
        factor=factor,
    )


def correlation_from_covariance(cov: FloatArray) -> FloatArray:
    """The correlation matrix of a covariance matrix (0 where a variable has u = 0).

    >>> correlation_from_covariance(np.array([[4.0, 2.0, 0.0], [2.0, 9.0, 0.0], [0.0, 0.0, 0.0]]))
    array([[1.        , 0.33333333, 0.        ],
           [0.33333333, 1.        , 0.        ],
           [0.        , 0.        , 0.        ]])
    """
    sd = np.sqrt(np.diag(cov))
    outer = np.outer(sd, sd)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(outer > 0, cov / outer, 0.0)
    np.fill_diagonal(r, np.where(sd > 0, 1.0, 0.0))
    return r
