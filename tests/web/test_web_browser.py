"""The browser UI as a person uses it: Playwright driving Debian's headless chromium.

``playwright install`` cannot download browsers here, so the tests pass the executable of
the Debian package (``/usr/bin/chromium``, or ``TANZUJI_CHROMIUM``). Failures save a
screenshot under ``TANZUJI_SCREENSHOTS`` (default: the test's tmp directory).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from .conftest import EXAMPLES, LiveServer


def _chromium() -> str:
    path = os.environ.get("TANZUJI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        msg = "Debian's chromium is not installed (scripts/system-deps.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("the playwright package is missing")
        pytest.skip("the playwright package is missing")
    exe = _chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@contextmanager
def screenshot_on_failure(page: Any, name: str, tmp_path: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        target = Path(os.environ.get("TANZUJI_SCREENSHOTS", str(tmp_path)))
        target.mkdir(parents=True, exist_ok=True)
        shot = target / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        raise


def _broken_workbook(tmp_path: Path) -> Path:
    wb = openpyxl.load_workbook(EXAMPLES / "single-phase-meter" / "study.xlsx")
    wb["A.3 原材料获取"]["E5"] = "一点六"  # the quantity of chip capacitors is not a number
    out = tmp_path / "broken.xlsx"
    wb.save(out)
    return out


TEXT = {
    "zh": {"sign_in": "登录", "a8": "表 A.8", "problems": "输入有误", "mc": "蒙特卡洛法"},
    "en": {
        "sign_in": "Sign in",
        "a8": "Table A.8",
        "problems": "Problems in the input",
        "mc": "Monte Carlo",
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_web_browser_upload_errors_and_monte_carlo(
    browser: Any, live: LiveServer, tmp_path: Path, lang: str
) -> None:
    from playwright.sync_api import expect

    t = TEXT[lang]
    context = browser.new_context(base_url=live.url)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    with screenshot_on_failure(page, f"upload-{lang}", tmp_path):
        page.goto("/login")
        if lang == "en":
            page.click("#lang-switch")
        expect(page.locator("h1")).to_have_text(t["sign_in"])
        page.fill("input[name=email]", "ed@maker.example")
        page.fill("input[name=password]", "pw-maker-1")
        page.click("#sign-in")
        expect(page.locator(".who")).to_contain_text("ed@maker.example")

        # the bundled workbook: Table A.8 appears in place (htmx, no page load)
        page.goto("/upload")
        page.set_input_files("#file", str(EXAMPLES / "single-phase-meter" / "study.xlsx"))
        page.click("#evaluate")
        expect(page.locator("#table-a8")).to_contain_text(t["a8"])
        expect(page.locator("#headline")).to_contain_text("kgCO2e")

        # a broken workbook: the error names the sheet, row and column of the cell
        page.set_input_files("#file", str(_broken_workbook(tmp_path)))
        page.click("#evaluate")
        row = page.locator("#errors tr.error-row").first
        expect(row.locator(".sheet")).to_have_text("A.3 原材料获取")
        expect(row.locator(".row")).to_have_text("5")
        expect(row.locator(".column")).to_contain_text("(E)")

        # Monte Carlo: the progress bar shows, then the result with the GUM validation
        page.set_input_files("#file", str(EXAMPLES / "single-phase-meter" / "study.xlsx"))
        page.check("#monte-carlo")
        page.click("#evaluate")
        expect(page.locator("#mc-progress")).to_be_attached()
        expect(page.locator("#mc-result")).to_contain_text(t["mc"], timeout=120_000)
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    context.close()
