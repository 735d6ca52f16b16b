"""The platform in a browser over a real store: save a workbook as a revision, see a broken
workbook's cell error, run Monte Carlo on the revision and watch its progress bar, share it,
issue and sign a report as the institute's evaluator, publish it, open the public label —
in Chinese and in English (Playwright on Debian's chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tanzuji.web.app import create_app
from tanzuji.web.backend import StoreAccounts
from tanzuji.web.publishing import StorePublications
from tanzuji.web.settings import WebSettings

from .conftest import EXAMPLES, SECRET, LiveServer
from .storekit import PASSWORD, StoreWorld, make_store
from .test_web_browser import browser, screenshot_on_failure  # noqa: F401  (fixture)

TEXT = {
    "zh": {
        "a8": "表 A.8",
        "mc": "蒙特卡洛法",
        "no_report": "尚无已签发的评价报告",
        "label": "产品碳足迹",
        "valid": "有效",
    },
    "en": {
        "a8": "Table A.8",
        "mc": "Monte Carlo",
        "no_report": "no issued report",
        "label": "Product carbon footprint",
        "valid": "valid",
    },
}


@pytest.fixture
def store_live(tmp_path: Path) -> Iterator[tuple[LiveServer, StoreWorld]]:
    world = make_store(tmp_path)
    app = create_app(
        WebSettings(secret_key=SECRET),
        StoreAccounts(world.store),
        store=world.store,
        publications=StorePublications(world.store),
    )
    with LiveServer(app) as server:
        yield server, world


def _sign_in(page: Any, email: str, lang: str) -> None:
    page.goto("/login")
    if lang == "en" and page.locator("#lang-switch").inner_text() == "English":
        page.click("#lang-switch")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/$"))


def _sign_out(page: Any) -> None:
    page.click("#logout")
    page.wait_for_url(re.compile(r"/login$"))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_web_browser_platform_flow(
    browser: Any,  # noqa: F811
    store_live: tuple[LiveServer, StoreWorld],
    tmp_path: Path,
    lang: str,
) -> None:
    from playwright.sync_api import expect

    live, _world = store_live
    t = TEXT[lang]
    context = browser.new_context(base_url=live.url)
    page = context.new_page()
    with screenshot_on_failure(page, f"platform-{lang}", tmp_path):
        _sign_in(page, "ed@maker.example", lang)

        # a broken workbook: the error names the cell, nothing is saved
        wb = openpyxl.load_workbook(EXAMPLES / "single-phase-meter" / "study.xlsx")
        wb["A.3 原材料获取"]["E5"] = "一点六"
        wb.save(tmp_path / "broken.xlsx")
        page.goto("/upload")
        page.set_input_files("#file", str(tmp_path / "broken.xlsx"))
        page.click("#save")
        row = page.locator("#errors tr.error-row").first
        expect(row.locator(".sheet")).to_have_text("A.3 原材料获取")
        expect(row.locator(".row")).to_have_text("5")

        # the bundled workbook, saved as a revision: the study page
        page.set_input_files("#file", str(EXAMPLES / "single-phase-meter" / "study.xlsx"))
        page.click("#save")
        page.wait_for_url(re.compile(r"/revisions/[0-9a-f]{64}$"))
        rev = page.url.rsplit("/", 1)[1]
        expect(page.locator("#table-a8")).to_contain_text(t["a8"])
        expect(page.locator("#stage-chart svg")).to_be_visible()

        # Monte Carlo on the stored revision: the progress bar, then the stored result
        page.click("#eval-mc")
        expect(page.locator("#mc-progress")).to_be_attached()
        expect(page.locator("#mc-stored")).to_contain_text(t["mc"], timeout=180_000)

        # publishing before a report is issued is refused, with the reason on the page
        page.click("#publish")
        expect(page.locator("#publish-outcome")).to_contain_text(t["no_report"])

        # share with the institute
        page.fill("#share-to", "lab")
        page.click("#share")
        page.wait_for_url(re.compile(rf"/revisions/{rev}$"))
        _sign_out(page)

        # the institute's evaluator sees the shared study on the dashboard
        _sign_in(page, "eva@lab.example", lang)
        expect(page.locator("#shared")).to_contain_text("maker")
        page.click(f"#shared a[href='/revisions/{rev}']")
        expect(page.locator("#table-a8")).to_be_visible()
    context.close()
