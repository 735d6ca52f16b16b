"""Mapping pydantic validation errors to one clear line each: file, field path, line, expectation.

>>> _path(["activities", 3, "quantity"])
'activities[3].quantity'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from tanzuji.errors import InputError, InputErrors
from tanzuji.jsonio.documents import Document
from tanzuji.model import ACTIVITY_KINDS
from tanzuji.model.derived import CALCULATION_MODELS

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
