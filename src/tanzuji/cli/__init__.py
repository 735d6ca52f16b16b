"""The ``tanzuji`` command line (typer + rich). User errors print one line each, exit 1."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tanzuji import __version__
from tanzuji.calculation import (
    FootprintResult,
    FullResult,
    MeasurementModel,
    MonteCarloStudy,
    compile_study,
    evaluate_full,
    evaluate_monte_carlo,
)
from tanzuji.checkcli import run_check
from tanzuji.cli.pact import register as register_pact
from tanzuji.cli.pact import write_demo_footprint
from tanzuji.errors import InputErrors, TanzujiError
from tanzuji.factors import FactorLibrary
from tanzuji.fileio import write_atomic
from tanzuji.jsonio import (
    builtin_libraries,
    evaluate_file,
    full_to_dict,
    load_factor_library,
    monte_carlo_to_dict,
    result_to_dict,
    study_schema,
)
from tanzuji.model import Stage, Study
from tanzuji.render import render_full, render_monte_carlo
from tanzuji.report.cli import demo_report, write_report
from tanzuji.report.cli import register as register_report
from tanzuji.uncertainty import round_result

app = typer.Typer(
    name="tanzuji",
    help="碳足迹 tanzuji: traceable, uncertainty-evaluated product carbon footprints.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
factors_app = typer.Typer(help="Browse the emission-factor libraries.", no_args_is_help=True)
app.add_typer(factors_app, name="factors")
register_report(app)  # report, sign, verify, keygen (tanzuji.report.cli)
register_pact(app)  # pact export, import, pull, serve (tanzuji.cli.pact)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
if not out.is_terminal:  # files and pipes: wide enough for the tables
    out.width = 120


class UncertaintyMethod(StrEnum):
    jjf = "jjf"
    full = "full"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


TEXT = {
    "zh": {
        "stage": "生命周期阶段",
        "footprint": "碳足迹 (kgCO2e)",
        "u": "标准不确定度 (kgCO2e)",
        "total": "总计",
        "outside": "不在系统边界内",
        "expanded": "扩展不确定度 (k={k}) = {U} kgCO2e，相对扩展不确定度 (k={k}) = {Urel} %",
        "result": "产品碳足迹 E = ({value} ± {U}) kgCO2e，k = {k}",
        "top": "主要贡献",
        "activity": "活动",
        "share": "占比",
        "period": "评价周期",
        "fu": "功能单位",
        "method": "方法：JJF 规范公式 (1)–(18)，仅传播活动数据不确定度",
    },
    "en": {
        "stage": "Life-cycle stage",
        "footprint": "Footprint (kgCO2e)",
        "u": "Standard uncertainty (kgCO2e)",
        "total": "Total",
        "outside": "outside the system boundary",
        "expanded": "Expanded uncertainty (k={k}) = {U} kgCO2e, relative expanded uncertainty "
        "(k={k}) = {Urel} %",
        "result": "Product carbon footprint E = ({value} ± {U}) kgCO2e, k = {k}",
        "top": "Top contributions",
        "activity": "Activity",
        "share": "Share",
        "period": "Evaluation period",
        "fu": "Functional unit",
        "method": "Method: JJF formulas (1)–(18), activity-data uncertainty only",
    },
}


def _version(value: bool) -> None:
    if value:
        out.print(f"tanzuji {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """碳足迹 tanzuji: traceable, uncertainty-evaluated product carbon footprints."""


def _fmt_rel(x: float | None) -> str:
    if x is None:
        return "—"
    return round_result(x, x).U if x > 0 else "0"


def _product_line(study: Study, lang: str) -> str:
    p = study.product
    cls = p.accuracy_class
    if cls:
        cls = (cls if cls.endswith("级") else f"{cls}级") if lang == "zh" else f"class {cls}"
    return " ".join(b for b in (p.name, p.model, p.rating, cls) if b)


def pair(value: float, u: float) -> tuple[str, str]:
    """Value and uncertainty as JJF 1059.1 reporting strings (4 significant digits if u = 0)."""
    if u > 0:
        r = round_result(value, u)
        return r.value, r.U
    return f"{value:.4g}", "0"


def render_summary(
    result: FootprintResult, study: Study, lang: str = "zh", top: int = 10
) -> list[Any]:
    """Rich renderables for the Table A.8 summary and the top contributions."""
    t = TEXT[lang]
    items: list[Any] = []
    items.append(f"[bold]{_product_line(study, lang)}[/bold]  ·  {study.id}")
    items.append(
        f"{t['fu']}: {study.product.functional_unit}   {t['period']}: {study.period.label}"
    )
    table = Table(title=None, show_lines=False)
    table.add_column(t["stage"])
    table.add_column(t["footprint"], justify="right")
    table.add_column(t["u"], justify="right")
    for stage in Stage:
        r = result.stages[stage]
        name = stage.zh if lang == "zh" else stage.en
        if r is None:
            table.add_row(f"[dim]{name}[/dim]", f"[dim]{t['outside']}[/dim]", "")
        else:
            table.add_row(name, *pair(r.value, r.u))
    tot = result.total
    tv, tu = pair(tot.value, tot.u)
    table.add_row(f"[bold]{t['total']}[/bold]", f"[bold]{tv}[/bold]", tu)
    items.append(table)
    value_s, U_s = pair(tot.value, tot.U)
    k = f"{tot.k:g}"
    items.append(t["expanded"].format(k=k, U=U_s, Urel=_fmt_rel(tot.U_rel_percent)))
    items.append(f"[bold]{t['result'].format(value=value_s, U=U_s, k=k)}[/bold]")
    items.append(f"[dim]{t['method']}[/dim]")
    if result.contributions and top > 0:
        ct = Table(title=t["top"])
        ct.add_column("#", justify="right")
        ct.add_column(t["activity"])
        ct.add_column(t["stage"])
        ct.add_column(t["footprint"], justify="right")
        ct.add_column(t["share"], justify="right")
        for i, c in enumerate(result.contributions[:top], start=1):
            value = pair(c.value, c.u)[0]
            share = "—" if c.share is None else f"{100 * c.share:.1f} %"
            stage_name = c.stage.zh if lang == "zh" else c.stage.en
            name = c.activity if lang == "zh" else (c.activity_en or c.activity)
            ct.add_row(str(i), name, stage_name, value, share)
        items.append(ct)
    return items


def _run_monte_carlo(
    model: MeasurementModel,
    full: FullResult,
    seed: int | None,
    trials: int | None,
    *,
    quiet: bool,
) -> MonteCarloStudy:
    """Adaptive Monte Carlo with a progress bar on stderr (trials drawn so far)."""
    columns = (
        SpinnerColumn(),
        TextColumn("Monte Carlo"),
        BarColumn(),
        TextColumn("{task.completed:,} trials"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=quiet) as bar:
        task = bar.add_task("mc", total=trials)

        def tick(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        return evaluate_monte_carlo(model, full, trials=trials, seed=seed, progress=tick)


def _text_of(items: list[Any]) -> str:
    console = Console(record=True, width=110, file=open(os.devnull, "w"))  # noqa: SIM115
    for item in items:
        console.print(item)
    return console.export_text()


@app.command()
def evaluate(
    study: Annotated[
        Path, typer.Argument(help="Study file (YAML/JSON/xlsx) or a directory with study.yaml.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the JSON result contract.")
    ] = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the output to this file.")
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the summary.")] = Lang.zh,
    top: Annotated[int, typer.Option(help="How many top contributions to show.")] = 10,
    uncertainty: Annotated[
        UncertaintyMethod,
        typer.Option(
            help="jjf: the specification's formulas only; full: also the full GUM evaluation "
            "(factors, distances, correlations, budget)."
        ),
    ] = UncertaintyMethod.jjf,
    mc: Annotated[
        bool,
        typer.Option(
            "--mc", help="Also run adaptive Monte Carlo (JJF 1059.2) and validate the GUM result."
        ),
    ] = False,
    seed: Annotated[int | None, typer.Option(help="Seed of the Monte Carlo draws.")] = None,
    trials: Annotated[
        int | None, typer.Option(help="Fixed number of Monte Carlo trials (default: adaptive).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write the PDF evaluation report.")
    ] = None,
) -> None:
    """Evaluate a study: Table A.8 summary (stages, u, total, U, U_rel) and top contributions."""
    loaded, result = evaluate_file(study)
    full = mc_result = None
    if uncertainty is UncertaintyMethod.full or mc:
        model = compile_study(loaded.study, loaded.factors)
        full = evaluate_full(model)
        if mc:
            mc_result = _run_monte_carlo(model, full, seed, trials, quiet=as_json)
    if report is not None:
        write_report(loaded, result, report, lang=lang.value, mc_study=mc_result)
        err.print(f"wrote {report}")
    if as_json:
        data = result_to_dict(result, loaded.study, loaded.factors)
        if full is not None:
            data["full"] = full_to_dict(full)
        if mc_result is not None:
            data["monte_carlo"] = monte_carlo_to_dict(mc_result)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if out_file:
            write_atomic(out_file, text)
        else:
            sys.stdout.write(text)
        return
    items = render_summary(result, loaded.study, lang.value, top)
    if full is not None:
        items += render_full(full, result, lang.value, top)
    if mc_result is not None:
        items += render_monte_carlo(mc_result, lang.value)
    if out_file:
        write_atomic(out_file, _text_of(items))
        err.print(f"wrote {out_file}")
    else:
        for item in items:
            out.print(item)


@app.command()
def check(
    study: Annotated[
        Path, typer.Argument(help="Study file (YAML/JSON) or a directory with study.yaml.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as stable JSON.")
    ] = False,
    lang: Annotated[Lang, typer.Option(help="Language of the report.")] = Lang.zh,
) -> None:
    """Data-governance check: instruments, certificates, cut-off, data quality; exit 1 on errors."""
    code = run_check(study, as_json=as_json, lang=lang.value, console=out)
    if code:
        raise typer.Exit(code)


@app.command()
def schema(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the schema to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of the study file format."""
    text = json.dumps(study_schema(), ensure_ascii=False, indent=2) + "\n"
    if out_file:
        write_atomic(out_file, text)
    else:
        sys.stdout.write(text)


