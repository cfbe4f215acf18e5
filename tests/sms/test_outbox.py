"""The outbox: written in the caller's transaction, delivered after commit, never doubled."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from config import clock
from config.db import Database
from config.errors import InvalidInput
from sms import outbox, service
from sms.models import OutboundMessage
from sms.senders import ConsoleSender

START = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def test_a_text_queued_in_a_rolled_back_transaction_never_leaves(db: Database) -> None:
    sender = ConsoleSender()
    with pytest.raises(RuntimeError), db.transaction() as session:
        service.queue_message(session, to="+8613800138000", body="您的工单已派单", purpose="ticket_ack")
        raise RuntimeError("the ticket could not be saved")
    assert outbox.deliver_due(db, sender).claimed == 0
    assert sender.sent == []


def test_queued_text_is_sent_once_after_commit(db: Database) -> None:
    sender = ConsoleSender()
    with clock.freeze(START), db.transaction() as session:
        message = service.queue_message(
            session,
            to="+8613800138000",
            body="您的工单2611230001已派单，师傅半小时内联系您。",
            purpose="ticket_ack",
            subject="ticket:2611230001",
        )
        assert message.status == "queued" and (message.encoding, message.segments) == ("UCS-2", 1)
    with clock.freeze(START):
        first = outbox.deliver_due(db, sender)
        second = outbox.deliver_due(db, sender)
    assert (first.sent, second.claimed) == (1, 0)
    assert [m.body for m in sender.sent] == ["您的工单2611230001已派单，师傅半小时内联系您。"]
    with db.read() as session:
        row = session.scalars(select(OutboundMessage)).one()
        assert (row.status, row.provider_sid, row.sender, row.attempts) == ("sent", "console-1", "console", 1)


def test_the_same_idempotency_key_returns_the_queued_row(db: Database) -> None:
    with db.transaction() as session:
        first = service.queue_message(
            session, to="+8613800138000", body="offer", purpose="offer", idempotency_key="offer:17:1"
        )
        again = service.queue_message(
            session, to="+8613800138000", body="offer", purpose="offer", idempotency_key="offer:17:1"
        )
        assert again.id == first.id
        assert len(session.scalars(select(OutboundMessage)).all()) == 1


@pytest.mark.parametrize(
    ("to", "body", "error"),
    [
        ("13800138000", "hi", "E.164"),
        ("+8613800138000", "   ", "empty"),
        ("+8613800138000", "x" * 1601, "at most 1600"),
    ],
)
def test_bad_texts_are_refused_with_a_clear_error(db: Database, to: str, body: str, error: str) -> None:
    with db.transaction() as session, pytest.raises(InvalidInput, match=error):
        service.queue_message(session, to=to, body=body, purpose="offer")


def test_a_sender_crash_leaves_the_text_to_retry_after_its_lease(db: Database) -> None:
    with clock.freeze(START), db.transaction() as session:
        service.queue_message(session, to="+8613800138000", body="hello", purpose="survey")
    with clock.freeze(START):
        claimed = outbox._claim(db, limit=10)  # the process dies right after claiming
    assert len(claimed) == 1
    sender = ConsoleSender()
    with clock.freeze(START + dt.timedelta(minutes=1)):
        assert outbox.deliver_due(db, sender).claimed == 0  # still leased
    with clock.freeze(START + outbox.LEASE):
        assert outbox.deliver_due(db, sender).sent == 1
    assert len(sender.sent) == 1


def test_two_senders_on_postgresql_skip_each_others_rows(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite serialises writers; SKIP LOCKED is PostgreSQL's")
    with clock.freeze(START), db.transaction() as session:
        for i in range(3):
            service.queue_message(session, to=f"+861380013800{i}", body=f"text {i}", purpose="survey")
    sender = ConsoleSender()
    with db.engine.connect() as other:  # another worker holds the first row
        other.execute(text("SELECT id FROM sms_outbound ORDER BY id LIMIT 1 FOR UPDATE"))
        with clock.freeze(START):
            report = outbox.deliver_due(db, sender)
        other.rollback()
    assert report.sent == 2
    assert sorted(m.body for m in sender.sent) == ["text 1", "text 2"]
    with clock.freeze(START):
        assert outbox.deliver_due(db, sender).sent == 1  # released: now it goes
    assert sorted(m.body for m in sender.sent) == ["text 0", "text 1", "text 2"]
