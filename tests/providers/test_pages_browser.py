"""A supervisor opens the provider list in Chromium, filters it and opens a profile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from providers import demo
from tests.console_support import browser_log_in, staff_member
from tests.support import CHROMIUM_ARGS, chromium_path, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def live_demo(db: Database, settings: Settings) -> Iterator[str]:
    demo_settings = settings.model_copy(update={"demo": True})
    with db.transaction() as session:
        demo.seed(session, demo_settings)
    staff_member(db, "supervisor")
    with live_server(create_app(demo_settings, db)) as url:
        yield url


def test_supervisor_filters_volunteers_and_opens_a_profile(live_demo: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
            browser_log_in(page, live_demo, next_path="/providers", role="supervisor")
            assert page.locator("h1").inner_text().startswith("服务商")
            assert page.locator("tbody tr").count() == 8
            page.screenshot(path=str(shots / "providers-list-zh.png"), full_page=True)
            page.select_option("select[name=kind]", "volunteer")
            page.get_by_role("button", name="筛选").click()
            page.wait_for_url("**/providers?kind=volunteer**")
            names = page.locator("tbody tr td:first-child").all_inner_texts()
            assert names == ["张志愿", "陈阿姨"]
            page.get_by_role("link", name="张志愿").click()
            page.wait_for_url("**/providers/*")
            assert page.locator("h1").inner_text().startswith("张志愿")
            assert "嘉兴市南湖区志愿服务总站" in page.locator(".card").first.inner_text()
            page.screenshot(path=str(shots / "providers-profile-zh.png"), full_page=True)
            page.get_by_role("link", name="English").click()
            assert page.locator("h2").first.inner_text() == "Details"
            page.screenshot(path=str(shots / "providers-profile-en.png"), full_page=True)
            page.goto(live_demo + "/providers/vetting?lang=en")
            assert page.locator("tbody tr").count() == 2
            page.screenshot(path=str(shots / "providers-vetting-en.png"), full_page=True)
            page.goto(live_demo + "/providers?lang=en&item=PE-PIPE-LEAK&area=330402003001&eligible=1")
            page.screenshot(path=str(shots / "providers-eligible-en.png"), full_page=True)
        finally:
            browser.close()
