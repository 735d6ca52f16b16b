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

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tanzuji.calculation import (
    FootprintResult,
    FullResult,
    MonteCarloStudy,
    compile_study,
    evaluate_jjf,
)
from tanzuji.errors import InputError, InputErrors, UnitError
from tanzuji.factors import FactorLibrary, LibraryFile
from tanzuji.model import ACTIVITY_KINDS, Stage, Study
from tanzuji.model.derived import CALCULATION_MODELS
from tanzuji.units import EMISSION_UNIT, parse_unit

__all__ = [
    "LoadedStudy",
    "builtin_libraries",
    "evaluate_file",
    "full_to_dict",
    "load_factor_library",
    "load_study",
    "monte_carlo_to_dict",
    "read_document",
    "result_to_dict",
    "study_schema",
]

MAX_BYTES = 20_000_000
STUDY_NAMES = ("study.yaml", "study.yml", "study.json", "study.xlsx")


# --------------------------------------------------------------------------- YAML with lines


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Safe loader (libyaml when available) that refuses duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Document:
    """A parsed YAML/JSON file with a way back from field paths to line numbers."""

    path: Path
    data: Any
    node: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The 1-based line of a field path, when the file is YAML."""
        node = self.node
        line = None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == part:
                        node, line = v, k.start_mark.line + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node = node.value[part]
                    line = node.start_mark.line + 1
                else:
                    return line
            else:
                return line
        return line


def read_document(path: str | Path) -> Document:
    """Read a YAML or JSON file; malformed content raises :class:`InputError` with its line."""
    p = Path(path)
    where = str(p)
    if not p.exists():
        raise InputError("file not found", file=where)
    if p.is_dir():
        raise InputError("is a directory; expected a YAML or JSON file", file=where)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"file too large ({size} bytes); expected at most {MAX_BYTES}", file=where)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}); expected YAML or JSON", file=where
        ) from None
    if p.suffix.lower() == ".json":
        try:
            return Document(p, json.loads(text), None)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=where
            ) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(f"malformed YAML{pos}: {exc.problem or exc.context}", file=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", file=where) from None
    return Document(p, data, node)


# --------------------------------------------------------------------------- validation errors


def _path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_loc(loc: Sequence[str | int]) -> list[str | int]:
    """Drop pydantic's union tags (``activities.3.flow.quantity`` → ``activities[3].quantity``)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if (
            isinstance(part, str)
            and i >= 2
            and loc[i - 2] == "activities"
            and part in ACTIVITY_KINDS
        ):
            continue
        if isinstance(part, str) and part.startswith(("function-", "tagged-union[")):
            continue
        if i >= 1 and loc[i - 1] == "calculated" and part in CALCULATION_MODELS:
            continue  # the calculation model's tag (docs/governance.md)
        out.append(part)
    return out


def _allowed_fields(model: type[BaseModel], loc: Sequence[str | int]) -> list[str] | None:
    """Field names of the model that owns the last part of ``loc`` (for 'unknown field')."""
    from tanzuji.model import Activity, ElectricitySupply, Operation, Transport

    kinds: dict[str, type[BaseModel]] = {
        "flow": Activity,
        "transport": Transport,
        "electricity": ElectricitySupply,
        "operation": Operation,
    }
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if part in kinds:
            current = kinds[part]
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return None


def _model_in(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


_MESSAGES = {
    "missing": "required field is missing",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "int_parsing": "expected an integer",
    "int_type": "expected an integer",
    "string_type": "expected text",
    "date_from_datetime_parsing": "expected a date such as 2025-01-01",
    "date_parsing": "expected a date such as 2025-01-01",
    "date_type": "expected a date such as 2025-01-01",
    "finite_number": "expected a finite number",
    "too_short": "expected at least one entry",
    "tuple_type": "expected a list",
    "model_type": "expected a mapping of fields",
    "dict_type": "expected a mapping of fields",
}


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, int | float) else str(x)


