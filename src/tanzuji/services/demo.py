"""Use case of ``make demo``: put the bundled examples into the database.

Each example is saved once; the single-phase meter gets a second revision (a lighter
enclosure) and an evaluation for the year before, so that ``history``, ``diff`` and
``trend`` have something real to show. Running the demo again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tanzuji.model import Study
from tanzuji.services.context import Actor
from tanzuji.services.save import SaveResult, save_loaded
from tanzuji.store import UnitOfWork
from tanzuji.studyfiles import load_study

__all__ = ["seed_demo", "seed_demo_authority", "variant_study"]


def variant_study(
    study: Study,
    activity_id: str,
    factor: float,
    *,
    new_id: str | None = None,
    year: int | None = None,
) -> Study:
    """A copy of ``study`` with one activity's quantity scaled (and optionally re-dated)."""
    acts = []
    for a in study.activities:
        if a.id == activity_id and hasattr(a, "quantity"):
            a = a.model_copy(update={"quantity": a.quantity * factor})
        acts.append(a)
    update: dict[str, object] = {"activities": tuple(acts)}
    if new_id:
        update["id"] = new_id
    if year:
        update["period"] = study.period.model_copy(
            update={"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}
        )
    return Study.model_validate(study.model_copy(update=update).model_dump())


def seed_demo(
    new_uow: Callable[[], UnitOfWork], actor: Actor, study_dirs: list[Path]
) -> list[tuple[str, SaveResult]]:
    """Save the examples (and the demo's extra revisions); returns what was saved."""
    done: list[tuple[str, SaveResult]] = []
    for d in study_dirs:
        loaded = load_study(d / "study.yaml") if (d / "study.yaml").exists() else load_study(d)
        with new_uow() as uow:
            org = uow.orgs.get(actor.org)
            exists = org is not None and uow.revisions.study(org.id, loaded.study.id) is not None
        if exists:
            continue
        done.append((d.name, save_loaded(new_uow(), actor, loaded, message="示例 / example")))
        if loaded.study.id == "EX-SP-2025":
            older = replace(
                loaded,
                study=variant_study(
                    loaded.study, "enclosure", 1.25, new_id="EX-SP-2024", year=2024
                ),
            )
            done.append(
                (
                    d.name,
                    save_loaded(new_uow(), actor, older, message="2024 评价 / 2024 evaluation"),
                )
            )
            lighter = replace(loaded, study=variant_study(loaded.study, "enclosure", 0.8))
            done.append(
                (
                    d.name,
                    save_loaded(
                        new_uow(), actor, lighter, message="表壳减重 20% / enclosure 20 % lighter"
                    ),
                )
            )
    return done


def seed_demo_authority(
    new_uow: Callable[[], UnitOfWork],
    lab: str,
    revision: str,
    *,
    signer: str,
    reviewer: str,
) -> None:
    """The demo institute's signing authority: ``signer`` (a user of ``lab``) becomes an
    authorised signatory and ``reviewer`` (another user of ``lab``) approves ``revision``,
    so that the demo report can be issued through the gate."""
    from tanzuji.services.authority import add_signatory, approve_revision, list_signatories

    admin = Actor(user="demo", org=lab)
    if not any(s["user"] == signer for s in list_signatories(new_uow(), lab)):
        add_signatory(new_uow(), admin, org=lab, user=signer)
    approve_revision(
        new_uow(),
        Actor(user=reviewer, org=lab),
        revision,
        comment="演示：技术审核通过 / demo: technical review passed",
    )
