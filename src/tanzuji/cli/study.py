"""Study commands: ``evaluate``, ``check``, ``schema``, ``template``, ``convert``, ``demo``.

The shell parses options, calls the library and prints; heavy modules (the calculation,
the GUM and Monte Carlo engines, the report renderer, openpyxl) are imported inside the
commands so that ``tanzuji --help`` stays fast.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tanzuji.cli._common import (
    ForceOption,
    LangOption,
    McOption,
    QuietOption,
    UncertaintyMethod,
    UncertaintyOption,
    apply_lang,
    err,
    out,
    output_path,
    text_of,
    warn,
    wrote,
)
from tanzuji.errors import TanzujiError
from tanzuji.i18n import tr

if TYPE_CHECKING:
    from tanzuji.calculation import FullResult, MeasurementModel, MonteCarloStudy
    from tanzuji.jsonio import LoadedStudy

__all__ = ["find_examples", "register", "warn_missing_uncertainty"]

#: Findings of the data-governance check that mean "this input counts with u = 0".
ZERO_U_CODES = ("data.no_uncertainty", "uncertainty.not_derivable", "uncertainty.incomplete")
#: Other findings that change what is calculated, so evaluate and report warn about them too.
EVALUATE_WARNING_CODES = ("duration.calendar_year",)


def zero_u_findings(loaded: LoadedStudy) -> list[Any]:
    """The governance findings about inputs counted with u = 0, in study order."""
    from tanzuji.governance import check_quantities

    return [f for f in check_quantities(loaded.study) if f.code in ZERO_U_CODES]


#: Most per-activity warnings printed by one command; the rest are counted in one line.
MAX_WARNINGS = 20


def _per_activity(findings: list[Any]) -> list[list[Any]]:
    """The "no uncertainty" findings of one activity (a leg's mass and distance, an
    operation's power and duration) as one group, said once with all their paths; the
    group's first finding is the one about the activity itself (not its distance)."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for f in findings:
        m = re.match(r"(activities\[\d+\])\.\w+$", f.path or "")
        key = (
            (f.code, m.group(1))
            if f.code == "data.no_uncertainty" and m
            else (f.code, f.path or str(id(f)))
        )
        groups.setdefault(key, []).append(f)
    return [sorted(g, key=lambda f: (f.path or "").endswith(".distance")) for g in groups.values()]


def warn_missing_uncertainty(loaded: LoadedStudy) -> int:
    """Warn (stderr, user's language) about every activity counted with u = 0 and about
    a duration converted with the Julian year; how many inputs count with u = 0."""
    from tanzuji.governance import check_quantities

    every = check_quantities(loaded.study)
    for f in every:
        if f.code in EVALUATE_WARNING_CODES:
            where = f" ({f.path})" if f.path else ""
            warn(f"{f.message('zh')}{where}", f"{f.message('en')}{where}")
    findings = [f for f in every if f.code in ZERO_U_CODES]
    groups = _per_activity(findings)
    for group in groups[:MAX_WARNINGS]:  # bounded output (issue 9: 100,000 activities)
        f = group[0]
        paths = ", ".join(g.path for g in group if g.path)
        where = f" ({paths})" if paths else ""
        en = f.message("en")
        m = re.match(r"activities\[(\d+)\]$", f.path)
        if f.code == "data.no_uncertainty" and m:  # the activity's English name, if it has one
            name = loaded.study.activities[int(m.group(1))].name
            if name.en:
                en = f"no measurement uncertainty is evaluated for {name.en!r}"
        warn(f"{f.message('zh')}，按 u = 0 计入{where}", f"{en}; counted with u = 0{where}")
    if len(groups) > MAX_WARNINGS:
        more = len(groups) - MAX_WARNINGS
        warn(
            f"另有 {more} 项活动未评定不确定度，按 u = 0 计入（tanzuji check 列出全部）",
            f"{more} more activities have no uncertainty and count with u = 0 "
            "(tanzuji check lists them all)",
        )
    return len(findings)


def _run_monte_carlo(
    model: MeasurementModel,
    full: FullResult,
    seed: int | None,
    trials: int | None,
    *,
    quiet: bool,
) -> MonteCarloStudy:
    """Adaptive Monte Carlo with a progress bar on stderr (trials drawn so far)."""
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from tanzuji.calculation import evaluate_monte_carlo

    columns = (
        SpinnerColumn(),
        TextColumn(tr("蒙特卡洛", "Monte Carlo")),
        BarColumn(),
        TextColumn("{task.completed:,} " + tr("次", "trials")),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=quiet) as bar:
        task = bar.add_task("mc", total=trials)

        def tick(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        return evaluate_monte_carlo(model, full, trials=trials, seed=seed, progress=tick)


def evaluate(
    study: Annotated[
        Path, typer.Argument(help="Study file (YAML/JSON/xlsx) or a directory with study.yaml.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the JSON result contract.")
    ] = False,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Write the output to this file (.json with --json, else .txt)."),
    ] = None,
    lang: LangOption = None,
    top: Annotated[int, typer.Option(help="How many top contributions to show.")] = 10,
    uncertainty: UncertaintyOption = UncertaintyMethod.jjf,
    mc: McOption = False,
    seed: Annotated[int | None, typer.Option(help="Seed of the Monte Carlo draws.")] = None,
    trials: Annotated[
        int | None, typer.Option(help="Fixed number of Monte Carlo trials (default: adaptive).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write the PDF evaluation report.")
    ] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Evaluate a study: Table A.8 summary (stages, u, total, U, U_rel) and top contributions."""
    from tanzuji.cli.summary import render_summary
    from tanzuji.jsonio import gc_paused, result_to_dict
    from tanzuji.studyfiles import evaluate_file

    code = apply_lang(lang)
    if out_file is not None:
        output_path(out_file, (".json",) if as_json else (".txt",), force=force)
    if report is not None:
        output_path(report, (".pdf",), force=force)
    with gc_paused():  # a large study: no full collections over its millions of objects
        loaded, result = evaluate_file(study)
        if not quiet:
            warn_missing_uncertainty(loaded)
    full = mc_result = None
    if uncertainty is UncertaintyMethod.full or mc:
        from tanzuji.calculation import evaluate_full
        from tanzuji.jsonio import compile_loaded

        model = compile_loaded(loaded)  # component studies spliced in
        full = evaluate_full(model)
        if mc:
            mc_result = _run_monte_carlo(model, full, seed, trials, quiet=as_json or quiet)
    if report is not None:
        from tanzuji.report.prepare import write_report

        write_report(
            loaded,
            result,
            report,
            lang=code,
            full=full is not None,
            mc_study=mc_result,
        )
        if not quiet:
            wrote(report)
    if as_json:
        from tanzuji.jsonio import full_to_dict, monte_carlo_to_dict

        with gc_paused():
            data = result_to_dict(result, loaded.study, loaded.factors)
            if full is not None:
                data["full"] = full_to_dict(full)
            if mc_result is not None:
                data["monte_carlo"] = monte_carlo_to_dict(mc_result)
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if out_file:
            _write(out_file, text)
            if not quiet:
                wrote(out_file)
        else:
            sys.stdout.write(text)
        return
    items = render_summary(result, loaded.study, code, top)
    if full is not None:
        from tanzuji.cli.render import render_full

        items += render_full(full, result, code, top, factors=loaded.factors, model=model)
    if mc_result is not None:
        from tanzuji.cli.render import render_monte_carlo

        items += render_monte_carlo(mc_result, code)
    if out_file:
        _write(out_file, text_of(items))
        if not quiet:
            wrote(out_file)
    else:
        for item in items:
            out.print(item)


def _write(path: Path, text: str) -> None:
    from tanzuji.fileio import write_atomic

    write_atomic(path, text)


def check(
    study: Annotated[
        Path, typer.Argument(help="Study file (YAML/JSON) or a directory with study.yaml.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as stable JSON.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Data-governance check: instruments, certificates, cut-off, data quality; exit 1 on errors."""
    from tanzuji.cli.checkview import run_check

    code = run_check(study, as_json=as_json, lang=apply_lang(lang), console=out)
    if code:
        raise typer.Exit(code)


def schema(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the schema to this file (.json).")
    ] = None,
    force: ForceOption = False,
) -> None:
    """Print the JSON Schema of the study file format."""
    from tanzuji.jsonio import study_schema

    if out_file:
        output_path(out_file, (".json",), force=force)
    text = json.dumps(study_schema(), ensure_ascii=False, indent=2) + "\n"
    if out_file:
        _write(out_file, text)
        wrote(out_file)
    else:
        sys.stdout.write(text)


def template(
    out_file: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx).")],
    lang: LangOption = None,
    force: ForceOption = False,
) -> None:
    """Write the empty Excel record workbook (Tables A.1–A.8 of Appendix A) to fill in."""
    from tanzuji.xlsx import write_template

    code = apply_lang(lang)
    output_path(out_file, (".xlsx",), force=force)
    write_template(out_file, code)
    wrote(out_file)