def _message(err: Any, model: type[BaseModel], loc: Sequence[str | int]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, loc)
        return "unknown field" + (f"; expected one of {', '.join(allowed)}" if allowed else "")
    if kind == "greater_than_equal":
        return f"expected a number ≥ {_num(ctx.get('ge'))}"
    if kind == "greater_than":
        return f"expected a number > {_num(ctx.get('gt'))}"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"expected one of {expected}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        return "expected an id made of letters, digits and . _ : - (no spaces)"
    if kind == "string_too_short":
        return "expected a non-empty text"
    if kind == "union_tag_invalid":
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        what = str(ctx.get("discriminator", "kind")).strip("'")
        return f"expected {what} to be one of {expected}"
    return _MESSAGES.get(kind, str(err["msg"]))


def _validate(model: type[Any], doc: Document) -> Any:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        errors = exc.errors()
        for err in errors:
            loc = _clean_loc(err["loc"])
            if err["type"] == "too_short" and any(
                len(o["loc"]) > len(err["loc"]) and o["loc"][: len(err["loc"])] == err["loc"]
                for o in errors
            ):
                continue  # an entry failed; "too short" would only repeat that
            line = doc.line_of(loc)
            path = _path(loc) or "(top level)"
            if line is not None:
                path += f" (line {line})"
            got = err.get("input", None)
            kwargs: dict[str, Any] = {}
            if err["type"] not in ("missing",) and not isinstance(got, dict | list):
                kwargs["got"] = got
            problems.append(
                InputError(
                    _message(err, model, err["loc"]), path=path, file=str(doc.path), **kwargs
                )
            )
        raise InputErrors(problems) from None


def _locate(errors: Iterable[InputError], doc: Document) -> list[InputError]:
    """Add the file and YAML line to errors found after validation (paths only)."""
    out = []
    for e in errors:
        path = e.location.path
        same_file = e.location.file in (None, str(doc.path))
        if path and same_file and doc.node is not None and "(line" not in path:
            loc = _parse_path(path)
            line = doc.line_of(loc)
            if line is not None:
                path = f"{path} (line {line})"
        out.append(type(e)(e.message, path=path, file=e.location.file or str(doc.path), got=e.got))
    return out


def _parse_path(path: str) -> list[str | int]:
    out: list[str | int] = []
    for chunk in path.split("."):
        name, _, rest = chunk.partition("[")
        if name:
            out.append(name)
        while rest:
            idx, _, rest = rest.partition("]")
            if idx.isdigit():
                out.append(int(idx))
            rest = rest.removeprefix("[")
    return out


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


def _resolve_libraries(study: Study, base: Path, doc: Document) -> FactorLibrary:
    builtins = builtin_libraries()
    refs = study.factor_libraries or ("builtin",)
    layers: list[FactorLibrary] = []
    problems: list[InputError] = []
    for i, ref in enumerate(refs):
        try:
            if ref == "builtin":
                layers.extend(load_factor_library(p) for p in builtins.values())
            elif ref in builtins:
                layers.append(load_factor_library(builtins[ref]))
            else:
                path = (base / ref).resolve()
                if not path.exists():
                    known = ", ".join(["builtin", *builtins]) or "builtin"
                    problems.append(
                        InputError(
                            "no such factor-library file or builtin library; expected a path "
                            f"relative to the study or one of {known}",
                            path=f"factor_libraries[{i}]",
                            got=ref,
                        )
                    )
                    continue
                layers.append(load_factor_library(path))
        except InputErrors as exc:
            problems.extend(exc.errors)
        except InputError as exc:
            problems.append(exc)
    if problems:
        raise InputErrors(_locate(problems, doc))
    return FactorLibrary.layered(layers)


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


def load_study(path: str | Path) -> LoadedStudy:
    """Read, validate and resolve a study file (YAML, JSON or .xlsx) and its factor libraries."""
    p = study_file(path)
    if p.suffix.lower() == ".xlsx":
        from tanzuji.xlsx import load_workbook_study

        return load_workbook_study(p)
    doc = read_document(p)
    study: Study = _validate(Study, doc)
    factors = _resolve_libraries(study, p.parent, doc)
    return LoadedStudy(study=study, factors=factors, path=p, document=doc)


def locate_errors(exc: InputErrors, loaded: LoadedStudy) -> InputErrors:
    """Attach the study file and YAML lines (or workbook cells) to errors found while compiling."""
    if loaded.path.suffix.lower() == ".xlsx":
        from tanzuji.xlsx import locate_errors as locate_cells

        return locate_cells(exc, loaded)
    return InputErrors(_locate(exc.errors, loaded.document))


