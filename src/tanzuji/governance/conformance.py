"""Instrument register checks: user category and required meter class (Table 3, Note 1),
class conformance (Table 3, Note 2), certificate validity over the whole evaluation period.

>>> from tanzuji.model import Study
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "site": {"transformer_kva": 315},
...     "instruments": [{"id": "EM", "name": "总表", "kind": "electricity_meter",
...         "accuracy_class": "2", "certificate": {"number": "C1", "date": "2024-06-01",
...         "valid_until": "2025-12-30"}}],
...     "activities": [{"stage": "use", "name": "u", "quantity": 1, "unit": "kWh",
...         "factor": "g"}]})
>>> [(f.code, f.path) for f in check_instruments(study)]
[('instrument.class_nonconforming', 'instruments[0].accuracy_class'),
 ('certificate.expired', 'instruments[0].certificate.valid_until')]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tanzuji.governance.findings import Finding
from tanzuji.metrology.classes import (
    REQUIRED_METER_CLASS,
    belt_scale_conforms,
    meter_class_conforms,
    meter_mpe,
    scale_class_conforms,
    user_category,
)
from tanzuji.metrology.instrument_u import instrument_mpe_rel
from tanzuji.model import Certificate, Instrument, InstrumentKind, Period, Study, UserCategory

__all__ = ["SiteCategory", "certificate_gaps", "check_instruments", "site_category"]

T3 = "§6.1 Table 3"
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class SiteCategory:
    """The site's user category: stated, derived from the figures, and the one applied."""

    category: UserCategory | None
    stated: UserCategory | None
    derived: UserCategory | None
    basis_en: str
    basis_zh: str

    @property
    def required_meter_class(self) -> str | None:
        """Table 3's required class, e.g. ``0.5S / C``."""
        return REQUIRED_METER_CLASS[self.category] if self.category else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "user_category": self.category.value if self.category else None,
            "stated": self.stated.value if self.stated else None,
            "derived": self.derived.value if self.derived else None,
            "basis": {"zh": self.basis_zh, "en": self.basis_en},
            "required_meter_class": self.required_meter_class,
        }


def site_category(study: Study) -> SiteCategory:
    """The user category applied to the study's electricity meters (stated wins)."""
    site = study.site
    if site is None:
        return SiteCategory(None, None, None, "no site given", "未给出现场信息")
    derived, en, zh = user_category(
        monthly_kwh=site.monthly_consumption_kwh,
        transformer_kva=site.transformer_kva,
        high_voltage_billing=site.high_voltage_billing,
        single_phase=site.single_phase,
    )
    if site.user_category is not None:
        return SiteCategory(site.user_category, site.user_category, derived, "stated", "声明")
    return SiteCategory(derived, None, derived, en, zh)


def certificate_gaps(certs: list[Certificate], period: Period) -> list[tuple[dt.date, dt.date]]:
    """Sub-periods of ``period`` that no certificate covers (missing dates count as open).

    >>> p = Period(start="2025-01-01", end="2025-12-31")
    >>> c = Certificate(number="A", date="2024-03-01", valid_until="2025-12-30")
    >>> certificate_gaps([c], p)
    [(datetime.date(2025, 12, 31), datetime.date(2025, 12, 31))]
    """
    spans = sorted((c.date or dt.date.min, c.valid_until or dt.date.max) for c in certs)
    gaps = []
    cursor = period.start  # first day not yet known to be covered
    for start, end in spans:
        if start > cursor:
            gap_end = min(start - _DAY, period.end)
            if cursor <= gap_end:
                gaps.append((cursor, gap_end))
        if end >= cursor:
            if end >= period.end:
                return gaps
            cursor = end + _DAY
        if cursor > period.end:
            return gaps
    gaps.append((cursor, period.end))
    return gaps


def _certificate_findings(j: int, inst: Instrument, period: Period) -> list[Finding]:
    path = f"instruments[{j}]"
    certs = [c for c in (inst.certificate, *inst.history) if c is not None]
    if not certs:
        return [
            Finding.error(
                "certificate.missing",
                "§6.1",
                f"计量器具 {inst.id} 无检定/校准证书",
                f"instrument {inst.id} has no verification/calibration certificate",
                f"{path}.certificate",
            )
        ]
    out = []
    if any(c.date is None or c.valid_until is None for c in certs):
        out.append(
            Finding.warning(
                "certificate.dates_missing",
                "§6.1",
                f"计量器具 {inst.id} 的证书缺少日期或有效期，无法核查有效性",
                f"a certificate of instrument {inst.id} lacks its date or valid-until date; "
                "its validity cannot be checked",
                f"{path}.certificate",
            )
        )
    for start, end in certificate_gaps(certs, period):
        span = start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"
        if end == period.end and start > period.start:
            code, sub = "certificate.expired", ".certificate.valid_until"
        elif start == period.start and end < period.end:
            code, sub = "certificate.not_yet_valid", ".certificate.date"
        elif start == period.start:
            code, sub = "certificate.not_covering", ".certificate"
        else:
            code, sub = "certificate.gap", ".history"
        out.append(
            Finding.error(
                code,
                "§6.1",
                f"计量器具 {inst.id} 在评价周期内 {span} 无有效检定/校准证书",
                f"instrument {inst.id} has no valid certificate on {span} within the "
                f"evaluation period {period.label}",
                path + sub,
            )
        )
    return out


