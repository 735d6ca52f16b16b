"""Mapping pydantic validation errors to one clear line each: file, field path, line, expectation.

>>> _path(["activities", 3, "quantity"])
'activities[3].quantity'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from tanzuji.errors import InputError, InputErrors
from tanzuji.i18n import tr
from tanzuji.jsonio.documents import Document
from tanzuji.model.validation import allowed_fields, clean_loc, error_message, error_path

# --------------------------------------------------------------------------- validation errors
# The messages live in tanzuji.model.validation (shared with the workbook reader); the
# underscore names stay for existing imports.

_path = error_path
_clean_loc = clean_loc
_allowed_fields = allowed_fields
_message = error_message


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
            path = _path(loc) or tr("（顶层）", "(top level)")
            if line is not None:
                path = with_line(path, line)
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
        if path and same_file and doc.has_lines and not has_line(path):
            loc = _parse_path(path)
            line = doc.line_of(loc)
            if line is not None:
                path = with_line(path, line)
        out.append(type(e)(e.message, path=path, file=e.location.file or str(doc.path), got=e.got))
    return out


def with_line(path: str, line: int) -> str:
    """A field path with the YAML line it sits on, in the user's language."""
    return tr(f"{path}（第 {line} 行）", f"{path} (line {line})")


def has_line(path: str) -> bool:
    """Whether :func:`with_line` already added a line (in either language)."""
    return "(line " in path or "（第 " in path


def _parse_path(path: str) -> list[str | int]:
    path = path.split(" (line ")[0].split("（第 ")[0]
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
