"""The console as an operator sees it, in headless Chromium against the real server: log in, a
signed text arrives and its ticket appears in the open queue without reloading, a change made
in another process shows up too."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import service
from dispatch.models import Ticket
from hotline.app import create_app
from tests.console_support import browser_log_in, staff_member
from tests.support import CHROMIUM_ARGS, chromium_path, live_server
from tests.twilio_support import ACCOUNT_SID, AUTH_TOKEN, HOTLINE_NUMBER, sign

pytestmark = pytest.mark.browser


@pytest.fixture
def served(db: Database, settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    app = create_app(settings.model_copy(update={"twilio_auth_token": AUTH_TOKEN}), db)
    with live_server(app) as base:
        app.state.settings = app.state.settings.model_copy(update={"public_url": base})  # what Twilio signs
        yield base, app


@pytest.fixture
def console(served: tuple[str, FastAPI]) -> str:
    return served[0]


def _text(base: str, body: str, sender: str, sid: str) -> None:
    form = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": HOTLINE_NUMBER, "Body": body}
    signature = sign(base + "/sms/twilio/inbound", form)
    response = httpx.post(base + "/sms/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text


def test_an_operator_sees_a_texted_ticket_arrive_live(console: str, db: Database, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    staff_member(db, "operator")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 800})
            browser_log_in(page, console, name="王芳")
            expect(page.locator("h1")).to_contain_text("待处理工单")
            expect(page.locator("#live")).to_have_attribute("data-state", "on")
            _text(
                console,
                "厨房水管漏水，3幢401，请尽快派人 <img src=x onerror=alert(1)>",
                "+8613800138000",
                "SM" + "1" * 32,
            )
            with db.read() as session:
                number = session.query(Ticket.number).one()[0]
            row = page.locator(f'tr[data-number="{number}"]')
            expect(row).to_be_visible(timeout=10_000)  # pushed: the page is never reloaded
            expect(row).to_contain_text("138 0013 8000")  # operators see full numbers, grouped
            expect(row).to_contain_text("<img src=x onerror=alert(1)>")  # shown as text, not markup
            assert page.locator("img").count() == 0
            other_process = Database(db.url)
            try:
                with other_process.transaction() as session:
                    ticket = service.get_ticket(session, number=number)
                    service.move_ticket(session, ticket=ticket, to="dispatching", actor=Actor("cli"))
            finally:
                other_process.dispose()
            expect(row.locator("td.status-dispatching")).to_be_visible(timeout=10_000)
            page.screenshot(path=str(shots / "queue-zh.png"), full_page=True)
            page.keyboard.press("/")
            expect(page.locator("#queue-search")).to_be_focused()
            page.keyboard.type("13800138000")
            page.keyboard.press("Enter")
            page.wait_for_url("**/?q=13800138000*")
            expect(page.locator(f'tr[data-number="{number}"]')).to_be_visible()
            page.get_by_role("link", name="English").click()
            expect(page.locator("h1")).to_contain_text("Open tickets")
            page.screenshot(path=str(shots / "queue-en.png"), full_page=True)
        finally:
            browser.close()


def test_an_operator_triages_offers_and_sees_the_provider_accept(
    console: str, db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from config import clock
    from tests.dispatch import scene

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    staff_member(db, "operator")
    with clock.freeze(scene.NOW), sync_playwright() as p:
        with db.transaction() as session:
            plumber = scene.plumber(session, settings, 0)
            plumber_phone = plumber.phone
        _text(console, "厨房水管漏水，请派人来修", "+8613800138000", "SM" + "2" * 32)
        with db.read() as session:
            number = session.query(Ticket.number).one()[0]
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
            browser_log_in(page, console, name="王芳")
            page.keyboard.press("j")
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/tickets/{number}")
            expect(page.locator(".suggestions")).to_contain_text("社区")  # no community yet: says so
            page.select_option('select[name="community"]', scene.COMMUNITY)
            page.fill('input[name="address"]', "3幢401")
            page.get_by_role("button", name="保存分拣").click()
            expect(page.locator(".notice")).to_contain_text("分拣已保存")
            expect(page.locator("#offer-top")).to_be_visible()
            page.screenshot(path=str(shots / "ticket-zh.png"), full_page=True)
            page.keyboard.press("o")
            expect(page.locator(".notice")).to_contain_text("已派单")
            with db.read() as session:
                code = scene.offers_of(session, number)[0].code
            _text(console, f"Y {code}", plumber_phone, "SM" + "3" * 32)
            expect(page.locator(".ticket-head .status-accepted")).to_be_visible(timeout=3000)
            page.screenshot(path=str(shots / "ticket-accepted-zh.png"), full_page=True)
            with db.read() as session:
                events = service.get_ticket(session, number=number).events
                staff_events = [(e.kind, e.staff_id) for e in events if e.actor.startswith("staff:")]
            operator_id = staff_member(db, "operator").id
            assert staff_events == [
                (kind, operator_id) for kind in ("classified", "located", "status", "status", "offered")
            ]
        finally:
            browser.close()


def test_the_screen_pop_opens_the_new_ticket_form_for_the_caller(
    served: tuple[str, FastAPI], db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from config import clock
    from hotline.voice import service as voice_service
    from hotline.voice.callerid import CallerId

    base, app = served
    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    staff_member(db, "operator")  # extension 7001
    with db.transaction() as session:
        call_id = voice_service.create_call(
            session,
            transport="ami",
            external_id="1700000000.9",
            caller=CallerId("+8613800138000", "8613800138000", False),
            started_at=clock.now(),
        ).id
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
            browser_log_in(page, base, name="王芳")
            expect(page.locator("html")).to_have_attribute("data-screen-pop", "ready")  # subscribed server-side
            pop = {"kind": "screen_pop", "call_id": call_id, "extension": "7001", "caller": "+8613800138000"}
            app.state.events.publish("extension:7001", pop)  # what the AMI tracker publishes when 7001 rings
            page.wait_for_url(f"**/tickets/new?channel=phone&call={call_id}&phone=%2B8613800138000")
            page.fill("#request-text", "厨房水管漏水，快来人")
            expect(page.locator("#item-suggestions button").first).to_contain_text("水管漏水维修")
            expect(page.locator("#item-select")).to_have_value("PE-PIPE-LEAK")
            page.select_option('select[name="community"]', "330402003001")
            page.screenshot(path=str(shots / "new-ticket-zh.png"), full_page=True)
            page.get_by_role("button", name="创建工单").click()
            page.wait_for_url("**/tickets/26*")
            expect(page.locator(".timeline")).to_contain_text("厨房水管漏水")
        finally:
            browser.close()
    with db.read() as session:
        from hotline.voice.models import Call

        assert session.get(Call, call_id).ticket_id is not None


def test_an_operator_is_refused_the_approve_button_and_the_approve_api(
    console: str, db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from config import staff
    from providers import service as provider_service
    from providers.states import CHECKLIST
    from tests.providers import builders

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    staff_member(db, "operator")
    with db.transaction() as session:
        provider = builders.provider(session, settings, status="vetting")
        checker = staff.create(session, name="检查员", role="operator")
        for item in CHECKLIST[provider.kind]:
            provider_service.check_vetting_item(session, provider=provider, item=item, staff=checker, note=None)
        provider_id = provider.id
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
            browser_log_in(page, console, name="王芳", next_path=f"/providers/{provider_id}")
            expect(page.locator("h1")).to_be_visible()
            expect(page.locator("#approve")).to_have_count(0)  # no button for an operator
            page.screenshot(path=str(shots / "provider-operator-zh.png"), full_page=True)
            # Paperwork: an insurance that expired yesterday is refused, as the roster import refuses it.
            document = page.locator(f'form[action="/providers/{provider_id}/document"]')
            document.locator('select[name="kind"]').select_option("insurance")
            document.locator('input[name="expires"]').fill("2020-01-31")
            document.get_by_role("button").click()
            expect(page.locator(".alert")).to_contain_text("insurance 2020-01-31 has passed")
            page.screenshot(path=str(shots / "provider-lapsed-document-zh.png"), full_page=True)
            # The API from the same logged-in page, with the session's CSRF token: refused by role.
            answer = page.evaluate(
                """async (id) => {
                    const csrf = document.querySelector('input[name="csrf"]').value;
                    const r = await fetch(`/api/v1/providers/${id}/approve`, {method: 'POST',
                        headers: {'content-type': 'application/json', 'x-csrf-token': csrf}, body: '{}'});
                    return [r.status, (await r.json()).detail];
                }""",
                provider_id,
            )
        finally:
            browser.close()
    assert answer == [403, "王芳 is operator: not allowed to provider.approve"]
    with db.read() as session:
        assert provider_service.get_provider(session, provider_id=provider_id).status == "vetting"


def test_a_form_posted_without_its_csrf_token_is_refused(
    console: str, db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from config import clock
    from tests.dispatch import scene

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    staff_member(db, "operator")
    with clock.freeze(scene.NOW), db.transaction() as session:
        number = scene.leak(session, settings).number
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="en", viewport={"width": 1400, "height": 900})
            browser_log_in(page, console, name="王芳", next_path=f"/tickets/{number}")
            form = page.locator(f'form[action="/tickets/{number}/note"]')
            form.locator('input[name="csrf"]').evaluate("input => input.remove()")  # as a forged page would post
            form.locator("textarea").fill("a note from another site")
            with page.expect_response(f"**/tickets/{number}/note") as posted:
                form.get_by_role("button").click()
            status = posted.value.status
            expect(page.locator("body")).to_contain_text("reload the page")
            page.screenshot(path=str(shots / "csrf-refused-en.png"), full_page=True)
        finally:
            browser.close()
    assert status == 403
    with db.read() as session:
        assert [e.kind for e in service.get_ticket(session, number=number).events] == ["created"]


def test_a_dispatcher_takes_an_escalation_in_hand_beside_the_call_and_its_recording(
    console: str, db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from config import clock
    from dispatch import escalation
    from hotline.voice.models import Call
    from tests.dispatch import scene

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    staff_member(db, "dispatcher")
    with clock.freeze(scene.NOW), db.transaction() as session:
        ticket = scene.leak(session, settings)
        escalation.escalate(session, ticket=ticket, settings=settings, level="dispatcher", why="rounds")
        session.add(
            Call(
                transport="twilio",
                external_id="CA" + "1" * 32,
                caller_phone=ticket.resident.phone,
                ticket_id=ticket.id,
                outcome="answered",
                talk_seconds=95,
                started_at=clock.now(),
                recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
            )
        )
        number = ticket.number
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
            browser_log_in(page, console, name="Chen Jing", next_path=f"/tickets/{number}")
            expect(page.locator(".escalation")).to_contain_text("已升级至调度员")
            expect(page.locator(".timeline a.recording")).to_have_attribute("href", re.compile("Recordings/RE1$"))
            page.screenshot(path=str(shots / "ticket-escalated-zh.png"), full_page=True)
            page.fill('.escalation input[name="note"]', "我来联系备用服务商")
            page.keyboard.press("Escape")
            page.keyboard.press("a")
            expect(page.locator(".notice")).to_contain_text("此升级已由您接手")
            expect(page.locator(".escalation")).to_contain_text("已由Chen Jing")
            page.fill('form[action$="/escalate"] input[name="reason"]', "居民情绪激动，请主管介入")
            page.get_by_role("button", name="升级", exact=True).click()
            expect(page.locator(".escalation")).to_contain_text("已升级至主管")
            page.screenshot(path=str(shots / "ticket-to-supervisor-zh.png"), full_page=True)
        finally:
            browser.close()
    with db.read() as session:
        kinds = [e.kind for e in service.get_ticket(session, number=number).events]
    assert kinds[-3:] == ["escalated", "acknowledged", "escalated"]


def test_the_callback_desk_lists_surveys_due_by_phone_with_click_to_call(
    console: str, db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from config import clock
    from config import staff as staff_mod
    from tests.callbacks.world import at
    from tests.console_support import PASSWORD
    from tests.hotline.voice.test_survey_calls import on_the_call_list

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    survey_id = on_the_call_list(db, settings)  # 王芳 answers extension 7001
    with db.transaction() as session:
        staff_mod.set_password(staff_mod.find(session, who="王芳"), PASSWORD)
    with clock.freeze(at(24)), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
            browser_log_in(page, console, name="王芳", next_path="/surveys/desk")
            page.get_by_role("link", name="在回拨台拨打并登记结果").click()
            row = page.locator(f'tr[data-survey="{survey_id}"]')
            expect(row.get_by_role("button", name="☎ 拨打")).to_be_enabled()
            page.screenshot(path=str(shots / "callbacks-surveys-zh.png"), full_page=True)
            row.locator('select[name="score"]').select_option("4")
            row.locator('input[name="comment"]').fill("挺好的")
            row.get_by_role("button", name="登记结果").click()
            expect(page.locator(f'tr[data-survey="{survey_id}"]')).to_have_count(0)
        finally:
            browser.close()


def test_an_admin_creates_a_login_and_an_api_key_shown_once(
    console: str, db: Database, settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("HOTLINE_SCREENSHOTS", tmp_path))
    staff_member(db, "admin")
    staff_member(db, "operator")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900})
            browser_log_in(page, console, name="周磊")
            page.get_by_role("link", name="系统管理").click()
            form = page.locator("#new-user")
            form.locator('input[name="name"]').fill("刘洋")
            form.locator('input[name="extension"]').fill("7009")
            form.locator('input[name="password"]').fill("long enough pw")
            form.get_by_role("button").click()
            expect(page.locator(".notice")).to_contain_text("账号已创建")
            page.screenshot(path=str(shots / "admin-users-zh.png"), full_page=True)
            page.get_by_role("link", name="接口密钥").click()
            page.locator('#new-apikey input[name="name"]').fill("街道办报表")
            page.locator('#new-apikey select[name="role"]').select_option("observer")
            page.locator("#new-apikey").get_by_role("button").click()
            key = page.locator("#new-key").input_value()
            page.screenshot(path=str(shots / "admin-apikeys-zh.png"), full_page=True)
            page.goto(f"{console}/admin/apikeys")
            expect(page.locator("#new-key")).to_have_count(0)
            expect(page.locator("table.key-list")).to_contain_text(key[:12])
        finally:
            browser.close()
    assert httpx.get(f"{console}/api/v1/tickets", headers={"authorization": f"Bearer {key}"}).status_code == 200
