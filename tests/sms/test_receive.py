"""``sms.flows``: storing a text and its answer around a router (here a stand-in for the hotline's),
in the webhook's own transaction (``receive``) and in a caller's (``receive_in``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.db import Database
from config.settings import Settings
from sms import flows, service
from sms.models import InboundMessage, OutboundMessage

SID = "SM" + "4" * 32
HOLDING = "我们已收到您的短信，话务员会尽快跟进。"  # the default locale is zh_CN


def text(body: str = "厨房水管漏水", sid: str | None = SID) -> flows.IncomingText:
    return flows.IncomingText(message_sid=sid, from_raw="+8613800138000", to_number="+8657396345", body=body)


def answering(reply: str) -> flows.InboundRouter:
    def route(session: Session, inbound: InboundMessage) -> str | None:
        inbound.handled_as = "test"
        service.queue_message(session, to="+8613900000000", body="side effect", purpose="test")
        return reply

    return route


def failing(session: Session, inbound: InboundMessage) -> str | None:
    service.queue_message(session, to="+8613900000000", body="half-done work", purpose="test")
    raise RuntimeError("the router broke")


def rows(db: Database) -> tuple[list[tuple[str, str | None, str | None]], list[tuple[str, str]]]:
    with db.read() as session:
        inbound = [(m.status, m.handled_as, m.reply) for m in session.scalars(select(InboundMessage))]
        outbound = [(m.purpose, m.body) for m in session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]
        return inbound, outbound


def test_receive_stores_the_text_and_its_answer_once(db: Database, settings: Settings) -> None:
    assert flows.receive(db, text(), answering("好的"), settings) == "好的"
    # Twilio's retry: answered from the stored row, and what its routing did is rolled back
    assert flows.receive(db, text(), answering("a different answer"), settings) == "好的"
    assert rows(db) == ([("received", "test", "好的")], [("test", "side effect"), ("reply", "好的")])


def test_receive_keeps_a_text_whose_router_failed(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert flows.receive(db, text(), failing, settings) == HOLDING
    assert rows(db) == ([("failed", "error", HOLDING)], [("reply", HOLDING)])
    assert "routing SMS " + SID + " failed" in caplog.text and "the router broke" in caplog.text


def test_receive_in_looks_the_sid_up_and_routes_in_a_savepoint(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        assert flows.receive_in(session, text(), answering("好的"), settings) == "好的"
        assert flows.receive_in(session, text(), answering("again"), settings) == "好的"
        assert flows.receive_in(session, text("第二条", sid=None), failing, settings) == HOLDING
    inbound, outbound = rows(db)
    assert inbound == [("received", "test", "好的"), ("failed", "error", HOLDING)]
    assert outbound == [("test", "side effect"), ("reply", "好的"), ("reply", HOLDING)]  # no half-done work


def test_a_text_from_no_residents_number_is_kept_unanswered(db: Database, settings: Settings) -> None:
    short_code = flows.IncomingText(message_sid=SID, from_raw="10086", to_number="+8657396345", body="话费提醒")
    assert flows.receive(db, short_code, answering("never"), settings) is None
    assert rows(db) == ([("ignored", None, None)], [])
