"""The signing authority of an organisation (issue 11 point 9): who may issue, who checked.

* **Authorised signatories.** Each organisation keeps a list of the people authorised to
  issue signed reports through the store: web users (by e-mail; the web issue flow) and
  certificate subjects (name, optionally organisation; the command line's key files).
  Managed with ``tanzuji signatory add|list|remove`` and the web page ``/signatories``;
  every change is audited.
* **Technical reviewer's approval** ("checked by" of Table A.1, JJF Appendix A): before a
  stored revision is issued, a user of the evaluating organisation other than the signer
  records an approval of that exact revision (``tanzuji approve REV`` or the web button);
  audited, append-only.
* **The gate** :func:`authorise_issue` is what the issuing flows call before a report
  number is allocated: it refuses a signer who is not authorised and a revision without an
  approval by someone else, saying who is missing and how to fix it, records the refusal in
  the audit trail, and returns the :class:`Review` the report prints.

Issuing from a plain file with no store configured is not gated (there is no list to
check against); such a report shows no reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tanzuji.errors import ConflictError, InputError, IssuanceError, NotFoundError
from tanzuji.i18n import tr
from tanzuji.services.context import Actor, resolve_org
from tanzuji.services.sharing import readable_revision
from tanzuji.store import UnitOfWork
from tanzuji.store.authority_models import Approval, Signatory
from tanzuji.store.hashing import now_iso
from tanzuji.store.models import Organisation, StudyRevision, User
from tanzuji.store.web_models import Share

__all__ = [
    "REVIEWER_ROLES",
    "Review",
    "add_signatory",
    "approvals_of",
    "approve_revision",
    "authorise_issue",
    "is_signatory",
    "list_signatories",
    "remove_signatory",
    "study_sha256",
]

REVIEWER_ROLES = ("evaluator", "admin")
"""Roles of the evaluating organisation's users who may record an approval."""


def _norm(text: str | None) -> str:
    """Whitespace-collapsed, case-folded (how two names are compared).

    >>> _norm("  Wang   WU ") == _norm("wang wu")
    True
    """
    return " ".join((text or "").split()).casefold()


def _key(kind: str, email: str | None, name: str | None, org: str | None) -> str:
    if kind == "user":
        return "user:" + _norm(email)
    return "cert:" + _norm(name) + "|" + _norm(org)


def _describe(s: Signatory) -> str:
    if s.kind == "user":
        return str(s.user_email)
    return str(s.subject_name) + (f" / {s.subject_org}" if s.subject_org else "")


def _row(s: Signatory) -> dict[str, Any]:
    return {
        "id": s.id,
        "kind": s.kind,
        "user": s.user_email,
        "name": s.subject_name,
        "organisation": s.subject_org,
        "signatory": _describe(s),
        "added_by": s.actor,
        "time": s.created_at,
    }


def _selector(
    user: str | None, name: str | None, organisation: str | None
) -> tuple[str, str | None, str | None, str | None]:
    """(kind, email, name, organisation) from exactly one of a user or a subject name."""
    user = (user or "").strip().lower() or None
    name = " ".join((name or "").split()) or None
    organisation = " ".join((organisation or "").split()) or None
    if (user is None) == (name is None):
        raise InputError(
            tr(
                "请给出一个网页用户（--user 电子邮件）或一个证书持有人（--name 姓名，"
                "可加 --organisation 单位，或 --cert 证书文件），二者取一",
                "give either a web user (--user EMAIL) or a certificate subject (--name NAME, "
                "optionally --organisation ORG, or --cert FILE), not both",
            )
        )
    if user is not None:
        if organisation is not None:
            raise InputError(
                tr("--organisation 只用于证书持有人", "--organisation goes with --name only")
            )
        return "user", user, None, None
    return "certificate", None, name, organisation


