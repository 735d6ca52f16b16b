"""Ingest: mapping + reading files + period → energy per meter, group and product line ± u,
with the cleaning findings, certificate findings and the billing-meter reconciliation.

The adapter's evaluation only; the use case around it (the new study, its evidence, the
store) is :mod:`tanzuji.services.metering`."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tanzuji.errors import InputError
from tanzuji.governance.conformance import certificate_gaps
from tanzuji.i18n import tr
from tanzuji.metering.budget import Aggregate, MeterEnergy, aggregate, meter_energy
from tanzuji.metering.clean import MeterFinding, MeterSummary, PeriodBounds, fmt_num
from tanzuji.metering.engine import Execution, Progress, summarize
from tanzuji.metering.mapping import Mapping, load_mapping
from tanzuji.metering.readers import canonical_unit, plan_pieces, reactive_meters
from tanzuji.metrology.instrument_u import NotDerivableError
from tanzuji.model.base import Period
from tanzuji.model.governance import Instrument

__all__ = ["Evidence", "IngestResult", "ingest", "period_bounds"]


@dataclass(frozen=True)
class Evidence:
    """A reading file, by content: its sha256 and size."""

    path: str
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


@dataclass
class IngestResult:
    """Everything one ingest produced."""

    mapping: Mapping
    period: Period
    register: dict[str, Instrument]
    summaries: list[MeterSummary]
    meters: list[MeterEnergy]
    groups: list[Aggregate]
    lines: list[Aggregate]
    findings: list[MeterFinding] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    mapping_evidence: Evidence | None = None

    def meter(self, meter_id: str) -> MeterEnergy:
        """The energy of one meter."""
        return next(m for m in self.meters if m.meter == meter_id)

    def group(self, group_id: str) -> Aggregate:
        """The energy of one group."""
        return next(g for g in self.groups if g.id == group_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``tanzuji meter ingest --json``, the evidence beside a study)."""

        def agg(a: Aggregate) -> dict[str, Any]:
            return {
                "id": a.id,
                "meters": list(a.meters),
                "energy": a.energy,
                "u": a.u,
                "u_systematic": a.u_systematic,
                "u_random": a.u_random,
                "unit": a.unit,
                "shared_calibrations": list(a.shared_calibrations),
            }

        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "timezone": self.mapping.timezone,
            "meters": [
                {
                    "meter": m.meter,
                    "instrument": m.instrument,
                    "unit": m.unit,
                    "energy": m.energy,
                    "measured": m.measured,
                    "filled": m.filled,
                    "u": m.u,
                    "u_systematic_meter": m.systematic.own,
                    "u_systematic_ct_pt": m.systematic.transformers,
                    "u_resolution": m.u_resolution,
                    "u_fill": m.u_fill,
                    "u_prorate": m.u_prorate,
                    "calibration": m.calibration,
                    "mpe_eff": m.mpe_eff,
                    "basis": {"en": m.basis_en, "zh": m.basis_zh},
                }
                for m in self.meters
            ],
            "groups": [agg(g) for g in self.groups],
            "lines": [agg(g) for g in self.lines],
            "findings": [
                {
                    "level": f.level,
                    "code": f.code,
                    "meter": f.meter,
                    "start": f.start,
                    "end": f.end,
                    "message": {"zh": f.zh, "en": f.en},
                }
                for f in self.findings
            ],
            "evidence": [e.to_dict() for e in self.evidence],
            "mapping": self.mapping_evidence.to_dict() if self.mapping_evidence else None,
        }


def period_bounds(period: Period, tz: str) -> PeriodBounds:
    """The period's [start, end) in ns UTC, the days taken in the mapping's zone.

    >>> b = period_bounds(Period.model_validate(2025), "Asia/Shanghai")
    >>> (b.end - b.start) // 3_600_000_000_000
    8760
    """
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return PeriodBounds(int(start.timestamp()) * 10**9, int(end.timestamp()) * 10**9, tz)