def convert(
    source: Annotated[Path, typer.Argument(help="Study file: .xlsx, .yaml, .yml or .json.")],
    target: Annotated[Path, typer.Argument(help="File to write: .xlsx, .yaml, .yml or .json.")],
    lang: LangOption = None,
    force: ForceOption = False,
) -> None:
    """Convert a study between Excel workbook and YAML/JSON, in either direction, without loss."""
    from tanzuji.xlsx import convert_study

    code = apply_lang(lang)
    output_path(target, (".xlsx", ".yaml", ".yml", ".json"), force=force)
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise TanzujiError(
            tr("源文件与目标文件相同", "the source and the target are the same file")
        )
    for note in convert_study(source, target, code):
        warn(note, note)
    wrote(target)


def find_examples() -> Path:
    """The bundled examples: ./examples, else the source tree's examples/."""
    here = Path.cwd() / "examples"
    if here.is_dir():
        return here
    tree = Path(__file__).resolve().parents[3] / "examples"
    if tree.is_dir():
        return tree
    raise TanzujiError(
        tr(
            "找不到自带的示例；请在仓库目录下运行，或用 --examples 指定",
            "bundled examples not found; run from the repository or pass --examples",
        )
    )


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path(
        "tanzuji-demo"
    ),
    examples: Annotated[Path | None, typer.Option(help="Directory of example studies.")] = None,
    lang: LangOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the files of an earlier demo run.")
    ] = False,
) -> None:
    """Evaluate every bundled example and write its outputs to ./tanzuji-demo/."""
    from tanzuji.cli.pact import write_demo_footprint
    from tanzuji.cli.summary import render_summary
    from tanzuji.fileio import check_output_dir, write_atomic
    from tanzuji.jsonio import result_to_dict
    from tanzuji.services.issue import issue_demo_report
    from tanzuji.studyfiles import evaluate_file

    code = apply_lang(lang)
    check_output_dir(out_dir, force=force)
    root = examples or find_examples()
    dirs = sorted(d for d in root.iterdir() if d.is_dir() and any(d.glob("study.*")))
    if not dirs:
        raise TanzujiError(tr(f"{root} 下没有示例研究", f"no example studies under {root}"))
    out_dir.mkdir(exist_ok=True)
    from tanzuji.cli.meter import ingest_examples  # examples/<d>/metering → <out>/<d>-metered

    for d in [*dirs, *ingest_examples(dirs, out_dir)]:
        loaded, result = evaluate_file(d)
        target = out_dir / d.name
        target.mkdir(exist_ok=True)
        data = result_to_dict(result, loaded.study, loaded.factors)
        write_atomic(target / "result.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        items = render_summary(result, loaded.study, code)
        write_atomic(target / "summary.txt", text_of(items))
        (out_dir / "keys").mkdir(exist_ok=True)
        pdf = issue_demo_report(loaded, result, target, out_dir / "keys", code)
        write_demo_footprint(d, out_dir / f"{d.name}.pact.json", pdf)
        out.rule(f"{d.name}")
        for item in items:
            out.print(item)
        out.print(
            "[dim]→ "
            + tr(
                f"{target}/result.json、summary.txt、report.pdf（已签名）、"
                f"{out_dir}/{d.name}.pact.json（PACT v3）",
                f"{target}/result.json, summary.txt, report.pdf (signed), "
                f"{out_dir}/{d.name}.pact.json (PACT v3)",
            )
            + "[/dim]"
        )
    from tanzuji.cli.store import demo_store
    from tanzuji.cli.web import demo_web

    demo_store(dirs)  # the examples into the default database (history, diff, trend)
    demo_web(out_dir, dirs)  # demo organisations and users of the web platform


def register(app: typer.Typer) -> None:
    """Add the study commands to the ``tanzuji`` app."""
    app.command()(evaluate)
    app.command()(check)
    app.command()(schema)
    app.command()(template)
    app.command()(convert)
    app.command()(demo)
