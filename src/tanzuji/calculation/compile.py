"""Compile a study into a measurement model: named inputs and a vectorised function.

Every emission term of the specification is a product of inputs times a unit-conversion
constant: M·EF (formulas (3), (5), (9), (15), (17)), M·D·T (formula (7)), or P·t·EF for the
use stage. The same model serves the specification's method, the full GUM and Monte Carlo.

>>> from tanzuji.model import EmissionFactor, Study
>>> from tanzuji.factors import FactorLibrary
>>> lib = FactorLibrary.from_factors([EmissionFactor(id="grid", name="电网", value=0.6205,
...     unit="kgCO2e/kWh", factor_type="national_database", source="MEE 2025")], id="t")
>>> study = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "activities": [{"id": "elec", "stage": "manufacturing", "name": "电",
...                     "quantity": 1.5, "unit": "MWh", "factor": "grid"}]})
>>> m = compile_study(study, lib)
>>> sorted(m.inputs)
['EF:grid', 'elec.quantity']
>>> round(float(m(**m.estimates())), 6)
930.75
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from tanzuji.calculation.measurement import MeasurementModel, ModelInput, Role, Term
from tanzuji.errors import InputError, InputErrors, UnitError
from tanzuji.factors import FactorLibrary
from tanzuji.i18n import tr
from tanzuji.metrology import DerivedU, NotDerivableError, derived_uncertainty
from tanzuji.model import (
    Activity,
    DataType,
    ElectricitySupply,
    Measured,
    Operation,
    Process,
    Stage,
    Study,
    Transport,
    Uncertainty,
)
from tanzuji.units import conversion_to_emission, parse_unit, to_unit

__all__ = ["MeasurementModel", "ModelInput", "Role", "Term", "compile_study"]


# --------------------------------------------------------------------------- compiling


SUPPLY_PART_LABELS = {"grid": "电网电量", "green_trading": "绿电交易电量", "onsite": "现场发电电量"}


SUPPLY_PART_LABELS_EN = {
    "grid": "grid",
    "green_trading": "green-power trading",
    "onsite": "on-site",
}


class _Builder:
    def __init__(self, study: Study, factors: FactorLibrary) -> None:
        self.study = study
        self.factors = factors
        self.inputs: dict[str, ModelInput] = {}
        self.terms: list[Term] = []
        self.groups: dict[str, tuple[str, Stage]] = {}
        self.labels_en: dict[str, str] = {}
        self.errors: list[InputError] = []
        self.uses: dict[str, list[str]] = {}
        """Shared input name → paths of the sites that use it."""
        self.failed: set[str] = set()

    # -- helpers ---------------------------------------------------------------

    def factor_input(self, factor_id: str, path: str) -> tuple[str, str] | None:
        try:
            ef = self.factors.get(factor_id, path=path)
        except InputError as exc:
            self.errors.append(exc)
            return None
        name = f"EF:{ef.id}"
        if name not in self.inputs:
            unc = ef.uncertainty
            if unc is not None and (msg := unc.check_bounds(ef.value)):
                self.errors.append(
                    InputError(tr(f"因子 {ef.id!r}：{msg}", f"factor {ef.id!r}: {msg}"), path=path)
                )
            try:
                parse_unit(ef.unit)
            except UnitError as exc:
                self.errors.append(
                    UnitError(
                        tr(f"因子 {ef.id!r} 的单位未知", f"factor {ef.id!r} has an unknown unit"),
                        path=path,
                        got=exc.got,
                    )
                )
                return None
            self.inputs[name] = ModelInput(
                name=name,
                label=ef.name.pick("zh"),
                role="factor",
                estimate=ef.value,
                u=ef.u,
                unit=ef.unit,
                path=f"factor {ef.id}",
                sampling=unc.sampling if unc else "normal",
                dof=unc.dof if unc and unc.dof else math.inf,
                factor=ef,
                uncertainty=unc,
            )
        return name, ef.unit

    def quantity_input(
        self,
        name: str,
        label: str,
        role: Role,
        value: float,
        unit: str,
        unc: Uncertainty | None,
        path: str,
        *,
        data_type: DataType | None,
        instrument: str | None = None,
        unit_path: str | None = None,
        expect: tuple[str, str] | None = None,
        source: object = None,
        ref: str | None = None,
    ) -> tuple[str, str] | None:
        """Add the input ``name`` (or, for a site with ``ref``, the shared input
        ``Q:<ref>``) and return its name and unit; ``None`` after an error."""
        if ref is not None:
            return self.shared_input(ref, role, path, data_type, expect)
        try:
            parse_unit(unit)
        except UnitError as exc:
            self.errors.append(exc.with_location(path=unit_path or f"{path}.unit"))
            return None
        if expect is not None:
            ref, what = expect
            if parse_unit(unit).dimensionality != parse_unit(ref).dimensionality:
                self.errors.append(
                    UnitError(
                        tr(f"应为{what}", f"expected {what}"),
                        path=unit_path or f"{path}.unit",
                        got=unit,
                    )
                )
                return None
        if unc is not None and (msg := unc.check_bounds(value)):
            self.errors.append(
                InputError(msg, path=f"{path.removesuffix('.quantity')}.uncertainty")
            )
        derived = self.derived_u(source, value, unit) if unc is None else None
        self.inputs[name] = ModelInput(
            name=name,
            label=label,
            role=role,
            estimate=value,
            u=unc.standard_for(value) if unc else derived.u if derived else 0.0,
            unit=unit,
            path=path,
            sampling=unc.sampling if unc else derived.sampling if derived else "normal",
            dof=unc.dof if unc and unc.dof else derived.dof if derived else math.inf,
            data_type=data_type,
            instrument=instrument,
            uncertainty=unc,
            u_source="explicit" if unc else derived.source if derived else None,
            u_basis=derived.basis_en if derived else None,
        )
        return name, unit

    def shared_input(
        self,
        ref: str,
        role: Role,
        site: str,
        data_type: DataType | None,
        expect: tuple[str, str] | None,
    ) -> tuple[str, str] | None:
        """The one input ``Q:<ref>`` of a shared quantity, created at its first use."""
        name = f"Q:{ref}"
        self.uses.setdefault(name, []).append(site)
        if name in self.inputs:
            inp = self.inputs[name]
            if inp.role != role:
                self.errors.append(
                    InputError(
                        tr(
                            f"共享量 {ref!r} 在此处与别处的用途不同（{role} / {inp.role}）",
                            f"shared quantity {ref!r} is used as {role} here and as {inp.role} "
                            "elsewhere",
                        ),
                        path=site,
                    )
                )
                return None
            return name, inp.unit
        if name in self.failed:
            return None
        j = next(i for i, q in enumerate(self.study.quantities) if q.id == ref)
        q = self.study.quantities[j]
        made = self.quantity_input(
            name,
            q.label("zh"),
            role,
            q.quantity,
            q.unit,
            q.uncertainty,
            f"quantities[{j}].quantity",
            data_type=q.data_type or data_type,
            instrument=q.instrument,
            unit_path=f"quantities[{j}].unit",
            expect=expect,
            source=q,
        )
        if made is None:
            self.failed.add(name)
        else:
            self.labels_en[name] = q.label("en")
        return made

    def corrections(
        self, site: object, path: str, data_type: DataType | None
    ) -> list[tuple[str, str]] | None:
        """The shared dimensionless inputs multiplying a site (``corrections: [id, …]``)."""
        out: list[tuple[str, str]] = []
        for k, ref in enumerate(getattr(site, "corrections", ())):
            where = f"{path}.corrections[{k}]"
            if ref not in {q.id for q in self.study.quantities}:
                ids = [q.id for q in self.study.quantities]
                self.errors.append(
                    InputError(
                        tr(
                            f"quantities 中没有 {ref!r}（已声明：{'、'.join(ids) or '无'}）",
                            f"no quantity {ref!r} in quantities (declared: "
                            f"{', '.join(ids) or 'none declared'})",
                        ),
                        path=where,
                        got=ref,
                    )
                )
                return None
            made = self.shared_input(
                ref, "activity", where, data_type, ("1", "a dimensionless unit")
            )
            if made is None:
                return None
            out.append(made)
        return out

    def correction_rel_u(self, site: object) -> float:
        """Relative standard uncertainty of a site's ``corrections`` (root-sum-square of
        u/estimate; for the metered-total consistency check, not a model input)."""
        declared = {q.id: q for q in self.study.quantities}
        rel2 = 0.0
        for ref in getattr(site, "corrections", ()):
            q = declared.get(ref)
            if q is not None and q.quantity:
                rel2 += (q.u / q.quantity) ** 2
        return math.sqrt(rel2)

    def derived_u(self, source: object, value: float, unit: str) -> DerivedU | None:
        """u from the quantity's instrument, calculation or allocation (tanzuji.governance)."""
        if source is None:
            return None
        register = {inst.id: inst for inst in self.study.instruments}
        try:
            return derived_uncertainty(source, value, unit, register)
        except NotDerivableError:
            return None  # reported by `tanzuji check`

    def add_term(
        self,
        group: str,
        label: str,
        stage: Stage,
        process: Process,
        names: Sequence[str],
        units: Sequence[str],
        path: str,
        what: str,
        share: float = 1.0,
    ) -> None:
        """A term Π inputs × unit conversion × ``share`` (the allocated fraction)."""
        try:
            constant = conversion_to_emission(units)
        except UnitError as exc:
            self.errors.append(UnitError(f"{what}{tr('：', ': ')}{exc.message}", path=path))
            return
        self.groups.setdefault(group, (label, stage))
        self.terms.append(
            Term(group, label, stage, process, constant * share, tuple(names), path, share)
        )

    # -- activity kinds ----------------------------------------------------------

    def flow(self, key: str, act: Activity, path: str) -> None:
        label = act.name.pick("zh")
        self.labels_en[key] = act.name.pick("en")
        share = 1.0
        if act.ref is not None and act.allocation is not None:
            # the shared quantity is the batch: one input, this product's share as constant
            share = act.allocation.per_unit_factor
        made = self.quantity_input(
            f"{key}.quantity",
            label,
            "activity",
            act.quantity,
            act.unit,
            act.uncertainty,
            f"{path}.quantity",
            data_type=act.data_type,
            instrument=act.instrument,
            unit_path=f"{path}.unit",
            source=act,
            ref=act.ref,
        )
        ef = self.factor_input(act.factor, f"{path}.factor")
        extra = self.corrections(act, path, act.data_type)
        if made and ef and extra is not None:
            assert act.process is not None
            self.add_term(
                key,
                label,
                act.stage,
                act.process,
                [made[0], ef[0], *(n for n, _ in extra)],
                [made[1], ef[1], *(u for _, u in extra)],
                f"{path}.unit",
                tr(
                    f"活动“{label}”（{made[1]}）不能与因子 {act.factor!r}（{ef[1]}）相乘",
                    f"activity {label!r} in {made[1]} cannot be multiplied by factor "
                    f"{act.factor!r} ({ef[1]})",
                ),
                share,
            )

    @staticmethod
    def share(act: Transport | ElectricitySupply | Operation) -> float:
        """The allocated fraction per functional unit (1 without allocation)."""
        return act.allocation.per_unit_factor if act.allocation is not None else 1.0

    def transport(self, key: str, leg: Transport, path: str) -> None:
        label = leg.name.pick("zh")
        self.labels_en[key] = leg.name.pick("en")
        assert leg.process is not None
        if leg.energy is not None:
            for j, use in enumerate(leg.energy):
                p = f"{path}.energy[{j}]"
                made = self.quantity_input(
                    f"{key}.energy[{j}]",
                    f"{label} · {use.carrier}",
                    "activity",
                    use.quantity,
                    use.unit,
                    use.uncertainty,
                    f"{p}.quantity",
                    data_type=use.data_type or leg.data_type,
                    instrument=use.instrument,
                    source=use,
                    unit_path=f"{p}.unit",
                    ref=use.ref,
                )
                ef = self.factor_input(use.factor, f"{p}.factor")
                extra = self.corrections(use, p, use.data_type or leg.data_type)
                if made and ef and extra is not None:
                    self.add_term(
                        key,
                        label,
                        leg.stage,
                        leg.process,
                        [made[0], ef[0], *(n for n, _ in extra)],
                        [made[1], ef[1], *(u for _, u in extra)],
                        f"{p}.unit",
                        tr(
                            f"“{label}”的 {use.carrier}（{use.unit}）不能与因子 "
                            f"{use.factor!r}（{ef[1]}）相乘",
                            f"{use.carrier} of {label!r} in {use.unit} cannot be multiplied by "
                            f"factor {use.factor!r} ({ef[1]})",
                        ),
                        self.share(leg),
                    )
            return
        assert leg.mass is not None and leg.distance is not None and leg.factor is not None
        self._measured_product(
            key,
            leg,
            path,
            (
                (
                    "mass",
                    "运输量",
                    "activity",
                    leg.mass,
                    ("kg", tr("质量单位，如 kg 或 t", "a mass unit such as kg or t")),
                ),
                (
                    "distance",
                    "距离",
                    "distance",
                    leg.distance,
                    ("km", tr("长度单位，如 km", "a length unit such as km")),
                ),
            ),
            leg.factor,
            tr("运输", "transport"),
        )

    def _measured_product(
        self,
        key: str,
        act: Transport | Operation,
        path: str,
        parts: tuple[
            tuple[str, str, Role, Measured, tuple[str, str]],
            tuple[str, str, Role, Measured, tuple[str, str]],
        ],
        factor_id: str,
        what: str,
    ) -> None:
        """A term a·b·factor of two measured quantities (M·D·T, P·t·EF)."""
        label = act.name.pick("zh")
        assert act.process is not None
        made = [
            self._measured(
                f"{key}.{field}",
                f"{label} · {suffix}",
                role,
                m,
                f"{path}.{field}",
                act.data_type,
                expect=expect,
            )
            for field, suffix, role, m, expect in parts
        ]
        ef = self.factor_input(factor_id, f"{path}.factor")
        a, b = made
        extra = [
            self.corrections(m, f"{path}.{field}", m.data_type or act.data_type)
            for field, _, _, m, _ in parts
        ]
        if a and b and ef and extra[0] is not None and extra[1] is not None:
            more = extra[0] + extra[1]
            self.add_term(
                key,
                label,
                act.stage,
                act.process,
                [a[0], b[0], ef[0], *(n for n, _ in more)],
                [a[1], b[1], ef[1], *(u for _, u in more)],
                f"{path}.factor",
                tr(
                    f"{what}“{label}”：{a[1]} × {b[1]} 不能与因子 {factor_id!r}（{ef[1]}）相乘",
                    f"{what} {label!r}: {a[1]} × {b[1]} cannot be multiplied by factor "
                    f"{factor_id!r} ({ef[1]})",
                ),
                self.share(act),
            )

    def _measured(
        self,
        name: str,
        label: str,
        role: Role,
        m: Measured,
        path: str,
        default_type: DataType,
        expect: tuple[str, str] | None = None,
    ) -> tuple[str, str] | None:
        return self.quantity_input(
            name,
            label,
            role,
            m.quantity,
            m.unit,
            m.uncertainty,
            path,
            data_type=m.data_type or default_type,
            instrument=m.instrument,
            unit_path=f"{path}.unit",
            expect=expect,
            source=m,
            ref=m.ref,
        )

    def electricity(self, key: str, sup: ElectricitySupply, path: str) -> None:
        label = sup.name.pick("zh")
        assert sup.process is not None
        part_labels = SUPPLY_PART_LABELS
        total_kwh = 0.0
        u2 = 0.0
        parts_ok = True
        for part_name in ("grid", "green_trading", "onsite"):
            part = getattr(sup, part_name)
            if part is None:
                continue
            p = f"{path}.{part_name}"
            plabel = f"{label} · {part_labels[part_name]}"
            self.labels_en[f"{key}/{part_name}"] = (
                f"{sup.name.pick('en')} · {SUPPLY_PART_LABELS_EN[part_name]}"
            )
            made = self.quantity_input(
                f"{key}.{part_name}",
                plabel,
                "activity",
                part.quantity,
                sup.unit,
                part.uncertainty,
                f"{p}.quantity",
                data_type=part.data_type or sup.data_type,
                instrument=part.instrument,
                unit_path=f"{path}.unit",
                source=part,
                expect=("kWh", tr("能量单位，如 kWh", "an energy unit such as kWh")),
                ref=part.ref,
            )
            ef = self.factor_input(part.factor, f"{p}.factor")
            parts_ok = parts_ok and made is not None
            extra = self.corrections(part, p, part.data_type or sup.data_type)
            if made:
                kwh = to_unit(part.quantity, sup.unit, "kWh")
                total_kwh += kwh
                u2 += to_unit(self.inputs[made[0]].u, made[1], "kWh") ** 2
                u2 += (kwh * self.correction_rel_u(part)) ** 2
            if made and ef and extra is not None:
                self.add_term(
                    f"{key}/{part_name}",
                    plabel,
                    sup.stage,
                    sup.process,
                    [made[0], ef[0], *(n for n, _ in extra)],
                    [made[1], ef[1], *(u for _, u in extra)],
                    f"{p}.factor",
                    tr(
                        f"{part_labels[part_name]}（{sup.unit}）不能与因子 {part.factor!r}"
                        f"（{ef[1]}）相乘",
                        f"{part_labels[part_name]} in {sup.unit} cannot be multiplied by factor "
                        f"{part.factor!r} ({ef[1]})",
                    ),
                    self.share(sup),
                )
        if sup.total is not None and parts_ok:
            try:
                metered = to_unit(sup.total.quantity, sup.total.unit, "kWh")
                u_total = math.hypot(
                    to_unit(sup.total.u, sup.total.unit, "kWh"),
                    metered * self.correction_rel_u(sup.total),
                )
            except UnitError:
                self.errors.append(
                    UnitError(
                        tr("应为能量单位，如 kWh", "expected an energy unit such as kWh"),
                        path=f"{path}.total.unit",
                        got=sup.total.unit,
                    )
                )
                return
            tol = 2.0 * math.sqrt(u_total**2 + u2) + 1e-9 * max(abs(metered), 1.0)
            if abs(total_kwh - metered) > tol:
                self.errors.append(
                    InputError(
                        tr(
                            f"电网 + 绿电交易 + 现场发电 = {total_kwh:g} kWh，与计量总电量 "
                            f"{metered:g} kWh 不符（允许差值 {tol:.3g} kWh，k = 2）",
                            f"grid + green_trading + onsite = {total_kwh:g} kWh does not match the "
                            f"metered total {metered:g} kWh (allowed difference {tol:.3g} kWh, "
                            "k = 2)",
                        ),
                        path=f"{path}.total.quantity",
                    )
                )

    def operation(self, key: str, op: Operation, path: str) -> None:
        self.labels_en[key] = op.name.pick("en")
        self._measured_product(
            key,
            op,
            path,
            (
                (
                    "power",
                    "功率",
                    "activity",
                    op.power,
                    ("W", tr("功率单位，如 W", "a power unit such as W")),
                ),
                (
                    "duration",
                    "运行时间",
                    "activity",
                    op.duration,
                    ("h", tr("时间单位，如 h 或 year", "a time unit such as h or year")),
                ),
            ),
            op.factor,
            tr("使用", "use"),
        )

    def build(self) -> MeasurementModel:
        study = self.study
        for i, act in enumerate(study.activities):
            path = f"activities[{i}]"
            key = study.activity_key(i)
            if act.stage not in study.boundary:
                inside_zh = "、".join(f"{s.zh}（{s.value}）" for s in study.boundary)
                inside = ", ".join(s.value for s in study.boundary)
                self.errors.append(
                    InputError(
                        tr(
                            f"阶段不在系统边界内；应为以下之一：{inside_zh}",
                            f"stage is outside the system boundary; expected one of {inside}",
                        ),
                        path=f"{path}.stage",
                        got=act.stage.value,
                    )
                )
                continue
            if isinstance(act, Activity):
                self.flow(key, act, path)
            elif isinstance(act, Transport):
                self.transport(key, act, path)
            elif isinstance(act, ElectricitySupply):
                self.electricity(key, act, path)
            else:
                self.operation(key, act, path)
        if self.errors:
            raise InputErrors(self.errors)
        for name, sites in self.uses.items():
            if name in self.inputs:
                self.inputs[name] = replace(self.inputs[name], used_by=tuple(sites))
        return MeasurementModel(
            study_id=study.id,
            boundary=study.boundary,
            inputs=dict(self.inputs),
            terms=tuple(self.terms),
            groups=dict(self.groups),
            labels_en=dict(self.labels_en),
        )


def compile_study(study: Study, factors: FactorLibrary) -> MeasurementModel:
    """Resolve factors and units and build the study's measurement model.

    Every problem found is collected; if there are any, one :class:`InputErrors` lists
    them all with their field paths. The study's own ``factors`` override ``factors``.
    """
    own = FactorLibrary.from_factors(study.factors, id=f"study:{study.id}")
    library = factors.overridden_by(own) if len(own) else factors
    return _Builder(study, library).build()
