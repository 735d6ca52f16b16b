"""Converting studies between workbook, YAML and JSON without loss; atomic writes.

Every conversion is checked: the written file is read back and must give the same study,
else nothing is written.

>>> from tanzuji.model import Study
>>> s = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
...     "activities": [{"stage": "use", "name": "运行", "quantity": 84.1, "unit": "kWh",
...                     "factor": "f", "uncertainty": {"relative": 0.01}}]})
>>> "period: 2025" in study_to_yaml(s).splitlines()
True
>>> "uncertainty: {relative: 0.01}" in study_to_yaml(s)
True
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from tanzuji.calculation import FootprintResult, compile_study, evaluate_jjf
from tanzuji.errors import InputError, TanzujiError
from tanzuji.factors import FactorLibrary
from tanzuji.fileio import write_atomic
from tanzuji.jsonio import LoadedStudy, load_text_study
from tanzuji.model import (
    DEFAULT_PROCESS,
    DEFAULT_TRANSPORT_PROCESS,
    Stage,
    Study,
    activity_kind,
)
from tanzuji.xlsx.reader import load_workbook_study, read_workbook
from tanzuji.xlsx.writer import build_workbook

__all__ = [
    "convert_study",
    "first_difference",
    "study_to_json",
    "study_to_yaml",
    "write_atomic",
    "write_study_workbook",
    "write_template",
]

WORKBOOK = (".xlsx",)
TEXT = (".yaml", ".yml", ".json")


# --------------------------------------------------------------------------- YAML / JSON


class _Dumper(yaml.SafeDumper):
    """Block style, with short mappings of scalars on one line (``{standard: 0.1}``)."""


def _enum(dumper: yaml.SafeDumper, value: Enum) -> yaml.Node:
    return dumper.represent_str(str(value.value))


def _tuple(dumper: yaml.SafeDumper, value: tuple[Any, ...]) -> yaml.Node:
    return dumper.represent_list(list(value))


def _dict(dumper: yaml.SafeDumper, value: dict[Any, Any]) -> yaml.Node:
    scalars = all(not isinstance(v, dict | list | tuple) for v in value.values())
    flow = (
        scalars
        and len(value) <= 6
        and len(repr(value)) <= 90
        and not any(isinstance(v, str) and "\n" in v for v in value.values())
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_multi_representer(Enum, _enum)
_Dumper.add_representer(tuple, _tuple)
_Dumper.add_representer(dict, _dict)
_Dumper.add_representer(str, _str)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v not in ((), [])}
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value]
    return value


def _short_name(value: Any) -> Any:
    """``{zh: 铜}`` → ``铜`` and ``{en: Copper}`` → ``Copper`` where that reads back the same."""
    if isinstance(value, dict) and len(value) == 1:
        ((lang, text),) = value.items()
        cjk = any("\u3400" <= ch <= "\u9fff" for ch in str(text))
        if (lang == "zh") == cjk:
            return text
    return value


def _simplify(act: dict[str, Any]) -> dict[str, Any]:
    """Leave out what the reader infers: the default process, an inferable kind."""
    out = dict(act)
    stage, kind = Stage(out["stage"]), out.get("kind")
    default = (DEFAULT_TRANSPORT_PROCESS if kind == "transport" else DEFAULT_PROCESS).get(stage)
    if default is not None and str(out.get("process")) == default.value:
        del out["process"]
    rest = {k: v for k, v in out.items() if k != "kind"}
    if kind is not None and activity_kind(rest) == str(kind):
        del out["kind"]
    out["name"] = _short_name(out.get("name"))
    return out


def _plain(study: Study, mode: str) -> dict[str, Any]:
    data: dict[str, Any] = _prune(study.model_dump(mode=mode, exclude_none=True))
    data["activities"] = [_simplify(a) for a in data["activities"]]
    for ef in data.get("factors", []):
        ef["name"] = _short_name(ef["name"])
        if isinstance(ef.get("source"), dict) and list(ef["source"]) == ["citation"]:
            ef["source"] = ef["source"]["citation"]
    p = study.period
    if (p.start.month, p.start.day, p.end.month, p.end.day) == (1, 1, 12, 31) and (
        p.start.year == p.end.year
    ):
        data["period"] = p.start.year
    return data


def study_to_yaml(study: Study, header: str | None = None) -> str:
    """A human-editable YAML study file (block style, model key order, unicode kept)."""
    text = yaml.dump(
        _plain(study, "python"),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return (f"# {header}\n" if header else "") + str(text)


def study_to_json(study: Study) -> str:
    """The study as JSON (indented, unicode kept)."""
    return json.dumps(_plain(study, "json"), ensure_ascii=False, indent=2) + "\n"


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The first path at which two dumped structures differ, or ``None``.

    >>> first_difference({"x": [1, {"y": 2}]}, {"x": [1, {"y": 3}]})
    'x[1].y'
    """
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            found = first_difference(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))
            if found is not None:
                return found
        return None
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return path or "(top level)"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    return None if a == b else (path or "(top level)")


