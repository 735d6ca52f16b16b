"""Database commands: db, save, products, history, show, diff, trend, export/import, audit.

A CLI pointed straight at a database is an administrator's tool: it acts as the configured
user of the configured organisation (``--org``, config ``user``), and every write is
recorded in the audit trail under that name; tenant isolation is the web platform's job.
Heavy libraries (SQLAlchemy, Alembic) are imported inside the commands.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tanzuji.errors import InputError
from tanzuji.i18n import set_lang, tr

if TYPE_CHECKING:
    from tanzuji.services.context import Actor
    from tanzuji.store import Store

__all__ = ["register"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
if not out.is_terminal:  # files and pipes: wide enough for the tables
    out.width = 140

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database: SQLAlchemy URL or a path (SQLite file). Default: TANZUJI_DATABASE_URL, "
        "config file, or tanzuji.db in the user data folder.",
    ),
]
OrgOpt = Annotated[
    str | None, typer.Option("--org", help="Organisation to act for (default: config org).")
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh or en.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@dataclass(frozen=True)
class _Ctx:
    store: Store
    actor: Actor


def _ctx(
    database_url: str | None, org: str | None, lang: str | None, *, create: bool = False
) -> _Ctx:
    """Settings, database and actor of a command. ``create``: a write command may create
    the *default* database (the SQLite file in the user data folder) on first use."""
    from tanzuji.config import load_config
    from tanzuji.services.context import actor_from_config, store_from_config

    cfg = load_config().with_overrides(database_url=database_url, org=org)
    if lang is not None:  # else the global --lang / TANZUJI_LANG / config, set by the root
        set_lang(lang)
    store = store_from_config(cfg)
    path = store.sqlite_path
    if create and cfg.database_url is None and path is not None and not path.exists():
        store.upgrade(create=True)
        err.print(tr(f"已创建数据库 {path}", f"created the database {path}"))
    return _Ctx(store=store, actor=actor_from_config(cfg))


def _uow(ctx: _Ctx, write: bool = True) -> Any:
    from tanzuji.store import UnitOfWork

    return UnitOfWork(ctx.store, write=write)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _pm(value: float | None, u: float | None, k: float | None) -> str:
    """``value ± U (k=2)`` with JJF 1059.1 rounding."""
    if value is None or u is None or k is None:
        return "—"
    from tanzuji.uncertainty import round_result

    if u > 0:
        r = round_result(value, k * u)
        return f"{r.value} ± {r.U} kgCO2e (k={k:g})"
    return f"{value:.4g} kgCO2e"


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


# --------------------------------------------------------------------------- save / read


def save(
    study: Annotated[Path, typer.Argument(help="Study file (YAML/JSON/xlsx) or its folder.")],
    message: Annotated[str, typer.Option("-m", "--message", help="What changed.")] = "",
    parent: Annotated[
        str | None,
        typer.Option(
            "--parent", help="The revision this edit is based on (refused if not the newest)."
        ),
    ] = None,
    database_url: DbOpt = None,
    org: OrgOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store a study as a new revision, evaluate it and store the result."""
    from tanzuji.services.save import save_study

    ctx = _ctx(database_url, org, lang, create=True)
    res = save_study(_uow(ctx), ctx.actor, study, message=message, parent=parent)
    if as_json:
        _print_json(res.to_dict())
        return
    if res.created:
        out.print(
            tr(
                f"已保存修订 {res.revision_id}（{res.study_key} 第 {res.seq} 版）",
                f"saved revision {res.revision_id} ({res.study_key} #{res.seq})",
            )
        )
    else:
        out.print(
            tr(
                f"内容未变，沿用修订 {res.revision_id}",
                f"content unchanged; revision {res.revision_id} stays current",
            )
        )
    out.print(tr("碳足迹 E = ", "footprint E = ") + _pm(res.total_value, res.total_u, res.total_k))


def products(
    database_url: DbOpt = None, org: OrgOpt = None, lang: LangOpt = None, as_json: JsonOpt = False
) -> None:
    """List the organisation's products and their studies."""
    from tanzuji.services.query import list_products

    ctx = _ctx(database_url, org, lang)
    rows = list_products(_uow(ctx, write=False), ctx.actor)
    if as_json:
        _print_json(rows)
        return
    table = Table(
        tr("产品", "Product"), tr("型号", "Model"), tr("研究", "Studies"), tr("修订数", "Revisions")
    )
    for p in rows:
        table.add_row(
            escape(p["name"]),
            escape(p["model"] or ""),
            escape(", ".join(s["study"] for s in p["studies"])),
            str(sum(s["revisions"] for s in p["studies"])),
        )
    out.print(table)