def evaluate_file(path: str | Path) -> tuple[LoadedStudy, FootprintResult]:
    """Load, compile and evaluate a study file by the specification's method.

    Errors found while compiling carry the study file and YAML lines.
    """
    loaded = load_study(path)
    try:
        model = compile_study(loaded.study, loaded.factors)
    except InputErrors as exc:
        raise locate_errors(exc, loaded) from None
    return loaded, evaluate_jjf(model)


def study_schema() -> dict[str, Any]:
    """The JSON Schema of the study file format."""
    schema = Study.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tanzuji study"
    return schema


# --------------------------------------------------------------------------- results


def result_to_dict(
    result: FootprintResult, study: Study, factors: FactorLibrary | None = None
) -> dict[str, Any]:
    """The stable JSON contract of ``tanzuji evaluate --json`` (numbers unrounded, kgCO2e).

    With the study's ``factors``, ``data_quality`` (primary-data share and grade
    distributions, overall and per stage; see docs/governance.md) is added.
    """
    stages: dict[str, Any] = {}
    for stage in Stage:
        r = result.stages[stage]
        stages[stage.value] = None if r is None else {"value": r.value, "u": r.u}
    t = result.total
    return {
        "study_id": result.study_id,
        "product": study.product.model_dump(mode="json"),
        "unit": EMISSION_UNIT,
        "method": result.method,
        "stages": stages,
        "total": {"value": t.value, "u": t.u, "k": t.k, "U": t.U, "U_rel_percent": t.U_rel_percent},
        "contributions": [
            {
                "activity": c.activity,
                "id": c.key,
                "stage": c.stage.value,
                "value": c.value,
                "share": c.share,
                "u": c.u,
            }
            for c in result.contributions
        ],
    } | (_data_quality(study, factors) if factors is not None else {})


def _data_quality(study: Study, factors: FactorLibrary) -> dict[str, Any]:
    from tanzuji.calculation import compile_study
    from tanzuji.governance import data_quality

    return {"data_quality": data_quality(compile_study(study, factors)).to_dict()}


def full_to_dict(full: FullResult) -> dict[str, Any]:
    """The ``"full"`` section: the full GUM evaluation (all inputs, shared factors correlated)."""
    t = full.total
    return {
        "method": "gum",
        "p": t.p,
        "stages": {
            s.value: (None if r is None else {"value": r.value, "u": r.u})
            for s, r in full.stages.items()
        },
        "stage_order": [s.value for s in full.stage_order],
        "stage_correlation": [list(row) for row in full.stage_correlation],
        "total": {
            "value": t.value,
            "u": t.u,
            "dof": _finite(t.dof),
            "k": t.k,
            "U": t.U,
            "U_rel_percent": t.U_rel_percent,
            "interval": list(t.interval),
            "U_k2": t.U_k2,
        },
        "u_rss_stages": full.u_rss_stages,
        "budget": [
            {
                "input": b.name,
                "label": b.label,
                "role": b.role,
                "estimate": b.estimate,
                "unit": b.unit,
                "u": b.u,
                "sensitivity": b.sensitivity,
                "contribution": b.contribution,
                "share": b.share,
                "dof": _finite(b.dof),
            }
            for b in full.budget
        ],
    }


def monte_carlo_to_dict(mc: MonteCarloStudy) -> dict[str, Any]:
    """The ``"monte_carlo"`` section: adaptive Monte Carlo and the GUM validation."""
    r, v = mc.result, mc.validation
    counts, edges = r.histogram
    return {
        "method": "monte_carlo",
        "p": mc.p,
        "ndig": mc.ndig,
        "trials": r.trials,
        "runs": r.runs,
        "converged": r.converged,
        "seed": r.seed,
        "value": r.value,
        "u": r.u,
        "interval": list(r.interval),
        "symmetric_interval": list(r.symmetric_interval),
        "histogram": {"counts": [int(c) for c in counts], "edges": [float(e) for e in edges]},
        "validation": {
            "d_low": v.d_low,
            "d_high": v.d_high,
            "delta": v.delta,
            "validated": v.validated,
            "gum_interval": list(v.gum_interval),
        },
    }


def _finite(x: float) -> float | None:
    """JSON has no infinity: infinite degrees of freedom are written as null."""
    return x if x == x and abs(x) != float("inf") else None
