"""Shared fixtures: one signed report of the fixture study, rendered once per session."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest
from reporthelpers import ACCEPTED, FIXTURE, SKIP, Keys, Report, pdf_pages, pdftotext
from typer.testing import CliRunner

from tanzuji.cli import app, main
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
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., tuple[int, str]]]:
    """Run the real console entry point (error mapping included): (exit code, output)."""

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["tanzuji", *args])
        code: int | str | None = 0
        try:
            with use_lang("zh"):  # each run starts in the default language
                main()
        except SystemExit as exc:
            code = exc.code
        cap = capsys.readouterr()
        return int(code or 0), cap.out + cap.err

    yield run
