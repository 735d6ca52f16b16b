"""Metered energy as primary data: reading files → energy per meter, group and product line
with its standard uncertainty, findings for every cleaning step, and activities for a study.

Modules: :mod:`~tanzuji.metering.mapping` (the mapping file), :mod:`~tanzuji.metering.readers`
(CSV, Excel, Parquet), :mod:`~tanzuji.metering.clean` (per-meter cleaning;
:mod:`~tanzuji.metering.register` for cumulative registers, :mod:`~tanzuji.metering.clean_base`
their shared types),
:mod:`~tanzuji.metering.budget` (uncertainty), :mod:`~tanzuji.metering.engine` (Dask),
:mod:`~tanzuji.metering.ingest` (read, clean and evaluate one set of files),
:mod:`~tanzuji.metering.tostudy` (activities),
:mod:`~tanzuji.metering.evidence` (the report section), :mod:`~tanzuji.metering.convert`.
pandas, pyarrow and dask are imported inside the functions that use them. The use case
(check the request, load the study, write the new study and its evidence, save it in the
store) is :mod:`tanzuji.services.metering`, which the command line calls.
"""

from __future__ import annotations

from tanzuji.metering.budget import Aggregate, MeterEnergy, aggregate, meter_energy
from tanzuji.metering.clean import MeterFinding, MeterSummary, PeriodBounds, clean_meter
from tanzuji.metering.engine import Execution
from tanzuji.metering.ingest import Evidence, IngestResult, ingest, period_bounds
from tanzuji.metering.mapping import Mapping, MeterMapping, load_mapping

__all__ = [
    "Aggregate",
    "Evidence",
    "Execution",
    "IngestResult",
    "Mapping",
    "MeterEnergy",
    "MeterFinding",
    "MeterMapping",
    "MeterSummary",
    "PeriodBounds",
    "aggregate",
    "clean_meter",
    "ingest",
    "load_mapping",
    "meter_energy",
    "period_bounds",
]
