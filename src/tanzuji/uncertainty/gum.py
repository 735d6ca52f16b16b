"""The GUM uncertainty framework (JCGM 100, JJF 1059.1): law of propagation of uncertainty.

u²(y) = Σ c_i² u²(x_i) + 2 Σ_{i<j} c_i c_j r_ij u(x_i) u(x_j), with c_i = ∂f/∂x_i at the
estimates (see :mod:`tanzuji.uncertainty._jacobian` for how they are obtained).

Conventions:

* **Degrees of freedom** — Welch–Satterthwaite ν_eff = u⁴(y) / Σ (c_i u_i)⁴/ν_i, with u(y)
  including the correlation terms and the denominator ignoring them (as GUM H.2 and GTC
  do; the formula is strictly valid for independent inputs only, so with correlated inputs
  of finite dof ν_eff is an approximation — ``result.correlated`` flags it). Infinite when
  every input has infinite dof (or u(y) = 0).
* **Coverage factor** — k = t_p(ν) from scipy, with ν_eff truncated to the next lower
  integer first (GUM G.6.4, JJF 1059.1; conservative; ``truncate_dof=False`` keeps the
  fraction), the normal quantile when ν_eff is infinite; or the ``k`` given.
* **Second order** — ``order=2`` adds the second-order terms of GUM 5.1.2 NOTE (independent
  inputs only; finite differences, cost ∝ n², see ``_second_order``) to u²(y); they are
  reported as ``second_order_variance``, count as having infinite dof, are not in the
  budget rows (whose shares then sum to less than 1) and are not added to the covariances
  between outputs.
* **Budget shares** — share_i = c_i u_i (Σ_j r_ij c_j u_j) / u²(y). Without correlation
  this is (c_i u_i)²/u²(y); with correlation the shares still sum to 1 but may be negative
  (an input whose covariance terms reduce u(y)). All shares are 0 when u(y) = 0.

>>> from tanzuji.uncertainty import Normal, Rectangular
>>> res = gum(lambda m, ef: m * ef, {"m": Normal(100.0, 2.0), "ef": Rectangular(0.5, 0.7)})
>>> round(res.value, 6), round(res.u, 4), res.k
(60.0, 5.8969, 1.959963984540054)
>>> str(res.round())
'60 ± 12'
>>> [(r.name, round(r.sensitivity, 6), round(r.share, 3)) for r in res.budget]
[('m', 0.6, 0.041), ('ef', 100.0, 0.959)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal, NamedTuple, overload

import numpy as np

from tanzuji.errors import ModelEvaluationError
from tanzuji.uncertainty._base import Distribution, FloatArray, ParameterError, gc_paused
from tanzuji.uncertainty._jacobian import SensitivityMethod, jacobian
from tanzuji.uncertainty._model import Model, prepare_inputs
from tanzuji.uncertainty._second_order import second_order_variance
from tanzuji.uncertainty.correlation import Correlation, correlation_from_covariance
from tanzuji.uncertainty.rounding import RoundedResult, RoundingMode, round_result

__all__ = [
    "Budget",
    "BudgetRow",
    "GumMultiResult",
    "GumResult",
    "coverage_factor",
    "gum",
    "gum_multi",
]


#: Degrees of freedom above this are taken as infinite: t_p(10^7) and the normal quantile
#: differ by less than 10^-6 relative, and huge values never reach scipy (docs/robustness.md).
MAX_FINITE_DOF = 1e7


def coverage_factor(p: float, dof: float = math.inf, *, truncate_dof: bool = True) -> float:
    """k = t_p(ν), the two-sided Student quantile (the normal one for ν = ∞).

    >>> round(coverage_factor(0.99, 16.7), 3)  # GUM H.1: ν_eff = 16.7 is taken as 16
    2.921
    >>> round(coverage_factor(0.95), 3)
    1.96
    >>> coverage_factor(0.95, 1e30) == coverage_factor(0.95)  # beyond 10^7: the normal quantile
    True
    """
    if not 0.0 < p < 1.0:
        raise ParameterError(f"p must lie in (0, 1), got {p!r}")
    if not dof > 0:
        raise ParameterError(f"dof must be > 0, got {dof!r}")
    from scipy import stats  # lazy: scipy.stats costs start-up time

    if math.isinf(dof) or dof > MAX_FINITE_DOF:
        return float(stats.norm.ppf(0.5 * (1.0 + p)))
    nu = math.floor(dof) if (truncate_dof and dof >= 1.0) else dof
    return float(stats.t.ppf(0.5 * (1.0 + p), nu))


class BudgetRow(NamedTuple):
    """One row of an uncertainty budget (units: those of the input and of the output).

    >>> BudgetRow("m", 100.0, 2.0, 0.6, 1.2, 0.04, math.inf).contribution
    1.2
    """

    name: str
    estimate: float
    u: float
    sensitivity: float
    contribution: float  # c·u, signed
    share: float  # of u²(y); see the module docstring for correlated inputs
    dof: float


#: BudgetRow from a tuple of its fields, without a Python-level call per row.
_make_row: Callable[[tuple[str, float, float, float, float, float, float]], BudgetRow] = partial(
    tuple.__new__, BudgetRow
)


class Budget(Sequence[BudgetRow]):
    """The budget of one output, one row per input in input order (built lazily).

    Index by position or by input name; the columns are also available as arrays.

    >>> from tanzuji.uncertainty import Normal
    >>> b = gum(lambda a, b: a + 2 * b, {"a": Normal(0, 1), "b": Normal(0, 1)}).budget
    >>> b["b"].sensitivity, b.shares.tolist(), [r.name for r in b.largest(1)]
    (2.0, [0.2, 0.8], ['b'])
    """

    def __init__(
        self,
        names: tuple[str, ...],
        estimates: FloatArray,
        u: FloatArray,
        sensitivities: FloatArray,
        shares: FloatArray,
        dof: FloatArray,
    ) -> None:
        self.names = names
        self.estimates = estimates
        self.u = u
        self.sensitivities = sensitivities
        self.contributions = sensitivities * u
        self.shares = shares
        self.dof = dof
        self._pos: dict[str, int] | None = None
        self._rows: list[BudgetRow] | None = None

    @property
    def rows(self) -> list[BudgetRow]:
        """All rows (built once, in one vectorised pass)."""
        if self._rows is None:
            cols = (
                self.estimates.tolist(),
                self.u.tolist(),
                self.sensitivities.tolist(),
                self.contributions.tolist(),
                self.shares.tolist(),
                self.dof.tolist(),
            )
            with gc_paused():  # 10⁴ rows at once: no collections while building them
                self._rows = list(map(_make_row, zip(self.names, *cols, strict=True)))
        return self._rows

    def __len__(self) -> int:
        return len(self.names)

    def _row(self, i: int) -> BudgetRow:
        if self._rows is not None:
            return self._rows[i]
        return BudgetRow(
            self.names[i],
            float(self.estimates[i]),
            float(self.u[i]),
            float(self.sensitivities[i]),
            float(self.contributions[i]),
            float(self.shares[i]),
            float(self.dof[i]),
        )

    @overload
    def __getitem__(self, key: int | str) -> BudgetRow: ...
    @overload
    def __getitem__(self, key: slice) -> list[BudgetRow]: ...
    def __getitem__(self, key: int | str | slice) -> BudgetRow | list[BudgetRow]:
        if isinstance(key, slice):
            return self.rows[key]
        if isinstance(key, str):
            if self._pos is None:
                self._pos = {n: i for i, n in enumerate(self.names)}
            return self._row(self._pos[key])
        return self._row(range(len(self))[key])

    def __iter__(self) -> Iterator[BudgetRow]:
        return iter(self.rows)

    def largest(self, count: int = 10) -> list[BudgetRow]:
        """The ``count`` rows with the largest |share|, largest first."""
        order = np.argsort(-np.abs(self.shares), kind="stable")[:count]
        return [self._row(int(i)) for i in order]

    def __repr__(self) -> str:
        return f"Budget({len(self)} inputs)"


@dataclass(frozen=True)
class GumResult:
    """GUM result for one output: y, u(y), ν_eff, k, U = k·u, interval and budget.

    >>> from tanzuji.uncertainty import Normal
    >>> r = gum(lambda a: 3 * a, {"a": Normal(1.0, 0.5, dof=10)}, k=2)
    >>> r.value, r.u, r.dof, r.U, r.interval, str(r)
    (3.0, 1.5, 10.0, 3.0, (0.0, 6.0), 'y = 3.0 ± 3.0 (k = 2)')
    """

    name: str
    value: float
    u: float
    dof: float
    k: float
    p: float
    budget: Budget
    correlated: bool
    method: str
    second_order_variance: float = 0.0

    @property
    def U(self) -> float:
        """The expanded uncertainty k·u(y)."""
        return self.k * self.u

    @property
    def interval(self) -> tuple[float, float]:
        """The coverage interval y ± U."""
        return (self.value - self.U, self.value + self.U)

    @property
    def relative_u(self) -> float:
        """u(y)/|y| (infinite for y = 0)."""
        return self.u / abs(self.value) if self.value else math.inf

    @property
    def relative_U(self) -> float:
        """U/|y| (infinite for y = 0)."""
        return self.U / abs(self.value) if self.value else math.inf

    def round(self, ndig: int = 2, mode: RoundingMode = "half_even") -> RoundedResult:
        """y and U rounded for reporting (:func:`~tanzuji.uncertainty.round_result`)."""
        return round_result(self.value, self.U, ndig=ndig, mode=mode)

    def __str__(self) -> str:
        return f"{self.name} = {self.round()} (k = {self.k:.3g})"


@dataclass(frozen=True, eq=False)
class GumMultiResult(Mapping[str, GumResult]):
    """GUM results of several outputs of one model, with their covariance matrix.

    A mapping from output name to :class:`GumResult`; ``covariance`` and ``correlation``
    are indexed in the order of ``names``, ``jacobian`` is outputs × inputs.

    >>> from tanzuji.uncertainty import Normal
    >>> r = gum_multi(lambda a, b: {"s": a + b, "d": a - b}, {"a": Normal(0, 1), "b": 2.0})
    >>> list(r), r.covariance.tolist(), r.jacobian.tolist()
    (['s', 'd'], [[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, -1.0]])
    """

    names: tuple[str, ...]
    results: tuple[GumResult, ...]
    covariance: FloatArray
    jacobian: FloatArray
    input_names: tuple[str, ...]

    def __getitem__(self, name: str) -> GumResult:
        return self.results[self.names.index(name)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    @property
    def correlation(self) -> FloatArray:
        """The correlation matrix of the outputs (0 where an output has u = 0)."""
        return correlation_from_covariance(self.covariance)

    def r(self, a: str, b: str) -> float:
        """The correlation coefficient between outputs ``a`` and ``b``."""
        return float(self.correlation[self.names.index(a), self.names.index(b)])


def gum_multi(
    model: Model,
    inputs: Mapping[str, Distribution | float],
    correlation: Correlation | None = None,
    p: float = 0.95,
    k: float | None = None,
    *,
    truncate_dof: bool = True,
    sensitivity: SensitivityMethod = "auto",
    order: Literal[1, 2] = 1,
) -> GumMultiResult:
    """GUM evaluation of every output of ``model`` and of their covariance (JCGM 102 6.2).

    >>> from tanzuji.uncertainty import Normal
    >>> def stages(ef, m1, m2):
    ...     return {"s1": m1 * ef, "s2": m2 * ef}
    >>> res = gum_multi(stages, {"ef": Normal(0.6, 0.06), "m1": 100.0, "m2": 50.0})
    >>> round(res["s1"].u, 6), round(res.r("s1", "s2"), 6)
    (6.0, 1.0)
    """
    if k is not None and not (isinstance(k, int | float) and math.isfinite(k) and k > 0):
        raise ParameterError(f"k must be a finite number > 0, got {k!r}")
    coverage_factor(p)  # validates p
    if order not in (1, 2):
        raise ParameterError(f"order must be 1 or 2, got {order!r}")
    prep = prepare_inputs(inputs, correlation)
    if order == 2 and prep.block is not None:
        raise ParameterError("second-order terms (order=2) need independent inputs")
    names, y, jac, method = jacobian(model, prep, sensitivity)
    a = jac * prep.u  # contributions c_i u_i, outputs × inputs
    cov = a @ a.T
    ra = a.copy()  # row k: (R a_k)_i
    if prep.block is not None:
        idx, off = prep.block.index, prep.block.off_diagonal()
        a_blk = a[:, idx]
        cov = cov + a_blk @ off @ a_blk.T
        ra[:, idx] += a_blk @ off
    var2 = np.zeros(len(names))
    if order == 2:
        var2 = np.maximum(second_order_variance(model, prep, len(names)), 0.0)
        cov = cov + np.diag(var2)
    results = []
    finite = np.isfinite(prep.dof)
    for j, name in enumerate(names):
        var = float(cov[j, j])
        u = math.sqrt(max(var, 0.0))
        denom = float(np.sum(a[j, finite] ** 4 / prep.dof[finite]))
        dof = var * var / denom if (denom > 0 and var > 0) else math.inf
        kk = float(k) if k is not None else coverage_factor(p, dof, truncate_dof=truncate_dof)
        shares = a[j] * ra[j] / var if var > 0 else np.zeros(len(prep.names))
        budget = Budget(prep.names, prep.x, prep.u, jac[j], shares, prep.dof)
        correlated = prep.block is not None
        results.append(
            GumResult(name, float(y[j]), u, dof, kk, p, budget, correlated, method, float(var2[j]))
        )
    return GumMultiResult(names, tuple(results), cov, jac, prep.names)


def gum(
    model: Model,
    inputs: Mapping[str, Distribution | float],
    correlation: Correlation | None = None,
    p: float = 0.95,
    k: float | None = None,
    *,
    truncate_dof: bool = True,
    sensitivity: SensitivityMethod = "auto",
    order: Literal[1, 2] = 1,
) -> GumResult:
    """GUM evaluation of a single-output model (see the module docstring).

    ``model`` takes the inputs as keyword arguments (``model(**values)``) and must be
    vectorised; ``inputs`` maps names to distributions (or plain numbers for constants);
    ``correlation`` maps name pairs to coefficients. With ``k`` given, ``p`` is only
    recorded.

    >>> from tanzuji.uncertainty import Normal
    >>> res = gum(lambda **x: x["a:1"] + x["b:2"], {"a:1": Normal(1, 3), "b:2": Normal(2, 4)})
    >>> res.value, res.u, res.dof
    (3.0, 5.0, inf)
    """
    multi = gum_multi(
        model,
        inputs,
        correlation,
        p,
        k,
        truncate_dof=truncate_dof,
        sensitivity=sensitivity,
        order=order,
    )
    if len(multi) != 1:
        raise ModelEvaluationError(
            f"the model returns {len(multi)} outputs ({', '.join(multi.names)}); "
            "use gum_multi for several outputs"
        )
    return multi.results[0]
