"""Component studies: a BOM line whose factor is ``component:<folder>`` is another study.

A part made in the same group (e.g. the PCBA plant's own evaluation) enters the parent with
its full measurement model, not as a single number: the component's terms are spliced into the
parent's model under the BOM line, scaled by the line's quantity (pieces of the component).
Factor inputs are named by factor id (``EF:<id>``) in every model, so a factor used at both
levels (one grid factor) stays ONE input: the full GUM and Monte Carlo keep the correlation,
exactly like the shared quantities of one study. The component's own activity data and shared
quantities are renamed ``component:<folder>/<name>`` so they stay distinct.

* ``<folder>`` is a directory inside the parent study's folder holding a study file (the file
  policy: nothing outside the study's folder is read); it is resolved, so a link back up the
  tree is caught as a cycle, an error naming the loop.
* A component enters as cradle-to-gate: its boundary may hold raw materials, manufacturing and
  distribution only; all of it is counted in the stage of the parent's BOM line.
* The same factor id must mean the same factor in both studies (value and uncertainty).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

from tanzuji.calculation import MeasurementModel, ModelInput, Term, compile_study, evaluate_full
from tanzuji.errors import InputError, InputErrors
from tanzuji.factors import FactorLibrary
from tanzuji.fileio import resolve_inside
from tanzuji.i18n import tr
from tanzuji.model import EmissionFactor, Stage, Study, Uncertainty

__all__ = [
    "COMPONENT_PREFIX",
    "compile_with_components",
    "component_factors",
    "component_refs",
    "loading",
]

COMPONENT_PREFIX = "component:"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_GATE = (Stage.RAW_MATERIALS, Stage.MANUFACTURING, Stage.DISTRIBUTION)


class _Loaded(Protocol):
    @property
    def study(self) -> Study: ...
    @property
    def factors(self) -> FactorLibrary: ...
    @property
    def path(self) -> Path: ...


_LOADING: ContextVar[tuple[Path, ...]] = ContextVar("tanzuji_components_loading", default=())


@contextmanager
def loading(folder: Path) -> Iterator[None]:
    """Mark ``folder`` as being loaded; loading it again inside is a cycle (an error)."""
    here = folder.resolve()
    stack = _LOADING.get()
    if here in stack:
        loop = [p.name for p in stack[stack.index(here) :]] + [here.name]
        raise InputError(
            tr("组件研究构成循环：", "component studies form a cycle: ") + " → ".join(loop)
        )
    token = _LOADING.set((*stack, here))
    try:
        yield
    finally:
        _LOADING.reset(token)


def component_factors(
    study: Study, base: Path, factors: FactorLibrary, load: Callable[[Path], _Loaded]
) -> list[EmissionFactor]:
    """One factor per ``component:<folder>`` reference: the component's total and its full
    GUM u per piece. Code that compiles the study on its own (data quality, checks) sees the
    component as this one factor; :func:`compile_with_components` splices the whole model.
    """
    out: list[EmissionFactor] = []
    problems: list[InputError] = []
    for ref, uses in component_refs(study).items():
        where = f"activities[{uses[0]}].factor"
        try:
            folder = _folder_of(base, ref, where)
            comp = load(folder)
            model = compile_with_components(comp, load)
            full = evaluate_full(model)
        except InputErrors as exc:
            problems.extend(e.with_location(path=where) for e in exc.errors)
            continue
        except InputError as exc:
            problems.append(exc.with_location(path=where))
            continue
        out.append(
            EmissionFactor(
                id=ref,
                name=f"component {comp.study.id}",
                value=max(full.total.value, 0.0),
                unit="kgCO2e/piece",
                factor_type="measured",
                source=f"component study {comp.study.id}",
                uncertainty=Uncertainty(standard=full.total.u),
                note="stands in for the component study where it is not spliced in",
            )
        )
    if problems:
        raise InputErrors(problems)
    return out


def component_refs(study: Study) -> dict[str, list[int]]:
    """``component:<folder>`` references → indices of the activities using them."""
    refs: dict[str, list[int]] = {}
    for i, act in enumerate(study.activities):
        ref = getattr(act, "factor", None)
        if isinstance(ref, str) and ref.startswith(COMPONENT_PREFIX):
            refs.setdefault(ref, []).append(i)
    return refs


def _folder(loaded: _Loaded, ref: str, path: str) -> Path:
    return _folder_of(loaded.path.parent, ref, path)


def _folder_of(parent: Path, ref: str, path: str) -> Path:
    name = ref[len(COMPONENT_PREFIX) :]
    base = parent.resolve()
    if not _NAME.match(name) or ".." in name:
        raise InputError(
            tr(
                "应为 component:<文件夹>，即研究文件所在文件夹内的一个文件夹名",
                "expected component:<folder>, a folder name inside the study's folder",
            ),
            path=path,
            got=ref,
        )
    try:
        folder = resolve_inside(name, base, what="component study folder")  # the file policy
    except InputError as exc:
        raise exc.with_location(path=path) from None
    if not folder.is_dir():
        raise InputError(
            tr(
                f"研究文件旁没有组件研究文件夹 {name!r}",
                f"no component study folder {name!r} beside the study",
            ),
            path=path,
        )
    return folder


def compile_with_components(
    loaded: _Loaded,
    load: Callable[[Path], _Loaded],
    _stack: tuple[Path, ...] = (),
) -> MeasurementModel:
    """The study's measurement model with every component study spliced in (recursively)."""
    refs = component_refs(loaded.study)
    if not refs:
        return compile_study(loaded.study, loaded.factors)
    here = loaded.path.parent.resolve()
    stack = (*_stack, here)
    components: dict[str, MeasurementModel] = {}
    placeholders: list[EmissionFactor] = []
    problems: list[InputError] = []
    for ref, uses in refs.items():
        where = f"activities[{uses[0]}].factor"
        try:
            folder = _folder(loaded, ref, where)
            if folder in stack:
                loop = [p.name for p in stack[stack.index(folder) :]] + [folder.name]
                raise InputError(
                    tr("组件研究构成循环：", "component studies form a cycle: ") + " → ".join(loop),
                    path=where,
                    got=ref,
                )
            comp = load(folder)
            outside = [s.value for s in comp.study.boundary if s not in _GATE]
            if outside:
                raise InputError(
                    tr(
                        f"组件 {ref!r} 按“摇篮到大门”计入，但其系统边界包含 {'、'.join(outside)}",
                        f"component {ref!r} enters as cradle-to-gate, but its boundary holds "
                        f"{', '.join(outside)}",
                    ),
                    path=where,
                )
            model = compile_with_components(comp, load, stack)
        except InputErrors as exc:
            problems.extend(e.with_location(path=where) for e in exc.errors)
            continue
        except InputError as exc:
            problems.append(exc)
            continue
        total = float(model.evaluate({})["total"])
        if total < 0:
            problems.append(
                InputError(
                    tr(f"组件 {ref!r} 的碳足迹为负", f"component {ref!r} has a negative footprint"),
                    path=where,
                )
            )
            continue
        components[ref] = model
        placeholders.append(
            EmissionFactor(
                id=ref.replace("/", "."),
                name=f"component {comp.study.id}",
                value=total,
                unit="kgCO2e/piece",
                factor_type="measured",
                source=f"component study {comp.study.id} ({comp.path})",
            )
        )
    if problems:
        raise InputErrors(problems)
    lib = loaded.factors.overridden_by(FactorLibrary.from_factors(placeholders, id="components"))
    parent = compile_study(loaded.study, lib)
    return _splice(parent, components)