def history_cmd(
    what: Annotated[str, typer.Argument(help="Study id, or a product (model, name or key).")],
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many.")] = None,
    database_url: DbOpt = None,
    org: OrgOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revisions of a study or product, newest first, with their footprints."""
    from tanzuji.services.query import history

    ctx = _ctx(database_url, org, lang)
    rows = history(_uow(ctx, write=False), ctx.actor, what, limit=limit)
    if as_json:
        _print_json([r.to_dict() for r in rows])
        return
    table = Table(
        tr("修订", "Revision"),
        tr("研究", "Study"),
        tr("时间", "Time"),
        tr("作者", "Author"),
        tr("说明", "Message"),
        tr("碳足迹", "Footprint"),
    )
    for r in rows:
        table.add_row(
            r.revision_id[:12],
            escape(r.study_key),
            r.created_at[:19].replace("T", " "),
            escape(r.author),
            escape(r.message),
            _pm(r.total_value, r.total_u, r.total_k),
        )
    out.print(table)


def show(
    rev: Annotated[str, typer.Argument(help="Revision id (or a unique prefix).")],
    database_url: DbOpt = None,
    org: OrgOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One revision: who, when, why, its libraries and stored evaluations."""
    from tanzuji.services.query import show_revision

    ctx = _ctx(database_url, org, lang)
    view = show_revision(_uow(ctx, write=False), ctx.actor, rev)
    if as_json:
        _print_json(view.to_dict())
        return
    r = view.revision
    lines = [
        (tr("修订", "revision"), r["id"]),
        (tr("父修订", "parent"), r["parent"] or "—"),
        (tr("研究", "study"), f"{r['study']} #{r['seq']}"),
        (tr("作者", "author"), r["author"]),
        (tr("时间", "time"), r["time"]),
        (tr("说明", "message"), r["message"] or "—"),
        (tr("内容 SHA-256", "content SHA-256"), r["content_sha256"]),
        (tr("源文件", "source file"), f"{r['source_name']} ({r['source_sha256']})"),
    ]
    for k, v in lines:
        out.print(f"{k}: {escape(str(v))}")
    for lib in view.libraries:
        out.print(tr("因子库", "factor library") + f": {lib['library']} {lib['revision'][:12]}")
    for ev in view.evaluations:
        t = ev["result"]["total"]
        out.print(
            tr("评价", "evaluation") + f" {ev['id'][:12]} ({ev['method']}, "
            f"tanzuji {ev['engine_version']}): " + _pm(t["value"], t["u"], t["k"])
        )


def _fmt_value(v: Any) -> str:
    if isinstance(v, dict) and ("zh" in v or "en" in v):
        return str(v.get(tr("zh", "en")) or v.get("zh") or v.get("en"))
    return "—" if v is None else json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v


def _stage_name(stage: str) -> str:
    from tanzuji.model import Stage

    try:
        st = Stage(stage)
    except ValueError:
        return stage
    return tr(st.zh, st.en)


def diff(
    rev_a: Annotated[str, typer.Argument(help="Older revision (id or prefix).")],
    rev_b: Annotated[str, typer.Argument(help="Newer revision (id or prefix).")],
    database_url: DbOpt = None,
    org: OrgOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two revisions and how each stage and the total moved."""
    from tanzuji.services.diff import diff_revisions

    ctx = _ctx(database_url, org, lang)
    d = diff_revisions(_uow(ctx, write=False), ctx.actor, rev_a, rev_b)
    if as_json:
        _print_json(d)
        return
    out.print(f"{d['a']['revision'][:12]} → {d['b']['revision'][:12]}")
    for row in d["study"]:
        out.print(
            f"  ~ {escape(row['path'])}: {escape(_fmt_value(row['old']))} → "
            f"{escape(_fmt_value(row['new']))}"
        )
    acts = d["activities"]
    for a in acts["added"]:
        out.print(f"  + {escape(a['key'])} ({escape(_fmt_value(a['name']))})")
    for a in acts["removed"]:
        out.print(f"  - {escape(a['key'])} ({escape(_fmt_value(a['name']))})")
    for a in acts["changed"]:
        out.print(f"  ~ {escape(a['key'])} ({escape(_fmt_value(a['name']))})")
        for f in a["fields"]:
            out.print(
                f"      {escape(f['path'])}: {escape(_fmt_value(f['old']))} → "
                f"{escape(_fmt_value(f['new']))}"
            )
    if not (d["study"] or acts["added"] or acts["removed"] or acts["changed"]):
        out.print(tr("  内容相同", "  same content"))
    table = Table(
        tr("阶段", "Stage"), tr("原值", "Before"), tr("新值", "After"), tr("变化 ± u", "Change ± u")
    )
    for s in d["stages"]:
        o, n = s["old"], s["new"]
        table.add_row(
            _stage_name(s["stage"]),
            _pm(o["value"], o["u"], 1.0) if o else "—",
            _pm(n["value"], n["u"], 1.0) if n else "—",
            _pm(s["delta"], s["u_delta"], 1.0),
        )
    t = d["total"]
    table.add_row(
        tr("总计", "Total"),
        _pm(t["old"]["value"], t["old"]["u"], t["old"]["k"]),
        _pm(t["new"]["value"], t["new"]["u"], t["new"]["k"]),
        _pm(t["delta"], t["u_delta"], t["new"]["k"]),
    )
    out.print(table)
    out.print(
        tr(
            "变化显著（|Δ| > U(Δ)）" if t["significant"] else "变化在扩展不确定度之内",
            "the change is significant (|Δ| > U(Δ))"
            if t["significant"]
            else "the change is within the expanded uncertainty",
        )
    )


def trend_cmd(
    product: Annotated[str, typer.Argument(help="Product model, name or key (or part of one).")],
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a plot (.svg or .png).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing plot.")] = False,
    database_url: DbOpt = None,
    org: OrgOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Footprint ± U per evaluation year and model."""
    from tanzuji.services.trend import plot_trend, trend

    ctx = _ctx(database_url, org, lang)
    if plot is not None and plot.exists() and not force:
        raise InputError(
            tr("文件已存在（用 --force 覆盖）", "file exists (use --force to replace it)"),
            file=str(plot),
        )
    points = trend(_uow(ctx, write=False), ctx.actor, product)
    if plot is not None:
        plot_trend(points, plot, tr(f"产品碳足迹趋势：{product}", f"Footprint trend: {product}"))
    if as_json:
        _print_json(points)
        return
    table = Table(
        tr("型号", "Model"),
        tr("年度", "Year"),
        tr("研究", "Study"),
        tr("修订", "Revision"),
        tr("碳足迹", "Footprint"),
    )
    for p in points:
        table.add_row(
            escape(p["model"]),
            str(p["year"]),
            escape(p["study"]),
            p["revision"][:12],
            _pm(p["value"], p["u"], p["k"]),
        )
    out.print(table)
    if plot is not None:
        err.print(tr(f"已写入 {plot}", f"wrote {plot}"))


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


def certificates(
    days: Annotated[int, typer.Option("--days", help="Expiring within this many days.")] = 30,
    database_url: DbOpt = None,
    org: OrgOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Instrument certificates of the organisation's register expiring within N days."""
    from tanzuji.services.query import expiring_certificates

    if days < 0:
        raise InputError(tr("天数应 ≥ 0", "days must be ≥ 0"), path="--days", got=days)
    ctx = _ctx(database_url, org, lang)
    rows = expiring_certificates(_uow(ctx, write=False), ctx.actor, days)
    if as_json:
        _print_json(rows)
        return
    if not rows:
        out.print(tr(f"{days} 天内没有到期的证书", f"no certificate expires within {days} days"))
        return
    table = Table(
        tr("器具", "Instrument"),
        tr("名称", "Name"),
        tr("证书", "Certificate"),
        tr("有效期至", "Valid until"),
    )
    for r in rows:
        table.add_row(
            escape(r["instrument"]),
            escape(r["name"]),
            escape(r["certificate"]),
            r["valid_until"] or "—",
        )
    out.print(table)


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


# --------------------------------------------------------------------------- register


def register(app: typer.Typer) -> None:
    """Add the database commands to the ``tanzuji`` app."""
    app.add_typer(db_app, name="db")
    app.add_typer(org_app, name="org")
    app.add_typer(user_app, name="user")
    app.add_typer(audit_app, name="audit")
    app.command("save")(save)
    app.command("products")(products)
    app.command("history")(history_cmd)
    app.command("show")(show)
    app.command("diff")(diff)
    app.command("trend")(trend_cmd)
    app.command("export")(export_cmd)
    app.command("import")(import_cmd)
    app.command("certificates")(certificates)


def demo_store(study_dirs: list[Path]) -> None:
    """``tanzuji demo``: save the examples into the configured database and say where it is."""
    from tanzuji.services.demo import seed_demo
    from tanzuji.store import UnitOfWork

    ctx = _ctx(None, None, None)
    ctx.store.upgrade(create=True)
    saved = seed_demo(lambda: UnitOfWork(ctx.store), ctx.actor, study_dirs)
    for name, res in saved:
        out.print(
            f"{name}: {res.study_key} #{res.seq} {res.revision_id[:12]} "
            + _pm(res.total_value, res.total_u, res.total_k)
        )
    from tanzuji.store.engine import safe_url

    out.print(
        tr(
            f"数据库：{safe_url(ctx.store.url)}（试试 tanzuji history EX-SP-2025、"
            "tanzuji trend DDZY-X1（示例））",
            f"database: {safe_url(ctx.store.url)} (try tanzuji history EX-SP-2025, "
            "tanzuji trend DDZY-X1（示例）)",
        )
    )
