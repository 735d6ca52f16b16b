"""Study files of every type: YAML, JSON and the .xlsx record workbook, by file type.

This module sits above both file adapters (:mod:`tanzuji.jsonio` reads YAML/JSON,
:mod:`tanzuji.xlsx` reads workbooks on top of jsonio's documents) and below the use cases
and shells, so neither adapter imports the other to dispatch. Every caller that reads "a
study file the user named" goes through :func:`load_study` or :func:`evaluate_file`.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> load_study(d)
Traceback (most recent call last):
...
tanzuji.errors.InputError: ...: 目录中没有研究文件；应为以下之一：study.yaml、...
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tanzuji.calculation import FootprintResult, evaluate_jjf
from tanzuji.errors import InputErrors
from tanzuji.jsonio import (
    STUDY_NAMES,
    LoadedStudy,
    compile_loaded,
    gc_paused,
    load_text_study,
    locate_errors,
    study_file,
)

__all__ = [
    "STUDY_NAMES",
    "WORKBOOK_SUFFIXES",
    "LoadedStudy",
    "compile_loaded",
    "evaluate_file",
    "load_study",
    "locate_errors",
    "study_file",
]

WORKBOOK_SUFFIXES = (".xlsx",)


def load_study(path: str | Path) -> LoadedStudy:
    """Read, validate and resolve a study file (YAML, JSON or .xlsx) and its factor libraries.

    A directory is searched for ``study.yaml/yml/json/xlsx``. Component studies are read
    with this function too, so each may be of either type.
    """
    with gc_paused():  # a large study: no full collections over its millions of objects
        return _load_study(path)


def _load_study(path: str | Path) -> LoadedStudy:
    p = study_file(path)
    if p.suffix.lower() in WORKBOOK_SUFFIXES:
        # lazy for start-up, not a cycle: openpyxl is imported only when a workbook is read,
        # so `evaluate study.yaml` stays light (tests/cli/test_cli_startup.py)
        from tanzuji.xlsx import load_workbook_study

        return replace(load_workbook_study(p), loader=load_study)
    return load_text_study(p, load=load_study)


def evaluate_file(path: str | Path) -> tuple[LoadedStudy, FootprintResult]:
    """Load, compile and evaluate a study file by the specification's method.

    Errors found while compiling carry the study file and YAML lines (or workbook cells).
    """
    with gc_paused():
        loaded = load_study(path)
        try:
            model = compile_loaded(loaded)
        except InputErrors as exc:
            raise locate_errors(exc, loaded) from None
        return loaded, evaluate_jjf(model)