@app.command()
def template(
    out_file: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx).")],
    lang: Annotated[Lang, typer.Option(help="Language of the headers and instructions.")] = Lang.zh,
) -> None:
    """Write the empty Excel record workbook (Tables A.1–A.8 of Appendix A) to fill in."""
    from tanzuji.xlsx import write_template

    write_template(out_file, lang.value)
    err.print(f"wrote {out_file}")


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="Study file: .xlsx, .yaml, .yml or .json.")],
    target: Annotated[Path, typer.Argument(help="File to write: .xlsx, .yaml, .yml or .json.")],
    lang: Annotated[Lang, typer.Option(help="Language of a workbook written.")] = Lang.zh,
) -> None:
    """Convert a study between Excel workbook and YAML/JSON, in either direction, without loss."""
    from tanzuji.xlsx import convert_study

    for note in convert_study(source, target, lang.value):
        err.print(f"[yellow]warning:[/yellow] {escape(note)}")
    err.print(f"wrote {target}")


def find_examples() -> Path:
    """The bundled examples: ./examples, else the source tree's examples/."""
    here = Path.cwd() / "examples"
    if here.is_dir():
        return here
    tree = Path(__file__).resolve().parents[2] / "examples"
    if tree.is_dir():
        return tree
    raise TanzujiError("bundled examples not found; run from the repository or pass --examples")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path(
        "tanzuji-demo"
    ),
    examples: Annotated[Path | None, typer.Option(help="Directory of example studies.")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the summaries.")] = Lang.zh,
) -> None:
    """Evaluate every bundled example and write its outputs to ./tanzuji-demo/."""
    root = examples or find_examples()
    dirs = sorted(d for d in root.iterdir() if d.is_dir() and any(d.glob("study.*")))
    if not dirs:
        raise TanzujiError(f"no example studies under {root}")
    for d in dirs:
        loaded, result = evaluate_file(d)
        target = out_dir / d.name
        data = result_to_dict(result, loaded.study, loaded.factors)
        write_atomic(target / "result.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        items = render_summary(result, loaded.study, lang.value)
        write_atomic(target / "summary.txt", _text_of(items))
        pdf = demo_report(loaded, result, target, out_dir / "keys", lang.value)
        write_demo_footprint(d, out_dir / f"{d.name}.pact.json", pdf)
        out.rule(f"{d.name}")
        for item in items:
            out.print(item)
        out.print(f"[dim]→ {target}/result.json, summary.txt, report.pdf (signed)[/dim]")
        out.print(f"[dim]→ {out_dir}/{d.name}.pact.json (PACT v3)[/dim]")


def _all_factors() -> FactorLibrary:
    return FactorLibrary.layered(load_factor_library(p) for p in builtin_libraries().values())


def _factor_table(rows: list[Any], lang: str) -> Table:
    table = Table()
    for col in ("id", "name", "value", "unit", "grade", "u", "year", "region"):
        table.add_column(col, overflow="fold")
    for ef in rows:
        table.add_row(
            ef.id,
            ef.name.pick(lang),
            f"{ef.value:g}",
            ef.unit,
            ef.grade.zh if lang == "zh" else ef.grade.value,
            f"{ef.u:.3g}" if ef.uncertainty else "—",
            str(ef.year or ""),
            ef.region or "",
        )
    return table


@factors_app.command("list")
def factors_list(
    library: Annotated[
        Path | None, typer.Option(help="A factor-library file instead of the builtin ones.")
    ] = None,
    lang: Annotated[Lang, typer.Option()] = Lang.zh,
) -> None:
    """List the factors of the builtin libraries (or of one file)."""
    lib = load_factor_library(library) if library else _all_factors()
    out.print(_factor_table(sorted(lib, key=lambda f: f.id), lang.value))


@factors_app.command("show")
def factors_show(factor_id: str, library: Annotated[Path | None, typer.Option()] = None) -> None:
    """Show one factor in full (source, type, grade, uncertainty)."""
    lib = load_factor_library(library) if library else _all_factors()
    ef = lib.get(factor_id, path="FACTOR_ID")
    data = ef.model_dump(mode="json", exclude_none=True)
    data["grade"] = ef.grade.value
    data["u"] = ef.u
    out.print_json(json.dumps(data, ensure_ascii=False))


@factors_app.command("search")
def factors_search(
    text: str,
    library: Annotated[Path | None, typer.Option()] = None,
    lang: Annotated[Lang, typer.Option()] = Lang.zh,
) -> None:
    """Search factors by words in id, names, tags, region, year or source."""
    lib = load_factor_library(library) if library else _all_factors()
    found = lib.search(text)
    if not found:
        err.print(f"no factor matches {text!r}")
        raise typer.Exit(1)
    out.print(_factor_table(found, lang.value))


def main() -> None:
    """Console entry point: run the app, turning user errors into one-line messages."""
    try:
        app()
    except InputErrors as exc:
        for e in exc.errors:
            err.print(f"[red]error:[/red] {escape(str(e))}")
        sys.exit(1)
    except TanzujiError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)
