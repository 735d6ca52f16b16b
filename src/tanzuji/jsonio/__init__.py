"""Reading studies and factor libraries from YAML/JSON, and writing results as JSON.

A study file of any type (YAML, JSON or an .xlsx record workbook) is read by
:func:`tanzuji.studyfiles.load_study`, which sits above this adapter and the xlsx one and
dispatches by file type; :func:`load_text_study` here reads the YAML/JSON ones.

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
>>> load_text_study(d / "s.yaml")
Traceback (most recent call last):
...
tanzuji.errors.InputErrors: 输入中有 1 个问题：
  - .../s.yaml: activities[0].quantity（第 6 行）: 应为 ≥ 0 的数（实际为 -1）
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from tanzuji.calculation import MeasurementModel
from tanzuji.errors import InputError, InputErrors, UnitError
from tanzuji.factors import FactorLibrary, LibraryFile
from tanzuji.fileio import resolve_inside
from tanzuji.i18n import tr
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
    "full_to_dict",
    "gc_paused",
    "library_dirs",
    "load_factor_library",
    "load_text_study",
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
                    tr(
                        "应为每单位活动数据的排放量，如 kgCO2e/kWh",
                        "expected an emission per unit of activity, such as kgCO2e/kWh",
                    ),
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
                    names = ["builtin", *builtins]
                    problems.append(
                        InputError(
                            tr(
                                "没有这个因子库文件或内置因子库；应为相对于研究文件的路径，"
                                f"或以下之一：{'、'.join(names)}",
                                "no such factor-library file or builtin library; expected a path "
                                f"relative to the study or one of {', '.join(names)}",
                            ),
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


StudyLoader = Callable[[Path], "LoadedStudy"]


@dataclass(frozen=True)
class LoadedStudy:
    """A validated study with the factor library it resolves against.

    ``loader`` is the function that read it (the file-type dispatcher of
    :mod:`tanzuji.studyfiles` when it came through there): component studies are read with
    it, so a YAML study may name a workbook component and the reverse.
    """

    study: Study
    factors: FactorLibrary
    path: Path
    document: Document
    loader: StudyLoader | None = field(default=None, compare=False, repr=False)

    def locate(self, exc: InputErrors) -> InputErrors:
        """Errors found after reading (compile, libraries) pointed at the file's lines.

        A workbook study overrides this to point at sheet, row and column.
        """
        return InputErrors(_locate(exc.errors, self.document))


def study_file(path: str | Path) -> Path:
    """The study file for ``path`` (a directory is searched for study.yaml/yml/json/xlsx)."""
    p = Path(path)
    if p.is_dir():
        for name in STUDY_NAMES:
            if (p / name).exists():
                return p / name
        raise InputError(
            tr(
                f"目录中没有研究文件；应为以下之一：{'、'.join(STUDY_NAMES)}",
                f"directory holds no study file; expected one of {', '.join(STUDY_NAMES)}",
            ),
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


def load_text_study(path: str | Path, load: StudyLoader | None = None) -> LoadedStudy:
    """Read, validate and resolve a YAML or JSON study file and its factor libraries.

    ``load`` reads component studies (default: this function, YAML/JSON only); the
    dispatcher :func:`tanzuji.studyfiles.load_study` passes itself.
    """
    p = study_file(path)
    loader: StudyLoader = load or load_text_study
    doc = read_document(p)
    study: Study = _validate(Study, doc)
    factors = resolve_libraries(study, p.parent, doc)
    if component_refs(study):  # component studies stand in as one factor each (see components)
        try:
            with loading(p.parent):
                extra = component_factors(study, p.parent, factors, loader)
        except InputErrors as exc:
            raise InputErrors(_locate(exc.errors, doc)) from None
        except InputError as exc:
            raise InputErrors(_locate([exc], doc)) from None
        factors = factors.overridden_by(FactorLibrary.from_factors(extra, id="components"))
    return LoadedStudy(study=study, factors=factors, path=p, document=doc, loader=loader)


def locate_errors(exc: InputErrors, loaded: LoadedStudy) -> InputErrors:
    """Attach the study file and YAML lines (or workbook cells) to errors found while compiling."""
    return loaded.locate(exc)


def compile_loaded(loaded: LoadedStudy) -> MeasurementModel:
    """The measurement model of a loaded study, its component studies spliced in."""
    return compile_with_components(loaded, loaded.loader or load_text_study)


def study_schema() -> dict[str, Any]:
    """The JSON Schema of the study file format."""
    schema = Study.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tanzuji study"
    return schema
