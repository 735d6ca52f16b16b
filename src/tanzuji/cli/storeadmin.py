"""Database administration commands: db, org, user, export/import, audit.

Registered by ``cli/store.py`` (its ``register`` keeps every store command in one list).
Heavy libraries (SQLAlchemy, Alembic) are imported inside the commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from tanzuji.cli._storectx import DbOpt, JsonOpt, LangOpt, _ctx, _print_json, _uow, err, out
from tanzuji.errors import InputError
from tanzuji.i18n import tr

__all__ = [
    "audit_app",
    "db_app",
    "export_cmd",
    "import_cmd",
    "org_app",
    "user_app",
]


# --------------------------------------------------------------------------- db


db_app = typer.Typer(help="Create, upgrade and inspect the database.", no_args_is_help=True)


def _status_dict(st: Any) -> dict[str, Any]:
    return {
        "url": st.url,
        "schema": st.current,
        "code_schema": st.head,
        "up_to_date": st.up_to_date,
    }


@db_app.command("init")
def db_init(database_url: DbOpt = None, lang: LangOpt = None, as_json: JsonOpt = False) -> None:
    """Create the database (or bring it to this version); safe to run again."""
    ctx = _ctx(database_url, None, lang)
    st = ctx.store.upgrade(create=True)
    if as_json:
        _print_json(_status_dict(st))
        return
    out.print(
        tr(
            f"数据库已就绪：{st.url}（结构版本 {st.current}）",
            f"database ready: {st.url} (schema {st.current})",
        )
    )


@db_app.command("upgrade")
def db_upgrade(database_url: DbOpt = None, lang: LangOpt = None, as_json: JsonOpt = False) -> None:
    """Migrate an existing database to this version of tanzuji."""
    ctx = _ctx(database_url, None, lang)
    st = ctx.store.upgrade(create=False)
    if as_json:
        _print_json(_status_dict(st))
        return
    out.print(
        tr(
            f"数据库已升级：{st.url}（结构版本 {st.current}）",
            f"database upgraded: {st.url} (schema {st.current})",
        )
    )


@db_app.command("status")
def db_status(database_url: DbOpt = None, lang: LangOpt = None, as_json: JsonOpt = False) -> None:
    """Where the database is and whether its schema matches this version."""
    ctx = _ctx(database_url, None, lang)
    st = ctx.store.status()
    if as_json:
        _print_json(_status_dict(st))
        return
    out.print(tr(f"数据库：{st.url}", f"database: {st.url}"))
    if st.current is None:
        out.print(
            tr(
                "状态：未初始化（运行 tanzuji db init）",
                "status: not initialised (run tanzuji db init)",
            )
        )
    elif st.up_to_date:
        out.print(tr(f"结构版本：{st.current}（最新）", f"schema: {st.current} (up to date)"))
    else:
        out.print(
            tr(
                f"结构版本：{st.current}，程序版本：{st.head}（运行 tanzuji db upgrade）",
                f"schema: {st.current}, code: {st.head} (run tanzuji db upgrade)",
            )
        )


# --------------------------------------------------------------------------- org / user

org_app = typer.Typer(help="Organisations (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Users who sign in to the web platform.", no_args_is_help=True)


@org_app.command("add")
def org_add(
    name: Annotated[str, typer.Argument(help="Organisation name.")],
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an organisation."""
    from tanzuji.services.admin import add_org

    ctx = _ctx(database_url, None, lang, create=True)
    info = add_org(_uow(ctx), ctx.actor, name)
    if as_json:
        _print_json(info)
    else:
        out.print(tr(f"已添加组织 {name}", f"added organisation {name}"))


