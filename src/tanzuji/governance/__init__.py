"""Data governance: findings on instruments, certificates, data types, cut-off and
allocation; instrument-derived uncertainties; measurement models for on-site calculated
data; primary-data share and grade distribution. Pure: no I/O, no adapters.

See ``docs/governance.md``.

>>> from tanzuji.governance import scale_u
>>> round(scale_u(300, 1, "III"), 3)  # Max 3 kg, e = 1 g, load 300 g, initial verification
0.289
"""

from tanzuji.governance.allocation import (
    AllocationRow,
    CandidateChoice,
    allocation_table,
    candidate_choices,
)
from tanzuji.governance.check import CheckReport, check_study
from tanzuji.governance.conformance import SiteCategory, check_instruments, site_category
from tanzuji.governance.cutoff import CutoffSummary, check_cutoff
from tanzuji.governance.datachecks import check_quantities, iter_quantities
from tanzuji.governance.findings import Finding, Level, count_levels, sort_findings
from tanzuji.governance.quality import DataQuality, QualitySummary, data_quality
from tanzuji.metrology.classes import (
    REQUIRED_METER_CLASS,
    belt_mpe,
    belt_scale_conforms,
    flow_mpe,
    meter_class_conforms,
    meter_mpe,
    scale_class_conforms,
    scale_mpe_e,
    user_category,
)
from tanzuji.metrology.instrument_u import (
    InstrumentU,
    NotDerivableError,
    TypeA,
    belt_u_rel,
    certificate_u,
    combine_mpe,
    flow_u_rel,
    instrument_uncertainty,
    meter_u_rel,
    scale_u,
    type_a,
)
from tanzuji.metrology.measurement import (
    DerivedU,
    allocation_u,
    derived_uncertainty,
    gas_standard_volume_u,
    readings_u,
    register_difference_u,
)

__all__ = [
    "REQUIRED_METER_CLASS",
    "AllocationRow",
    "CandidateChoice",
    "CheckReport",
    "CutoffSummary",
    "DataQuality",
    "DerivedU",
    "Finding",
    "InstrumentU",
    "Level",
    "NotDerivableError",
    "QualitySummary",
    "SiteCategory",
    "TypeA",
    "allocation_table",
    "allocation_u",
    "belt_mpe",
    "belt_scale_conforms",
    "belt_u_rel",
    "candidate_choices",
    "certificate_u",
    "check_cutoff",
    "check_instruments",
    "check_quantities",
    "check_study",
    "combine_mpe",
    "count_levels",
    "data_quality",
    "derived_uncertainty",
    "flow_mpe",
    "flow_u_rel",
    "gas_standard_volume_u",
    "instrument_uncertainty",
    "iter_quantities",
    "meter_class_conforms",
    "meter_mpe",
    "meter_u_rel",
    "readings_u",
    "register_difference_u",
    "scale_class_conforms",
    "scale_mpe_e",
    "scale_u",
    "site_category",
    "sort_findings",
    "type_a",
    "user_category",
]
