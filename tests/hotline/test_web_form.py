"""The resident web form and the status page, as a resident uses them: fill in, get a code by
text (read from the console outbox), confirm, see the ticket number, read its progress."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import service
from dispatch.models import Ticket
from hotline.app import create_app
from hotline.web_form import codes
from sms import outbox
from sms.models import OutboundMessage
from sms.senders import ConsoleSender

MONDAY_10AM = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
COMMUNITY = "330402001001"  # 紫阳社区
PHONE = "13800138000"
E164 = "+8613800138000"


@pytest.fixture
def web(settings: Settings, db: Database) -> Iterator[TestClient]:
    with clock.freeze(MONDAY_10AM), TestClient(create_app(settings, db), raise_server_exceptions=True) as client:
        yield client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no csrf field"
    return found.group(1)


def token_of(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def form(**overrides: str) -> dict[str, str]:
    values = {
        "item": "PE-PIPE-LEAK",
        "community": COMMUNITY,
        "address": "3幢401室",
        "description": "厨房水管漏水，地上都是水",
        "phone": PHONE,
        "name": "李阿姨",
        "action": "code",
    }
    values.update(overrides)
    return values


def texted_code(db: Database, phone: str = E164) -> str:
    sender = ConsoleSender()
    outbox.deliver_due(db, sender)
    bodies = [m.body for m in sender.sent if m.to == phone]
    assert bodies, "no text was sent"
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", bodies[-1])
    assert found, bodies[-1]
    return found.group(1)


def confirm_with(web: TestClient, confirm: str, code: str) -> httpx.Response:
    data = {"csrf": csrf_of(confirm), "token": token_of(confirm), "code": code, "action": "confirm"}
    return web.post("/request/confirm", data=data)


def ask_for_code(web: TestClient, **overrides: str) -> str:
    page = web.get("/request").text
    response = web.post("/request", data={"csrf": csrf_of(page), **form(**overrides)})
    assert response.status_code == 200, response.text
    return response.text


def test_resident_asks_on_the_web_confirms_by_code_and_reads_the_status(web: TestClient, db: Database) -> None:
    confirm = ask_for_code(web)
    assert "水管漏水维修" in confirm or "PE-PIPE-LEAK" not in confirm
    assert re.search(r"\d+ 元/", confirm) or "元" in confirm  # the standard price, before sending
    code = texted_code(db)
    done = web.post(
        "/request/confirm",
        data={"csrf": csrf_of(confirm), "token": token_of(confirm), "code": code, "action": "confirm"},
    )
    assert done.status_code == 200
    number = re.search(r'id="ticket-number">(\d{10})<', done.text).group(1)  # type: ignore[union-attr]
    with db.read() as session:
        ticket = service.get_ticket(session, number=number)
        assert (ticket.channel, ticket.item.code, ticket.community.code) == ("web", "PE-PIPE-LEAK", COMMUNITY)  # type: ignore[union-attr]
        assert (ticket.resident.phone, ticket.resident.name, ticket.address) == (E164, "李阿姨", "3幢401室")
        assert ticket.events[0].actor == "resident"
        texts = [m.body for m in session.scalars(select(OutboundMessage).where(OutboundMessage.to == E164))]
    assert any(number in body for body in texts)  # the number by text too

    status_page = web.get(f"/status?number={number}").text
    shown = web.post("/status", data={"csrf": csrf_of(status_page), "number": number, "phone": "138 0013 8000"})
    assert shown.status_code == 200
    assert number in shown.text and 'aria-current="step"' in shown.text
    assert "我们已收到您的请求" in shown.text or "received" in shown.text.lower()


def test_the_status_page_shows_nothing_unless_number_and_phone_match(web: TestClient, db: Database) -> None:
    with db.transaction() as session:
        from dispatch import residents

        resident = residents.get_or_create_resident(session, phone=E164, name="王大爷")
        ticket, _ = service.create_ticket(
            session, resident=resident, channel="sms", description="灯坏了", zone=dt.UTC, actor=Actor("system")
        )
        number = ticket.number
    page = web.get("/status").text
    wrong_phone = web.post("/status", data={"csrf": csrf_of(page), "number": number, "phone": "13900139000"})
    wrong_number = web.post("/status", data={"csrf": csrf_of(page), "number": "2611239999", "phone": PHONE})
    for response in (wrong_phone, wrong_number):
        assert response.status_code == 404
        assert (
            "灯坏了" not in response.text
            and "王大爷" not in response.text
            and number not in response.text.split("value=")[0]
        )
    assert wrong_phone.text.count("未找到") == wrong_number.text.count("未找到")  # the same words either way
    no_token = web.post("/status", data={"number": number, "phone": PHONE})
    assert no_token.status_code == 400 and "灯坏了" not in no_token.text


def test_status_look_ups_are_throttled_per_address(web: TestClient, db: Database) -> None:
    page = web.get("/status").text
    for n in range(codes.LOOKUP_MISSES):
        miss = web.post("/status", data={"csrf": csrf_of(page), "number": f"26112300{n:02d}", "phone": PHONE})
        assert miss.status_code == 404
    blocked = web.post("/status", data={"csrf": csrf_of(page), "number": "2611230099", "phone": PHONE})
    assert blocked.status_code == 429


def test_a_wrong_code_counts_and_five_wrong_ones_void_it(web: TestClient, db: Database) -> None:
    confirm = ask_for_code(web)
    code = texted_code(db)
    wrong = "000000" if code != "000000" else "111111"
    data = {"csrf": csrf_of(confirm), "token": token_of(confirm), "code": wrong, "action": "confirm"}
    first = web.post("/request/confirm", data=data)
    assert first.status_code == 400 and "4" in first.text
    for _ in range(codes.MAX_ATTEMPTS - 1):
        web.post("/request/confirm", data=data)
    late = web.post("/request/confirm", data={**data, "code": code})  # the right one, too late
    assert late.status_code == 400
    with db.read() as session:
        assert session.scalar(select(Ticket.id)) is None


def test_a_code_expires(web: TestClient, db: Database) -> None:
    confirm = ask_for_code(web)
    code = texted_code(db)
    with clock.freeze(MONDAY_10AM + codes.CODE_TTL + dt.timedelta(seconds=1)):
        response = web.post(
            "/request/confirm",
            data={"csrf": csrf_of(confirm), "token": token_of(confirm), "code": code, "action": "confirm"},
        )
    assert response.status_code == 400 and "过期" in response.text


def test_codes_are_throttled_per_phone_and_per_address(web: TestClient, db: Database) -> None:
    ask_for_code(web)
    page = web.get("/request").text
    again = web.post("/request", data={"csrf": csrf_of(page), **form()})
    assert again.status_code == 429  # within a minute of the last
    assert "3幢401室" in again.text and "厨房水管漏水" in again.text  # nothing typed is lost
    for minute in range(1, codes.PER_PHONE_HOUR):
        with clock.freeze(MONDAY_10AM + dt.timedelta(minutes=2 * minute)):
            assert web.post("/request", data={"csrf": csrf_of(page), **form()}).status_code == 200
    with clock.freeze(MONDAY_10AM + dt.timedelta(minutes=20)):
        assert web.post("/request", data={"csrf": csrf_of(page), **form()}).status_code == 429
        # other phones from the same address, up to the address's hourly limit
        statuses = [
            web.post("/request", data={"csrf": csrf_of(page), **form(phone=f"139001390{n:02d}")}).status_code
            for n in range(codes.PER_CLIENT_HOUR)
        ]
    assert statuses.count(200) == codes.PER_CLIENT_HOUR - codes.PER_PHONE_HOUR and statuses[-1] == 429
    with db.read() as session:
        sent = session.scalars(select(OutboundMessage.to).where(OutboundMessage.purpose == "web_code")).all()
    assert len(sent) == codes.PER_CLIENT_HOUR


def test_bad_input_says_which_field_and_keeps_everything(web: TestClient) -> None:
    page = web.get("/request").text
    response = web.post(
        "/request",
        data={"csrf": csrf_of(page), **form(phone="12345", community="", description="灯不亮了 <b>急</b>")},
    )
    assert response.status_code == 400
    assert 'id="phone" name="phone"' in response.text and 'value="12345"' in response.text
    assert 'aria-invalid="true" aria-describedby="community-error"' in response.text
    assert "灯不亮了 &lt;b&gt;急&lt;/b&gt;" in response.text  # kept, and inert
    assert "3幢401室" in response.text


def test_a_form_without_its_token_is_refused_with_what_was_typed(web: TestClient, db: Database) -> None:
    response = web.post("/request", data=form())
    assert response.status_code == 400 and "厨房水管漏水" in response.text
    with db.read() as session:
        assert session.scalar(select(OutboundMessage.id)) is None  # no code texted


def test_script_in_a_description_stays_text_everywhere(web: TestClient, db: Database) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    confirm = ask_for_code(web, description=f"漏水 {evil}", name=evil, address=evil)
    assert "<script>alert" not in confirm and "<img src=x" not in confirm
    assert "&lt;script&gt;" in confirm
    code = texted_code(db)
    done = web.post(
        "/request/confirm",
        data={"csrf": csrf_of(confirm), "token": token_of(confirm), "code": code, "action": "confirm"},
    )
    number = re.search(r'id="ticket-number">(\d{10})<', done.text).group(1)  # type: ignore[union-attr]
    with db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        ticket.resolution = evil  # an operator's words come back on the status page
    page = web.get("/status").text
    shown = web.post("/status", data={"csrf": csrf_of(page), "number": number, "phone": PHONE})
    assert "<script>alert" not in shown.text and "&lt;script&gt;" in shown.text


def test_search_finds_items_in_both_languages_and_keeps_the_form(web: TestClient) -> None:
    page = web.get("/request").text
    found = web.post("/request", data={"csrf": csrf_of(page), **form(item="", q="leak", action="search")})
    assert found.status_code == 200 and 'value="PE-PIPE-LEAK"' in found.text and 'type="radio"' in found.text
    chinese = web.post("/request", data={"csrf": csrf_of(page), **form(item="", q="漏水", action="search")})
    assert 'value="PE-PIPE-LEAK"' in chinese.text
    assert "3幢401室" in chinese.text and "李阿姨" in chinese.text


def test_the_page_switches_language_without_losing_anything(web: TestClient) -> None:
    page = web.get("/request?lang=en")
    assert "Ask for a service" in page.text and 'lang="en"' in page.text
    switched = web.post("/request?lang=zh_CN", data={"csrf": csrf_of(page.text), **form(action="lang")})
    assert "申请服务" in switched.text and "3幢401室" in switched.text


def test_a_repeat_request_for_the_same_item_joins_the_open_ticket(web: TestClient, db: Database) -> None:
    numbers = []
    for minute in (0, 2):
        with clock.freeze(MONDAY_10AM + dt.timedelta(minutes=minute)):
            confirm = ask_for_code(web)
            code = texted_code(db)
            done = web.post(
                "/request/confirm",
                data={"csrf": csrf_of(confirm), "token": token_of(confirm), "code": code, "action": "confirm"},
            )
            numbers.append(re.search(r'id="ticket-number">(\d{10})<', done.text).group(1))  # type: ignore[union-attr]
    assert numbers[0] == numbers[1]


def test_erasing_a_resident_blanks_their_open_form_so_it_cannot_be_confirmed(web: TestClient, db: Database) -> None:
    from hotline import privacy

    confirm = ask_for_code(web)
    code = texted_code(db)
    with db.transaction() as session:
        exported = privacy.export_resident(session, phone=E164, actor="test")
        assert exported["web_forms"][0]["form"]["address"] == "3幢401室"
        privacy.erase_resident(session, phone=E164, actor="test", reason="asked to be forgotten")
    response = confirm_with(web, confirm, code)
    assert response.status_code == 400 and "3幢401室" not in response.text
    with db.read() as session:
        assert session.scalar(select(Ticket.id)) is None


def test_the_status_page_names_the_provider_once_accepted_and_tells_the_result(web: TestClient, db: Database) -> None:
    from config import areas, catalog
    from dispatch import residents
    from providers import service as provider_service

    with db.transaction() as session:
        item = catalog.get_item(session, code="PE-PIPE-LEAK")
        provider = provider_service.create_provider(
            session,
            kind="company",
            name_zh="嘉禾水电维修部",
            name_en="Jiahe Plumbing",
            phone="+8613700137000",
            items=[item],
            areas=[areas.get(session, code=COMMUNITY)],
            capacity=3,
            actor=Actor("system"),
            status="active",
        )
        resident = residents.get_or_create_resident(session, phone=E164)
        ticket, _ = service.create_ticket(
            session, resident=resident, channel="web", description="漏水", zone=dt.UTC, actor=Actor("system"), item=item
        )
        for step in ("dispatching", "offered", "accepted"):
            service.move_ticket(session, ticket=ticket, to=step, actor=Actor("system"))
        ticket.provider = provider
        ticket.expected_at = MONDAY_10AM + dt.timedelta(hours=1)
        number = ticket.number
    page = web.get("/status").text
    shown = web.post("/status", data={"csrf": csrf_of(page), "number": number, "phone": PHONE})
    assert 'id="provider">嘉禾水电维修部<' in shown.text and "11:00" in shown.text
    assert shown.text.count('class="step-done"') == 2 and "13700137000" not in shown.text
    english = web.post("/status?lang=en", data={"csrf": csrf_of(page), "number": number, "phone": PHONE})
    assert 'id="provider">Jiahe Plumbing<' in english.text
    with db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        service.move_ticket(session, ticket=ticket, to="in_service", actor=Actor("system"))
        service.move_ticket(session, ticket=ticket, to="completed", actor=Actor("system"))
        ticket.completed_at = MONDAY_10AM + dt.timedelta(hours=2)
        ticket.charged = Decimal("80.00")
    done = web.post("/status?lang=zh_CN", data={"csrf": csrf_of(page), "number": number, "phone": PHONE})
    assert "服务已完成" in done.text and "80 元" in done.text and done.text.count('class="step-done"') == 4