def add_signatory(
    uow: UnitOfWork,
    actor: Actor,
    *,
    org: str,
    user: str | None = None,
    name: str | None = None,
    organisation: str | None = None,
) -> dict[str, Any]:
    """Authorise a web user (a user of ``org``) or a certificate subject to issue (audited)."""
    kind, email, sname, sorg = _selector(user, name, organisation)
    with uow:
        o = uow.orgs.require(org)
        if email is not None:
            u = uow.users.get(email)
            if u is None or u.org_id != o.id:
                raise NotFoundError(
                    tr(
                        f"组织 {o.name} 没有用户 {email}（先用 tanzuji user add {email} "
                        f"--org {o.name} --role evaluator 添加）",
                        f"organisation {o.name} has no user {email} (add it first with "
                        f"tanzuji user add {email} --org {o.name} --role evaluator)",
                    )
                )
        key = _key(kind, email, sname, sorg)
        if _find(uow, o.id, key) is not None:
            raise ConflictError(
                tr(
                    f"{email or sname} 已是 {o.name} 的授权签字人",
                    f"{email or sname} is already an authorised signatory of {o.name}",
                )
            )
        s = Signatory(
            org_id=o.id,
            kind=kind,
            key=key,
            user_email=email,
            subject_name=sname,
            subject_org=sorg,
            actor=actor.user,
            created_at=now_iso(),
        )
        uow.session.add(s)
        uow.session.flush()
        uow.audit.append(
            actor=actor.user,
            action="signatory.add",
            object_type="signatory",
            object_id=_describe(s)[:200],
            org_id=o.id,
        )
        uow.commit()
        return {**_row(s), "org": o.name}


def _find(uow: UnitOfWork, org_id: int, key: str) -> Signatory | None:
    return uow.session.scalar(
        select(Signatory).where(Signatory.org_id == org_id, Signatory.key == key)
    )


def _signatories(uow: UnitOfWork, org_id: int) -> Sequence[Signatory]:
    return uow.session.scalars(
        select(Signatory).where(Signatory.org_id == org_id).order_by(Signatory.id)
    ).all()


def list_signatories(uow: UnitOfWork, org: str) -> list[dict[str, Any]]:
    """The organisation's authorised signatories (oldest first)."""
    with uow:
        o = uow.orgs.require(org)
        return [_row(s) for s in _signatories(uow, o.id)]


def remove_signatory(
    uow: UnitOfWork,
    actor: Actor,
    *,
    org: str,
    user: str | None = None,
    name: str | None = None,
    organisation: str | None = None,
) -> dict[str, Any]:
    """Withdraw a signatory's authorisation (audited); reports already issued stay valid."""
    kind, email, sname, sorg = _selector(user, name, organisation)
    with uow:
        o = uow.orgs.require(org)
        s = _find(uow, o.id, _key(kind, email, sname, sorg))
        if s is None:
            raise NotFoundError(
                tr(
                    f"{email or sname} 不是 {o.name} 的授权签字人",
                    f"{email or sname} is not an authorised signatory of {o.name}",
                )
            )
        row = _row(s)
        uow.session.delete(s)
        uow.audit.append(
            actor=actor.user,
            action="signatory.remove",
            object_type="signatory",
            object_id=_describe(s)[:200],
            org_id=o.id,
        )
        uow.commit()
        return {**row, "org": o.name}


def is_signatory(uow: UnitOfWork, actor: Actor, account: str) -> bool:
    """Whether the web user ``account`` (an e-mail) may issue for the actor's organisation."""
    with uow:
        org = resolve_org(uow, actor)
        return _find(uow, org.id, _key("user", account, None, None)) is not None


# --------------------------------------------------------------------------- approvals


def _reviewer(uow: UnitOfWork, actor: Actor, org: Organisation) -> User:
    """The acting user, who must be an active user of ``org`` allowed to review."""
    u = uow.users.get(actor.user.strip().lower())
    if u is None or not u.active or u.org_id != org.id:
        raise IssuanceError(
            tr(
                f"{actor.user} 不是 {org.name} 的用户，不能审核；技术审核须由评价机构的用户"
                f"记录（命令行：将 TANZUJI_USER 设为您的账号；账号用 tanzuji user add 电子邮件 "
                f"--org {org.name} --role evaluator 添加）",
                f"{actor.user} is not a user of {org.name} and cannot approve; the technical "
                "review is recorded by a user of the evaluating organisation (command line: "
                "set TANZUJI_USER to your account; add it with tanzuji user add EMAIL "
                f"--org {org.name} --role evaluator)",
            )
        )
    if u.role not in REVIEWER_ROLES:
        raise IssuanceError(
            tr(
                f"用户 {u.email} 的角色 {u.role} 不能审核（须为评价人员或管理员）",
                f"user {u.email} has role {u.role} and cannot approve (evaluator or admin only)",
            )
        )
    return u


