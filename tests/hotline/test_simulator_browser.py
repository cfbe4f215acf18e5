"""The whole loop in a browser, with nothing but the hotline running: a resident texts from the
phone simulator, the operator offers on the console, the provider accepts and finishes from the
simulator, the resident answers the survey there, and the provider's rating moves. And a trainee
plays a training scenario on the real console and is scored."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from callbacks import jobs as callback_jobs
from config import clock
from config.db import Database
from config.settings import Settings
from dispatch.models import Ticket
from hotline.app import create_app
from hotline.training import flows
from hotline.training.models import TrainingRun
from providers import ratings
from tests.console_support import browser_log_in, staff_member
from tests.dispatch import scene
from tests.support import CHROMIUM_ARGS, chromium_path, live_server

pytestmark = pytest.mark.browser
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}


def _serve(db: Database, settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    app = create_app(settings, db)
    with live_server(app) as base:
        app.state.settings = app.state.settings.model_copy(update={"public_url": base})  # what the simulator signs
        yield base, app


@pytest.fixture
def demo(db: Database, settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    surveys_at_once = settings.callbacks.model_copy(update={"sms_delay_minutes": 0})
    yield from _serve(db, settings.model_copy(update={"demo": True, "callbacks": surveys_at_once}))


@pytest.fixture
def training(db: Database, settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    yield from _serve(db, settings.model_copy(update={"training": True}))


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))


def test_resident_operator_provider_and_survey_through_the_simulator(
    demo: tuple[str, FastAPI], db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, app = demo
    shots = _shots(tmp_path)
    staff_member(db, "operator")
    with clock.freeze(scene.NOW), sync_playwright() as p:
        with db.transaction() as session:
            plumber = scene.plumber(session, settings, 0)
            plumber_id, plumber_phone = plumber.id, plumber.phone
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            phone = browser.new_page(locale="zh-CN", viewport=PHONE_VIEWPORT)
            phone.goto(f"{base}/simulator?phone=13800138000")
            expect(phone.locator("h1")).to_contain_text("电话模拟器")
            before = phone.locator(f'.sim-person[data-phone="{plumber_phone}"] .rating')
            expect(before).to_contain_text("★ 4.00")
            expect(before).to_contain_text("0 次回访")
            phone.fill("#compose-body", "厨房水管漏水，地上都是水，请派人来修")
            phone.locator("#send").click()
            reply = phone.locator('.bubble[data-kind="reply"]').last
            expect(reply).to_contain_text("工单", timeout=10_000)
            with db.read() as session:
                number = session.query(Ticket.number).one()[0]
            expect(reply).to_contain_text(number)
            phone.screenshot(path=str(shots / "simulator-phone-zh.png"), full_page=True)

            console = browser.new_page(locale="zh-CN", viewport=DESKTOP)
            browser_log_in(console, base, role="operator", next_path=f"/tickets/{number}")
            console.select_option('select[name="community"]', scene.COMMUNITY)
            console.fill('input[name="address"]', "3幢401")
            console.get_by_role("button", name="保存分拣").click()
            expect(console.locator(".notice")).to_contain_text("分拣已保存")
            console.keyboard.press("o")
            expect(console.locator(".notice")).to_contain_text("已派单")
            with db.read() as session:
                code = scene.offers_of(session, number)[0].code

            phone.locator(f'.sim-person[data-phone="{plumber_phone}"]').click()
            expect(phone.locator("#phone-title")).to_have_text(plumber_phone)
            offer = phone.locator('.bubble[data-kind="text"]').last
            expect(offer).to_contain_text(code, timeout=10_000)  # the offer from the outbox
            phone.fill("#compose-body", f"Y {code}")
            phone.keyboard.press("Enter")
            expect(phone.locator('.bubble[data-kind="reply"]').last).to_contain_text("已由您接单", timeout=10_000)
            expect(console.locator(".ticket-head .status-accepted")).to_be_visible(timeout=10_000)
            phone.fill("#compose-body", f"完成 {code} 50")
            phone.keyboard.press("Enter")
            expect(phone.locator(".bubble.mine").last).to_have_text(re.compile(f"^完成 {code} 50"), timeout=10_000)
            expect(console.locator(".ticket-head .status-completed")).to_be_visible(timeout=10_000)

            callback_jobs.sweep_surveys(db, app.state.settings)  # the survey sweeper's pass: the text goes out
            phone.fill("#own-phone", "138 0013 8000")  # typed as people type it
            phone.get_by_role("button", name="使用这个号码").click()
            expect(phone.locator("#phone-title")).to_have_text("+8613800138000")
            survey = phone.locator('.bubble[data-kind="text"]').filter(has_text="1-5").last
            expect(survey).to_be_visible(timeout=10_000)
            phone.fill("#compose-body", "5")
            phone.keyboard.press("Enter")
            expect(phone.locator('.bubble[data-kind="reply"]').last).to_contain_text(
                "感谢您的评价（5分）", timeout=10_000
            )
            phone.reload()
            after = phone.locator(f'.sim-person[data-phone="{plumber_phone}"] .rating')
            expect(after).to_contain_text("★ 4.17")  # (5 x 4.0 prior + 5) / 6
            expect(after).to_contain_text("1 次回访")
            with db.read() as session:
                record = ratings.records(session, provider_ids=[plumber_id])[plumber_id]
            assert (record.surveys, record.mean_score) == (1, 5.0)
            phone.screenshot(path=str(shots / "simulator-survey-zh.png"), full_page=True)
            desktop = browser.new_page(locale="zh-CN", viewport=DESKTOP)
            desktop.goto(f"{base}/simulator?phone=13800138000")
            expect(desktop.locator('.bubble[data-kind="reply"]').last).to_be_visible()
            desktop.screenshot(path=str(shots / "simulator-desktop-zh.png"), full_page=True)
            desktop.locator("#tab-call").click()
            desktop.locator("#dial").click()
            expect(desktop.locator("#heard li").first).to_be_visible(timeout=10_000)
            desktop.locator('.key[data-key="0"]').click()
            desktop.locator('.key[data-key="#"]').click()
            expect(desktop.locator("#call-status")).to_contain_text("hotline", timeout=10_000)  # in the queue
            desktop.screenshot(path=str(shots / "simulator-call-zh.png"), full_page=True)
            desktop.locator("#hang-up").click()
            expect(desktop.locator("#dial")).to_be_visible()
        finally:
            browser.close()


def test_a_trainee_plays_the_decline_scenario_and_the_supervisor_sees_the_score(
    training: tuple[str, FastAPI], db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, app = training
    shots = _shots(tmp_path)
    staff_member(db, "operator")
    staff_member(db, "supervisor")
    with clock.freeze(scene.NOW), sync_playwright() as p:
        with db.transaction() as session:
            flows.seed(session, app.state.settings)
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport=DESKTOP)
            browser_log_in(page, base, name="王芳", next_path="/training")
            expect(page.locator("h1")).to_contain_text("话务员上岗培训")
            page.locator('button[data-scenario="provider_declines"]').click()
            page.wait_for_url("**/training/runs/*")
            ticket_link = page.locator("#ticket-link a")
            expect(ticket_link).to_be_visible(timeout=10_000)
            page.screenshot(path=str(shots / "training-run-zh.png"), full_page=True)
            run_url = page.url
            ticket_link.click()
            page.wait_for_url("**/tickets/*")
            page.select_option('select[name="community"]', "330402003001")
            page.fill('input[name="address"]', "18幢502")
            page.get_by_role("button", name="保存分拣").click()
            expect(page.locator(".notice")).to_contain_text("分拣已保存")
            page.keyboard.press("o")
            expect(page.locator(".notice")).to_contain_text("已派单")
            page.goto(run_url)  # the scenario's provider declines, the next one accepts
            expect(page.locator("#script-log")).to_contain_text("Y ", timeout=15_000)
            page.get_by_role("button", name="结束并评分").click()
            expect(page.locator("h2").last).to_contain_text("得分：100 / 100")
            expect(page.locator('tr[data-criterion="offer"]')).to_contain_text("20 / 20")
            page.screenshot(path=str(shots / "training-scored-zh.png"), full_page=True)

            boss = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
            browser_log_in(boss, base, name="赵敏", next_path="/training/results")
            row = boss.locator('tr[data-trainee="王芳"]')
            expect(row).to_contain_text("100")
            expect(row).to_contain_text("尚未达标")  # three scenarios still to pass
            boss.screenshot(path=str(shots / "training-results-zh.png"), full_page=True)
        finally:
            browser.close()
    with db.read() as session:
        (run,) = session.query(TrainingRun).all()
        assert (run.trainee, run.scenario, run.score) == ("王芳", "provider_declines", 100)
