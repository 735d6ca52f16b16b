"""Signing-authority commands: ``signatory add|list|remove`` and ``approve`` (thin shells
over :mod:`tanzuji.services.authority`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from tanzuji.cli._storectx import DbOpt, JsonOpt, LangOpt, OrgOpt, _ctx, _print_json, _uow, out
from tanzuji.i18n import tr

__all__ = ["register"]

signatory_app = typer.Typer(
    help="Authorised signatories: who may issue signed reports for an organisation.",
    no_args_is_help=True,
)

UserOpt = Annotated[
    str | None, typer.Option("--user", help="A web user (e-mail) of the organisation.")
]
NameOpt = Annotated[
    str | None, typer.Option("--name", help="A signing certificate's subject name (CN).")
]
SubjectOrgOpt = Annotated[
    str | None,
    typer.Option("--organisation", help="The certificate subject's organisation (O); with --name."),
]
CertOpt = Annotated[
    Path | None,
    typer.Option("--cert", help="Take --name/--organisation from this certificate (PEM)."),
]


def _subject(
    name: str | None, organisation: str | None, cert: Path | None
) -> tuple[str | None, str | None]:
    if cert is None:
        return name, organisation
    from tanzuji.errors import InputError
    from tanzuji.report.sign import signer_subject

    if name is not None or organisation is not None:
        raise InputError(
            tr("--cert 不能与 --name/--organisation 同用", "--cert replaces --name/--organisation")
        )
    if not cert.is_file():
        raise InputError(tr("文件不存在", "file not found"), file=str(cert))
    subject = signer_subject(cert)
    return subject.name, subject.organisation


def _org(ctx: Any) -> str:
    return str(ctx.actor.org)


@signatory_app.command("add")
def signatory_add(
    user: UserOpt = None,
    name: NameOpt = None,
    organisation: SubjectOrgOpt = None,
    cert: CertOpt = None,
    org: OrgOpt = None,
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Authorise a web user (--user) or a certificate subject (--name or --cert) to issue."""
    from tanzuji.services.authority import add_signatory

    ctx = _ctx(database_url, org, lang)
    name, organisation = _subject(name, organisation, cert)
    info = add_signatory(
        _uow(ctx), ctx.actor, org=_org(ctx), user=user, name=name, organisation=organisation
    )
    if as_json:
        _print_json(info)
        return
    out.print(
        escape(
            tr(
                f"已授权 {info['signatory']} 为 {info['org']} 的签字人",
                f"authorised {info['signatory']} to sign for {info['org']}",
            )
        )
    )


@signatory_app.command("list")
def signatory_list(
    org: OrgOpt = None,
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List an organisation's authorised signatories."""
    from tanzuji.services.authority import list_signatories

    ctx = _ctx(database_url, org, lang)
    rows = list_signatories(_uow(ctx, write=False), _org(ctx))
    if as_json:
        _print_json(rows)
        return
    if not rows:
        out.print(
            tr(
                f"{_org(ctx)} 没有授权签字人（用 tanzuji signatory add 添加）",
                f"{_org(ctx)} has no authorised signatories (add one with tanzuji signatory add)",
            )
        )
        return
    for r in rows:
        kind = tr("网页用户", "web user") if r["kind"] == "user" else tr("证书", "certificate")
        out.print(escape(f"{r['signatory']}\t{kind}\t{r['added_by']}\t{r['time'][:19]}"))


@signatory_app.command("remove")
def signatory_remove(
    user: UserOpt = None,
    name: NameOpt = None,
    organisation: SubjectOrgOpt = None,
    cert: CertOpt = None,
    org: OrgOpt = None,
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Withdraw a signatory's authorisation (reports already issued stay valid)."""
    from tanzuji.services.authority import remove_signatory

    ctx = _ctx(database_url, org, lang)
    name, organisation = _subject(name, organisation, cert)
    info = remove_signatory(
        _uow(ctx), ctx.actor, org=_org(ctx), user=user, name=name, organisation=organisation
    )
    if as_json:
        _print_json(info)
        return
    out.print(
        escape(
            tr(
                f"已取消 {info['signatory']} 在 {info['org']} 的签字授权",
                f"withdrew the signing authorisation of {info['signatory']} for {info['org']}",
            )
        )
    )


def approve(
    revision: Annotated[str, typer.Argument(help="Revision id (or a unique prefix).")],
    comment: Annotated[
        str | None, typer.Option("--comment", help="The reviewer's remark (recorded).")
    ] = None,
    org: OrgOpt = None,
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record your technical review ("checked by", Table A.1) of a revision before issue.

    You act as the configured user (TANZUJI_USER), who must be an evaluator or admin of
    the evaluating organisation and cannot be the report's signer."""
    from tanzuji.services.authority import approve_revision

    ctx = _ctx(database_url, org, lang)
    info = approve_revision(_uow(ctx), ctx.actor, revision, comment=comment)
    if as_json:
        _print_json(info)
        return
    out.print(
        escape(
            tr(
                f"{info['reviewer_name']} 已审核修订 {info['revision'][:12]}"
                f"（{info['time'][:19]}）",
                f"{info['reviewer_name']} approved revision {info['revision'][:12]} "
                f"({info['time'][:19]})",
            )
        )
    )


def register(app: typer.Typer) -> None:
    """Add ``signatory`` and ``approve`` to the ``tanzuji`` app."""
    app.add_typer(signatory_app, name="signatory")
    app.command("approve")(approve)