def approve_revision(
    uow: UnitOfWork, actor: Actor, rev_id: str, *, comment: str | None = None
) -> dict[str, Any]:
    """Record the acting user's technical approval of a revision (own or shared), audited."""
    with uow:
        org = resolve_org(uow, actor)
        rev = readable_revision(uow, org.id, rev_id)
        u = _reviewer(uow, actor, org)
        a = Approval(
            org_id=org.id,
            revision_id=rev.id,
            content_sha256=rev.content_sha256,
            reviewer=u.email,
            reviewer_name=u.display_name or u.email,
            comment=(comment or "").strip() or None,
            created_at=now_iso(),
        )
        uow.session.add(a)
        uow.session.flush()
        uow.audit.append(
            actor=actor.user,
            action="revision.approve",
            object_type="study_revision",
            object_id=rev.id,
            object_sha256=rev.content_sha256,
            org_id=org.id,
        )
        uow.commit()
        return _approval_row(a)


def _approval_row(a: Approval) -> dict[str, Any]:
    return {
        "revision": a.revision_id,
        "reviewer": a.reviewer,
        "reviewer_name": a.reviewer_name,
        "comment": a.comment,
        "time": a.created_at,
    }


def approvals_of(uow: UnitOfWork, actor: Actor, rev_id: str) -> list[dict[str, Any]]:
    """The actor's organisation's approvals of a revision (oldest first)."""
    with uow:
        org = resolve_org(uow, actor)
        rev = readable_revision(uow, org.id, rev_id)
        rows = uow.session.scalars(
            select(Approval)
            .where(Approval.org_id == org.id, Approval.revision_id == rev.id)
            .order_by(Approval.id)
        ).all()
        return [_approval_row(a) for a in rows]


# --------------------------------------------------------------------------- the gate


def study_sha256(study: Any) -> str:
    """The content hash a stored revision of ``study`` has (to find it from a file)."""
    from tanzuji.services.evaluation import study_content
    from tanzuji.store.hashing import canonical_json, sha256_hex

    return sha256_hex(canonical_json(study_content(study)))


@dataclass(frozen=True)
class Review:
    """The approval an issue rests on (printed in the report as "checked by")."""

    reviewer: str
    """The reviewer's account (e-mail)."""
    reviewer_name: str
    approved_at: str
    """ISO-8601 UTC time of the approval."""
    revision_id: str
    organisation: str
    comment: str | None = None
    signatory: str = ""
    """The authorised signatory the issue was admitted for."""


def _refuse(uow: UnitOfWork, actor: Actor, org_id: int, what: str, zh: str, en: str) -> None:
    """Record a refused issue in the audit trail, then raise :class:`IssuanceError`."""
    uow.audit.append(
        actor=actor.user,
        action="report.refused",
        object_type="issue",
        object_id=what[:200],
        org_id=org_id,
    )
    uow.commit()
    raise IssuanceError(tr(zh, en))


