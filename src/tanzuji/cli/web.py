"""``tanzuji serve``: the web platform under uvicorn (thin: parse options, start the server)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from tanzuji.errors import InputError
from tanzuji.i18n import tr

__all__ = ["register"]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Database (SQLAlchemy URL or SQLite file path)."),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="Serve HTTPS with this certificate (PEM).")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="Private key of --tls-cert (PEM).")
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Trusted reverse proxies (comma-separated IPs) whose X-Forwarded-Proto/For "
            "are believed; HTTPS is then required through them.",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
) -> None:
    """Serve the web platform (REST API, browser UI, public carbon labels)."""
    import uvicorn

    from tanzuji.config import load_config
    from tanzuji.web.settings import load_secret

    if (tls_cert is None) != (tls_key is None):
        raise InputError(
            tr("--tls-cert 与 --tls-key 须同时给出", "give both --tls-cert and --tls-key")
        )
    for p in (tls_cert, tls_key):
        if p is not None and not p.is_file():
            raise InputError(tr("文件不存在", "file not found"), file=str(p))
    cfg = load_config().with_overrides(database_url=database_url)
    load_secret()  # made once here, before the workers start, then read by each of them
    os.environ["TANZUJI_DATABASE_URL"] = cfg.effective_database_url
    secure = tls_cert is not None or forwarded_allow_ips is not None
    os.environ["TANZUJI_WEB_SECURE"] = "1" if secure else "0"
    os.environ["TANZUJI_WEB_REQUIRE_HTTPS"] = "1" if forwarded_allow_ips else "0"
    scheme = "https" if tls_cert else "http"
    # the URL footprints name (PACT dataSchema); never taken from a request's Host header
    os.environ.setdefault("TANZUJI_PUBLIC_URL", f"https://{host}:{port}")
    typer.echo(tr(f"服务地址 {scheme}://{host}:{port}/", f"serving at {scheme}://{host}:{port}/"))
    uvicorn.run(
        "tanzuji.web.main:create_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )


client_app = typer.Typer(help="Machine clients of the REST and PACT APIs.", no_args_is_help=True)


def _store_and_actor(database_url: str | None, org: str | None) -> tuple[Any, Any]:
    from tanzuji.config import load_config
    from tanzuji.services.context import actor_from_config, store_from_config

    cfg = load_config().with_overrides(database_url=database_url, org=org)
    return store_from_config(cfg), actor_from_config(cfg)


@client_app.command("add")
def client_add(
    org: Annotated[str, typer.Argument(help="Organisation the client acts for.")],
    name: Annotated[str | None, typer.Option(help="A name for the client.")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Add an OAuth2 client: prints the client id and the secret once (stored hashed)."""
    from tanzuji.services.admin import add_api_client
    from tanzuji.store import UnitOfWork

    store, actor = _store_and_actor(database_url, None)
    info = add_api_client(UnitOfWork(store), actor, org=org, name=name or org)
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False))
        return
    typer.echo(tr(f"客户端 ID：{info['client_id']}", f"client id: {info['client_id']}"))
    typer.echo(
        tr(f"客户端密钥：{info['client_secret']}", f"client secret: {info['client_secret']}")
    )
    typer.echo(tr("密钥只显示这一次，请妥善保存。", "The secret is shown this once; keep it safe."))


def publish(
    revision: Annotated[str, typer.Argument(help="Revision id (or a unique prefix).")],
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="Share privately with this organisation (repeatable)."),
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation to act for.")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Publish a footprint whose signed report was issued (to everyone, or --to ORG ...)."""
    from tanzuji.services.sharing import publish as publish_footprint
    from tanzuji.store import UnitOfWork

    store, actor = _store_and_actor(database_url, org)
    info = publish_footprint(UnitOfWork(store), actor, revision, to=list(to or []))
    from tanzuji.cli.pacthost import announce_quietly  # PublishedEvent to PACT partners

    announce_quietly(store, pub_ids=[info["publication"]])
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False))
        return
    where = (
        tr("公开发布", "published to everyone")
        if info["public"]
        else tr(f"私下共享给 {', '.join(info['to'])}", f"shared with {', '.join(info['to'])}")
    )
    typer.echo(
        f"{where}: /p/{info['publication']} · "
        + tr(f"有效期至 {info['valid_until']}", f"valid until {info['valid_until']}")
    )


