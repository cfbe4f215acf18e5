"""The resident web form on a phone-sized screen in headless Chromium against the real server:
ask for a service, confirm with the texted code, read the number, look up its progress."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from sms import outbox
from sms.senders import ConsoleSender
from tests.support import CHROMIUM_ARGS, chromium_path, live_server

pytestmark = pytest.mark.browser
PHONE_SCREEN = {"width": 390, "height": 844}


@pytest.fixture
def base(db: Database, settings: Settings) -> Iterator[str]:
    with live_server(create_app(settings, db)) as url:
        yield url


def _code(db: Database) -> str:
    sender = ConsoleSender()
    outbox.deliver_due(db, sender)
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", sender.sent[-1].body)
    assert found
    return found.group(1)


def _small_targets(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Visible buttons, links in the header and form controls smaller than 44 px."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                'button, input:not([type=hidden]), select, textarea, .langs a, .bottom a')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
            .filter(([, r]) => r.height < 44 || r.width < 44)
            .map(([h]) => h)"""
    )


def test_a_resident_asks_on_a_phone_and_follows_the_request(base: str, db: Database, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport=PHONE_SCREEN, device_scale_factor=1, has_touch=True)
            page.goto(f"{base}/request")
            expect(page.locator("h1")).to_have_text("申请服务")
            assert _small_targets(page) == []
            page.screenshot(path=str(shots / "web-form-zh.png"), full_page=True)

            page.fill("#description", "厨房水管漏水，地上都是水 <script>window.pwned=1</script>")
            page.fill("#q", "漏水")
            page.get_by_role("button", name="查找").click()
            page.locator('input[type=radio][value="PE-PIPE-LEAK"]').check()
            expect(page.locator("#description")).to_have_value(re.compile("厨房水管漏水"))  # kept across the search
            page.select_option("#community", "330402001001")
            page.fill("#address", "3幢401室")
            page.fill("#phone", "138 0013 8000")
            page.get_by_role("button", name="发送验证码").click()

            expect(page.locator("h1")).to_have_text("核对并确认")
            expect(page.locator("dd.price")).to_contain_text("元")  # the standard price, before sending
            page.screenshot(path=str(shots / "web-form-confirm-zh.png"), full_page=True)
            page.fill("#code", _code(db))
            page.get_by_role("button", name="提交申请").click()
            number = page.locator("#ticket-number").inner_text()
            assert re.fullmatch(r"\d{10}", number)
            assert page.evaluate("window.pwned") is None
            page.screenshot(path=str(shots / "web-form-done-zh.png"), full_page=True)

            page.get_by_role("link", name="查看进度").click()
            expect(page.locator("#number")).to_have_value(number)
            page.fill("#phone", "13800138000")
            page.get_by_role("button", name="查询进度").click()
            expect(page.locator(".says")).to_contain_text("已收到")
            expect(page.locator('[aria-current="step"]')).to_contain_text("已受理")
            assert _small_targets(page) == []
            page.screenshot(path=str(shots / "web-status-zh.png"), full_page=True)

            page.get_by_role("button", name="English").click()  # the result again, in English
            expect(page.locator(".says")).to_contain_text("We received your request")
            page.screenshot(path=str(shots / "web-status-en.png"), full_page=True)
        finally:
            browser.close()


def test_the_form_in_english_shows_the_price_as_the_service_is_chosen(base: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="en-US", viewport=PHONE_SCREEN, has_touch=True)
            page.goto(f"{base}/request")
            expect(page.locator("h1")).to_have_text("Ask for a service")
            page.fill("#description", "Kitchen pipe leaking")
            page.select_option("#item", "PE-PIPE-LEAK")
            expect(page.locator("#price-now")).to_contain_text("yuan per")
            assert _small_targets(page) == []
            page.screenshot(path=str(shots / "web-form-en.png"), full_page=True)
            page.get_by_role("button", name="Text me a code").click()  # community, address, phone missing
            expect(page.locator("#error-summary")).to_be_focused()
            expect(page.locator("#description")).to_have_value("Kitchen pipe leaking")
            expect(page.locator("#item")).to_have_value("PE-PIPE-LEAK")
            page.screenshot(path=str(shots / "web-form-errors-en.png"), full_page=True)
        finally:
            browser.close()
