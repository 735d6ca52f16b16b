"""Several suppliers' footprints of one product type side by side, with U, and every pair that
is not comparable flagged (different rule, boundary, GWP basis, grid factor year, period).

>>> a = {"id": "a", "companyName": "A", "productNameCompany": "m", "pcf": {
...     "pcfExcludingBiogenicUptake": "10", "ipccCharacterizationFactors": ["AR5"],
...     "referencePeriodStart": "2025-01-01T00:00:00Z",
...     "referencePeriodEnd": "2026-01-01T00:00:00Z"}}
>>> b = {**a, "id": "b", "pcf": {**a["pcf"], "ipccCharacterizationFactors": ["AR6"]}}
>>> [(p.first, p.second, p.reasons_en) for p in compare_footprints([a, b]).pairs]
[(0, 1, ('GWP basis differs (AR5 / AR6)', 'no uncertainty given (a, b)'))]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tanzuji.pact.extension import find_extension

__all__ = ["Comparison", "Entry", "Pair", "compare_footprints"]


@dataclass(frozen=True)
class Entry:
    """One footprint's comparable facts."""

    id: str
    company: str
    product: str
    value: float
    U: float | None
    k: float | None
    method: str | None
    rules: tuple[str, ...]
    boundary: tuple[str, ...]
    gwp: tuple[str, ...]
    grid_years: tuple[int, ...]
    period: tuple[str, str]


@dataclass(frozen=True)
class Pair:
    """Two entries (indices) that are not comparable, and why (zh and en)."""

    first: int
    second: int
    reasons_zh: tuple[str, ...]
    reasons_en: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """The entries and the pairs that must not be compared as they are."""

    entries: tuple[Entry, ...]
    pairs: tuple[Pair, ...]


def _entry(pf: Mapping[str, Any]) -> Entry:
    pcf = pf.get("pcf", {})
    found = find_extension(pf.get("extensions"))
    ext = found[1] if found else {}
    rules = tuple(
        sorted(n for r in pcf.get("productOrSectorSpecificRules") or () for n in r["ruleNames"])
    )
    grid = tuple(sorted({int(g["year"]) for g in ext.get("gridFactors", ()) if g.get("year")}))
    boundary = tuple(ext.get("boundary", ())) or (
        (pcf["boundaryProcessesDescription"],) if pcf.get("boundaryProcessesDescription") else ()
    )
    return Entry(
        id=str(pf.get("id")),
        company=str(pf.get("companyName")),
        product=str(pf.get("productNameCompany")),
        value=float(Decimal(pcf["pcfExcludingBiogenicUptake"])),
        U=float(Decimal(ext["U"])) if "U" in ext else None,
        k=float(Decimal(ext["k"])) if "k" in ext else None,
        method=ext.get("method"),
        rules=rules,
        boundary=boundary,
        gwp=tuple(sorted(pcf.get("ipccCharacterizationFactors") or ())),
        grid_years=grid,
        period=(pcf["referencePeriodStart"][:10], pcf["referencePeriodEnd"][:10]),
    )


def _why(a: Entry, b: Entry) -> tuple[list[str], list[str]]:
    zh: list[str] = []
    en: list[str] = []

    def differ(name_zh: str, name_en: str, x: Any, y: Any) -> None:
        if x != y:
            zh.append(f"{name_zh}不同（{_show(x)} / {_show(y)}）")
            en.append(f"{name_en} differs ({_show(x)} / {_show(y)})")

    differ("产品规则", "product rule", a.rules, b.rules)
    if a.boundary != b.boundary:
        zh.append(f"系统边界不同（{_stages(a.boundary, 'zh')} / {_stages(b.boundary, 'zh')}）")
        en.append(f"boundary differs ({_stages(a.boundary, 'en')} / {_stages(b.boundary, 'en')})")
    differ("GWP 依据", "GWP basis", a.gwp, b.gwp)
    differ("电力因子年份", "grid factor year", a.grid_years, b.grid_years)
    differ("参考期", "reference period", a.period, b.period)
    missing = [e.id for e in (a, b) if e.U is None]
    if missing:
        zh.append(f"未给出不确定度（{', '.join(missing)}）")
        en.append(f"no uncertainty given ({', '.join(missing)})")
    return zh, en


def _stages(values: tuple[str, ...], lang: str) -> str:
    """Life-cycle stages by their names (a stage key never reaches the user)."""
    from tanzuji.model import Stage

    out = []
    for v in values:
        try:
            stage = Stage(v)
        except ValueError:
            out.append(v)
            continue
        out.append(stage.zh if lang == "zh" else stage.en)
    return "+".join(out) or "—"


def _show(x: Any) -> str:
    if isinstance(x, tuple):
        return "+".join(str(v) for v in x) or "—"
    return str(x)


def compare_footprints(footprints: Sequence[Mapping[str, Any]]) -> Comparison:
    """Entries for every footprint and the non-comparable pairs."""
    entries = tuple(_entry(pf) for pf in footprints)
    pairs = []
    for i, a in enumerate(entries):
        for j in range(i + 1, len(entries)):
            zh, en = _why(a, entries[j])
            if en:
                pairs.append(Pair(i, j, tuple(zh), tuple(en)))
    return Comparison(entries, tuple(pairs))
