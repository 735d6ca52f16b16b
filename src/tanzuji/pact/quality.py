"""Primary-data share and the three PACT v3 data-quality ratings of an evaluated study."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tanzuji.calculation import MeasurementModel
from tanzuji.model import EmissionFactor, FactorType, Stage, Study

__all__ = ["PRIMARY_FACTORS", "DataQuality", "data_quality"]

PRIMARY_FACTORS = (FactorType.MEASURED, FactorType.MASS_BALANCE, FactorType.SUPPLIER_PCF)
OWN_OPERATIONS = (Stage.MANUFACTURING,)
GLOBAL_REGIONS = ("GLO", "RoW", "WORLD", "World", "global")


@dataclass(frozen=True)
class DataQuality:
    """Primary-data share (per cent) and the three v3 DQRs (1 best … 5 worst)."""

    primary_share: float
    technological: float
    geographical: float
    temporal: float
    primary_terms: tuple[str, ...] = ()


def _geo(ef: EmissionFactor, country: str | None) -> int:
    if ef.factor_type in PRIMARY_FACTORS:
        return 1
    region = ef.region
    if region is None or country is None:
        return 5
    if region.upper() == country.upper() or region.upper().startswith(country.upper() + "-"):
        return 1
    if region in GLOBAL_REGIONS:
        return 4
    return 3


def _temporal(ef: EmissionFactor, year: int) -> int:
    if ef.year is None:
        return 1 if ef.factor_type in (FactorType.MEASURED, FactorType.MASS_BALANCE) else 5
    gap = abs(year - ef.year)
    for limit, score in ((1, 1), (3, 2), (5, 3), (10, 4)):
        if gap <= limit:
            return score
    return 5


def data_quality(model: MeasurementModel, study: Study) -> DataQuality:
    """The primary-data share and DQRs by tanzuji's documented rule.

    Every emission term (activity × factor) is weighted by the magnitude of its emission.

    * **Primary** term: every measured input (activity, mass, distance, power, time) is primary
      data of Table 2 (on-site measured or calculated, off-site), and its factor is primary too
      (Table 5 measured or mass-balance factor, or a supplier's own footprint), or the term lies
      in the manufacturing stage (own operations, like PACT's scope 1 and 2 with primary
      activity data). ``primaryDataShare`` = 100 × Σ|primary| / Σ|all|.
    * **technologicalDQR**: 1 + rank of the worse of the data grade (Tables 2/4) and the
      factor grade (Table 5), high = 1 … low = 5.
    * **geographicalDQR**: 1 for primary factors or a factor of the product's country (or one
      of its subdivisions), 3 for another country or region, 4 for a global average, 5 when the
      factor's region or the product's country is unknown.
    * **temporalDQR**: by the gap between the factor's year and the first year of the period:
      ≤ 1 → 1, ≤ 3 → 2, ≤ 5 → 3, ≤ 10 → 4, more or unknown → 5 (measured factors without a
      year: 1).

    Each DQR is the weighted mean, rounded to one decimal.
    """
    year = study.period.start.year
    country = study.product.country
    est = model.estimates()
    weights: list[float] = []
    tech: list[int] = []
    geo: list[int] = []
    temp: list[int] = []
    primary = 0.0
    primary_terms: list[str] = []
    for term in model.terms:
        value = abs(term.constant * math.prod(est[n] for n in term.inputs))
        if value == 0:
            continue
        inputs = [model.inputs[n] for n in term.inputs]
        factors = [i.factor for i in inputs if i.role == "factor" and i.factor is not None]
        measured = [i for i in inputs if i.role != "factor"]
        data_primary = all(i.data_type is not None and i.data_type.primary for i in measured)
        data_rank = (
            max((i.data_type.grade.rank if i.data_type is not None else 4) for i in measured)
            if measured
            else 0
        )
        factor_rank = max((f.grade.rank for f in factors), default=4)
        factor_primary = bool(factors) and all(f.factor_type in PRIMARY_FACTORS for f in factors)
        is_primary = data_primary and (factor_primary or term.stage in OWN_OPERATIONS)
        weights.append(value)
        tech.append(1 + max(data_rank, factor_rank))
        geo.append(max((_geo(f, country) for f in factors), default=5))
        temp.append(max((_temporal(f, year) for f in factors), default=5))
        if is_primary:
            primary += value
            if term.group not in primary_terms:
                primary_terms.append(term.group)
    total = math.fsum(weights)
    if total == 0:
        return DataQuality(0.0, 5.0, 5.0, 5.0)

    def mean(scores: list[int]) -> float:
        return round(math.fsum(w * s for w, s in zip(weights, scores, strict=True)) / total, 1)

    return DataQuality(
        primary_share=round(100.0 * primary / total, 1),
        technological=mean(tech),
        geographical=mean(geo),
        temporal=mean(temp),
        primary_terms=tuple(primary_terms),
    )
