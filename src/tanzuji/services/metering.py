"""Use case: metered energy into a study (``tanzuji meter ingest``; later the web).

The adapter :mod:`tanzuji.metering` reads, cleans and evaluates the readings
(:func:`tanzuji.metering.ingest`); this use case checks the request, loads the input study
(its instrument register is used for the meters), writes the NEW study with the metered
activities, keeps the readings beside it as evidence (``evidence/<sha256>.<ext>``) with the
whole ingest in ``<new study>.metering.json``, and, when asked, saves the new study as a
store revision with every evidence file as a content-addressed blob. The input study is
never edited.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tanzuji.errors import InputError
from tanzuji.i18n import tr
from tanzuji.metering import Execution, IngestResult, ingest
from tanzuji.metering.engine import Progress
from tanzuji.model.base import Period

__all__ = [
    "MeteredStudy",
    "ingest_example",
    "ingest_readings",
    "parse_period",
    "save_metered",
    "sidecar_of",
]


@dataclass(frozen=True)
class MeteredStudy:
    """What one ingest did: the evaluation and, with a study, the new files."""

    result: IngestResult
    out: Path | None = None
    sidecar: Path | None = None
    notes: list[str] = field(default_factory=list)


def parse_period(text: str) -> Period:
    """``2025``, ``2025-01-01/2025-12-31`` (or ``..``) or a start date as a period."""
    from pydantic import ValidationError

    value: Any = text
    if text.isdigit():
        value = int(text)
    elif "/" in text or ".." in text:
        a, b = text.replace("..", "/").split("/", 1)
        value = {"start": a.strip(), "end": b.strip()}
    else:
        value = {"start": text}
    try:
        return Period.model_validate(value)
    except ValidationError as exc:
        from tanzuji.model.validation import error_message

        err = exc.errors()[0]
        why = error_message(err, Period, err["loc"])
        raise InputError(
            tr(
                f"--period：{why}；应为 2025 或 2025-01-01/2025-12-31",
                f"--period: {why}; expected 2025 or 2025-01-01/2025-12-31",
            ),
            got=text,
        ) from None


def sidecar_of(out: Path) -> Path:
    """The ingest record beside a new study: ``<stem>.metering.json``."""
    return out.with_name(out.stem + ".metering.json")


def _check_request(study: Path | None, out: Path | None, force: bool) -> None:
    if (study is None) != (out is None):
        raise InputError(tr("--study 与 --out 须同时给出", "give --study together with --out"))
    if out is None or study is None:
        return
    if out.exists() and not force:
        raise InputError(
            tr(
                "输出文件已存在（用 --force 覆盖）", "the output exists (use --force to replace it)"
            ),
            file=str(out),
        )
    if study.resolve() == out.resolve():
        raise InputError(
            tr("--out 不能是输入的研究文件", "--out must not be the input study"), file=str(out)
        )
    if not out.parent.is_dir():
        raise InputError(
            tr("--out 所在目录不存在", "the directory of --out does not exist"),
            file=str(out.parent),
        )


def ingest_readings(
    mapping: Path,
    data: list[Path],
    period: Period,
    *,
    study: Path | None = None,
    out: Path | None = None,
    force: bool = False,
    execution: Execution | None = None,
    progress: Progress | None = None,
) -> MeteredStudy:
    """Evaluate the readings; with ``study`` and ``out``, write the new study and evidence."""
    _check_request(study, out, force)
    loaded = None
    instruments: tuple[Any, ...] = ()
    if study is not None:
        from tanzuji.studyfiles import load_study

        loaded = load_study(study)
        instruments = loaded.study.instruments
    result = ingest(
        mapping,
        data,
        period,
        study_instruments=instruments,
        execution=execution,
        progress=progress,
    )
    if loaded is None or out is None:
        return MeteredStudy(result)
    notes = write_metered_study(loaded, result, out)
    return MeteredStudy(result, out, sidecar_of(out), notes)


def write_metered_study(loaded: Any, result: IngestResult, out: Path) -> list[str]:
    """Write the new study ``out`` (validated), its evidence and ingest record; the notes."""
    import yaml

    from tanzuji.fileio import write_atomic
    from tanzuji.metering.tostudy import check_factor_units, keep_evidence, study_with_metering
    from tanzuji.model import Study

    check_factor_units(result, loaded.factors)

    out_dir = out.parent
    sidecar = sidecar_of(out)
    data = dict(loaded.document.data)
    libs = data.get("factor_libraries")
    if isinstance(libs, list):
        data["factor_libraries"] = [
            _library_beside(loaded.path.parent, lib, out_dir) for lib in libs
        ]
    new, notes = study_with_metering(data, result, sidecar.name)
    try:
        Study.model_validate(new)
    except Exception as exc:
        raise InputError(
            tr(f"生成的研究文件无效：{exc}", f"the new study is not valid: {exc}"), file=str(out)
        ) from None
    kept = keep_evidence(result, out_dir)
    payload = result.to_dict()
    payload["evidence"] = [e.to_dict() for e in kept[: len(result.evidence)]]
    payload["mapping"] = kept[-1].to_dict() if result.mapping_evidence else None
    payload["study"] = {"input": str(loaded.path), "notes": notes}
    write_atomic(sidecar, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    header = (
        f"# Written by `tanzuji meter ingest` from {loaded.path.name}; metered evidence in "
        f"{sidecar.name} and {out_dir.name or '.'}/evidence/.\n"
    )
    write_atomic(out, header + yaml.safe_dump(new, allow_unicode=True, sort_keys=False, width=100))
    return notes


def _library_beside(base: Path, lib: Any, out_dir: Path) -> Any:
    """A factor-library file of the input study, reachable from the new study: the same
    file when it is inside the new study's folder, else a copy in ``factor-libraries/``
    (a study may only name libraries inside its own folder)."""
    import hashlib
    import shutil

    if not isinstance(lib, str) or not (base / lib).is_file():
        return lib  # builtin ids and the like
    src = (base / lib).resolve()
    folder = out_dir.resolve()
    if folder in src.parents:
        return os.path.relpath(src, folder)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()[:12]
    dest = folder / "factor-libraries" / f"{digest}-{src.name}"
    if not dest.exists():
        dest.parent.mkdir(exist_ok=True)
        shutil.copyfile(src, dest)
    return f"factor-libraries/{dest.name}"


def ingest_example(example: Path, out_dir: Path) -> tuple[Path, IngestResult] | None:
    """An example directory with ``metering/mapping.yaml``: its readings ingested into
    ``out_dir/<name>-metered/study.yaml`` (the example is not edited); None without one."""
    from tanzuji.studyfiles import load_study

    mapping = example / "metering" / "mapping.yaml"
    if not mapping.is_file():
        return None
    data = sorted(p for p in mapping.parent.glob("readings*") if p.is_file())
    loaded = load_study(example)
    result = ingest(mapping, data, loaded.study.period, study_instruments=loaded.study.instruments)
    target = out_dir / f"{example.name}-metered"
    target.mkdir(exist_ok=True)
    write_metered_study(loaded, result, target / "study.yaml")
    return target, result


def save_metered(uow_factory: Any, actor: Any, out: Path) -> tuple[Any, int]:
    """Save the new study as a revision (evaluated) and every evidence file (the ingest
    record, the mapping, the readings) as a content-addressed blob; (save result, files).

    ``uow_factory(write)`` returns a :class:`tanzuji.store.UnitOfWork`.
    """
    from tanzuji.services.save import save_study

    res = save_study(uow_factory(True), actor, out, message="tanzuji meter ingest")
    files = [sidecar_of(out), *sorted((out.parent / "evidence").iterdir())]
    uow = uow_factory(True)
    with uow:
        for f in files:
            uow.revisions.put_blob(f.read_bytes())
        uow.commit()
    return res, len(files)
