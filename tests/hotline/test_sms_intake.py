"""Residents text the hotline: Twilio's signed webhook, routed by hotline.intake."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from config import clock
from config.db import Database
from config.settings import Settings
from dispatch.models import Resident, Ticket
from hotline.app import create_app
from sms.models import InboundMessage, OutboundMessage
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL, text

MONDAY_10AM = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Jiaxing: operators at their desks
RESIDENT = "+8613800138000"


@pytest.fixture
def hotline(settings: Settings, db: Database) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN}), db)
    with clock.freeze(MONDAY_10AM), TestClient(app) as client:
        yield client


def reply_of(response: Response) -> str | None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    message = ET.fromstring(response.text).find("Message")
    return message.text if message is not None else None


def tickets(db: Database) -> list[Ticket]:
    with db.read() as session:
        rows = list(session.scalars(select(Ticket).order_by(Ticket.id)))
        for row in rows:
            _ = (row.events, row.item, row.community, row.resident)
        session.expunge_all()
        return rows


def inbound(db: Database) -> list[InboundMessage]:
    with db.read() as session:
        rows = list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))
        session.expunge_all()
        return rows


def resident(db: Database, phone: str = RESIDENT) -> Resident | None:
    with db.read() as session:
        row = session.scalar(select(Resident).where(Resident.phone == phone))
        session.expunge_all()
        return row


def test_resident_texts_leak_in_chinese_and_gets_ticket_number(hotline: TestClient, db: Database) -> None:
    answer = reply_of(text(hotline, "厨房水管漏水，南湖街道紫阳小区3幢402"))
    [ticket] = tickets(db)
    assert answer is not None and ticket.number in answer
    assert "水管漏水维修" in answer and "回复“查询”" in answer
    assert (ticket.channel, ticket.item.code if ticket.item else None) == ("sms", "PE-PIPE-LEAK")
    assert ticket.item_confidence is not None and ticket.item_confidence >= 0.5
    assert ticket.community is not None and ticket.community.code == "330402001001"  # 紫阳社区
    assert ticket.description == "厨房水管漏水，南湖街道紫阳小区3幢402"
    person = resident(db)
    assert person is not None and person.language == "zh_CN"
    [message] = inbound(db)
    assert (message.status, message.handled_as, message.subject) == ("handled", "new_ticket", f"ticket:{ticket.number}")
    assert (message.encoding, message.segments) == ("UCS-2", 1)
    with db.read() as session:
        sent = session.scalars(select(OutboundMessage)).one()
        assert (sent.body, sent.via, sent.status, sent.subject) == (answer, "twiml", "sent", message.subject)


def test_resident_texts_in_english_and_is_answered_in_english(hotline: TestClient, db: Database) -> None:
    answer = reply_of(
        text(hotline, "Kitchen pipe leaking under the sink, Ziyang Block 3 room 402", sender="+8615857300001")
    )
    [ticket] = tickets(db)
    assert answer == (
        f"We received your request for Leaking pipe repair as ticket {ticket.number}. We are finding a provider "
        "and will text you when one is assigned. Text STATUS for progress."
    )
    assert ticket.community is not None and ticket.community.code == "330402001001"
    person = resident(db, "+8615857300001")
    assert person is not None and person.language == "en"


def test_emergency_text_is_urgent_and_the_reply_says_call_110(hotline: TestClient, db: Database) -> None:
    answer = reply_of(text(hotline, "我奶奶在卫生间摔倒了起不来，快来人！"))
    [ticket] = tickets(db)
    assert ticket.item is not None and ticket.item.code == "EH-ELDERLY-FALL"
    assert ticket.urgency == "urgent"
    assert answer is not None and "110" in answer


def test_unclear_text_waits_for_an_operator_to_triage(hotline: TestClient, db: Database) -> None:
    answer = reply_of(text(hotline, "洗衣机旁边的插座漏电"))  # washer, socket or circuit fault?
    [ticket] = tickets(db)
    assert ticket.item is None and ticket.due_at is None
    assert ticket.item_confidence is not None and ticket.item_confidence < 0.5
    assert answer == f"您的诉求已登记为工单{ticket.number}，话务员会尽快查看并短信联系您。回复“查询”可查看进度。"


def test_text_at_night_says_operators_read_it_when_the_centre_opens(hotline: TestClient, db: Database) -> None:
    with clock.freeze(dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)):  # 23:00 in Jiaxing
        answer = reply_of(text(hotline, "hello, I need some help please", sender="+8615857300001"))
    [ticket] = tickets(db)
    assert ticket.item is None
    assert answer is not None and "closed now" in answer and ticket.number in answer


def test_second_text_while_a_ticket_is_open_is_threaded_onto_it(hotline: TestClient, db: Database) -> None:
    reply_of(text(hotline, "厨房水管漏水"))
    answer = reply_of(text(hotline, "师傅下午几点来？我下午两点以后在家"))
    [ticket] = tickets(db)
    assert answer == f"已补充到您的工单{ticket.number}。回复“查询”可查看进度。"
    assert [(e.kind, e.actor, e.note) for e in ticket.events][-1] == (
        "repeat_contact",
        "resident",
        "师傅下午几点来？我下午两点以后在家",
    )
    assert [m.subject for m in inbound(db)] == [f"ticket:{ticket.number}"] * 2
    assert inbound(db)[1].handled_as == "threaded"


def test_a_different_request_while_a_ticket_is_open_opens_a_new_ticket(hotline: TestClient, db: Database) -> None:
    reply_of(text(hotline, "厨房水管漏水"))
    answer = reply_of(text(hotline, "另外卧室空调不制冷了，也请安排师傅"))
    first, second = tickets(db)
    assert (first.item.code if first.item else None, second.item.code if second.item else None) == (
        "PE-PIPE-LEAK",
        "AR-AC-REPAIR",
    )
    assert answer is not None and second.number in answer


def test_status_keyword_tells_the_latest_ticket_state(hotline: TestClient, db: Database) -> None:
    assert reply_of(text(hotline, "查询")) == "您目前没有工单。请发短信告诉我们您需要什么服务、在哪里。"
    reply_of(text(hotline, "马桶堵了冲不下去"))
    [ticket] = tickets(db)
    expected = f"工单{ticket.number}（马桶疏通）：新建。"
    assert reply_of(text(hotline, "查询")) == expected
    assert reply_of(text(hotline, "ＳＴＡＴＵＳ")) == expected  # full-width, upper case
    assert reply_of(text(hotline, f"status {ticket.number}")) == expected
    assert reply_of(text(hotline, f"查询{ticket.number}", sender="+8613912345678")) == (
        f"本手机号下没有编号为{ticket.number}的工单。"
    )
    assert len(tickets(db)) == 1
    assert [m.handled_as for m in inbound(db)] == ["status", "new_ticket", "status", "status", "status", "status"]


@pytest.mark.parametrize("stop", ["STOP", "退订", "TD", "ｓｔｏｐ", "td", "Stop."])
def test_stop_opts_out_and_start_opts_back_in(hotline: TestClient, db: Database, stop: str) -> None:
    answer = reply_of(text(hotline, stop))
    person = resident(db)
    assert person is not None and person.sms_opt_out
    assert answer is not None and ("订阅" in answer or "START" in answer)
    again = reply_of(text(hotline, "订阅" if person.language == "zh_CN" else "START"))
    person = resident(db)
    assert person is not None and not person.sms_opt_out
    assert again is not None
    assert tickets(db) == []


def test_help_explains_the_commands_in_the_residents_language(hotline: TestClient, db: Database) -> None:
    chinese = reply_of(text(hotline, "帮助"))
    english = reply_of(text(hotline, "help", sender="+8615857300001"))
    assert chinese is not None and "查询" in chinese and "退订" in chinese
    assert english is not None and "STATUS" in english and "STOP" in english
    assert tickets(db) == []


def test_a_retried_message_sid_gets_the_same_reply_and_creates_nothing(hotline: TestClient, db: Database) -> None:
    sid = "SM" + "9" * 32
    first = text(hotline, "厨房水管漏水", sid=sid)
    retried = text(hotline, "厨房水管漏水", sid=sid)
    assert first.text == retried.text and reply_of(first)
    assert len(tickets(db)) == 1 and len(inbound(db)) == 1
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 1


def test_a_flood_of_texts_is_stored_answered_once_and_opens_nothing(
    hotline: TestClient, db: Database, settings: Settings
) -> None:
    limit = settings.sms_rate_limit
    replies = [reply_of(text(hotline, f"第{i}条：厨房水管漏水", sender="+8613700000000")) for i in range(limit + 3)]
    assert all(replies[:limit])
    assert replies[limit] == "您短时间内发送的短信较多，我们都已收到并保存，请稍等一分钟后再发。"
    assert replies[limit + 1 :] == [None, None]
    assert len(tickets(db)) == 1
    stored = inbound(db)
    assert len(stored) == limit + 3
    assert [m.status for m in stored[limit:]] == ["throttled"] * 3
    with clock.freeze(MONDAY_10AM + dt.timedelta(minutes=2)):  # a minute later they are heard again
        assert reply_of(text(hotline, "查询", sender="+8613700000000")) is not None


@pytest.mark.fixtures
def test_twilios_recorded_inbound_sms_goes_through_the_endpoint(hotline: TestClient, db: Database) -> None:
    import urllib.parse

    from tests.support import shared_fixture
    from tests.twilio_support import post_signed

    lines = shared_fixture("twilio", "request_variables.form.txt").read_text(encoding="utf-8").splitlines()
    [line] = [x for x in lines if "SmsMessageSid=" in x]
    form = dict(urllib.parse.parse_qsl(line, keep_blank_values=True))
    answer = reply_of(post_signed(hotline, "/sms/twilio/inbound", form))
    [message] = inbound(db)
    assert (message.message_sid, message.from_raw, message.phone, message.to_number, message.body) == (
        "SM1521fa559fb923c1ed64f56cd1bed8ef",
        "+19253920364",
        "+19253920364",
        "+19253920364",
        "twilio-go testing!",
    )
    [ticket] = tickets(db)
    assert ticket.item is None  # nothing to classify: an operator triages it
    assert answer is not None and ticket.number in answer and answer.startswith("We received")


def test_a_retry_is_answered_as_the_first_time_and_its_work_is_rolled_back(hotline: TestClient, db: Database) -> None:
    """A MessageSid is not looked up first: the retry is routed again (this time it would be
    threaded onto the ticket the first one opened), its row hits the unique MessageSid, its
    transaction is rolled back, and it is answered from the stored row. Two workers taking the
    same retry at once (PostgreSQL) take the same path."""
    sid = "SM" + "7" * 32
    first = reply_of(text(hotline, "厨房水管漏水", sid=sid))
    second = reply_of(text(hotline, "厨房水管漏水", sid=sid))
    assert first is not None and second == first and "已补充" not in second
    [ticket] = tickets(db)
    assert [event.kind for event in ticket.events] == ["created"]
    assert len(inbound(db)) == 1