@org_app.command("list")
def org_list(database_url: DbOpt = None, lang: LangOpt = None, as_json: JsonOpt = False) -> None:
    """List the organisations."""
    from tanzuji.services.admin import list_orgs

    ctx = _ctx(database_url, None, lang)
    orgs = list_orgs(_uow(ctx, write=False))
    if as_json:
        _print_json(orgs)
        return
    for o in orgs:
        out.print(escape(o["name"]))


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address (the sign-in name).")],
    org: Annotated[str, typer.Option("--org", help="Organisation of the user.")],
    role: Annotated[
        str, typer.Option("--role", help="admin, editor, evaluator, viewer or authority.")
    ],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user (no password unless --password-stdin: there are no default passwords)."""
    from tanzuji.services.admin import add_user

    ctx = _ctx(database_url, None, lang, create=True)
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError(tr("标准输入中没有密码", "no password on standard input"))
    info = add_user(
        _uow(ctx), ctx.actor, email, org=org, role=role, password=password, display_name=name
    )
    if as_json:
        _print_json(info)
    else:
        out.print(
            tr(
                f"已添加用户 {info['email']}（{org}，角色 {role}）",
                f"added user {info['email']} ({org}, role {role})",
            )
        )


# --------------------------------------------------------------------------- export / import


def export_cmd(
    file: Annotated[Path, typer.Argument(help="Output file (.jsonl).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Back up the whole database (every row, with the audit anchor) as JSON Lines."""
    from tanzuji.fileio import write_atomic
    from tanzuji.services.backup import ExportSummary, export_jsonl

    ctx = _ctx(database_url, None, lang)
    if file.exists() and not force:
        raise InputError(
            tr("文件已存在（用 --force 覆盖）", "file exists (use --force to replace it)"),
            file=str(file),
        )
    result: list[ExportSummary] = []

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            result.append(export_jsonl(_uow(ctx, write=False), fh))

    write_atomic(file, write)
    summary = result[0]
    if as_json:
        _print_json(summary.to_dict())
        return
    out.print(
        tr(
            f"已导出 {sum(summary.rows.values())} 行（{summary.revisions} 个修订）到 {file}",
            f"exported {sum(summary.rows.values())} rows ({summary.revisions} revisions) to {file}",
        )
    )
    out.print(tr("审计锚点：", "audit anchor: ") + summary.audit_anchor)


def import_cmd(
    file: Annotated[Path, typer.Argument(help="An export made by tanzuji export.")],
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Restore an export into an empty database (all or nothing)."""
    from tanzuji.services.backup import import_jsonl

    ctx = _ctx(database_url, None, lang, create=True)
    summary = import_jsonl(_uow(ctx), ctx.actor, file)
    if as_json:
        _print_json(summary.to_dict())
        return
    out.print(
        tr(
            f"已导入 {sum(summary.rows.values())} 行（{summary.revisions} 个修订）",
            f"imported {sum(summary.rows.values())} rows ({summary.revisions} revisions)",
        )
    )
    out.print(
        tr(
            "用 tanzuji audit verify --anchor 导出文件 核对",
            f"check with: tanzuji audit verify --anchor {file}",
        )
    )


# --------------------------------------------------------------------------- audit

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        list[Path] | None,
        typer.Option(
            "--anchor",
            help="A report, export or anchor file holding the chain "
            "head at some moment (repeatable).",
        ),
    ] = None,
    database_url: DbOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the hash chain, its head, the anchors and the stored objects; exit 1 on a break."""
    from tanzuji.services.audit import verify_audit

    ctx = _ctx(database_url, None, lang)
    res = verify_audit(_uow(ctx, write=False), anchor or [])
    if as_json:
        _print_json(res.to_dict())
    elif res.ok:
        out.print(
            tr(
                f"审计链完整：{res.entries} 条记录，{res.anchors_checked} 个锚点，"
                f"{res.objects_checked} 个对象已核对" + ("（HMAC）" if res.keyed else ""),
                f"audit trail intact: {res.entries} entries, {res.anchors_checked} anchors, "
                f"{res.objects_checked} objects checked" + (" (HMAC)" if res.keyed else ""),
            )
        )
        out.print(tr("链头锚点：", "head anchor: ") + res.anchor)
    else:
        err.print(tr("审计链被破坏：", "audit trail broken: ") + escape(res.findings[0].message))
    if not res.ok:
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the anchor to this file.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    database_url: DbOpt = None,
    lang: LangOpt = None,
) -> None:
    """Print (or save) the chain's head as an anchor: keep it outside the database."""
    from tanzuji.fileio import write_atomic
    from tanzuji.services.audit import current_anchor

    ctx = _ctx(database_url, None, lang)
    anchor = current_anchor(_uow(ctx, write=False))
    if out_file is None:
        out.print(anchor)
        return
    if out_file.exists() and not force:
        raise InputError(
            tr("文件已存在（用 --force 覆盖）", "file exists (use --force to replace it)"),
            file=str(out_file),
        )
    write_atomic(out_file, json.dumps({"audit_anchor": anchor}) + "\n")
    err.print(tr(f"已写入 {out_file}", f"wrote {out_file}"))
