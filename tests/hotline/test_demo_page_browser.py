"""The demo page as a person sees it, in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests import factories
from tests.support import CHROMIUM_ARGS, chromium_path, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def live_demo(db: Database, settings: Settings) -> Iterator[str]:
    demo = settings.model_copy(update={"demo": True})
    with live_server(create_app(demo, db)) as url:
        yield url


def test_demo_ticket_list_in_chinese_and_english(
    live_demo: str, db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with db.transaction() as session:
        number = factories.ticket(session, settings, text="厨房水管漏水，南湖街道3幢", urgency="urgent").number
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 720})
            page.goto(live_demo + "/")
            assert page.locator("h1").inner_text().startswith("工单")
            row = page.locator("tbody tr").first
            assert number in row.inner_text()
            assert "138****8000" in row.inner_text()
            assert row.locator(".pill.urgent").inner_text() == "紧急"
            page.screenshot(path=str(tmp_path / "tickets-zh.png"), full_page=True)
            page.get_by_role("link", name="English").click()
            page.wait_for_url("**/?lang=en")
            assert page.locator("h1").inner_text().startswith("Tickets")
            page.goto(live_demo + "/?status=closed")
            assert page.locator(".empty").is_visible()
        finally:
            browser.close()
