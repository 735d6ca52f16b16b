"""The tanzuji uncertainty extension of a PACT v3 ProductFootprint (``extensions[]``).

PACT v3 has no field for the uncertainty of a footprint. tanzuji carries it as a PACT
Data Model Extension: ``specVersion`` "2.0.0" (the extension envelope), ``dataSchema`` the
URL of this extension's JSON Schema on the publishing server
(``<base>/pact/extensions/tanzuji-uncertainty/1.0.0/schema.json``), ``data`` an object
described by :class:`UncertaintyData`. Consumers that do not know the extension ignore it.

Numbers are decimal strings, like every PACT quantity, in kgCO2e per declared unit
(the footprint's ``declaredUnitAmount`` × ``declaredUnitOfMeasurement``).

>>> data = UncertaintyData(value="1.5", u="0.1", U="0.2", k="2", coverageProbability="0.9545",
...                        method="JJF")
>>> ext = envelope(data, "https://pcf.example.com")
>>> ext["dataSchema"]
'https://pcf.example.com/pact/extensions/tanzuji-uncertainty/1.0.0/schema.json'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tanzuji.pact.schema import Dec, NonNegDec

__all__ = [
    "EXTENSION_NAME",
    "EXTENSION_VERSION",
    "SCHEMA_PATH",
    "FactorRef",
    "ReportRef",
    "RuleRef",
    "StageUncertainty",
    "UncertaintyData",
    "envelope",
    "find_extension",
    "schema_json",
    "shipped_schema",
]

EXTENSION_NAME = "tanzuji-uncertainty"
EXTENSION_VERSION = "1.0.0"
ENVELOPE_VERSION = "2.0.0"
SCHEMA_PATH = f"/pact/extensions/{EXTENSION_NAME}/{EXTENSION_VERSION}/schema.json"
"""Stable path at which every tanzuji server serves the extension's JSON Schema."""
DOC_PATH = f"/pact/extensions/{EXTENSION_NAME}/{EXTENSION_VERSION}/"


class _Ext(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageUncertainty(_Ext):
    """One life-cycle stage's footprint and standard uncertainty."""

    stage: Literal["raw_materials", "manufacturing", "distribution", "use", "end_of_life"]
    value: Dec = Field(description="footprint of the stage, kgCO2e per declared unit")
    u: NonNegDec = Field(description="standard uncertainty of the stage, same unit")


class FactorRef(_Ext):
    """An emission factor by id and year (the grid factors, for comparability)."""

    id: str = Field(min_length=1)
    year: int | None = None


class RuleRef(_Ext):
    """The product rule (PCR) the study follows."""

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)


class ReportRef(_Ext):
    """The signed evaluation report the numbers come from."""

    number: str = Field(min_length=1, description="report number, e.g. TZJ-2025-EX-1A2B3C4D")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the signed PDF")


class UncertaintyData(_Ext):
    """The ``data`` object of the tanzuji uncertainty extension, version 1.0.0."""

    extension: Literal["tanzuji-uncertainty"] = "tanzuji-uncertainty"
    version: Literal["1.0.0"] = "1.0.0"
    unit: Literal["kgCO2e per declared unit"] = "kgCO2e per declared unit"
    value: Dec = Field(
        description="the footprint the uncertainty belongs to (pcfExcludingBiogenicUptake)"
    )
    u: NonNegDec = Field(description="combined standard uncertainty")
    U: NonNegDec = Field(description="expanded uncertainty U = k·u (Monte Carlo: half-width)")
    k: NonNegDec = Field(description="coverage factor")
    coverageProbability: NonNegDec = Field(description="coverage probability, e.g. 0.95")
    method: Literal["JJF", "GUM", "MonteCarlo"] = Field(
        description="JJF: the specification's formulas (activity data only); GUM: law of "
        "propagation over every input (JCGM 100); MonteCarlo: JCGM 101 propagation of "
        "distributions"
    )
    interval: tuple[Dec, Dec] | None = Field(
        default=None, description="coverage interval [low, high] (GUM and Monte Carlo)"
    )
    trials: int | None = Field(default=None, ge=1, description="Monte Carlo trials")
    specification: str | None = Field(default=None, description="the evaluation specification")
    stages: list[StageUncertainty] = Field(default_factory=list)
    boundary: list[str] = Field(
        default_factory=list, description="life-cycle stages inside the system boundary"
    )
    gridFactors: list[FactorRef] = Field(
        default_factory=list, description="electricity factors used (id, data year)"
    )
    pcr: RuleRef | None = None
    report: ReportRef | None = None


def envelope(data: UncertaintyData, base_url: str) -> dict[str, Any]:
    """The extension object for ``extensions[]``, naming the schema on ``base_url``."""
    base = base_url.rstrip("/")
    return {
        "specVersion": ENVELOPE_VERSION,
        "dataSchema": base + SCHEMA_PATH,
        "documentation": base + DOC_PATH,
        "data": data.model_dump(mode="json", exclude_none=True),
    }


def find_extension(extensions: list[Any] | None) -> tuple[int, dict[str, Any]] | None:
    """(index, data) of the tanzuji uncertainty extension in ``extensions``, if present."""
    for i, ext in enumerate(extensions or []):
        schema = getattr(ext, "dataSchema", None) or (
            ext.get("dataSchema") if isinstance(ext, dict) else None
        )
        data = getattr(ext, "data", None) or (ext.get("data") if isinstance(ext, dict) else None)
        if isinstance(schema, str) and f"/{EXTENSION_NAME}/" in schema and isinstance(data, dict):
            return i, data
    return None


def schema_json() -> dict[str, Any]:
    """The JSON Schema of :class:`UncertaintyData` generated from the model."""
    schema = UncertaintyData.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"{EXTENSION_NAME} {EXTENSION_VERSION}"
    return schema


def shipped_schema() -> str:
    """The JSON Schema file shipped in the package (served at :data:`SCHEMA_PATH`)."""
    ref = (
        resources.files("tanzuji") / "data" / "pact" / f"{EXTENSION_NAME}-{EXTENSION_VERSION}.json"
    )
    return ref.read_text(encoding="utf-8")


def render_schema() -> str:
    """The schema file's text (``python -m tanzuji.pact.extension`` rewrites it)."""
    return json.dumps(schema_json(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(render_schema())
