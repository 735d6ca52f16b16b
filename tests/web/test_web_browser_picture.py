"""The upload form in a browser with a product picture (Playwright on Debian's chromium):
choose the study and its picture, evaluate (the picture is not needed and does no harm),
save, and the study page says the picture is kept; a study saved without its picture says
that it was not kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import LiveServer
from .storekit import StoreWorld, sign_in_page
from .test_web_browser import browser, screenshot_on_failure  # noqa: F401  (fixture)
from .test_web_browser_store import store_live  # noqa: F401  (fixture)
from .test_web_store_picture import is_the_picture, picture_bytes, stored_picture, study_naming


@pytest.mark.slow
def test_web_browser_saves_the_study_with_its_picture(
    browser: Any,  # noqa: F811
    store_live: tuple[LiveServer, StoreWorld],  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    live, world = store_live
    (tmp_path / "study.yaml").write_bytes(study_naming("photo.png"))
    (tmp_path / "photo.png").write_bytes(picture_bytes("PNG"))
    (tmp_path / "other.yaml").write_bytes(study_naming("photo2.png"))
    context = browser.new_context(base_url=live.url)
    page = context.new_page()
    with screenshot_on_failure(page, "picture-zh", tmp_path):
        sign_in_page(page, "ed@maker.example", "zh")
        page.goto("/upload")
        expect(page.locator("label[for=picture]")).to_have_text("产品图片")
        page.set_input_files("#file", str(tmp_path / "study.yaml"))
        page.set_input_files("#picture", str(tmp_path / "photo.png"))

        # evaluating with both files chosen: the result, nothing saved
        page.click("#evaluate")
        expect(page.locator("#table-a8")).to_be_visible()

        # saving: the study page, which says the picture is kept
        page.click("#save")
        page.wait_for_url(re.compile(r"/revisions/[0-9a-f]{64}$"))
        rev = page.url.rsplit("/", 1)[1]
        expect(page.locator("#picture-kept")).to_contain_text("photo.png")
        expect(page.locator("#picture-kept")).to_contain_text("已随此修订保存")
        png = stored_picture(world, rev)
        assert png is not None and is_the_picture(png)

        # another study naming a picture, saved without it: said at once, and on its page
        page.goto("/upload")
        page.set_input_files("#file", str(tmp_path / "other.yaml"))
        page.click("#save")
        expect(page.locator("#save-notes")).to_contain_text("未随研究上传该图片")
        page.click("#open-revision")
        page.wait_for_url(re.compile(r"/revisions/[0-9a-f]{64}$"))
        expect(page.locator("#picture-missing")).to_contain_text("photo2.png")
    context.close()
