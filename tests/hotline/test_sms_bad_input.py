"""Whatever Twilio or a resident sends, the text is stored, answered sensibly, never a 500."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.catalog import ServiceItem
from config.db import Database
from dispatch import residents
from dispatch.models import Resident
from hotline import intake
from sms.models import InboundMessage
from tests.hotline.test_sms_intake import inbound, reply_of, tickets
from tests.twilio_support import post_signed, text


def test_missing_from_is_stored_and_not_answered(hotline: TestClient, db: Database) -> None:
    assert reply_of(text(hotline, "厨房水管漏水", sender=None)) is None
    [message] = inbound(db)
    assert (message.from_raw, message.phone, message.status, message.body) == ("", None, "ignored", "厨房水管漏水")
    assert tickets(db) == []


def test_short_code_sender_is_stored_and_not_answered(hotline: TestClient, db: Database) -> None:
    """Answering 10086 or 96345 can start an endless auto-reply loop."""
    assert reply_of(text(hotline, "【中国移动】您的话费余额不足10元", sender="10086")) is None
    [message] = inbound(db)
    assert (message.from_raw, message.phone, message.status) == ("10086", None, "ignored")
    assert tickets(db) == []


@pytest.mark.parametrize("body", [None, "", "   "])
def test_missing_or_empty_body_asks_what_they_need(hotline: TestClient, db: Database, body: str | None) -> None:
    answer = reply_of(text(hotline, body))
    assert answer == "您的短信内容为空。请告诉我们您需要什么服务、在哪里，例如“厨房水管漏水，3幢401室”。"
    [message] = inbound(db)
    assert (message.body, message.handled_as) == ("", "empty")
    assert tickets(db) == []


def test_picture_without_words_asks_for_words(hotline: TestClient, db: Database) -> None:
    form = {"MessageSid": "MM" + "1" * 32, "From": "+8613800138000", "To": "+8657396345", "Body": "", "NumMedia": "1"}
    answer = reply_of(post_signed(hotline, "/sms/twilio/inbound", form))
    assert answer == "已收到您的图片。请再用文字告诉我们需要什么服务、地址在哪里。"
    assert inbound(db)[0].num_media == 1


def test_a_1600_character_text_is_kept_whole(hotline: TestClient, db: Database) -> None:
    body = ("卫生间水管漏水，已经渗到楼下了。" * 100)[:1600]
    answer = reply_of(text(hotline, body))
    [message] = inbound(db)
    [ticket] = tickets(db)
    assert len(message.body) == 1600 and message.segments == 24  # 1600 / 67 per UCS-2 part
    assert ticket.description == body
    assert answer is not None and ticket.number in answer


def test_emoji_is_kept_and_does_not_confuse_the_classifier(hotline: TestClient, db: Database) -> None:
    reply_of(text(hotline, "马桶堵了😭😭冲不下去🚽"))
    reply_of(text(hotline, "🙏🙏🙏", sender="+8613912345678"))
    stored = inbound(db)
    assert [m.body for m in stored] == ["马桶堵了😭😭冲不下去🚽", "🙏🙏🙏"]
    first, second = tickets(db)
    assert first.item is not None and first.item.code == "PE-TOILET-UNBLOCK"
    assert second.item is None and second.item_confidence is None  # nothing to go on: an operator triages


def test_full_width_text_is_understood(hotline: TestClient, db: Database) -> None:
    answer = reply_of(text(hotline, "ｋｉｔｃｈｅｎ ｐｉｐｅ ｌｅａｋｉｎｇ，ＢＬＯＣＫ ３"))
    [ticket] = tickets(db)
    assert ticket.item is not None and ticket.item.code == "PE-PIPE-LEAK"
    assert ticket.description == "ｋｉｔｃｈｅｎ ｐｉｐｅ ｌｅａｋｉｎｇ，ＢＬＯＣＫ ３"  # kept as written
    assert answer is not None and answer.startswith("We received your request for Leaking pipe repair")


def test_a_text_to_another_of_our_numbers_is_still_handled(hotline: TestClient, db: Database) -> None:
    form = {"MessageSid": "SM" + "5" * 32, "From": "+8613800138000", "To": "+8657300000000", "Body": "空调不制冷"}
    answer = reply_of(post_signed(hotline, "/sms/twilio/inbound", form))
    [message] = inbound(db)
    assert message.to_number == "+8657300000000" and message.status == "handled"
    assert answer is not None and tickets(db)[0].number in answer


def test_form_without_message_sid_or_to_is_stored(hotline: TestClient, db: Database) -> None:
    answer = reply_of(post_signed(hotline, "/sms/twilio/inbound", {"From": "+8613800138000", "Body": "查询"}))
    assert answer == "您目前没有工单。请发短信告诉我们您需要什么服务、在哪里。"
    [message] = inbound(db)
    assert (message.message_sid, message.to_number) == (None, "")


def test_a_failing_handler_keeps_the_text_and_gives_a_holding_answer(
    hotline: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Session, message: InboundMessage, ctx: intake.Context) -> str | None:
        residents.get_or_create_resident(session, phone=ctx.phone)  # half-done work ...
        raise RuntimeError("provider service is down")  # ... then a crash

    monkeypatch.setattr(intake, "HANDLERS", [broken, *intake.HANDLERS])
    response = text(hotline, "厨房水管漏水")
    assert reply_of(response) == "我们已收到您的短信，话务员会尽快跟进。"
    [message] = inbound(db)
    assert (message.status, message.body) == ("failed", "厨房水管漏水")
    with db.read() as session:  # the half-done work was rolled back with its savepoint
        assert session.scalars(select(Resident)).all() == []


def test_a_text_for_a_withdrawn_service_still_opens_a_ticket_for_triage(hotline: TestClient, db: Database) -> None:
    from dispatch import classifier

    with db.read() as session:  # the classifier was built while the item was still offered
        classifier.for_session(session, precision_target=0.9)
    with db.transaction() as session:
        catalog_item = session.scalar(select(ServiceItem).where(ServiceItem.code == "PE-TOILET-UNBLOCK"))
        assert catalog_item is not None
        catalog_item.active = False
    try:
        answer = reply_of(text(hotline, "马桶堵了，冲不下去"))
    finally:
        with db.transaction() as session:
            catalog_item = session.scalar(select(ServiceItem).where(ServiceItem.code == "PE-TOILET-UNBLOCK"))
            assert catalog_item is not None
            catalog_item.active = True
    [ticket] = tickets(db)
    assert ticket.item is None or ticket.item.code != "PE-TOILET-UNBLOCK"
    assert inbound(db)[0].status == "handled" and answer is not None and ticket.number in answer


def test_malformed_fields_are_trimmed_not_a_500(hotline: TestClient, db: Database) -> None:
    form = {
        "MessageSid": "SM" + "x" * 200,
        "From": "+8613800138000",
        "To": "+86573" + "9" * 100,
        "Body": "厨房\x00水管漏水",
        "NumMedia": "many",
    }
    answer = reply_of(post_signed(hotline, "/sms/twilio/inbound", form))
    [message] = inbound(db)
    assert message.message_sid == ("SM" + "x" * 200)[:64] and len(message.to_number) == 64
    assert (message.body, message.num_media) == ("厨房水管漏水", 0)
    assert answer is not None and tickets(db)[0].number in answer


def test_a_sender_not_answered_is_logged_masked(hotline: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hotline.sms"):
        assert reply_of(text(hotline, "退订", sender="106575012345678")) is None  # a bulk-SMS sender line
    assert "not answered" in caplog.text and "106****5678" in caplog.text
    assert "106575012345678" not in caplog.text
