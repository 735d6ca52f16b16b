"""The signing authority in the store (SQLite and PostgreSQL): authorised signatories,
the technical reviewer's approval, and the gate the issuing flows call."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tanzuji.errors import ConflictError, InputError, IssuanceError, NotFoundError
from tanzuji.services import Actor, save_study
from tanzuji.services.admin import add_org, add_user
from tanzuji.services.authority import (
    Review,
    add_signatory,
    approvals_of,
    approve_revision,
    authorise_issue,
    list_signatories,
    remove_signatory,
)
from tanzuji.store import Store, UnitOfWork

from .conftest import SP
from .helpers import PCB_NEW, PCB_OLD, variant

LAB = Actor(user="eva@lab.cn", org="lab")
REVIEWER = Actor(user="rev@lab.cn", org="lab")


@pytest.fixture
def lab(store: Store, tmp_path: Path) -> tuple[Store, str, str]:
    """Organisation "lab" with an evaluator (the signer), a reviewer and a viewer; two
    revisions A and B of one study (B has more PCB)."""
    setup = Actor(user="setup", org="lab")
    add_org(UnitOfWork(store), setup, "lab")
    for email, role, name in (
        ("eva@lab.cn", "evaluator", "Eva Evaluator"),
        ("rev@lab.cn", "evaluator", "Rita Reviewer"),
        ("view@lab.cn", "viewer", None),
    ):
        add_user(UnitOfWork(store), setup, email, org="lab", role=role, display_name=name)
    a = save_study(UnitOfWork(store), LAB, SP, evaluate=False).revision_id
    b_path = variant(tmp_path, "b", PCB_OLD, PCB_NEW)
    b = save_study(UnitOfWork(store), LAB, b_path, evaluate=False).revision_id
    assert a != b
    return store, a, b


def _audit(store: Store, action: str) -> list[str]:
    with UnitOfWork(store, write=False) as uow:
        return [e.object_id for e in uow.audit.entries() if e.action == action]


def _gate(store: Store, **kw: Any) -> Callable[[], Review]:
    return lambda: authorise_issue(UnitOfWork(store), LAB, signer_name="Eva Evaluator", **kw)


def test_signatories_are_added_listed_removed_and_audited(lab: tuple[Store, str, str]) -> None:
    store, _, _ = lab
    admin = Actor(user="admin@lab.cn", org="lab")
    add_signatory(UnitOfWork(store), admin, org="lab", user="Eva@Lab.cn")
    add_signatory(UnitOfWork(store), admin, org="lab", name="Eva  Evaluator", organisation="lab")
    with pytest.raises(ConflictError, match="already an authorised signatory"):
        add_signatory(UnitOfWork(store), admin, org="lab", name="eva evaluator", organisation="LAB")
    with pytest.raises(NotFoundError, match=r"has no user nobody@lab\.cn"):
        add_signatory(UnitOfWork(store), admin, org="lab", user="nobody@lab.cn")
    with pytest.raises(InputError, match="not both"):
        add_signatory(UnitOfWork(store), admin, org="lab", user="eva@lab.cn", name="x")
    rows = list_signatories(UnitOfWork(store, write=False), "lab")
    assert [(r["kind"], r["signatory"]) for r in rows] == [
        ("user", "eva@lab.cn"),
        ("certificate", "Eva Evaluator / lab"),
    ]
    remove_signatory(UnitOfWork(store), admin, org="lab", user="eva@lab.cn")
    with pytest.raises(NotFoundError, match="not an authorised signatory"):
        remove_signatory(UnitOfWork(store), admin, org="lab", user="eva@lab.cn")
    assert len(list_signatories(UnitOfWork(store, write=False), "lab")) == 1
    assert _audit(store, "signatory.add") == ["eva@lab.cn", "Eva Evaluator / lab"]
    assert _audit(store, "signatory.remove") == ["eva@lab.cn"]


def test_gate_refuses_non_signatory_then_unapproved_then_self_approval(
    lab: tuple[Store, str, str],
) -> None:
    store, a, _ = lab
    gate = _gate(store, account="eva@lab.cn", revision_id=a)
    with pytest.raises(IssuanceError, match=r"eva@lab.cn is not an authorised signatory of lab"):
        gate()
    add_signatory(UnitOfWork(store), LAB, org="lab", user="eva@lab.cn")
    with pytest.raises(IssuanceError, match=rf"revision {a[:12]} has no technical reviewer"):
        gate()
    approve_revision(UnitOfWork(store), LAB, a)  # the signer approving their own issue
    with pytest.raises(IssuanceError, match="the reviewer cannot be the signer"):
        gate()
    approve_revision(UnitOfWork(store), REVIEWER, a, comment="BOM checked")
    review = gate()
    assert review.reviewer == "rev@lab.cn" and review.reviewer_name == "Rita Reviewer"
    assert review.revision_id == a and review.comment == "BOM checked"
    assert _audit(store, "revision.approve") == [a, a]
    refused = _audit(store, "report.refused")
    assert refused == [
        "not a signatory: eva@lab.cn",
        f"not approved: {a[:12]}",
        f"not approved: {a[:12]}",
    ]


def test_approval_of_revision_a_does_not_allow_revision_b(lab: tuple[Store, str, str]) -> None:
    store, a, b = lab
    add_signatory(UnitOfWork(store), LAB, org="lab", user="eva@lab.cn")
    approve_revision(UnitOfWork(store), REVIEWER, a)
    _gate(store, account="eva@lab.cn", revision_id=a)()
    with pytest.raises(IssuanceError, match=rf"revision {b[:12]} has no technical reviewer"):
        _gate(store, account="eva@lab.cn", revision_id=b)()
    assert [x["revision"] for x in approvals_of(UnitOfWork(store, write=False), LAB, a)] == [a]
    assert approvals_of(UnitOfWork(store, write=False), LAB, b) == []


def test_certificate_signatory_and_study_content_for_the_command_line(
    lab: tuple[Store, str, str],
) -> None:
    """Key files on the command line: the certificate subject is the signatory, the
    revision is found by the study file's content hash."""
    from tanzuji.services.authority import study_sha256
    from tanzuji.studyfiles import load_study

    store, a, _ = lab
    sha = study_sha256(load_study(SP).study)
    cli = Actor(user="cli:eva", org="lab")

    def gate(name: str, org: str | None, content: str = sha) -> Review:
        return authorise_issue(
            UnitOfWork(store), cli, signer_name=name, signer_org=org, content_sha256=content
        )

    add_signatory(UnitOfWork(store), LAB, org="lab", name="Eva Evaluator", organisation="lab")
    with pytest.raises(IssuanceError, match="Mallory / lab is not an authorised signatory"):
        gate("Mallory", "lab")
    with pytest.raises(IssuanceError, match="not an authorised signatory"):
        gate("Eva Evaluator", "other institute")  # same name, another organisation
    with pytest.raises(IssuanceError, match="no stored revision has this study file's content"):
        gate("Eva Evaluator", "lab", "0" * 64)
    with pytest.raises(IssuanceError, match="has no technical reviewer"):
        gate("eva  evaluator", "LAB")
    approve_revision(UnitOfWork(store), REVIEWER, a)
    review = gate("eva  evaluator", "LAB")
    assert review.revision_id == a


