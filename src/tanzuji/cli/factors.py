"""``tanzuji factors``: list, show (a readable card), search (whole words), import-grid."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from tanzuji.cli._common import ForceOption, LangOption, apply_lang, err, out, output_path, wrote
from tanzuji.cli.labels import label
from tanzuji.i18n import tr

if TYPE_CHECKING:
    from rich.table import Table

    from tanzuji.factors import FactorLibrary
    from tanzuji.model import EmissionFactor

__all__ = ["factor_card", "register"]

LibraryOption = Annotated[
    Path | None,
    typer.Option("--library", help="A factor-library file instead of the builtin ones."),
]


def _library(path: Path | None) -> FactorLibrary:
    from tanzuji.factors import FactorLibrary
    from tanzuji.jsonio import builtin_libraries, load_factor_library

    if path is not None:
        return load_factor_library(path)
    return FactorLibrary.layered(load_factor_library(p) for p in builtin_libraries().values())


def _factor_table(rows: list[EmissionFactor], lang: str) -> Table:
    from rich.table import Table

    table = Table()
    heads = {
        "zh": ("编号", "名称", "数值", "单位", "质量等级", "标准不确定度", "年份", "地区"),
        "en": ("id", "name", "value", "unit", "grade", "u", "year", "region"),
    }[lang]
    for col in heads:
        table.add_column(col, overflow="fold")
    for ef in rows:
        table.add_row(
            escape(ef.id),
            escape(ef.name.pick(lang)),
            f"{ef.value:g}",
            escape(ef.unit),
            label(ef.grade, lang),
            f"{ef.u:.3g}" if ef.uncertainty else "—",
            str(ef.year or ""),
            escape(ef.region or ""),
        )
    return table


def factor_card(ef: EmissionFactor, lang: str) -> Any:
    """One factor as a rich panel: value, grade, uncertainty, source, note."""
    from rich.panel import Panel
    from rich.table import Table

    zh = lang == "zh"
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def row(zh_label: str, en_label: str, value: object) -> None:
        if value is not None and value != "":
            grid.add_row(zh_label if zh else en_label, escape(str(value)))

    other = ef.name.en if zh else ef.name.zh
    row("编号", "Id", ef.id)
    if other and other != ef.name.pick(lang):
        row("另名", "Also named", other)
    row("数值", "Value", f"{ef.value:g} {ef.unit}")
    row("温室气体", "Gas", ef.gas)
    row("范围", "Scope", ef.scope)
    row("地区", "Region", ef.region)
    row("数据年份", "Year of data", ef.year)
    row("因子类型", "Factor type", label(ef.factor_type, lang))
    row("质量等级（表 5）", "Grade (Table 5)", label(ef.grade, lang))
    if ef.uncertainty is not None:
        rel = f" ({100 * ef.u / ef.value:.2g} %)" if ef.value else ""
        row("标准不确定度", "Standard uncertainty", f"{ef.u:.3g} {ef.unit}{rel}")
        row("不确定度依据", "Basis of the uncertainty", ef.uncertainty.basis)
    else:
        row("标准不确定度", "Standard uncertainty", tr("未给出", "not given"))
    src = ef.source
    row("来源", "Source", src.citation)
    row("发布机构", "Publisher", src.publisher)
    row("发布日期", "Published", src.published)
    row("出处位置", "Locator", src.locator)
    row("网址", "URL", src.url)
    if ef.verification:
        row("核对状态", "Verification", label(ef.verification, lang))
    row("说明", "Note", ef.note)
    row("标签", "Tags", ", ".join(ef.tags))
    row("所属因子库", "Library", ef.library)
    return Panel(grid, title=f"[bold]{escape(ef.name.pick(lang))}[/bold]", expand=False)


def factors_list(
    library: LibraryOption = None,
    lang: LangOption = None,
    grid: Annotated[
        bool,
        typer.Option(
            "--grid",
            help="Every province (31) with its provincial grid CO2 factor per year, or "
            "'no published value in the library'.",
        ),
    ] = False,
) -> None:
    """List the factors of the builtin libraries (or of one file)."""
    code = apply_lang(lang)
    lib = _library(library)
    if grid:
        out.print(_province_table(lib, code))
        return
    out.print(_factor_table(sorted(lib, key=lambda f: f.id), code))


def provincial_factors(lib: FactorLibrary) -> dict[str, dict[int, EmissionFactor]]:
    """Provincial grid factors by region code (``CN-ZJ``) and year of data."""
    found: dict[str, dict[int, EmissionFactor]] = {}
    for ef in lib:
        if ef.region and ef.year and "provincial" in ef.tags and "grid" in ef.tags:
            found.setdefault(ef.region, {})[ef.year] = ef
    return found


def _province_table(lib: FactorLibrary, lang: str) -> Table:
    """All 31 provinces: the library's provincial grid factor per year, or a plain statement
    that the library holds no published value (never an interpolated or regional stand-in)."""
    from rich.table import Table

    from tanzuji.gridimport import PROVINCES

    found = provincial_factors(lib)
    years = sorted({y for by_year in found.values() for y in by_year})
    missing = tr("因子库中无已发布值", "no published value in the library")
    table = Table(
        title=tr(
            "省级电力平均二氧化碳排放因子（kgCO2/kWh）",
            "Provincial average electricity CO2 factors (kgCO2/kWh)",
        ),
        caption=tr(
            "只收录有确切出处的已发布数值（出处见 `tanzuji factors show <编号>`），不插值、"
            "不以区域值代替；其余省份可用 `tanzuji factors import-grid` 从官方表格导入。",
            "Only published values with an exact source are shipped (see `tanzuji factors show "
            "<id>`), never interpolated or stood in for by a regional value; import the other "
            "provinces from the official table with `tanzuji factors import-grid`.",
        ),
    )
    table.add_column(tr("省份", "province"))
    table.add_column(tr("代码", "code"))
    for year in years:
        table.add_column(tr(f"{year} 年", str(year)), overflow="fold")
    if not years:
        table.add_column(tr("数值", "value"))
    for zh, (short, en) in PROVINCES.items():
        by_year = found.get(f"CN-{short}", {})
        cells = [
            f"{by_year[y].value:g}（{by_year[y].id}）"
            if lang == "zh" and y in by_year
            else f"{by_year[y].value:g} ({by_year[y].id})"
            if y in by_year
            else missing
            for y in years
        ] or [missing]
        table.add_row(zh if lang == "zh" else en, f"CN-{short}", *cells)
    return table


def factors_show(
    factor_id: Annotated[str, typer.Argument(help="The factor id (see `tanzuji factors list`).")],
    library: LibraryOption = None,
    lang: LangOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the factor as JSON.")] = False,
) -> None:
    """Show one factor as a card: value, grade, uncertainty and its basis, source, note."""
    import json

    code = apply_lang(lang)
    ef = _library(library).get(factor_id, path="FACTOR_ID")
    if as_json:
        data = ef.model_dump(mode="json", exclude_none=True)
        data["grade"] = ef.grade.value
        data["u"] = ef.u
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(factor_card(ef, code))


def factors_search(
    text: Annotated[str, typer.Argument(help="Whole words (English) or Chinese text.")],
    library: LibraryOption = None,
    lang: LangOption = None,
) -> None:
    """Search factors: every word must appear as a whole word (id, names, tags, region, source)."""
    code = apply_lang(lang)
    found = _library(library).search(text)
    if not found:
        err.print(escape(tr(f"没有与 {text!r} 匹配的因子", f"no factor matches {text!r}")))
        raise typer.Exit(1)
    out.print(_factor_table(found, code))


def factors_import_grid(
    table: Annotated[
        Path,
        typer.Argument(help="The published table as .csv or .xlsx (province, year, value, unit)."),
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Factor library to write (.yaml).")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="co2: electricity CO2 emission factors (MEE/NBS); footprint: electricity "
            "carbon-footprint factors (MEE/NBS/NEA).",
        ),
    ] = "co2",
    citation: Annotated[
        str | None,
        typer.Option(help="The publication (default: read from the table's `source` column)."),
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="The data year, if the table has no year column.")
    ] = None,
    library_id: Annotated[
        str | None, typer.Option("--id", help="Library id (default: from the file name).")
    ] = None,
    lang: LangOption = None,
    force: ForceOption = False,
) -> None:
    """Import an official provincial/regional grid factor table into a factor library."""
    from tanzuji.fileio import write_atomic
    from tanzuji.gridimport import import_grid_table, library_yaml

    apply_lang(lang)
    output_path(out_file, (".yaml", ".yml"), force=force)
    lib = import_grid_table(
        table, kind=kind, citation=citation, year=year, library_id=library_id or out_file.stem
    )
    write_atomic(out_file, library_yaml(lib))
    wrote(
        out_file,
        f"（{len(lib.factors)} 个因子）",
        f" ({len(lib.factors)} factors)",
    )


def register(app: typer.Typer) -> None:
    """Add the ``factors`` command group to the ``tanzuji`` app."""
    factors_app = typer.Typer(
        help="Browse the emission-factor libraries; import official grid factor tables.",
        no_args_is_help=True,
    )
    factors_app.command("list")(factors_list)
    factors_app.command("show")(factors_show)
    factors_app.command("search")(factors_search)
    factors_app.command("import-grid")(factors_import_grid)
    app.add_typer(factors_app, name="factors")
