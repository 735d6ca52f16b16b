"""Shared fixtures: one signed report of the fixture study, rendered once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from reporthelpers import ACCEPTED, FIXTURE, SKIP, Keys, Report, pdf_pages, pdftotext
from typer.testing import CliRunner

from tanzuji.cli import app
from tanzuji.i18n import use_lang
from tanzuji.report import keygen


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    key, cert = keygen(tmp_path_factory.mktemp("keys"), name="张三")
    return Keys(key, cert)


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Report:
    """The fixture study's report, made and signed by ``tanzuji report``."""
    if SKIP:
        pytest.skip(SKIP)
    out = tmp_path_factory.mktemp("report")
    pdf, html = out / "report.pdf", out / "report.html"
    args = ["report", str(FIXTURE), "--out", str(pdf), "--html", str(html), "--uncertainty", "full"]
    args += ["--key", str(keys.key), "--cert", str(keys.cert)]
    for finding_id, reason in ACCEPTED:  # the fixture's blocking findings, accepted
        args += ["--accept", finding_id, "--reason", reason]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return Report(pdf, html, pdf_pages(pdf), pdftotext(pdf), result.output)


@pytest.fixture
def run_main(
    tanzuji_main: Callable[..., tuple[int, str, str]],
) -> Iterator[Callable[..., tuple[int, str]]]:
    """Run the real console entry point (error mapping included): (exit code, output)."""

    def run(*args: str) -> tuple[int, str]:
        with use_lang("zh"):  # each run starts in the default language
            code, out, err = tanzuji_main(*args)
        return code, out + err

    yield run
