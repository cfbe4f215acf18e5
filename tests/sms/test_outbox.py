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
from sms.senders import ConsoleSender, Outgoing

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
        assert (row.status, row.sender, row.attempts) == ("sent", "console", 1)
        assert row.provider_sid and row.provider_sid.startswith("console-")


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
        claimed = outbox._claim(db, policy=outbox.Policy())  # the process dies right after claiming
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


def _queue(db: Database, count: int) -> None:
    with clock.freeze(START), db.transaction() as session:
        for n in range(count):
            service.queue_message(session, to=f"+86138001380{n:02d}", body=f"text {n}", purpose="survey")


def _statuses(db: Database) -> list[tuple[str, int]]:
    with db.read() as session:
        rows = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))
        return [(row.status, row.attempts) for row in rows]


def test_console_ids_stay_unique_across_a_restart_and_a_second_process(db: Database) -> None:
    """Every process used to number its ids console-1, 2, ...: the second one's first send clashed."""
    _queue(db, 4)
    with clock.freeze(START):
        first = outbox.deliver_due(db, ConsoleSender(), policy=outbox.Policy(batch=2))
        after_restart = outbox.deliver_due(db, ConsoleSender(), policy=outbox.Policy(batch=2))
    assert (first.sent, after_restart.sent, after_restart.errors) == (2, 2, [])
    with db.read() as session:
        sids = list(session.scalars(select(OutboundMessage.provider_sid)))
    assert len(set(sids)) == 4 and all(sid and sid.startswith("console-") for sid in sids)


class SameIdSender(ConsoleSender):
    """A provider that hands out an id it gave before (what two console senders used to do)."""

    def send(self, message: Outgoing) -> str:
        super().send(message)
        return "SM-the-same"


def test_an_outcome_that_cannot_be_recorded_never_stops_the_batch_nor_resends_the_text(db: Database) -> None:
    _queue(db, 3)
    sender = SameIdSender()
    with clock.freeze(START):
        report = outbox.deliver_due(db, sender)
    assert report.sent == 3 and len(sender.sent) == 3
    assert _statuses(db) == [("sent", 1)] * 3
    with db.read() as session:
        notes = list(session.scalars(select(OutboundMessage.last_error).order_by(OutboundMessage.id)))
    assert notes == [None, "provider id SM-the-same recorded twice", "provider id SM-the-same recorded twice"]
    with clock.freeze(START + outbox.LEASE):
        assert outbox.deliver_due(db, sender).claimed == 0


def test_a_text_that_kills_its_sender_every_time_ends_dead_after_the_attempt_cap(db: Database) -> None:
    _queue(db, 1)
    policy = outbox.Policy(max_attempts=3)
    at = START
    for _ in range(3):  # claimed, then the process dies mid-send, three times
        with clock.freeze(at):
            assert len(outbox._claim(db, policy=policy)) == 1
        at += outbox.LEASE
    sender = ConsoleSender()
    with clock.freeze(at):
        report = outbox.deliver_due(db, sender, policy=policy)
    assert (report.claimed, sender.sent) == (0, [])
    assert _statuses(db) == [("dead", 3)]


class InterruptedSender(ConsoleSender):
    def send(self, message: Outgoing) -> str:
        if len(self.sent) == 1:
            raise KeyboardInterrupt  # Ctrl+C on `hotline sms send-pending`
        return super().send(message)


def test_a_pass_cut_short_hands_back_the_texts_it_did_not_try(db: Database) -> None:
    _queue(db, 4)
    with clock.freeze(START), pytest.raises(KeyboardInterrupt):
        outbox.deliver_due(db, InterruptedSender())
    # the first left, the second may have left (kept under its lease), the last two were never tried
    assert _statuses(db) == [("sent", 1), ("sending", 1), ("queued", 0), ("queued", 0)]
    sender = ConsoleSender()
    with clock.freeze(START):
        assert outbox.deliver_due(db, sender).sent == 2
    assert [m.body for m in sender.sent] == ["text 2", "text 3"]
