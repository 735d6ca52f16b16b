"""``tanzuji meter``: ingest metered energy (readings → energy ± u → study), convert files.

Thin shell: parses options, calls the use case :mod:`tanzuji.services.metering`, prints.
pandas, pyarrow and dask are imported only when a command runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from tanzuji.cli._common import ForceOption, LangOption, QuietOption, apply_lang, err, wrote
from tanzuji.cli._common import out as console
from tanzuji.errors import InputError
from tanzuji.i18n import tr

if TYPE_CHECKING:
    from tanzuji.metering import IngestResult

__all__ = ["register"]

meter_app = typer.Typer(
    help="Metered energy as primary data: meter readings → energy ± uncertainty → study file.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``meter`` command group to ``app``."""
    app.add_typer(meter_app, name="meter")


def _fmt(value: float, u: float) -> tuple[str, str]:
    from tanzuji.uncertainty import round_result

    if u > 0:
        r = round_result(value, u)
        return r.value, r.U
    return f"{value:.6g}", "0"


@meter_app.command("ingest")
def ingest_cmd(
    mapping: Annotated[Path, typer.Argument(help="Mapping file (YAML).")],
    data: Annotated[list[Path], typer.Argument(help="Reading files or directories.")],
    period: Annotated[str, typer.Option("--period", help="2025, or 2025-01-01/2025-12-31.")],
    study: Annotated[
        Path | None, typer.Option("--study", help="Study to add the metered activities to.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="The new study file.")] = None,
    force: ForceOption = False,
    save: Annotated[
        bool,
        typer.Option(
            "--save", help="Also store the new study as a revision and the readings in the store."
        ),
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Store for --save (URL or SQLite path).")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation for --save.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address tcp://HOST:8786.")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Run on a local Dask cluster of N workers.")
    ] = 0,
    memory_limit: Annotated[
        str, typer.Option("--memory-limit", help="Memory per local worker, e.g. 1GiB.")
    ] = "1GiB",
    quiet: QuietOption = False,
    lang: LangOption = None,
) -> None:
    """Ingest meter readings: the energy of every meter and group with its standard uncertainty."""
    apply_lang(lang)
    if save and out is None:
        raise InputError(tr("--save 需要 --study 与 --out", "--save needs --study and --out"))
    if save:  # the store must exist before any work is done
        from tanzuji.config import load_config
        from tanzuji.services.context import store_from_config
        from tanzuji.store import UnitOfWork

        cfg = load_config().with_overrides(database_url=database_url, org=org)
        with UnitOfWork(store_from_config(cfg), write=False):
            pass
    _ingest(
        mapping,
        data,
        period,
        study,
        out,
        force,
        as_json,
        scheduler,
        workers,
        memory_limit,
        quiet,
    )
    if save and out is not None:
        _save(out, database_url, org)


def _ingest(
    mapping: Path,
    data: list[Path],
    period_text: str,
    study: Path | None,
    out: Path | None,
    force: bool,
    as_json: bool,
    scheduler: str | None,
    workers: int,
    memory_limit: str,
    quiet: bool,
) -> None:
    from tanzuji.metering import Execution
    from tanzuji.services.metering import ingest_readings, parse_period

    period = parse_period(period_text)
    execution = Execution(scheduler=scheduler, workers=workers, memory_limit=memory_limit)

    def run(progress: Any) -> IngestResult:
        done = ingest_readings(
            mapping,
            data,
            period,
            study=study,
            out=out,
            force=force,
            execution=execution,
            progress=progress,
        )
        return done.result

    result = _with_progress(run, quiet or as_json)
    if as_json:
        console.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _print(result)
    if out is not None:
        wrote(out)


def _save(out: Path, database_url: str | None, org: str | None) -> None:
    """Store the new study as a revision (evaluated) and every evidence file as a blob."""
    from tanzuji.config import load_config
    from tanzuji.services.context import actor_from_config, store_from_config
    from tanzuji.services.metering import save_metered
    from tanzuji.store import UnitOfWork

    cfg = load_config().with_overrides(database_url=database_url, org=org)
    store = store_from_config(cfg)
    res, n = save_metered(lambda write: UnitOfWork(store, write=write), actor_from_config(cfg), out)
    err.print(
        tr(
            f"已保存修订 {res.revision_id}，证据文件 {n} 个存入数据库",
            f"saved revision {res.revision_id}; {n} evidence files stored",
        )
    )


def _with_progress(run: Any, quiet: bool) -> IngestResult:
    """``run(progress)`` with a progress bar on stderr (none when quiet)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    if quiet:
        result: IngestResult = run(None)
        return result
    with Progress(
        TextColumn(tr("读取与清洗", "reading and cleaning")),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("ingest", total=None)

        def tick(done: int, total: int) -> None:
            if total:
                bar.update(task, completed=done, total=total)
            else:
                bar.update(task, advance=0)

        result = run(tick)
        return result


def _print(result: IngestResult) -> None:
    unit_col = tr("单位", "unit")
    t = Table(title=tr("各电能表电量", "Energy per meter"))
    for col in (
        tr("表", "meter"),
        tr("电量", "energy"),
        "u",
        unit_col,
        tr("补测", "filled"),
        tr("依据", "basis"),
    ):
        t.add_column(col, overflow="fold")
    for m in result.meters:
        v, u = _fmt(m.energy, m.u)
        t.add_row(m.meter, v, u, m.unit, f"{m.filled:.4g}", tr(m.basis_zh, m.basis_en))
    console.print(t)
    for title, aggs in (
        (tr("各组电量", "Energy per group"), result.groups),
        (tr("各产品线电量", "Energy per product line"), result.lines),
    ):
        if not aggs:
            continue
        g = Table(title=title)
        first = tr("组", "group") if aggs is result.groups else tr("产品线", "line")
        for col in (first, tr("电表", "meters"), tr("电量", "energy"), "u", unit_col):
            g.add_column(col, overflow="fold")
        for a in aggs:
            v, u = _fmt(a.energy, a.u)
            g.add_row(a.id, ", ".join(a.meters), v, u, a.unit)
        console.print(g)
    if result.findings:
        f = Table(title=tr("发现", "Findings"))
        for col in (tr("级别", "level"), tr("表", "meter"), tr("说明", "message")):
            f.add_column(col, overflow="fold")
        names = {
            "error": tr("错误", "error"),
            "warning": tr("警告", "warning"),
            "info": tr("提示", "info"),
        }
        for x in sorted(result.findings, key=lambda x: ("error", "warning", "info").index(x.level)):
            f.add_row(names[x.level], x.meter, escape(tr(x.zh, x.en)))
        console.print(f)


def ingest_examples(dirs: list[Path], out_dir: Path) -> list[Path]:
    """For each example directory with ``metering/mapping.yaml``: ingest its readings into
    ``out_dir/<name>-metered/study.yaml`` (:func:`tanzuji.services.metering.ingest_example`)
    and print what was found."""
    from tanzuji.services.metering import ingest_example

    made = []
    for d in dirs:
        done = ingest_example(d, out_dir)
        if done is None:
            continue
        target, result = done
        console.rule(tr(f"{d.name}：电能表读数 → 研究", f"{d.name}: meter readings → study"))
        _print(result)
        made.append(target)
    return made


@meter_app.command("convert")
def convert_cmd(
    mapping: Annotated[Path, typer.Argument(help="Mapping file (YAML) of the input files.")],
    data: Annotated[list[Path], typer.Argument(help="CSV or Excel reading files.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory of Parquet parts.")],
    rows_per_file: Annotated[
        int, typer.Option("--rows-per-file", help="Rows per Parquet part.")
    ] = 5_000_000,
    force: ForceOption = False,
    lang: LangOption = None,
) -> None:
    """Convert CSV/Excel readings to partitioned Parquet."""
    from tanzuji.metering.convert import convert

    apply_lang(lang)
    if out.exists() and any(out.iterdir()) and not force:
        raise InputError(
            tr(
                "输出目录非空（用 --force 覆盖）",
                "the output directory is not empty (use --force to replace it)",
            ),
            file=str(out),
        )
    n, files = convert(mapping, data, out, rows_per_file=rows_per_file)
    console.print(
        tr(
            f"已写入 {n} 行、{files} 个 Parquet 文件及 mapping.yaml 到 {out}",
            f"wrote {n} rows in {files} Parquet files and mapping.yaml to {out}",
        )
    )
