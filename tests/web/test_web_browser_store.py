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
from .storekit import StoreWorld, make_p12, make_store, sign_in_page
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
        sign_in_page(page, "ed@maker.example", lang)

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

        # the institute's administrator authorises the evaluator to sign, and approves the
        # revision as its technical reviewer ("checked by")
        sign_in_page(page, "admin@lab.example", lang)
        page.click("#nav-signatories")
        page.fill("#signatory-email", "eva@lab.example")
        page.click("#add-signatory")
        expect(page.locator("#signatories")).to_contain_text("eva@lab.example")
        page.goto(f"/revisions/{rev}")
        page.fill("#approve-comment", "BOM and meter certificates checked")
        page.click("#approve")
        expect(page.locator("#approvals")).to_contain_text("admin@lab.example")
        _sign_out(page)

        # the institute's evaluator sees the shared study on the dashboard
        sign_in_page(page, "eva@lab.example", lang)
        expect(page.locator("#shared")).to_contain_text("maker")
        page.click(f"#shared a[href='/revisions/{rev}']")
        expect(page.locator("#table-a8")).to_be_visible()

        # ...and issues and signs the report with their own PKCS#12 (never stored)
        p12 = tmp_path / "eva.p12"
        p12.write_bytes(make_p12(tmp_path / "k", "eva@lab.example", "pass phrase 1", "lab"))
        expect(page.locator("#signatory-status")).to_have_class("ok")
        page.click("#issue-link")
        page.set_input_files("#p12", str(p12))
        page.fill("#passphrase", "pass phrase 1")
        page.fill("#signer-override", "the lab signs for 王五")
        page.click("#issue")
        expect(page.locator("#report-number")).to_have_text(
            re.compile(r"^2025-\d{5}$"), timeout=180_000
        )
        number = page.locator("#report-number").inner_text()
        with page.expect_download() as dl:
            page.click("#download-report")
        assert dl.value.path().read_bytes().startswith(b"%PDF")
        _sign_out(page)

        # the manufacturer publishes; the public label page shows the footprint
        sign_in_page(page, "ed@maker.example", lang)
        page.goto(f"/revisions/{rev}")
        page.click("#publish")
        page.wait_for_url(re.compile(r"/p/[A-Za-z0-9_-]+$"))
        expect(page.locator("#pub-report")).to_have_text(number)
        expect(page.locator("#pub-value")).to_contain_text("kgCO2e")
        expect(page.locator("#pub-signature")).to_contain_text("✓")
        expect(page.locator("#pub-label")).to_be_visible()
        label = page.request.get(page.url + f"/label.svg?lang={lang}")
        assert t["label"] in label.text()
        # anyone, signed out, sees the same page
        public_url = page.url
        _sign_out(page)
        page.goto(public_url)
        expect(page.locator("#pub-validity")).to_contain_text(t["valid"])
    context.close()
