"""Supplier footprints (PACT v3) as emission factors of type ``supplier_pcf``.

A supplier's ProductFootprint becomes one factor in kgCO2e per declared unit (per piece,
per kg …) that a study's BOM line references like any other factor. Its value is
``pcfExcludingBiogenicUptake / declaredUnitAmount`` (fossil accounting, like the library).
Its uncertainty, in this order:

1. the supplier's **tanzuji-uncertainty extension** when present: its standard uncertainty u
   (scaled to the imported value and the declared amount), normal distribution;
2. otherwise **bounds from the data-quality ratings** (Appendix C style, uniform): the worst
   of the three DQRs gives a relative half-width h — ≤ 1.5: 10 %, ≤ 2.5: 20 %, ≤ 3.5: 30 %,
   ≤ 4.5: 50 %, worse: 75 % — and min/max = value × (1 ∓ h), u = h·value/√3. Without DQRs
   h = 75 %. Conservative by design: a supplier who wants a smaller u sends its own.

Its Table 5 type is ``supplier_pcf`` (grade high: the supplier's own measured footprint);
``verification`` says whether a third party verified it (PACT ``pcf.verification``).

>>> DQR_HALF_WIDTHS[0]
(1.5, 0.1)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from tanzuji.errors import InputError, InputErrors
from tanzuji.factors import LibraryFile, LibraryHeader
from tanzuji.i18n import os_reason, tr
from tanzuji.model import EmissionFactor, FactorType, LocalizedText, Source, Uncertainty
from tanzuji.pact.extension import find_extension
from tanzuji.pact.schema import ProductFootprint, footprint_errors

__all__ = [
    "DECLARED_UNITS",
    "DQR_HALF_WIDTHS",
    "footprint_factor",
    "import_footprints",
    "library_document",
    "read_footprints",
]

DECLARED_UNITS = {
    "liter": "L",
    "kilogram": "kg",
    "cubic meter": "m**3",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "t*km",
    "square meter": "m**2",
    "piece": "piece",
    "hour": "hour",
}
"""PACT declared units and their tanzuji (pint) spelling; "megabit second" has none."""

DQR_HALF_WIDTHS = ((1.5, 0.10), (2.5, 0.20), (3.5, 0.30), (4.5, 0.50))
NO_DQR_HALF_WIDTH = 0.75


def _half_width(pf: ProductFootprint) -> tuple[float, str]:
    dqi = pf.pcf.dqi
    if dqi is None:
        return NO_DQR_HALF_WIDTH, "no data-quality ratings given"
    worst = max(
        float(Decimal(x)) for x in (dqi.technologicalDQR, dqi.geographicalDQR, dqi.temporalDQR)
    )
    for limit, h in DQR_HALF_WIDTHS:
        if worst <= limit:
            return h, f"worst DQR {worst:g}"
    return NO_DQR_HALF_WIDTH, f"worst DQR {worst:g}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "x"


def footprint_factor(data: Any, *, where: str = "$", origin: str | None = None) -> EmissionFactor:
    """The factor for one supplier footprint (a JSON object), or errors with JSON paths."""
    faults = footprint_errors(data)
    if faults:
        raise InputErrors(
            [InputError(f.split(": ", 1)[1], path=where + f.split(": ", 1)[0][1:]) for f in faults]
        )
    pf = ProductFootprint.model_validate(data)
    pcf = pf.pcf
    unit = DECLARED_UNITS.get(pcf.declaredUnitOfMeasurement)
    if unit is None:
        raise InputErrors(
            [
                InputError(
                    tr(
                        "声明单位没有物料清单可用的物理量对应；应为以下之一："
                        + "、".join(DECLARED_UNITS),
                        "declared unit has no physical equivalent a BOM line could use; "
                        "expected one of " + ", ".join(DECLARED_UNITS),
                    ),
                    path=f"{where}.pcf.declaredUnitOfMeasurement",
                    got=pcf.declaredUnitOfMeasurement,
                )
            ]
        )
    amount = float(Decimal(pcf.declaredUnitAmount))
    total = float(Decimal(pcf.pcfExcludingBiogenicUptake))
    if total < 0:
        raise InputErrors(
            [
                InputError(
                    tr(
                        "负的碳足迹不能用作排放因子",
                        "a negative footprint cannot be used as an emission factor",
                    ),
                    path=f"{where}.pcf.pcfExcludingBiogenicUptake",
                    got=pcf.pcfExcludingBiogenicUptake,
                )
            ]
        )
    value = total / amount
    found = find_extension(data.get("extensions"))
    uncertainty: Uncertainty
    if found is not None:
        idx, ext = found
        try:
            u_ext = float(Decimal(str(ext["u"])))
            v_ext = float(Decimal(str(ext.get("value", pcf.pcfExcludingBiogenicUptake))))
        except (KeyError, ArithmeticError, ValueError):
            raise InputErrors(
                [
                    InputError(
                        tr(
                            "tanzuji-uncertainty 扩展要求 u（及 value）为十进制数字符串",
                            "the tanzuji-uncertainty extension needs u (and value) as "
                            "decimal strings",
                        ),
                        path=f"{where}.extensions[{idx}].data.u",
                    )
                ]
            ) from None
        if u_ext < 0 or not math.isfinite(u_ext):
            raise InputErrors(
                [
                    InputError(
                        tr("u 应 ≥ 0", "u must be ≥ 0"), path=f"{where}.extensions[{idx}].data.u"
                    )
                ]
            )
        u = u_ext / amount * (total / v_ext if v_ext else 1.0)
        method = ext.get("method", "?")
        report = ext.get("report") or {}
        uncertainty = Uncertainty(
            standard=u,
            distribution="normal",
            basis=f"supplier's tanzuji-uncertainty extension: method {method}, "
            f"U = {ext.get('U')} (k = {ext.get('k')})"
            + (f", report {report.get('number')} sha256 {report.get('sha256')}" if report else ""),
        )
    else:
        h, why = _half_width(pf)
        uncertainty = Uncertainty(
            min=value * (1 - h),
            max=value * (1 + h),
            basis=f"Appendix C bounds ±{h:.0%} from the PACT data-quality ratings ({why}); "
            "no uncertainty given by the supplier",
        )
    ipcc = pcf.ipccCharacterizationFactors
    company = pf.companyName
    start_year = int(pcf.referencePeriodStart[:4])
    note = (
        f"PACT v3 footprint {pf.id}, status {pf.status}; products {', '.join(pf.productIds)}; "
        f"reference period {pcf.referencePeriodStart[:10]} … {pcf.referencePeriodEnd[:10]}; "
        f"declared unit {pcf.declaredUnitAmount} {pcf.declaredUnitOfMeasurement}; "
        f"primary data share {pcf.primaryDataShare or 'not given'} %; "
        f"GWP {', '.join(ipcc)}"
    )
    return EmissionFactor(
        id=f"pact.{_slug(pf.productIds[0].rsplit(':', 1)[-1])}.{pf.id[:8]}",
        name=LocalizedText.model_validate(f"{pf.productNameCompany} ({company})"),
        value=value,
        unit=f"kgCO2e/{unit}",
        gas="CO2e",
        scope=pcf.boundaryProcessesDescription,
        region=pcf.geographyCountry or pcf.geographyCountrySubdivision,
        year=start_year,
        factor_type=FactorType.SUPPLIER_PCF,
        source=Source(
            citation=f"PACT v3 ProductFootprint {pf.id} of {company}",
            publisher=company,
            url=origin,
            locator=f"id {pf.id}",
        ),
        uncertainty=uncertainty,
        verification="verified" if pcf.verification is not None else "unverified",
        note=note,
        tags=("supplier", "pact", *pf.productIds),
        gwp=ipcc[0] if len(ipcc) == 1 else None,
    )


def _items(doc: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            yield f"$[{i}]", item
    elif isinstance(doc, dict) and "data" in doc and "pcf" not in doc:
        data = doc["data"]
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield f"$.data[{i}]", item
        else:
            yield "$.data", data
    else:
        yield "$", doc


def read_footprints(paths: Iterable[Path]) -> list[tuple[Path, str, Any]]:
    """Every footprint object in the files (a footprint, a list, or a ``{"data": …}`` reply)."""
    found: list[tuple[Path, str, Any]] = []
    problems: list[InputError] = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for f in files:
            try:
                doc = json.loads(f.read_text(encoding="utf-8"))
            except OSError as exc:
                problems.append(
                    InputError(
                        tr(f"无法读取：{os_reason(exc)}", f"cannot read: {os_reason(exc)}"),
                        file=str(f),
                    )
                )
                continue
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                at = (
                    f"（第 {exc.lineno} 行第 {exc.colno} 列）"
                    if isinstance(exc, json.JSONDecodeError)
                    else "（不是 UTF-8 文本）"
                )
                problems.append(
                    InputError(tr(f"不是有效的 JSON{at}", f"not JSON: {exc}"), file=str(f))
                )
                continue
            found.extend((f, where, item) for where, item in _items(doc))
    if problems:
        raise InputErrors(problems)
    return found


def import_footprints(
    items: Iterable[tuple[Path | str, str, Any]], *, origin: str | None = None
) -> list[EmissionFactor]:
    """Factors for every footprint; every faulty one is reported with file and JSON path."""
    factors: list[EmissionFactor] = []
    problems: list[InputError] = []
    for source, where, item in items:
        try:
            factors.append(footprint_factor(item, where=where, origin=origin))
        except InputErrors as exc:
            problems.extend(e.with_location(file=str(source)) for e in exc.errors)
    if problems:
        raise InputErrors(problems)
    seen: dict[str, EmissionFactor] = {}
    for ef in factors:
        seen[ef.id] = ef
    return list(seen.values())


def library_document(factors: Iterable[EmissionFactor], library_id: str) -> dict[str, Any]:
    """A factor-library document (YAML/JSON-ready) holding the imported factors."""
    lib = LibraryFile(
        library=LibraryHeader(
            id=library_id,
            name=LocalizedText(
                zh="供应商产品碳足迹(PACT导入)", en="Supplier footprints (PACT import)"
            ),
        ),
        factors=tuple(factors),
    )
    return lib.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
