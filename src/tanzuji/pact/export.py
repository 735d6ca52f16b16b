"""A study's evaluated footprint as a PACT v3 ProductFootprint, with the uncertainty extension.

Every required PACT property comes from the study or its result by a rule written here (and in
docs/pact.md); a property the study never declared is refused, naming the study field, never
filled with a silent "0":

==================================  =========================================================
PACT property                       tanzuji source
==================================  =========================================================
companyName, companyIds             ``product.manufacturer.name``, ``product.company_ids``
productIds                          ``product.product_ids`` + ``urn:gtin:<product.gtin>``
productClassifications              ``product.classifications`` + UN CPC ``product.cpc``
declaredUnit…, productMass…         "piece", "1", ``product.mass_kg``
referencePeriodStart/End            ``period.start`` 00:00 UTC, the day after ``period.end``
pcfExcludingBiogenicUptake          the specification's total (kgCO2e per piece)
fossilGhgEmissions                  the same total: every library factor is fossil (no land use)
fossilCarbonContent                 ``product.fossil_carbon_kg``
biogenicCarbonContent, uptake       ``product.biogenic_carbon_kg``; uptake = −44/12 × content
packagingEmissionsIncluded          ``product.packaging_included``
ipccCharacterizationFactors         ``gwp`` of every CO2e factor used, else ``product.gwp_basis``
exemptedEmissionsPercent            100 × Σ excluded estimates / (total + Σ excluded)
primaryDataShare, dqi               :func:`data_quality` (rule in its docstring)
==================================  =========================================================
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from tanzuji.calculation import (
    FootprintResult,
    FullResult,
    MeasurementModel,
    MonteCarloStudy,
)
from tanzuji.errors import InputError, InputErrors
from tanzuji.i18n import tr
from tanzuji.model import EmissionFactor, Study
from tanzuji.pact.extension import (
    FactorRef,
    ReportRef,
    RuleRef,
    StageUncertainty,
    UncertaintyData,
    envelope,
)
from tanzuji.pact.pcr import load_rule
from tanzuji.pact.quality import PRIMARY_FACTORS, DataQuality, data_quality
from tanzuji.pact.schema import SPEC_VERSION, validate_footprint
from tanzuji.units import parse_unit

__all__ = [
    "DataQuality",
    "ExportOptions",
    "data_quality",
    "dec",
    "export_footprint",
    "footprint_id",
]

PF_NAMESPACE = uuid.UUID("6f1b3d2e-8c0a-5e7b-9a41-7a6e2c0d1f55")
"""Namespace of the name-based (UUID v5) footprint ids tanzuji gives its exports."""


def dec(x: float, sig: int = 6) -> str:
    """A float as a PACT decimal string (no exponent) with ``sig`` significant digits.

    >>> dec(12.3456789), dec(0.000123456, 3), dec(-0.0), dec(1500.0)
    ('12.3457', '0.000123', '0', '1500')
    """
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x}")
    if x == 0:
        return "0"
    text = format(Decimal(f"{x:.{sig}g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def footprint_id(study: Study, result: FootprintResult) -> str:
    """A stable UUID (v5) for the footprint of this study and result.

    The same study content and total give the same id; any change gives a new one (PACT v3:
    every change of a footprint is a new footprint).
    """
    payload = json.dumps(
        {"study": study.model_dump(mode="json"), "total": result.total.value},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(PF_NAMESPACE, digest))


@dataclass(frozen=True)
class ExportOptions:
    """Choices of one export: method of the uncertainty, publishing server, report, time."""

    base_url: str = "https://localhost:8443"
    method: Literal["jjf", "full", "mc"] = "jjf"
    report: ReportRef | None = None
    created: dt.datetime | None = None
    status: Literal["Active", "Deprecated"] = "Active"
    preceding: tuple[str, ...] = ()
    extra_standards: tuple[str, ...] = field(default=())


def _missing(path: str, prop: str, what: tuple[str, str]) -> InputError:
    return InputError(
        tr(
            f"PACT 导出需要 {prop}，但本研究未声明；请声明{what[0]}（tanzuji 不会以默认值填充）",
            f"the PACT export needs {prop}, which this study never declared; declare {what[1]} "
            "(tanzuji never fills it with a default)",
        ),
        path=path,
    )


def _utc(day: dt.date) -> str:
    return (
        dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
    )


def _gwp(model: MeasurementModel, study: Study) -> tuple[list[str], list[InputError]]:
    recorded: set[str] = set()
    unrecorded: list[str] = []
    for inp in model.inputs.values():
        ef = inp.factor
        if ef is None or ef.gas != "CO2e":
            continue
        if ef.gwp:
            recorded.add(ef.gwp)
        elif ef.id not in unrecorded:
            unrecorded.append(ef.id)
    declared = set(study.product.gwp_basis)
    problems: list[InputError] = []
    if unrecorded and not declared:
        problems.append(
            InputError(
                tr(
                    "PACT 导出需要 ipccCharacterizationFactors，但 CO2e 因子 "
                    f"{'、'.join(unrecorded[:5])}{' …' if len(unrecorded) > 5 else ''} 未记录 "
                    "GWP 基准（gwp: AR5 …）；请在因子库中记录，或在此声明所采用的基准，"
                    "如 gwp_basis: [AR5]",
                    "the PACT export needs ipccCharacterizationFactors, but the CO2e factors "
                    f"{', '.join(unrecorded[:5])}{' …' if len(unrecorded) > 5 else ''} record no "
                    "GWP basis (gwp: AR5 …); record it in the factor library or declare the "
                    "basis assumed for them here, e.g. gwp_basis: [AR5]",
                ),
                path="product.gwp_basis",
            )
        )
    bases = recorded | (declared if unrecorded else set())
    if not bases:  # only CO2 factors: any AR gives GWP(CO2) = 1; say what was declared
        bases = declared or {"AR6"}
    return sorted(bases, key=lambda s: int(s[2:])), problems


def _secondary_sources(factors: Iterable[EmissionFactor]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for ef in factors:
        if ef.factor_type in PRIMARY_FACTORS:
            continue
        name = ef.source.publisher or ef.source.citation
        name = name if len(name) <= 120 else name[:117] + "…"
        version = (
            str(ef.year)
            if ef.year
            else (ef.source.published.isoformat() if ef.source.published else "unversioned")
        )
        seen[(name, version)] = None
    return [{"name": n, "version": v} for n, v in seen]


def _grid_factors(factors: Iterable[EmissionFactor]) -> list[FactorRef]:
    """The electricity factors (emission per unit of energy) among ``factors``."""
    per_energy = (parse_unit("kgCO2e") / parse_unit("kWh")).dimensionality
    out = [
        FactorRef(id=ef.id, year=ef.year)
        for ef in factors
        if parse_unit(ef.unit).dimensionality == per_energy
    ]
    return sorted(out, key=lambda f: f.id)


def _uncertainty(
    result: FootprintResult,
    options: ExportOptions,
    full: FullResult | None,
    mc: MonteCarloStudy | None,
    study: Study,
) -> UncertaintyData:
    if options.method == "jjf":
        t = result.total
        stages = [(s, r.value, r.u) for s, r in result.stages.items() if r is not None]
        return UncertaintyData(
            value=dec(t.value),
            u=dec(t.u, 4),
            U=dec(t.U, 4),
            k=dec(t.k),
            coverageProbability="0.95",
            method="JJF",
            specification=study.specification,
            stages=[
                StageUncertainty(stage=s.value, value=dec(v), u=dec(u, 4)) for s, v, u in stages
            ],
            report=options.report,
        )
    if full is None:
        raise ValueError("the full GUM result is needed for method full or mc")
    fstages = [
        StageUncertainty(stage=s.value, value=dec(r.value), u=dec(r.u, 4))
        for s, r in full.stages.items()
        if r is not None
    ]
    if options.method == "full":
        ft = full.total
        return UncertaintyData(
            value=dec(ft.value),
            u=dec(ft.u, 4),
            U=dec(ft.U, 4),
            k=dec(ft.k, 4),
            coverageProbability=dec(ft.p, 4),
            method="GUM",
            interval=(dec(ft.interval[0]), dec(ft.interval[1])),
            specification=study.specification,
            stages=fstages,
            report=options.report,
        )
    if mc is None:
        raise ValueError("the Monte Carlo result is needed for method mc")
    r = mc.result
    half = (r.interval[1] - r.interval[0]) / 2.0
    return UncertaintyData(
        value=dec(r.value),
        u=dec(r.u, 4),
        U=dec(half, 4),
        k=dec(half / r.u if r.u else 0, 4),
        coverageProbability=dec(r.p, 4),
        method="MonteCarlo",
        interval=(dec(r.interval[0]), dec(r.interval[1])),
        trials=r.trials,
        specification=study.specification,
        stages=fstages,
        report=options.report,
    )


def export_footprint(
    study: Study,
    model: MeasurementModel,
    result: FootprintResult,
    options: ExportOptions | None = None,
    *,
    full: FullResult | None = None,
    mc: MonteCarloStudy | None = None,
) -> dict[str, Any]:
    """The v3 ProductFootprint (a JSON object) of an evaluated study.

    Raises :class:`~tanzuji.errors.InputErrors` naming every study field the export needs
    but the study never declared. The output is checked against the v3 rules before it is
    returned.
    """
    opts = options or ExportOptions()
    product = study.product
    problems: list[InputError] = []
    if product.manufacturer is None:
        problems.append(
            _missing("product.manufacturer.name", "companyName", ("制造商", "the manufacturer"))
        )
    if not product.company_ids:
        problems.append(
            _missing(
                "product.company_ids",
                "companyIds",
                ("以 URN 表示的制造商标识", "the manufacturer's ids as URNs"),
            )
        )
    product_ids = list(product.product_ids)
    if product.gtin and f"urn:gtin:{product.gtin}" not in product_ids:
        product_ids.append(f"urn:gtin:{product.gtin}")
    if not product_ids:
        problems.append(
            _missing(
                "product.product_ids",
                "productIds",
                ("以 URN 表示的产品标识（或 gtin）", "product ids as URNs (or a gtin)"),
            )
        )
    if product.mass_kg is None:
        problems.append(
            _missing(
                "product.mass_kg",
                "productMassPerDeclaredUnit",
                ("单件质量（kg）", "the mass of one piece in kg"),
            )
        )
    if product.fossil_carbon_kg is None:
        problems.append(
            _missing(
                "product.fossil_carbon_kg",
                "fossilCarbonContent",
                ("化石碳含量（kg C）", "the fossil carbon in kg C"),
            )
        )
    if product.biogenic_carbon_kg is None:
        problems.append(
            _missing(
                "product.biogenic_carbon_kg",
                "biogenicCarbonContent (for pcfIncludingBiogenicUptake)",
                (
                    "生物源碳含量（kg C，没有时为 0）",
                    "the biogenic carbon in kg C, 0 when there is none",
                ),
            )
        )
    if product.packaging_included is None:
        problems.append(
            _missing(
                "product.packaging_included",
                "packagingEmissionsIncluded",
                (
                    "包装是否计入碳足迹（true/false）",
                    "whether packaging is inside the footprint (true/false)",
                ),
            )
        )
    gwp, gwp_problems = _gwp(model, study)
    problems.extend(gwp_problems)
    total = result.total.value
    if total < 0:
        problems.append(
            InputError(
                tr(
                    "小于零的碳足迹不能作为 fossilGhgEmissions",
                    "a footprint below zero cannot be fossilGhgEmissions",
                ),
                path="result.total",
            )
        )
    if problems:
        raise InputErrors(problems)
    assert product.mass_kg is not None and product.fossil_carbon_kg is not None
    assert product.biogenic_carbon_kg is not None and product.manufacturer is not None

    rule = load_rule(product.pcr) if product.pcr else None
    excluded = math.fsum(e.estimate for e in study.excluded)
    exempted = 100.0 * excluded / (total + excluded) if total + excluded > 0 else 0.0
    uptake = -44.0 / 12.0 * product.biogenic_carbon_kg
    quality = data_quality(model, study)
    used = {i.factor.id: i.factor for i in model.inputs.values() if i.factor is not None}
    classifications = list(product.classifications)
    if product.cpc:
        cpc = f"urn:pact:productclassification:un-cpc:{product.cpc}"
        if cpc not in classifications:
            classifications.append(cpc)
    created = opts.created or dt.datetime.now(dt.UTC).replace(microsecond=0)
    stages_en = ", ".join(s.en for s in study.boundary)
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": "piece",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": dec(product.mass_kg),
        "referencePeriodStart": _utc(study.period.start),
        "referencePeriodEnd": _utc(study.period.end + dt.timedelta(days=1)),
    }
    if product.country:
        pcf["geographyCountry"] = product.country
    pcf |= {
        "boundaryProcessesDescription": f"Life-cycle stages: {stages_en}."
        + (f" Cut-off: {study.cutoff_rule}" if study.cutoff_rule else ""),
        "pcfExcludingBiogenicUptake": dec(total),
        "pcfIncludingBiogenicUptake": dec(total + uptake),
        "fossilCarbonContent": dec(product.fossil_carbon_kg),
        "biogenicCarbonContent": dec(product.biogenic_carbon_kg),
        "fossilGhgEmissions": dec(total),
        "biogenicCO2Uptake": dec(uptake) if uptake else "0",
        "packagingEmissionsIncluded": product.packaging_included,
    }
    if product.packaging_biogenic_carbon_kg is not None:
        pcf["packagingBiogenicCarbonContent"] = dec(product.packaging_biogenic_carbon_kg)
    pcf |= {
        "ccsTechnologicalCO2CaptureIncluded": False,
        "ipccCharacterizationFactors": gwp,
        "crossSectoralStandards": ["ISO14067", *opts.extra_standards],
        "productOrSectorSpecificRules": [
            {"operator": "Other", "ruleNames": [study.specification], "otherOperatorName": "JJF"}
        ]
        + (
            [{"operator": "Other", "ruleNames": [rule.label], "otherOperatorName": "tanzuji"}]
            if rule
            else []
        ),
        "exemptedEmissionsPercent": dec(exempted, 3),
    }
    if study.excluded:
        pcf["exemptedEmissionsDescription"] = "; ".join(
            f"{e.name} ({e.stage.en}, ≈{dec(e.estimate, 3)} kgCO2e)" for e in study.excluded
        )
    sources = _secondary_sources(used.values())
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    pcf["primaryDataShare"] = dec(quality.primary_share, 4)
    pcf["dqi"] = {
        "technologicalDQR": dec(quality.technological, 3),
        "geographicalDQR": dec(quality.geographical, 3),
        "temporalDQR": dec(quality.temporal, 3),
    }
    name = product.name + (f" {product.model}" if product.model else "")
    pf: dict[str, Any] = {
        "id": footprint_id(study, result),
        "specVersion": SPEC_VERSION,
    }
    if opts.preceding:
        pf["precedingPfIds"] = list(opts.preceding)
    pf |= {
        "created": created.isoformat().replace("+00:00", "Z"),
        "status": opts.status,
        "companyName": product.manufacturer.name,
        "companyIds": list(product.company_ids),
        "productDescription": product.description
        or product.function
        or product.category
        or product.name,
        "productIds": product_ids,
    }
    if classifications:
        pf["productClassifications"] = classifications
    pf |= {
        "productNameCompany": name,
        "comment": f"Evaluated with tanzuji by {study.specification} (study {study.id}). "
        "Uncertainty of the footprint in the tanzuji-uncertainty extension.",
        "pcf": pcf,
        "extensions": [
            envelope(
                _uncertainty(result, opts, full, mc, study).model_copy(
                    update={
                        "boundary": [s.value for s in study.boundary],
                        "gridFactors": _grid_factors(used.values()),
                        "pcr": RuleRef(id=rule.id, version=rule.version) if rule else None,
                    }
                ),
                opts.base_url,
            )
        ],
    }
    validate_footprint(pf)
    return pf
