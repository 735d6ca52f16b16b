"""PACT export of a stored study revision (``tanzuji pact export REV``).

The revision's content and its pinned factor libraries are evaluated again exactly as stored;
the latest issued (not withdrawn) report of that revision, if any, names its number and the
SHA-256 of its signed PDF in the uncertainty extension.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from tanzuji.calculation import (
    compile_study,
    evaluate_full,
    evaluate_jjf,
    evaluate_monte_carlo,
)
from tanzuji.model import Study
from tanzuji.pact.export import ExportOptions, export_footprint
from tanzuji.pact.extension import ReportRef
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.evaluation import rebuild_library
from tanzuji.store import UnitOfWork

__all__ = ["export_content", "revision_footprint"]


def revision_footprint(
    uow: UnitOfWork,
    actor: Actor,
    rev_id: str,
    options: ExportOptions,
    *,
    seed: int | None = None,
) -> dict[str, Any]:
    """The v3 ProductFootprint of a stored revision (see :func:`export_footprint`)."""
    with uow:
        org = resolve_org(uow, actor)
        rev = uow.revisions.get(rev_id, org.id)
        content = json.loads(rev.content)
        libs = [json.loads(lib.content) for lib in uow.libraries.pinned(rev.id)]
        issued = [
            r for r in uow.reports.list(org.id) if r.revision_id == rev.id and r.status == "issued"
        ]
    if options.report is None and issued:
        latest = max(issued, key=lambda r: r.created_at)
        options = replace(options, report=ReportRef(number=latest.number, sha256=latest.pdf_sha256))
    return export_content(content, libs, options, seed=seed)


def export_content(
    content: dict[str, Any],
    libs: list[dict[str, Any]],
    options: ExportOptions,
    *,
    seed: int | None = None,
) -> dict[str, Any]:
    """The v3 ProductFootprint of stored study content and its pinned libraries."""
    study = Study.model_validate(content)
    model = compile_study(study, rebuild_library(libs))
    result = evaluate_jjf(model)
    full = evaluate_full(model) if options.method in ("full", "mc") else None
    mc = (
        evaluate_monte_carlo(model, full, seed=seed)
        if options.method == "mc" and full is not None
        else None
    )
    return export_footprint(study, model, result, options, full=full, mc=mc)