def authorise_issue(
    uow: UnitOfWork,
    actor: Actor,
    *,
    signer_name: str,
    signer_org: str | None = None,
    account: str | None = None,
    revision_id: str | None = None,
    content_sha256: str | None = None,
) -> Review:
    """The signing-authority gate, called before a report number is allocated.

    ``account`` is the signed-in web user (an e-mail): it must be a ``user`` signatory.
    Without it (command line with key files) the signing certificate's subject
    (``signer_name``, ``signer_org``) must match a ``certificate`` signatory (an entry
    without an organisation matches any). The revision is ``revision_id`` (own or shared),
    or, for a study file, any stored revision with the same ``content_sha256``; it needs an
    approval by a user of the organisation who is neither the signer nor the issuing user.
    """
    with uow:
        org = resolve_org(uow, actor)
        entries = _signatories(uow, org.id)
        cert_opts = f'--name "{signer_name}"' + (
            f' --organisation "{signer_org}"' if signer_org else ""
        )
        how_zh = (
            f"（由 {org.name} 的管理员授权：tanzuji signatory add "
            + (f"--user {account}" if account else cert_opts)
            + f" --org {org.name}，或在网页“授权签字人”页面添加）"
        )
        how_en = (
            f" (an administrator of {org.name} authorises it: tanzuji signatory add "
            + (f"--user {account}" if account else cert_opts)
            + f" --org {org.name}, or on the web page Signatories)"
        )
        if account is not None:
            who = account
            ok = any(s.kind == "user" and s.key == _key("user", account, None, None)
                     for s in entries)  # fmt: skip
        else:
            who = signer_name + (f" / {signer_org}" if signer_org else "")
            ok = any(
                s.kind == "certificate"
                and _norm(s.subject_name) == _norm(signer_name)
                and (not s.subject_org or _norm(s.subject_org) == _norm(signer_org))
                for s in entries
            )
        if not ok:
            _refuse(
                uow,
                actor,
                org.id,
                f"not a signatory: {who}",
                f"拒绝签发：{who} 不是 {org.name} 的授权签字人" + how_zh,
                f"refusing to issue: {who} is not an authorised signatory of {org.name}" + how_en,
            )
        if revision_id is not None:
            rev: StudyRevision | None = readable_revision(uow, org.id, revision_id)
            assert rev is not None
            cond = Approval.revision_id == rev.id
            label = rev.id[:12]
        elif content_sha256 is not None:
            shared = select(Share.revision_id).where(Share.to_org_id == org.id)
            rev = uow.session.scalar(
                select(StudyRevision)
                .where(
                    StudyRevision.content_sha256 == content_sha256,
                    (StudyRevision.org_id == org.id) | StudyRevision.id.in_(shared),
                )
                .order_by(StudyRevision.created_at.desc())
                .limit(1)
            )
            if rev is None:
                _refuse(
                    uow,
                    actor,
                    org.id,
                    f"not stored: {content_sha256}",
                    "拒绝签发：数据库中没有与此研究文件内容相同的修订；"
                    "先保存（tanzuji save 文件），由另一位审核人审核"
                    "（tanzuji approve 修订），再签发",
                    "refusing to issue: no stored revision has this study file's content; "
                    "save it (tanzuji save FILE), have another person approve it (tanzuji "
                    "approve REV), then issue",
                )
            assert rev is not None
            cond = Approval.content_sha256 == content_sha256
            label = rev.id[:12]
        else:
            raise IssuanceError(tr("没有指定修订", "no revision given"))
        approvals = uow.session.scalars(
            select(Approval).where(Approval.org_id == org.id, cond).order_by(Approval.id)
        ).all()
        issuer = (account or actor.user).strip().casefold()
        valid = [
            a
            for a in approvals
            if a.reviewer.casefold() != issuer
            and _norm(a.reviewer_name) != _norm(signer_name)
            and (account is not None or a.reviewer.casefold() != actor.user.casefold())
        ]
        if not valid:
            if approvals:
                zh = (
                    f"拒绝签发：修订 {label} 只有签发人本人的审核；审核人不能是签发人，"
                    f"须由 {org.name} 的另一位用户审核（tanzuji approve {label}，"
                    "或网页上的“审核通过”按钮）"
                )
                en = (
                    f"refusing to issue: revision {label} was approved only by the signer; "
                    f"the reviewer cannot be the signer: another user of {org.name} must "
                    f"approve it (tanzuji approve {label}, or the Approve button on the web)"
                )
            else:
                zh = (
                    f"拒绝签发：修订 {label} 尚未经技术审核；须由 {org.name} 的另一位用户"
                    f"审核此修订（tanzuji approve {label}，或网页上的“审核通过”按钮）"
                )
                en = (
                    f"refusing to issue: revision {label} has no technical reviewer's "
                    f"approval; another user of {org.name} must approve this revision "
                    f"(tanzuji approve {label}, or the Approve button on the web)"
                )
            _refuse(uow, actor, org.id, f"not approved: {label}", zh, en)
        a = valid[-1]
        return Review(
            reviewer=a.reviewer,
            reviewer_name=a.reviewer_name,
            approved_at=a.created_at,
            revision_id=a.revision_id,
            organisation=org.name,
            comment=a.comment,
            signatory=who,
        )
