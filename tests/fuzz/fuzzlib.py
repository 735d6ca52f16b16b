"""Mutation fuzzing of studies and workbooks: seeds, mutators and the outcome of one case.

A case is a study (YAML or JSON text) or a workbook (cells changed in a bundled .xlsx). It is
loaded, compiled and evaluated exactly as ``tanzuji evaluate --json`` does. Outcomes:

- ``ok``: evaluated, and the JSON result holds finite numbers only;
- ``rejected``: a :class:`~tanzuji.errors.TanzujiError` whose every line names the file (and,
  for a study's fields, the field path) — a clean rejection;
- ``nonfinite``: evaluated, but the JSON would hold NaN or Infinity;
- ``crash``: any other exception (or a TanzujiError that does not name the file);
- ``hang`` / ``killed``: counted by the campaign's parent (wall-clock limit, signals).
"""

from __future__ import annotations

import copy
import functools
import io
import json
import math
import random
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/study.yaml"))
WORKBOOKS = sorted((ROOT / "examples").glob("*/study.xlsx"))

SMALL_SEEDS = [
    """id: S1
product: {name: 表, annual_output: {quantity: 1000, unit: 台}}
period: 2025
activities:
  - {stage: raw_materials, name: 铜, quantity: 0.35, unit: 千克, factor: material.pc.ice2,
     uncertainty: {relative: 0.05}}
  - {stage: manufacturing, name: 用电, quantity: 1.2, unit: 度,
     factor: cn.electricity.footprint.2023, uncertainty: {expanded: 0.1, k: 2}}
  - {stage: use, name: 使用, quantity: 30, unit: kWh, factor: cn.electricity.footprint.2023,
     uncertainty: {min: 25, max: 35}}
""",
    """id: S2
product: {name: x}
period: {start: 2025-03-01}
activities:
  - {stage: raw_materials, name: m, factor: material.pc.ice2,
     calculated: {model: readings, values: [1.0, 1.2, 1.1], unit: kg}}
  - {stage: manufacturing, name: e, unit: kWh,
     total: {quantity: 100, unit: kWh, uncertainty: {standard: 1}},
     grid: {quantity: 100, factor: cn.electricity.footprint.2023}}
""",
]

HOSTILE: list[Any] = [
    0,
    -1,
    1e308,
    -1e308,
    1e30,
    1e31,
    float("inf"),
    float("nan"),
    10**400,
    "1e400",
    "",
    " ",
    "x" * 5000,
    "[/x]",
    "%s %d %(x)s",
    "{0}",
    "kg**9**9**9",
    "kg/0",
    "kg**0",
    "lightyear",
    "度",
    "m2",
    "../../../../etc/passwd",
    "/dev/zero",
    None,
    True,
    [],
    {},
    [[[[[[[[[[1]]]]]]]]]],
    {"a": {"b": {"c": 1}}},
    "2025年",
    "0x_",
    "\x00",
    "\u202e",
    1e-320,
    -0.0,
    2**63,
]


@functools.lru_cache(maxsize=1)
def _seeds() -> tuple[tuple[str, str], ...]:
    out = [(".yaml", s) for s in SMALL_SEEDS]
    out += [(".yaml", p.read_text(encoding="utf-8")) for p in EXAMPLES]
    for _, text in out:  # parse every seed once (a forked worker inherits the trees)
        _tree(text)
    return tuple(out)


def seeds() -> list[tuple[str, str]]:
    """(suffix, text) of every seed study."""
    return list(_seeds())


#: The harness's own YAML reading and writing use libyaml (the inputs are its own).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_TREES: dict[str, Any] = {}


def _tree(text: str) -> Any:
    """The parsed tree of a seed (cached) or of a mutated text (None if it does not parse)."""
    if text in _TREES:
        return copy.deepcopy(_TREES[text])
    try:
        tree = yaml.load(text, Loader=_LOADER)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        tree = None
    if len(_TREES) < 64:
        _TREES[text] = tree
    return copy.deepcopy(tree)


# --------------------------------------------------------------------------- mutators


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += _paths(v, (*prefix, i))
    return out


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        tree = tree[p]
    return tree