def unpublish(
    publication: Annotated[str, typer.Argument(help="Publication id (as in /p/ID).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn (shown publicly).")],
    org: Annotated[str | None, typer.Option("--org", help="Organisation to act for.")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Withdraw a publication: the public label page then shows it withdrawn, with the reason."""
    from tanzuji.services.sharing import unpublish as unpublish_footprint
    from tanzuji.store import UnitOfWork

    store, actor = _store_and_actor(database_url, org)
    info = unpublish_footprint(UnitOfWork(store), actor, publication, reason=reason)
    from tanzuji.cli.pacthost import announce_quietly  # now Deprecated for PACT partners

    announce_quietly(store, pub_ids=[info["publication"]])
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False))
        return
    typer.echo(
        tr(
            f"已撤回发布 /p/{info['publication']}（{info['withdrawn_at']}），"
            f"理由：{info['reason']}",
            f"withdrew publication /p/{info['publication']} ({info['withdrawn_at']}), "
            f"reason: {info['reason']}",
        )
    )


DEMO_MAKER = "示例电表制造有限公司"
DEMO_LAB = "示例计量检测研究院"  # the institute the example studies name
DEMO_AUTHORITY = "示例市市场监督管理局"
DEMO_USERS = (
    ("admin@maker.demo", DEMO_MAKER, "admin", None),
    ("editor@maker.demo", DEMO_MAKER, "editor", None),
    ("viewer@maker.demo", DEMO_MAKER, "viewer", None),
    ("evaluator@lab.demo", DEMO_LAB, "evaluator", "王五"),  # the evaluator the studies name
    ("reviewer@lab.demo", DEMO_LAB, "evaluator", "赵六"),  # the technical reviewer (approves)
    ("authority@gov.demo", DEMO_AUTHORITY, "authority", None),
)


def demo_web(out_dir: Path, study_dirs: list[Path]) -> None:
    """``tanzuji demo``: a demo manufacturer, institute and authority, one user of each
    role with a random password (written once to a 0600 file), the examples saved."""
    import secrets

    from tanzuji.services.admin import add_org, add_user
    from tanzuji.services.context import Actor
    from tanzuji.services.demo import seed_demo
    from tanzuji.services.sharing import share_revision
    from tanzuji.store import UnitOfWork

    store, _ = _store_and_actor(None, None)
    store.upgrade(create=True)
    actor = Actor(user="demo", org=DEMO_MAKER)
    with UnitOfWork(store, write=False) as uow:
        have_orgs = {o.name for o in uow.orgs.list()}
        have_users = {u.email for u in uow.users.list()}
    for name in (DEMO_MAKER, DEMO_LAB, DEMO_AUTHORITY):
        if name not in have_orgs:
            add_org(UnitOfWork(store), actor, name)
    lines = []
    for email, org, role, display in DEMO_USERS:
        if email in have_users:
            continue
        password = secrets.token_urlsafe(12)
        add_user(
            UnitOfWork(store),
            actor,
            email,
            org=org,
            role=role,
            password=password,
            display_name=display,
        )
        lines.append(f"{email}\t{password}\t{org}\t{role}")
    saved = seed_demo(lambda: UnitOfWork(store), actor, study_dirs)
    if saved:
        first = saved[0][1].revision_id
        share_revision(UnitOfWork(store), actor, first, DEMO_LAB)
        passphrase = secrets.token_urlsafe(12)
        p12 = _demo_p12(out_dir / "keys", passphrase)
        lines.append(f"# evaluator's signing key: {p12} passphrase {passphrase}")
        from tanzuji.services.demo import seed_demo_authority

        seed_demo_authority(
            lambda: UnitOfWork(store),
            DEMO_LAB,
            first,
            signer="evaluator@lab.demo",
            reviewer="reviewer@lab.demo",
        )
        lines.append(
            "# evaluator@lab.demo (王五) is the institute's authorised signatory; "
            "reviewer@lab.demo (赵六) approved the demo revision (checked by)"
        )
        _demo_issue_and_publish(store, actor, first, p12.read_bytes(), passphrase)
    target = out_dir / "web-users.txt"
    if lines:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("# e-mail\tpassword\torganisation\trole  (tanzuji demo; delete after use)\n")
            fh.write("\n".join(lines) + "\n")
    typer.echo(
        tr(
            f"网页平台：.venv/bin/tanzuji serve，然后打开 http://127.0.0.1:8000/ ，"
            f"用 {target} 中的账号登录（文件权限 0600）",
            f"web platform: .venv/bin/tanzuji serve, then open http://127.0.0.1:8000/ and sign "
            f"in with an account from {target} (mode 0600)",
        )
    )


def _demo_p12(keys: Path, passphrase: str) -> Path:
    """A self-signed PKCS#12 for the demo evaluator (NOT for production)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    from tanzuji.fileio import write_atomic
    from tanzuji.report.sign import keygen

    key_path, cert_path = keygen(keys / "evaluator", name="王五", organisation=DEMO_LAB, force=True)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    data = pkcs12.serialize_key_and_certificates(
        "王五".encode(),
        key,  # type: ignore[arg-type]
        load_pem_x509_certificate(cert_path.read_bytes()),
        None,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    key_path.unlink()  # only the encrypted PKCS#12 stays
    target = keys / "evaluator.p12"
    write_atomic(target, data)
    target.chmod(0o600)
    return target


def _demo_issue_and_publish(store: Any, maker: Any, revision: str, p12: bytes, pw: str) -> None:
    """The demo evaluator issues a signed report for the shared revision; the demo
    manufacturer publishes it (so the public label page has something to show)."""
    from tanzuji.services.context import Actor
    from tanzuji.services.issue_revision import issue_revision
    from tanzuji.services.sharing import publish as publish_footprint
    from tanzuji.store import UnitOfWork

    evaluator = Actor(user="evaluator@lab.demo", org=DEMO_LAB)
    outcome, _, _ = issue_revision(
        lambda: UnitOfWork(store), evaluator, revision, p12=p12, passphrase=pw, signer_name="王五"
    )
    info = publish_footprint(UnitOfWork(store), maker, revision)
    typer.echo(
        tr(
            f"演示报告 {outcome.number} 已签发并公开发布：/p/{info['publication']}",
            f"demo report {outcome.number} issued and published: /p/{info['publication']}",
        )
    )


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``client``, ``publish`` and ``unpublish`` to the ``tanzuji`` command line."""
    app.command()(serve)
    app.add_typer(client_app, name="client")
    app.command()(publish)
    app.command()(unpublish)