def test_only_users_of_the_organisation_with_a_reviewing_role_approve(
    lab: tuple[Store, str, str],
) -> None:
    store, a, _ = lab
    with pytest.raises(IssuanceError, match="cli:someone is not a user of lab"):
        approve_revision(UnitOfWork(store), Actor(user="cli:someone", org="lab"), a)
    with pytest.raises(IssuanceError, match="role viewer and cannot approve"):
        approve_revision(UnitOfWork(store), Actor(user="view@lab.cn", org="lab"), a)
    # a user of another organisation cannot reach the revision at all
    add_org(UnitOfWork(store), LAB, "rival")
    add_user(UnitOfWork(store), LAB, "x@rival.cn", org="rival", role="evaluator")
    with pytest.raises(NotFoundError):
        approve_revision(UnitOfWork(store), Actor(user="x@rival.cn", org="rival"), a)
    assert _audit(store, "revision.approve") == []


def test_approvals_are_append_only_on_postgresql(lab: tuple[Store, str, str]) -> None:
    store, a, _ = lab
    approve_revision(UnitOfWork(store), REVIEWER, a)
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="append-only"), store.write_engine.begin() as conn:
        conn.execute(text("UPDATE approvals SET reviewer_name = 'forged'"))


def test_cli_signatory_and_approve(
    lab: tuple[Store, str, str],
    db_url: str,
    tanzuji_main: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    store, a, _ = lab
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("TANZUJI_CONFIG", str(tmp_path / "empty.toml"))
    monkeypatch.delenv("TANZUJI_USER", raising=False)
    db = ["--org", "lab", "--database-url", db_url]
    code, out, err = tanzuji_main("--lang", "en", "signatory", "add", "--user", "eva@lab.cn",
                                  *db, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["signatory"] == "eva@lab.cn"
    code, out, err = tanzuji_main("--lang", "zh", "signatory", "list", *db)
    assert "eva@lab.cn" in out and "网页用户" in out, err
    code, out, err = tanzuji_main("--lang", "en", "approve", a[:10], *db)
    assert code == 1 and "is not a user of lab" in err
    monkeypatch.setenv("TANZUJI_USER", "rev@lab.cn")
    code, out, err = tanzuji_main("--lang", "en", "approve", a[:10], *db, "--comment", "ok",
                                  "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["reviewer_name"] == "Rita Reviewer"
    code, out, err = tanzuji_main("--lang", "en", "signatory", "remove", "--user", "eva@lab.cn",
                                  *db)  # fmt: skip
    assert code == 0 and "withdrew" in out, err
    assert list_signatories(UnitOfWork(store, write=False), "lab") == []
