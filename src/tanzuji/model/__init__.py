"""The domain model of a product carbon-footprint evaluation ("study"), pure pydantic v2.

Product-generic: a study names a product (the functional unit), an evaluation period, a
system boundary (any subset of the five stages) and activity data, each multiplied by
emission factors referenced by id. No I/O happens here.

>>> s = Study.model_validate({"id": "S", "product": {"name": "电能表"}, "period": 2025,
...     "activities": [{"stage": "use", "name": "运行能耗", "quantity": 84.1, "unit": "kWh",
...                     "factor": "cn.electricity.footprint.2023"}]})
>>> s.boundary[0], s.activities[0].kind
(<Stage.RAW_MATERIALS: 'raw_materials'>, 'flow')
"""

from tanzuji.model.base import (
    AnnualOutput,
    DistributionName,
    LocalizedText,
    Manufacturer,
    Period,
    Person,
    Product,
    Source,
    Uncertainty,
)
from tanzuji.model.enums import (
    DEFAULT_PROCESS,
    DEFAULT_TRANSPORT_PROCESS,
    PROCESS_STAGE,
    DataType,
    FactorType,
    Grade,
    Process,
    Stage,
)
from tanzuji.model.governance import (
    Certificate,
    ExcludedProcess,
    Instrument,
    InstrumentKind,
    Site,
    UserCategory,
)
from tanzuji.model.quantities import Measured, SharedQuantity, resolve_references
from tanzuji.model.study import (
    ACTIVITY_KINDS,
    Activity,
    AnyActivity,
    ElectricitySupply,
    EmissionFactor,
    EnergyUse,
    Operation,
    Study,
    SupplyPart,
    Transport,
    activity_kind,
)

__all__ = [
    "ACTIVITY_KINDS",
    "DEFAULT_PROCESS",
    "DEFAULT_TRANSPORT_PROCESS",
    "PROCESS_STAGE",
    "Activity",
    "AnnualOutput",
    "AnyActivity",
    "Certificate",
    "DataType",
    "DistributionName",
    "ElectricitySupply",
    "EmissionFactor",
    "EnergyUse",
    "ExcludedProcess",
    "FactorType",
    "Grade",
    "Instrument",
    "InstrumentKind",
    "LocalizedText",
    "Manufacturer",
    "Measured",
    "Operation",
    "Period",
    "Person",
    "Process",
    "Product",
    "SharedQuantity",
    "Site",
    "Source",
    "Stage",
    "Study",
    "SupplyPart",
    "Transport",
    "Uncertainty",
    "UserCategory",
    "activity_kind",
    "resolve_references",
]