def _mutate_tree(tree: Any, rng: random.Random) -> Any:
    tree = copy.deepcopy(tree)
    paths = [p for p in _paths(tree) if p]
    if not paths:
        return rng.choice(HOSTILE)
    path = rng.choice(paths)
    parent = _get(tree, path[:-1])
    key = path[-1]
    action = rng.random()
    if action < 0.55:
        parent[key] = rng.choice(HOSTILE)
    elif action < 0.65:
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
    elif action < 0.75 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif action < 0.85 and isinstance(parent, dict):
        parent[rng.choice(["extra", "unit", "uncertainty", "factor", "stage", "k", "dof"])] = (
            rng.choice(HOSTILE)
        )
    else:
        value = parent[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            parent[key] = value * rng.choice([1e10, 1e100, -1, 1e-300, 0])
        elif isinstance(value, str):
            parent[key] = value * rng.choice([0, 2, 100])
        else:
            parent[key] = rng.choice(HOSTILE)
    return tree


def _mutate_text(text: str, rng: random.Random) -> str:
    if not text:
        return text
    action = rng.random()
    i = rng.randrange(len(text))
    if action < 0.3:
        return text[:i]
    if action < 0.6:
        return (
            text[:i]
            + rng.choice(["[", "{", "&a ", "*a", "!!binary ", ":", "- ", "\t", '"'])
            + text[i:]
        )
    if action < 0.8:
        j = min(len(text), i + rng.randrange(1, 40))
        return text[:i] + text[j:]
    return text[:i] + chr(rng.randrange(32, 0x3000)) + text[i + 1 :]


def mutate(suffix: str, text: str, rng: random.Random) -> tuple[str, str]:
    """One mutated study: a field-level change (most cases) or a text-level one."""
    if rng.random() < 0.75:
        tree = _tree(text)
        if isinstance(tree, dict):
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                tree = _mutate_tree(tree, rng)
            if rng.random() < 0.3:
                try:
                    return ".json", json.dumps(tree, ensure_ascii=False, default=str)
                except (ValueError, TypeError):
                    pass
            try:
                return ".yaml", yaml.dump(tree, Dumper=_DUMPER, allow_unicode=True, width=10**6)
            except (yaml.YAMLError, ValueError, TypeError, RecursionError):
                return suffix, text
    return suffix, _mutate_text(text, rng)


# --------------------------------------------------------------------------- outcomes


def classify_error(exc: BaseException, file: Path) -> str:
    """``rejected`` for one of tanzuji's errors that names the file; else ``crash``."""
    from tanzuji.errors import InputErrors, TanzujiError

    if not isinstance(exc, TanzujiError):
        return "crash"
    lines = [str(e) for e in exc.errors] if isinstance(exc, InputErrors) else [str(exc)]
    if not lines or any(str(file) not in line and file.name not in line for line in lines):
        return "crash"
    return "rejected"


def finite_json(data: Any) -> bool:
    """Whether ``data`` serialises as strict JSON (no NaN, no Infinity)."""
    try:
        json.dumps(data, allow_nan=False)
    except ValueError:
        return False
    return True


def evaluate_case(path: Path) -> tuple[str, str]:
    """Evaluate one study file as ``evaluate --json`` and ``check --json`` do: (outcome, detail)."""
    from tanzuji.jsonio import result_to_dict
    from tanzuji.studyfiles import evaluate_file

    try:
        loaded, result = evaluate_file(path)
        data = result_to_dict(result, loaded.study)
    except Exception as exc:  # the harness counts every kind of failure
        outcome = classify_error(exc, path)
        return outcome, f"{type(exc).__name__}: {str(exc)[:300]}"
    if not finite_json(data):
        return "nonfinite", "NaN or Infinity in the JSON result"
    from tanzuji.cli.checkview import check_file, report_json

    try:  # check --json of the same study
        loaded, report = check_file(path)
        checked = report_json(loaded, report)
    except Exception as exc:  # the harness counts every kind of failure
        return classify_error(exc, path), f"check: {type(exc).__name__}: {str(exc)[:300]}"
    if not finite_json(checked):
        return "nonfinite", "NaN or Infinity in the check JSON"
    if not math.isfinite(result.total.value):  # pragma: no cover
        return "nonfinite", "non-finite total"
    return "ok", ""


def study_case(folder: Path, rng: random.Random, seed_list: list[tuple[str, str]]) -> Path:
    """Write one mutated study into ``folder`` and return its path."""
    suffix, text = rng.choice(seed_list)
    for _ in range(rng.choice([1, 1, 2])):
        suffix, text = mutate(suffix, text, rng)
    path = folder / f"study{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def workbook_case(folder: Path, rng: random.Random, template: bytes | Any) -> Path:
    """A bundled workbook with a few cells replaced by hostile values.

    ``template`` is the workbook's bytes, or an already loaded openpyxl workbook that this
    call changes (the campaign loads it once; every forked worker changes its own copy).
    """
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template)) if isinstance(template, bytes) else template
    for _ in range(rng.choice([1, 2, 3])):
        ws = rng.choice(wb.worksheets)
        if ws.max_row < 2:
            continue
        row = rng.randrange(1, ws.max_row + 1)
        col = rng.randrange(1, max(2, ws.max_column) + 1)
        value = rng.choice(HOSTILE)
        if isinstance(value, list | dict) or value is None:
            value = str(value)
        if isinstance(value, int) and abs(value) > 2**53:
            value = str(value)[:60]
        if isinstance(value, str):
            value = value.replace("\x00", "")
        cell = ws.cell(row=row, column=col)
        if type(cell).__name__ == "MergedCell":
            continue
        try:
            cell.value = value
        except (ValueError, TypeError):
            cell.value = str(value)[:100]
    path = folder / "study.xlsx"
    wb.save(path)
    return path
