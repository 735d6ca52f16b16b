"""Reading studies and factor libraries from YAML/JSON, and writing results as JSON.

Every problem is reported with the file, the field path (``activities[3].quantity``),
the line where the YAML has one, and what was expected.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "s.yaml").write_text('''
... id: S
... product: {name: 表}
... period: 2025
... activities:
...   - {stage: use, name: 运行, quantity: -1, unit: kWh, factor: x}
... ''')
>>> load_study(d / "s.yaml")
Traceback (most recent call last):
...
tanzuji.errors.InputErrors: 1 problem in the input:
  - .../s.yaml: activities[0].quantity (line 6): expected a number ≥ 0 (got -1)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from tanzuji.calculation import FootprintResult, MeasurementModel, evaluate_jjf
from tanzuji.errors import InputError, InputErrors, UnitError
from tanzuji.factors import FactorLibrary, LibraryFile
from tanzuji.fileio import resolve_inside
from tanzuji.jsonio.components import (
    compile_with_components,
    component_factors,
    component_refs,
    loading,
)
from tanzuji.jsonio.documents import MAX_BYTES, Document, read_document
from tanzuji.jsonio.results import full_to_dict, monte_carlo_to_dict, result_to_dict
from tanzuji.jsonio.validation import (
    _clean_loc,
    _locate,
    _message,
    _parse_path,
    _path,
    _validate,
)
from tanzuji.model import Study
from tanzuji.units import EMISSION_UNIT, parse_unit

__all__ = [
    "MAX_BYTES",
    "STUDY_NAMES",
    "Document",
    "LoadedStudy",
    "_clean_loc",
    "_locate",
    "_message",
    "_parse_path",
    "_path",
    "_resolve_libraries",
    "builtin_libraries",
    "compile_loaded",
    "evaluate_file",
    "full_to_dict",
    "gc_paused",
    "library_dirs",
    "load_factor_library",
    "load_study",
    "locate_errors",
    "monte_carlo_to_dict",
    "read_document",
    "resolve_libraries",
    "result_to_dict",
    "study_file",
    "study_schema",
]

STUDY_NAMES = ("study.yaml", "study.yml", "study.json", "study.xlsx")


# --------------------------------------------------------------------------- factor libraries


def builtin_libraries() -> dict[str, Path]:
    """The factor libraries shipped with the package: id → file."""
    base = resources.files("tanzuji") / "data" / "factors"
    out: dict[str, Path] = {}
    if not base.is_dir():
        return out
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            path = Path(str(entry))
            out[read_library_id(path)] = path
    return out


def read_library_id(path: Path) -> str:
    """The ``library.id`` of a factor-library file."""
    return load_factor_library(path).id


def load_factor_library(path: str | Path) -> FactorLibrary:
    """Load and validate one factor-library file (units are checked too).

    Results are cached by resolved path, size and modification time (libraries are
    immutable), so a library used by many studies is parsed once per process.
    """
    p = Path(path)
    try:
        st = p.resolve().stat()
    except OSError:
        return _load_factor_library(p)
    return _cached_library(str(p.resolve()), st.st_size, st.st_mtime_ns, str(p))


@lru_cache(maxsize=64)
def _cached_library(resolved: str, size: int, mtime_ns: int, shown: str) -> FactorLibrary:
    return _load_factor_library(Path(shown))


def _load_factor_library(path: Path) -> FactorLibrary:
    doc = read_document(path)
    data: LibraryFile = _validate(LibraryFile, doc)
    problems = []
    for i, ef in enumerate(data.factors):
        try:
            parse_unit(ef.unit)
        except UnitError as exc:
            problems.append(exc.with_location(path=f"factors[{i}].unit"))
            continue
        if not _per_something(ef.unit):
            problems.append(
                UnitError(
                    "expected an emission per unit of activity, such as kgCO2e/kWh",
                    path=f"factors[{i}].unit",
                    got=ef.unit,
                )
            )
        if ef.uncertainty is not None and (msg := ef.uncertainty.check_bounds(ef.value)):
            problems.append(InputError(msg, path=f"factors[{i}].uncertainty"))
    if problems:
        raise InputErrors(_locate(problems, doc))
    try:
        return FactorLibrary.from_file(data)
    except InputError as exc:
        raise InputErrors([exc.with_location(file=str(doc.path))]) from None


def _per_something(unit: str) -> bool:
    dims = parse_unit(unit).dimensionality
    return bool(dims.get("[co2e]", 0) == 1 and dims != parse_unit(EMISSION_UNIT).dimensionality)


def library_dirs() -> tuple[Path, ...]:
    """The extra folders a study may take factor libraries and pictures from (settings)."""
    from tanzuji.config import load_config

    return load_config().library_dirs


def resolve_libraries(study: Study, base: Path, doc: Document) -> FactorLibrary:
    """The factor library a study resolves against: its ``factor_libraries`` (files
    relative to ``base`` or builtin ids; default every builtin library), layered."""
    builtins = builtin_libraries()
    refs = study.factor_libraries or ("builtin",)
    layers: list[FactorLibrary] = []
    problems: list[InputError] = []
    allowed: tuple[Path, ...] | None = None
    for i, ref in enumerate(refs):
        where = f"factor_libraries[{i}]"
        try:
            if ref == "builtin":
                layers.extend(load_factor_library(p) for p in builtins.values())
            elif ref in builtins:
                layers.append(load_factor_library(builtins[ref]))
            else:
                if allowed is None:
                    allowed = library_dirs()
                # the file policy: inside the study's folder or a configured library folder
                path = resolve_inside(ref, base, allowed, what="factor library")
                if not path.is_file():
                    known = ", ".join(["builtin", *builtins]) or "builtin"
                    problems.append(
                        InputError(
                            "no such factor-library file or builtin library; expected a path "
                            f"relative to the study or one of {known}",
                            path=where,
                            got=ref,
                        )
                    )
                    continue
                layers.append(load_factor_library(path))
        except InputErrors as exc:
            problems.extend(exc.errors)
        except InputError as exc:
            problems.append(exc.with_location(path=where))
    if problems:
        raise InputErrors(_locate(problems, doc))
    return FactorLibrary.layered(layers)


_resolve_libraries = resolve_libraries  # the former private name


# --------------------------------------------------------------------------- studies


@dataclass(frozen=True)
class LoadedStudy:
    """A validated study with the factor library it resolves against."""

    study: Study
    factors: FactorLibrary
    path: Path
    document: Document


def study_file(path: str | Path) -> Path:
    """The study file for ``path`` (a directory is searched for study.yaml/yml/json)."""
    p = Path(path)
    if p.is_dir():
        for name in STUDY_NAMES:
            if (p / name).exists():
                return p / name
        raise InputError(
            f"directory holds no study file; expected one of {', '.join(STUDY_NAMES)}",
            file=str(p),
        )
    return p


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a study is built (nesting is allowed).

    Reading a large study creates millions of objects that all stay alive; every full
    collection on the way walks all of them, which took 40 % of the time of a
    100,000-activity study. Reference counting still frees everything it can.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def load_study(path: str | Path) -> LoadedStudy:
    """Read, validate and resolve a study file (YAML, JSON or .xlsx) and its factor libraries."""
    with gc_paused():
        return _load_study(path)


def _load_study(path: str | Path) -> LoadedStudy:
    p = study_file(path)
    if p.suffix.lower() == ".xlsx":
        from tanzuji.xlsx import load_workbook_study

        return load_workbook_study(p)
    doc = read_document(p)
    study: Study = _validate(Study, doc)
    factors = resolve_libraries(study, p.parent, doc)
    if component_refs(study):  # component studies stand in as one factor each (see components)
        try:
            with loading(p.parent):
                extra = component_factors(study, p.parent, factors, load_study)
        except InputErrors as exc:
            raise InputErrors(_locate(exc.errors, doc)) from None
        except InputError as exc:
            raise InputErrors(_locate([exc], doc)) from None
        factors = factors.overridden_by(FactorLibrary.from_factors(extra, id="components"))
    return LoadedStudy(study=study, factors=factors, path=p, document=doc)


def locate_errors(exc: InputErrors, loaded: LoadedStudy) -> InputErrors:
    """Attach the study file and YAML lines (or workbook cells) to errors found while compiling."""
    if loaded.path.suffix.lower() == ".xlsx":
        from tanzuji.xlsx import locate_errors as locate_cells

        return locate_cells(exc, loaded)
    return InputErrors(_locate(exc.errors, loaded.document))


def compile_loaded(loaded: LoadedStudy) -> MeasurementModel:
    """The measurement model of a loaded study, its component studies spliced in."""
    return compile_with_components(loaded, load_study)


def evaluate_file(path: str | Path) -> tuple[LoadedStudy, FootprintResult]:
    """Load, compile and evaluate a study file by the specification's method.

    Errors found while compiling carry the study file and YAML lines.
    """
    with gc_paused():
        loaded = load_study(path)
        try:
            model = compile_loaded(loaded)
        except InputErrors as exc:
            raise locate_errors(exc, loaded) from None
        return loaded, evaluate_jjf(model)


def study_schema() -> dict[str, Any]:
    """The JSON Schema of the study file format."""
    schema = Study.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tanzuji study"
    return schema