def sha256_file(path: Path) -> Evidence:
    """The content address of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return Evidence(str(path), h.hexdigest(), path.stat().st_size)


def ingest(
    mapping_path: Path,
    data: list[Path],
    period: Period,
    *,
    study_instruments: tuple[Instrument, ...] = (),
    execution: Execution | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Read, clean and evaluate the readings; see the module docstring."""
    execution = execution or Execution()
    if not data:
        raise InputError(tr("请至少给出一个读数文件", "give at least one reading file"))
    mapping = load_mapping(mapping_path, study_instruments)
    register = {i.id: i for i in study_instruments}
    register.update({i.id: i for i in mapping.instruments})
    bounds = period_bounds(period, mapping.timezone)
    pieces = plan_pieces(data, mapping)
    summaries = summarize(pieces, mapping, register, bounds, execution=execution, progress=progress)
    findings: list[MeterFinding] = []
    for m in reactive_meters(mapping):
        findings.append(
            MeterFinding(
                "warning",
                "meter.reactive_ignored",
                m.id,
                "",
                "",
                f"电能表 {m.id} 的单位 {mapping.meter_unit(m)} 为无功电能，已忽略",
                f"meter {m.id} reads reactive energy ({mapping.meter_unit(m)}); ignored",
            )
        )
    reactive = {m.id for m in reactive_meters(mapping)}
    seen = {s.meter for s in summaries}
    for m in mapping.meters:
        if m.id not in seen and m.id not in reactive:
            findings.append(
                MeterFinding(
                    "error",
                    "meter.no_readings",
                    m.id,
                    "",
                    "",
                    f"电能表 {m.id} 在读数文件中没有任何读数",
                    f"meter {m.id} has no readings in the files",
                )
            )
    energies: list[MeterEnergy] = []
    for s in summaries:
        findings.extend(s.findings)
        mm = mapping.meter(s.meter)
        inst = register[mm.instrument]
        unit = canonical_unit(mapping.meter_unit(mm))
        try:
            energies.append(meter_energy(s, inst, unit, calibration=mm.calibration))
        except NotDerivableError as exc:
            raise InputError(
                exc.en, file=str(mapping_path), path=f"instruments[{inst.id}]"
            ) from None
        findings.extend(_certificate(inst, mm.id, period))
    by_id = {e.meter: e for e in energies}
    groups = [
        aggregate(
            g.id,
            [by_id[m] for m in g.meters if m in by_id],
            _unit(g.meters, by_id, mapping_path, f"groups[{i}].meters"),
        )
        for i, g in enumerate(mapping.groups)
    ]
    lines: dict[str, list[MeterEnergy]] = {}
    for mm in mapping.meters:
        if mm.line and mm.id in by_id:
            lines.setdefault(mm.line, []).append(by_id[mm.id])
    line_aggs = [
        aggregate(k, v, _unit(tuple(x.meter for x in v), by_id, mapping_path, f"line {k}"))
        for k, v in lines.items()
    ]
    for mm in mapping.meters:
        if mm.reconcile and mm.id in by_id:
            findings.extend(
                _reconcile(by_id[mm.id], [by_id[x] for x in mm.reconcile if x in by_id])
            )
    return IngestResult(
        mapping=mapping,
        period=period,
        register=register,
        summaries=summaries,
        meters=energies,
        groups=groups,
        lines=line_aggs,
        findings=findings,
        evidence=[sha256_file(p) for p in _files(data)],
        mapping_evidence=sha256_file(mapping_path),
    )


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file()))
        else:
            out.append(p)
    return out


def _unit(meters: tuple[str, ...], by_id: dict[str, MeterEnergy], file: Path, path: str) -> str:
    """The one unit of meters that add up (kWh, Nm3, GJ …); meters of different carriers
    (units) cannot be summed."""
    units = sorted({by_id[m].unit for m in meters if m in by_id})
    if len(units) > 1:
        listed = ", ".join(f"{m} ({by_id[m].unit})" for m in meters if m in by_id)
        raise InputError(
            tr(
                f"单位不同的表不能相加：{listed}",
                f"meters in different units cannot be added up: {listed}",
            ),
            file=str(file),
            path=path,
        )
    return units[0] if units else "kWh"


def _certificate(inst: Instrument, meter: str, period: Period) -> list[MeterFinding]:
    certs = [c for c in (inst.certificate, *inst.history) if c is not None]
    if not certs:
        return [
            MeterFinding(
                "error",
                "certificate.missing",
                meter,
                "",
                "",
                f"电能表 {meter}（计量器具 {inst.id}）无检定/校准证书",
                f"meter {meter} (instrument {inst.id}) has no verification/calibration certificate",
            )
        ]
    out = []
    for a, b in certificate_gaps(certs, period):
        span = a.isoformat() if a == b else f"{a.isoformat()} – {b.isoformat()}"
        out.append(
            MeterFinding(
                "error",
                "certificate.not_covering",
                meter,
                a.isoformat(),
                b.isoformat(),
                f"电能表 {meter}（计量器具 {inst.id}）在 {span} 无有效检定/校准证书",
                f"meter {meter} (instrument {inst.id}) has no valid certificate on {span}",
            )
        )
    return out


def _reconcile(billing: MeterEnergy, subs: list[MeterEnergy]) -> list[MeterFinding]:
    from tanzuji.metering.budget import covariance

    total = aggregate("sub", subs)
    diff = billing.energy - total.energy
    var = billing.u**2 + total.u**2 - 2 * covariance([billing], subs)
    u = math.sqrt(max(var, 0.0))
    names = ", ".join(s.meter for s in subs)
    level: Literal["warning", "info"] = "warning" if abs(diff) > 2 * u else "info"
    verdict_zh = "超出" if level == "warning" else "未超出"
    verdict_en = "beyond" if level == "warning" else "within"
    big_u = fmt_num(float(f"{2 * u:.3g}"))
    return [
        MeterFinding(
            level,
            "reconcile.billing" if level == "warning" else "reconcile.billing_ok",
            billing.meter,
            "",
            "",
            f"结算表 {billing.meter} 电量 {fmt_num(billing.energy)} 与分表（{names}）之和 "
            f"{fmt_num(total.energy)} 相差 {diff:.4g}，{verdict_zh}合成扩展不确定度 "
            f"U = {big_u}（k = 2）",
            f"billing meter {billing.meter}: {fmt_num(billing.energy)} vs the sum of the "
            f"sub-meters ({names}) {fmt_num(total.energy)}: difference {diff:.4g}, {verdict_en} "
            f"the combined expanded uncertainty U = {big_u} (k = 2)",
        )
    ]