def _check_same(study: Study, again: Study, target: Path) -> None:
    a, b = study.model_dump(mode="json"), again.model_dump(mode="json")
    if a != b:
        raise TanzujiError(
            f"{target}: the converted file would not reproduce the study exactly (first "
            f"difference at {first_difference(a, b)}); nothing was written"
        )


# --------------------------------------------------------------------------- workbooks


def evaluate_for_a8(
    study: Study, factors: FactorLibrary | None
) -> tuple[FootprintResult | None, str | None]:
    """The Table A.8 result, or why there is none."""
    if factors is None:
        return None, None
    try:
        return evaluate_jjf(compile_study(study, factors)), None
    except TanzujiError as exc:
        first = str(exc).splitlines()[-1].strip(" -")
        return None, f"未能评价，A.8 为空 / not evaluated, A.8 left empty: {first}"


def write_template(path: str | Path, lang: str = "zh") -> None:
    """Write the empty record workbook (Tables A.1–A.8, instructions, drop-down lists).

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> write_template(path, "en")
    >>> path.stat().st_size > 0
    True
    """
    p = _xlsx_target(path)
    wb = build_workbook(None, lang)
    write_atomic(p, lambda tmp: wb.save(tmp))


def write_study_workbook(
    study: Study, path: str | Path, lang: str = "zh", factors: FactorLibrary | None = None
) -> list[str]:
    """Write a study as a filled workbook with its A.8 results; returns warnings.

    >>> import pathlib, tempfile
    >>> from tanzuji.model import Study
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> s = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
    ...     "activities": [{"stage": "use", "name": "运行", "quantity": 84.1, "unit": "kWh",
    ...                     "factor": "f"}]})
    >>> write_study_workbook(s, d / "s.xlsx")   # no factor library given: A.8 stays empty
    []
    >>> read_workbook(d / "s.xlsx")[0] == s
    True
    """
    p = _xlsx_target(path)
    result, note = evaluate_for_a8(study, factors)
    wb = build_workbook(study, lang, result, note)

    def save(tmp: Path) -> None:
        wb.save(tmp)
        again, _ = read_workbook(tmp)
        _check_same(study, again, p)

    write_atomic(p, save)
    return [note] if note else []


def _xlsx_target(path: str | Path) -> Path:
    p = Path(path)
    if p.suffix.lower() not in WORKBOOK:
        raise InputError("expected an output file ending in .xlsx", file=str(p))
    return p


def _load(path: Path) -> LoadedStudy:
    if path.suffix.lower() in WORKBOOK:
        return load_workbook_study(path)
    return load_text_study(path)


def convert_study(source: str | Path, target: str | Path, lang: str = "zh") -> list[str]:
    """Convert ``source`` (.xlsx/.yaml/.yml/.json) into ``target``; returns warnings.

    >>> import pathlib, tempfile
    >>> from tanzuji.model import Study
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> s = Study.model_validate({"id": "S", "product": {"name": "表"}, "period": 2025,
    ...     "activities": [{"stage": "use", "name": "运行", "quantity": 84.1, "unit": "kWh",
    ...                     "factor": "f"}]})
    >>> _ = (d / "s.json").write_text(study_to_json(s), encoding="utf-8")
    >>> convert_study(d / "s.json", d / "s.xlsx")[0][:27]   # factor f is unknown: no A.8
    '未能评价，A.8 为空 / not evaluated'
    >>> convert_study(d / "s.xlsx", d / "back.yaml")
    []
    """
    src, dst = Path(source), Path(target)
    for p, role in ((src, "input"), (dst, "output")):
        if p.suffix.lower() not in WORKBOOK + TEXT:
            raise InputError(
                f"unsupported {role} file type; expected .xlsx, .yaml, .yml or .json", file=str(p)
            )
    if dst.exists() and src.exists() and dst.resolve() == src.resolve():
        raise InputError("input and output are the same file; expected two files", file=str(dst))
    loaded = _load(src)
    study = loaded.study
    if dst.suffix.lower() in WORKBOOK:
        return write_study_workbook(study, dst, lang, loaded.factors)
    if dst.suffix.lower() == ".json":
        text = study_to_json(study)
        again = Study.model_validate(json.loads(text))
    else:
        text = study_to_yaml(study, f"tanzuji study, converted from {src.name}")
        again = Study.model_validate(yaml.safe_load(text))
    _check_same(study, again, dst)

    def save(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    write_atomic(dst, save)
    return []
