"""Study commands of the database: save, products, history, show, diff, trend, certificates.

``register`` adds these and the administration commands of ``cli/storeadmin.py`` (db,
org, user, export/import, audit) to the app; the shared options and context live in
``cli/_storectx.py``. Heavy libraries (SQLAlchemy, Alembic) are imported inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from tanzuji.cli import storeadmin as _admin
from tanzuji.cli._storectx import (
    DbOpt,
    JsonOpt,
    LangOpt,
    OrgOpt,
    _ctx,
    _pm,
    _print_json,
    _uow,
    err,
    out,
)
from tanzuji.errors import InputError
from tanzuji.i18n import tr

__all__ = ["demo_store", "register"]


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
    for note in res.notes:  # a product picture that was not stored
        err.print(f"[yellow]{tr('警告:', 'warning:')}[/yellow] {escape(note)}")
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


# --------------------------------------------------------------------------- register


def register(app: typer.Typer) -> None:
    """Add the database commands to the ``tanzuji`` app."""
    app.add_typer(_admin.db_app, name="db")
    app.add_typer(_admin.org_app, name="org")
    app.add_typer(_admin.user_app, name="user")
    app.add_typer(_admin.audit_app, name="audit")
    app.command("save")(save)
    app.command("products")(products)
    app.command("history")(history_cmd)
    app.command("show")(show)
    app.command("diff")(diff)
    app.command("trend")(trend_cmd)
    app.command("export")(_admin.export_cmd)
    app.command("import")(_admin.import_cmd)
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
