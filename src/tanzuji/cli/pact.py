"""``tanzuji pact``: PACT v3 export, import, pull and a standalone host (serve)."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from tanzuji.cli._common import ForceOption, out, output_path, wrote
from tanzuji.errors import TanzujiError
from tanzuji.i18n import tr

__all__ = ["register", "write_demo_footprint"]

pact_app = typer.Typer(
    help="PACT v3 exchange: export footprints with their uncertainty, import supplier "
    "footprints, pull from a PACT host, serve one.",
    no_args_is_help=True,
)


class Method(StrEnum):
    jjf = "jjf"
    full = "full"
    mc = "mc"


def register(app: typer.Typer) -> None:
    """Add the ``pact`` command group to the main app."""
    app.add_typer(pact_app, name="pact")


def _write(path: Path, text: str) -> None:
    from tanzuji.fileio import write_atomic

    write_atomic(path, text)


def _report_ref(pdf: Path, study: Any, result: Any, number: str | None) -> Any:
    import datetime as dt

    from tanzuji.pact.extension import ReportRef
    from tanzuji.report.identity import report_number

    try:
        digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    except OSError as exc:
        raise TanzujiError(
            tr(f"无法读取报告 {pdf}：{exc.strerror}", f"cannot read {pdf}: {exc.strerror}")
        ) from None
    if number is None:
        date = study.evaluator.date if study.evaluator and study.evaluator.date else dt.date.today()
        number = report_number(study, result, date)
    return ReportRef(number=number, sha256=digest)


def build_footprint(
    study_path: Path,
    *,
    method: str = "jjf",
    report: Path | None = None,
    report_number: str | None = None,
    base_url: str = "https://localhost:8443",
    seed: int | None = None,
) -> dict[str, Any]:
    """Evaluate a study file and export its footprint (the use case behind ``pact export``)."""
    from tanzuji.calculation import evaluate_full, evaluate_jjf, evaluate_monte_carlo
    from tanzuji.errors import InputErrors
    from tanzuji.jsonio import load_study, locate_errors
    from tanzuji.jsonio.components import compile_with_components
    from tanzuji.pact.export import ExportOptions, export_footprint

    loaded = load_study(study_path)
    try:
        model = compile_with_components(loaded, load_study)
    except InputErrors as exc:
        raise locate_errors(exc, loaded) from None
    result = evaluate_jjf(model)
    full = evaluate_full(model) if method in ("full", "mc") else None
    mc = evaluate_monte_carlo(model, full, seed=seed) if method == "mc" and full else None
    ref = _report_ref(report, loaded.study, result, report_number) if report else None
    opts = ExportOptions(base_url=base_url, method=method, report=ref)  # type: ignore[arg-type]
    try:
        return export_footprint(loaded.study, model, result, opts, full=full, mc=mc)
    except InputErrors as exc:
        raise InputErrors([e.with_location(file=str(loaded.path)) for e in exc.errors]) from None


def write_demo_footprint(example: Path, target: Path, report: Path | None) -> Path:
    """``make demo``: the example's footprint with the signed report's number and hash."""
    import os

    pf = build_footprint(
        example,
        report=report,
        base_url=os.environ.get("TANZUJI_PUBLIC_URL", "https://localhost:8443"),
    )
    from tanzuji.fileio import write_atomic

    write_atomic(target, json.dumps(pf, ensure_ascii=False, indent=2) + "\n")
    return target


@pact_app.command("export")
def export(
    study: Annotated[
        Path, typer.Argument(help="Study file or directory (stored revisions: see docs/pact.md).")
    ],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="JSON file to write (default: stdout).")
    ] = None,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            help="Uncertainty in the extension: jjf (specification), full (GUM), mc (Monte Carlo).",
        ),
    ] = Method.jjf,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="The signed PDF report: its number and SHA-256 go into the extension."
        ),
    ] = None,
    report_no: Annotated[
        str | None,
        typer.Option(
            "--report-number",
            help="Report number, when the report's date is not the evaluator's date.",
        ),
    ] = None,
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url",
            envvar="TANZUJI_PUBLIC_URL",
            help="Public HTTPS URL of the server publishing it (names the extension schema).",
        ),
    ] = "https://localhost:8443",
    seed: Annotated[int | None, typer.Option("--seed", help="Monte Carlo seed.")] = None,
    force: ForceOption = False,
) -> None:
    """Export a study's footprint as a PACT v3 ProductFootprint with the uncertainty extension."""
    if out_file is not None:
        output_path(out_file, (".json",), force=force)
    pf = build_footprint(
        study,
        method=method.value,
        report=report,
        report_number=report_no,
        base_url=base_url,
        seed=seed,
    )
    text = json.dumps(pf, ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        typer.echo(text, nl=False)
        return
    _write(out_file, text)
    wrote(out_file, f"（PACT v3 产品碳足迹 {pf['id']}）", f" (PACT v3 footprint {pf['id']})")


@pact_app.command("import")
def import_(
    sources: Annotated[list[Path], typer.Argument(help="Footprint JSON files or directories.")],
    out_file: Annotated[Path, typer.Option("--out", help="Factor library (YAML) to write.")],
    library_id: Annotated[
        str, typer.Option("--library-id", help="Id of the new library.")
    ] = "supplier-pcf",
    force: ForceOption = False,
) -> None:
    """Import supplier footprints as factors of type supplier_pcf (a factor library)."""
    output_path(out_file, (".yaml", ".yml"), force=force)
    from tanzuji.pact.importer import import_footprints, read_footprints

    factors = import_footprints(read_footprints(sources))
    _write_library(factors, out_file, library_id)


def _write_library(factors: list[Any], out_file: Path, library_id: str) -> None:
    import yaml

    from tanzuji.pact.importer import library_document

    doc = library_document(factors, library_id)
    _write(out_file, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    for ef in factors:
        u = ef.u
        out.print(
            f"{escape(ef.id)}  {ef.value:.6g} {ef.unit}  u = {u:.3g}  "
            + tr(
                f"（{ef.grade.zh}，"
                f"{'已核查' if ef.verification == 'verified' else '未经第三方核查'}）",
                f"({ef.grade.value.replace('_', ' ')}, "
                f"{'verified' if ef.verification == 'verified' else 'not third-party verified'})",
            )
        )
    wrote(out_file, f"：{len(factors)} 个供应商因子", f": {len(factors)} supplier factors")


@pact_app.command("pull")
def pull(
    host: Annotated[str, typer.Option("--host", help="Base URL of the PACT host (https://…).")],
    client_id: Annotated[str, typer.Option("--client-id", help="Client id given by the host.")],
    client_secret: Annotated[
        str,
        typer.Option(
            "--client-secret",
            envvar="TANZUJI_PACT_SECRET",
            help="Client secret (or TANZUJI_PACT_SECRET).",
        ),
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Factor library (YAML) to write.")],
    product: Annotated[
        list[str] | None, typer.Option("--product", help="Product id URN (repeatable).")
    ] = None,
    auth_url: Annotated[
        str | None, typer.Option("--auth-url", help="Token URL if not HOST/auth/token.")
    ] = None,
    cafile: Annotated[
        Path | None, typer.Option("--cafile", help="CA certificate(s) to trust (PEM).")
    ] = None,
    library_id: Annotated[
        str, typer.Option("--library-id", help="Id of the new library.")
    ] = "supplier-pcf",
    force: ForceOption = False,
) -> None:
    """Fetch a supplier's footprints from a PACT v3 host and import them as factors."""
    output_path(out_file, (".yaml", ".yml"), force=force)
    from tanzuji.pact.client import PactClient
    from tanzuji.pact.importer import import_footprints

    client = PactClient(
        host, client_id, client_secret, auth_url=auth_url, verify=str(cafile) if cafile else True
    )
    with client:
        items = client.list_footprints(product_ids=product or [])
    factors = import_footprints(
        ((host, f"$.data[{i}]", pf) for i, pf in enumerate(items)), origin=host
    )
    _write_library(factors, out_file, library_id)


@pact_app.command("serve")
def serve(
    config: Annotated[
        Path, typer.Argument(help="Host configuration (YAML): clients, footprints, partners.")
    ],
    cert: Annotated[Path, typer.Option("--cert", help="TLS certificate (PEM).")],
    key: Annotated[Path, typer.Option("--key", help="TLS private key (PEM).")],
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8443,
) -> None:
    """Serve a standalone PACT v3 host over HTTPS (no plain HTTP listener)."""
    import uvicorn

    from tanzuji.pact.api import create_app
    from tanzuji.pact.client import deliver_to_partner
    from tanzuji.pact.host import FileBackend

    backend = FileBackend.from_file(config)
    app = create_app(backend, deliver=lambda org, ev: deliver_to_partner(backend, org, ev))
    uvicorn.run(
        app, host=host, port=port, ssl_certfile=str(cert), ssl_keyfile=str(key), log_level="warning"
    )


@pact_app.command("client-add")
def client_add(
    config: Annotated[Path, typer.Argument(help="Host configuration (YAML) to add the client to.")],
    org: Annotated[str, typer.Argument(help="Organisation of the client.")],
    client_id: Annotated[str | None, typer.Option("--client-id")] = None,
) -> None:
    """Add a client credential to a host configuration; prints the secret once."""
    import secrets

    import yaml

    from tanzuji.fileio import write_atomic
    from tanzuji.pact.host import new_secret, secret_hash

    data: dict[str, Any] = {}
    if config.exists():
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    cid = client_id or f"{org}-{secrets.token_hex(4)}"
    secret = new_secret()
    data.setdefault("clients", []).append(
        {"id": cid, "secret_sha256": secret_hash(secret), "org": org}
    )
    write_atomic(config, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    out.print(f"client_id={cid}\nclient_secret={secret}")
