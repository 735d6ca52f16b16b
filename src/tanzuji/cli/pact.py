"""``tanzuji pact``: PACT v3 export, import, pull and a standalone host (serve)."""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from tanzuji.cli._common import ForceOption, out, output_path, wrote
from tanzuji.errors import TanzujiError
from tanzuji.i18n import get_lang, os_reason, tr

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
    from tanzuji.cli import pacthost

    pacthost.register(pact_app)
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
            tr(f"无法读取报告 {pdf}：{os_reason(exc)}", f"cannot read {pdf}: {os_reason(exc)}")
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
    from tanzuji.jsonio.components import compile_with_components
    from tanzuji.pact.export import ExportOptions, export_footprint
    from tanzuji.studyfiles import load_study, locate_errors

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
        str, typer.Argument(help="Study file or directory, or a stored revision id (prefix).")
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
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Database holding stored revisions.")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation to act for.")] = None,
    force: ForceOption = False,
) -> None:
    """Export a study's footprint as a PACT v3 ProductFootprint with the uncertainty extension."""
    if out_file is not None:
        output_path(out_file, (".json",), force=force)
    if not Path(study).exists() and re.fullmatch(r"[0-9a-fA-F]{6,64}", study):
        pf = _revision_footprint(study, method.value, base_url, seed, database_url, org)
    else:
        pf = _file_footprint(study, method.value, report, report_no, base_url, seed)
    text = json.dumps(pf, ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        typer.echo(text, nl=False)
        return
    _write(out_file, text)
    wrote(out_file, f"（PACT v3 产品碳足迹 {pf['id']}）", f" (PACT v3 footprint {pf['id']})")


def _revision_footprint(
    rev: str,
    method: str,
    base_url: str,
    seed: int | None,
    database_url: str | None,
    org: str | None,
) -> dict[str, Any]:
    from tanzuji.config import load_config
    from tanzuji.pact.export import ExportOptions
    from tanzuji.services.context import actor_from_config, store_from_config
    from tanzuji.services.pact import revision_footprint
    from tanzuji.store import UnitOfWork

    cfg = load_config().with_overrides(database_url=database_url, org=org)
    uow = UnitOfWork(store_from_config(cfg), write=False)
    opts = ExportOptions(base_url=base_url, method=method)  # type: ignore[arg-type]
    return revision_footprint(uow, actor_from_config(cfg), rev, opts, seed=seed)


def _file_footprint(
    study: str,
    method: str,
    report: Path | None,
    report_no: str | None,
    base_url: str,
    seed: int | None,
) -> dict[str, Any]:
    return build_footprint(
        Path(study),
        method=method,
        report=report,
        report_number=report_no,
        base_url=base_url,
        seed=seed,
    )


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


@pact_app.command("compare")
def compare(
    sources: Annotated[list[Path], typer.Argument(help="Footprint JSON files or directories.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Put several suppliers' footprints side by side with U; flag pairs not comparable."""
    import dataclasses

    from rich.table import Table

    from tanzuji.pact.compare import compare_footprints
    from tanzuji.pact.importer import read_footprints
    from tanzuji.pact.schema import validate_footprint

    items = read_footprints(sources)
    for _, _, pf in items:
        validate_footprint(pf)
    result = compare_footprints([pf for _, _, pf in items])
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2))
        return
    table = Table()
    for col in (
        "#",
        tr("企业", "Company"),
        tr("产品", "Product"),
        "kgCO2e",
        "U (k)",
        tr("方法", "Method"),
        tr("参考期", "Period"),
    ):
        table.add_column(col, overflow="fold")
    for i, e in enumerate(result.entries):
        u = f"{e.U:.3g} ({e.k:g})" if e.U is not None and e.k is not None else "—"
        table.add_row(
            str(i + 1),
            escape(e.company),
            escape(e.product),
            f"{e.value:.6g}",
            u,
            e.method or "—",
            f"{e.period[0]} … {e.period[1]}",
        )
    out.print(table)
    if not result.pairs:
        out.print(tr("全部可比。", "All comparable."))
    for p in result.pairs:
        reasons = p.reasons_zh if get_lang() == "zh" else p.reasons_en
        out.print(
            tr(
                f"[yellow]不可比[/yellow] #{p.first + 1} / #{p.second + 1}：",
                f"[yellow]not comparable[/yellow] #{p.first + 1} / #{p.second + 1}: ",
            )
            + escape("; ".join(reasons))
        )


@pact_app.command("requests")
def requests_(
    config: Annotated[Path, typer.Argument(help="Host configuration (YAML).")],
) -> None:
    """List the footprint requests (RequestCreated events) not answered yet."""
    from tanzuji.pact.host import FileBackend

    pending = FileBackend.from_file(config).pending_requests()
    if not pending:
        out.print(tr("没有待处理的请求。", "No pending requests."))
    for ev in pending:
        crit = json.dumps(dict(ev.data), ensure_ascii=False)
        out.print(
            f"{escape(ev.id)}  {escape(ev.org)}  {ev.received:%Y-%m-%d %H:%M}  {escape(crit)}"
        )


@pact_app.command("respond")
def respond(
    config: Annotated[Path, typer.Argument(help="Host configuration (YAML).")],
    request_id: Annotated[str, typer.Argument(help="Id of the RequestCreated event.")],
    reject: Annotated[
        str | None, typer.Option("--reject", help="Reject, with this reason for the requester.")
    ] = None,
) -> None:
    """Fulfil (with the matching shared footprints) or reject a request; the answer goes to
    the partner host the requesting organisation registered, nowhere else."""
    from tanzuji.pact.client import deliver_to_partner
    from tanzuji.pact.host import FileBackend

    backend = FileBackend.from_file(config)
    event = next((e for e in backend.pending_requests() if e.id == request_id), None)
    if event is None:
        raise TanzujiError(tr(f"没有待处理的请求 {request_id}", f"no pending request {request_id}"))
    if event.org not in backend.config.partners:
        raise TanzujiError(
            tr(
                f"组织 {event.org} 未登记伙伴主机（partners），无法回复",
                f"organisation {event.org} registered no partner host (partners); cannot answer",
            )
        )
    answer = backend.respond(event, reject=reject)
    if not deliver_to_partner(backend, event.org, answer):
        raise TanzujiError(
            tr(
                f"无法送达 {event.org} 的伙伴主机",
                f"could not deliver to {event.org}'s partner host",
            )
        )
    kind = "RequestFulfilled" if "Fulfilled" in answer["type"] else "RequestRejected"
    out.print(tr(f"已发送 {kind} 至 {event.org}", f"sent {kind} to {event.org}"))


@pact_app.command("notify")
def notify(
    config: Annotated[Path, typer.Argument(help="Host configuration (YAML).")],
    pf_ids: Annotated[list[str], typer.Argument(help="Ids of published or updated footprints.")],
) -> None:
    """Send a PublishedEvent to every registered partner allowed to see the footprints."""
    from tanzuji.pact.client import deliver_to_partner
    from tanzuji.pact.host import FileBackend

    backend = FileBackend.from_file(config)
    unknown = [p for p in pf_ids if not backend.exists(p)]
    if unknown:
        raise TanzujiError(
            tr(f"未知的碳足迹 {', '.join(unknown)}", f"unknown footprints {', '.join(unknown)}")
        )
    orgs, event = backend.published_event(pf_ids)
    for org in orgs:
        ok = deliver_to_partner(backend, org, event)
        out.print(
            f"{escape(org)}: " + (tr("已送达", "delivered") if ok else tr("送达失败", "failed"))
        )
    if not orgs:
        out.print(tr("没有可通知的伙伴。", "No partner may see these footprints."))
