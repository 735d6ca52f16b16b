"""Failed requests in a browser (Playwright on Debian's chromium): a form value the server
refuses is said where the form shows its outcome, a server error in the fixed status area
with its incident id, a plain form's failure on the error page with a link back — in the
session's language, under the Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import EXAMPLES, LiveServer
from .storekit import StoreWorld, login, make_store, sign_in_page, store_app, store_client
from .test_web_browser import browser, screenshot_on_failure  # noqa: F401  (fixture)

TEXT = {
    "zh": {
        "label": "审核意见",
        "too_long": "最多 2000 个字符（提交了 2001 个）",
        "server": "服务器出错，操作未完成",
        "incident": "事件编号",
        "heading": "无法完成此操作",
        "back": "返回",
    },
    "en": {
        "label": "Comment",
        "too_long": "at most 2000 characters (2001 given)",
        "server": "The server ran into a problem and the action was not completed",
        "incident": "incident",
        "heading": "This could not be done",
        "back": "Back",
    },
}


@pytest.fixture
def revision_live(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    """A live server over a store holding one revision of the maker's study."""
    world: StoreWorld = make_store(tmp_path)
    with store_client(world) as c:
        token = login(c, "ed@maker.example")
        body = (EXAMPLES / "single-phase-meter" / "study.yaml").read_bytes()
        r = c.post(
            "/api/studies", files={"file": ("s.yaml", body)}, headers={"X-CSRF-Token": token}
        )
        assert r.status_code == 201, r.text
        rev = r.json()["revision"]
    with LiveServer(store_app(world)) as server:
        yield server, rev


def _csp_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return errors


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_browser_refused_form_value_is_said_at_the_form(
    browser: Any,  # noqa: F811
    revision_live: tuple[LiveServer, str],
    tmp_path: Path,
    lang: str,
) -> None:
    """The review comment has no length limit in the page; the server's (2000 characters)
    answers 422 with the error fragment, which appears under the form."""
    from playwright.sync_api import expect

    live, rev = revision_live
    t = TEXT[lang]
    context = browser.new_context(base_url=live.url)
    page = context.new_page()
    csp = _csp_errors(page)
    with screenshot_on_failure(page, f"refused-value-{lang}", tmp_path):
        sign_in_page(page, "admin@maker.example", lang)
        page.goto(f"/revisions/{rev}")
        page.fill("#approve-comment", "x" * 2001)
        page.click("#approve")
        errors = page.locator("#approve-outcome #errors")
        expect(errors.locator("td.path")).to_have_text(t["label"])
        expect(errors.locator("td.message")).to_have_text(t["too_long"])
        expect(page.locator("#review-panel #approve")).to_be_visible()  # the form stays
        expect(page.locator("#request-status")).to_be_empty()

        # a comment within the limit is recorded; the panel is drawn again
        page.fill("#approve-comment", "BOM checked")
        page.click("#approve")
        expect(page.locator("#approvals")).to_contain_text("admin@maker.example")
        expect(page.locator("#approve-outcome #errors")).to_have_count(0)
    assert not csp, csp
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_browser_server_error_is_said_in_the_status_area(
    browser: Any,  # noqa: F811
    live: LiveServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    """A 500 has no fragment to show: the translated message appears in the fixed place,
    and goes when the next request succeeds."""
    from playwright.sync_api import expect

    from tanzuji.web.routers import pages

    real = pages.evaluate_upload
    failing = {"on": True}

    def evaluate_upload(*args: Any, **kwargs: Any) -> Any:
        if failing["on"]:
            raise RuntimeError("a bug in the evaluation")
        return real(*args, **kwargs)

    monkeypatch.setattr(pages, "evaluate_upload", evaluate_upload)
    t = TEXT[lang]
    context = browser.new_context(base_url=live.url)
    page = context.new_page()
    csp = _csp_errors(page)
    with screenshot_on_failure(page, f"server-error-{lang}", tmp_path):
        sign_in_page(page, "ed@maker.example", lang, password="pw-maker-1")
        page.goto("/upload")
        page.set_input_files("#file", str(EXAMPLES / "single-phase-meter" / "study.yaml"))
        page.click("#evaluate")
        status = page.locator("#request-status")
        expect(status).to_contain_text(t["server"])
        expect(status).to_contain_text(re.compile(t["incident"] + r" [0-9a-f]{8}"))
        expect(status).to_have_attribute("aria-live", "polite")
        expect(page.locator("#outcome")).to_be_empty()  # nothing of the 500 in the page

        failing["on"] = False
        page.click("#evaluate")
        expect(page.locator("#headline")).to_contain_text("kgCO2e")
        expect(status).to_be_empty()
    assert not csp, csp
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_browser_plain_form_failure_is_the_error_page_with_a_way_back(
    browser: Any,  # noqa: F811
    revision_live: tuple[LiveServer, str],
    tmp_path: Path,
    lang: str,
) -> None:
    """The share form is a plain HTML form (no htmx): sharing with an organisation that
    does not exist answers the error page in the site's layout, not JSON; its link goes
    back to the revision."""
    from playwright.sync_api import expect

    live, rev = revision_live
    t = TEXT[lang]
    context = browser.new_context(base_url=live.url)
    page = context.new_page()
    csp = _csp_errors(page)
    with screenshot_on_failure(page, f"form-error-page-{lang}", tmp_path):
        sign_in_page(page, "ed@maker.example", lang)
        page.goto(f"/revisions/{rev}")
        page.fill("#share-to", "no-such-institute")
        with page.expect_response(lambda r: r.url.endswith("/share")) as answer:
            page.click("#share")
        assert answer.value.status == 404
        expect(page.locator("main h1")).to_have_text(t["heading"])
        expect(page.locator("#errors td.message")).to_contain_text("no-such-institute")
        expect(page.locator("nav")).to_be_visible()  # the site's layout, signed in
        assert '{"errors"' not in page.content()  # no JSON body shown
        back = page.locator("#error-back")
        expect(back).to_have_text(t["back"])
        back.click()
        page.wait_for_url(re.compile(rf"/revisions/{rev}$"))
        expect(page.locator("#share-to")).to_be_visible()
    assert not csp, csp
    context.close()