def _same(a: ModelInput, b: ModelInput) -> bool:
    return a.estimate == b.estimate and a.u == b.u and a.unit == b.unit


def _splice(parent: MeasurementModel, components: dict[str, MeasurementModel]) -> MeasurementModel:
    inputs = dict(parent.inputs)
    terms: list[Term] = []
    problems: list[InputError] = []
    renamed: dict[str, dict[str, str]] = {}
    for ref, comp in components.items():
        names: dict[str, str] = {}
        for name, inp in comp.inputs.items():
            new = name if name.startswith("EF:") else f"{ref}/{name}"
            names[name] = new
            moved = dataclasses.replace(
                inp, name=new, path=inp.path if new == name else f"{ref}/{inp.path}"
            )
            if new in inputs and new != f"EF:{ref}":
                if not _same(inputs[new], moved):
                    problems.append(
                        InputError(
                            tr(
                                f"因子 {name[3:]!r} 在本研究与组件 {ref!r} 中不一致；"
                                "同一因子 id 必须指同一个因子",
                                f"factor {name[3:]!r} differs between the study and component "
                                f"{ref!r}; one factor id must mean one factor",
                            ),
                            path=f"{ref}/{inp.path}",
                        )
                    )
                continue
            inputs[new] = moved
        renamed[ref] = names
    if problems:
        raise InputErrors(problems)
    for term in parent.terms:
        ph = next((i for i in term.inputs if i.startswith(f"EF:{COMPONENT_PREFIX}")), None)
        if ph is None:
            terms.append(term)
            continue
        ref = ph[3:]
        rest = tuple(i for i in term.inputs if i != ph)
        for ct in components[ref].terms:
            terms.append(
                Term(
                    group=term.group,
                    label=term.label,
                    stage=term.stage,
                    process=term.process,
                    constant=term.constant * ct.constant,
                    inputs=rest + tuple(renamed[ref][i] for i in ct.inputs),
                    path=term.path,
                )
            )
    for ref in components:
        inputs.pop(f"EF:{ref}", None)
    return dataclasses.replace(parent, inputs=inputs, terms=tuple(terms))