def _class_findings(j: int, inst: Instrument, site: SiteCategory) -> list[Finding]:
    path = f"instruments[{j}]"
    kind, cls = inst.kind, inst.accuracy_class
    if kind not in (
        InstrumentKind.ELECTRICITY_METER,
        InstrumentKind.SCALE_NONAUTOMATIC,
        InstrumentKind.BELT_SCALE,
    ):
        return []
    if cls is None and not inst.components:
        return [
            Finding.warning(
                "instrument.class_missing",
                T3,
                f"计量器具 {inst.id} 未给出准确度等级，无法核查是否符合表 3",
                f"instrument {inst.id} has no accuracy class; conformance to Table 3 "
                "cannot be checked",
                f"{path}.accuracy_class",
            )
        ]
    try:
        if cls is None:
            return _synthesised(j, inst, site)
        if kind is InstrumentKind.ELECTRICITY_METER:
            if site.category is None:
                return []  # one study-level warning instead
            ok = meter_class_conforms(cls, site.category)
            need = f"{site.required_meter_class} (user category {site.category.value})"
            need_zh = f"{site.required_meter_class}（{site.category.value} 类用户）"
        elif kind is InstrumentKind.SCALE_NONAUTOMATIC:
            ok, need, need_zh = scale_class_conforms(cls), "class III or better", "Ⅲ 级或更优"
        else:
            ok, need, need_zh = belt_scale_conforms(cls), "class 0.5 or better", "0.5 级或更优"
    except ValueError as exc:
        return [
            Finding.warning(
                "instrument.class_unknown",
                T3,
                f"计量器具 {inst.id} 的准确度等级 {cls!r} 无法识别",
                f"instrument {inst.id}: {exc}",
                f"{path}.accuracy_class",
            )
        ]
    if ok:
        return []
    return [
        Finding.error(
            "instrument.class_nonconforming",
            T3,
            f"计量器具 {inst.id} 准确度等级 {cls} 不符合表 3 要求：{need_zh}",
            f"instrument {inst.id} has class {cls}; Table 3 requires {need}",
            f"{path}.accuracy_class",
        )
    ]


def _synthesised(j: int, inst: Instrument, site: SiteCategory) -> list[Finding]:
    """A chain without a system class: combine the components (Note 2) and compare MPEs."""
    mpe, how = instrument_mpe_rel(inst)
    path = f"instruments[{j}].components"
    need: float | None = None
    if inst.kind is InstrumentKind.ELECTRICITY_METER and site.category is not None:
        need = meter_mpe(site.required_meter_class.split(" / ")[0])  # type: ignore[union-attr]
    elif inst.kind is InstrumentKind.BELT_SCALE:
        need = 0.005
    out = [
        Finding.info(
            "instrument.class_synthesised",
            "§6.1 Table 3 Note 2",
            f"计量器具 {inst.id} 由部件误差合成：±{100 * mpe:.4g} %",
            f"instrument {inst.id}: system MPE synthesised from {how}: ±{100 * mpe:.4g} %",
            path,
        )
    ]
    if need is not None and mpe > need * (1 + 1e-12):
        out.append(
            Finding.error(
                "instrument.class_nonconforming",
                "§6.1 Table 3 Note 2",
                f"计量器具 {inst.id} 合成误差 ±{100 * mpe:.4g} % 超过表 3 要求 ±{100 * need:g} %",
                f"instrument {inst.id}: synthesised MPE ±{100 * mpe:.4g} % exceeds the "
                f"±{100 * need:g} % Table 3 requires",
                path,
            )
        )
    return out


def check_instruments(study: Study, site: SiteCategory | None = None) -> list[Finding]:
    """Class conformance and certificate coverage of every instrument in the register."""
    site = site or site_category(study)
    out: list[Finding] = []
    meters = [i for i in study.instruments if i.kind is InstrumentKind.ELECTRICITY_METER]
    if meters and site.category is None:
        out.append(
            Finding.warning(
                "site.category_unknown",
                "§6.1 Table 3 Note 1",
                "未给出用户类别或月用电量/变压器容量，无法核查电能表准确度等级",
                "the site's user category (or its monthly consumption / transformer "
                "capacity) is not given; electricity-meter classes cannot be checked",
                "site",
            )
        )
    if site.stated and site.derived and site.stated is not site.derived:
        out.append(
            Finding.warning(
                "site.category_mismatch",
                "§6.1 Table 3 Note 1",
                f"声明的用户类别 {site.stated.value} 与按用电量/容量推得的 "
                f"{site.derived.value} 不一致",
                f"stated user category {site.stated.value} differs from {site.derived.value} "
                "derived from the consumption / capacity",
                "site.user_category",
            )
        )
    for j, inst in enumerate(study.instruments):
        out.extend(_class_findings(j, inst, site))
        out.extend(_certificate_findings(j, inst, study.period))
    return out
