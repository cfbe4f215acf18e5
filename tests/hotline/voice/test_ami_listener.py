from __future__ import annotations

from sqlalchemy import func, select

from config.db import Database
from hotline.voice.models import Call, CallbackEntry, CallChannel
from hotline.voice.schemas import CallbackOut, CallOut
from tests import factories
from tests.hotline.voice.ami_peer import AmiPeer, Connection, eventually, transcript


def calls(db: Database, *, finished: bool = True) -> list[CallOut]:
    with db.read() as session:
        query = select(Call).order_by(Call.id)
        if finished:
            query = query.where(Call.ended_at.is_not(None))
        return [CallOut.of(c) for c in session.scalars(query)]


def callbacks(db: Database) -> list[CallbackOut]:
    with db.read() as session:
        return [CallbackOut.of(e) for e in session.scalars(select(CallbackEntry).order_by(CallbackEntry.id))]


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


async def test_queue_call_is_logged_answered_with_hold_time_and_the_operator_who_took_it(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        factories.operator(session, name="李娜", extension="7006")
    async with AmiPeer(Connection(after_login=[transcript("queue.txt")])) as peer, run_listener(peer) as listener:
        await eventually(lambda: calls(db))
        await listener.settled()
    [call] = calls(db)
    assert call.external_id == "1781704152.3807872"
    assert call.outcome == "answered"
    assert call.queue == "88"
    assert call.hold_seconds == 28
    assert call.talk_seconds == 12
    assert call.ring_seconds == 7
    assert call.operator_extension == "7006" and call.operator == "李娜"
    assert call.rung_extensions == ["7008", "7006"]
    assert call.hangup_cause == 16 and call.hangup_cause_text == "Normal Clearing"
    assert call.caller_number == "7007" and call.caller_phone is None and not call.caller_withheld
    assert callbacks(db) == []
    assert count(db, CallChannel) == 11
    with db.read() as session:
        assert all(c.hungup_at is not None for c in session.scalars(select(CallChannel)))


async def test_missed_direct_call_lands_on_the_callback_list(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    async with AmiPeer(Connection(after_login=[transcript("missed.txt")])) as peer, run_listener(peer) as listener:
        await eventually(lambda: calls(db))
        await listener.settled()
    [call] = calls(db)
    assert call.outcome == "missed"
    assert call.answered_at is None and call.operator is None
    assert call.rung_extensions == ["7004"]
    assert call.hangup_cause == 21 and call.hangup_cause_text == "Call Rejected"
    [entry] = callbacks(db)
    assert (entry.status, entry.reason, entry.number, entry.call_id) == ("open", "missed", "7003", call.id)


async def test_answered_direct_call_is_logged_with_the_extension_that_answered(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        factories.operator(session, name="张伟", extension="7002")
    async with AmiPeer(Connection(after_login=[transcript("answered.txt")])) as peer, run_listener(peer) as listener:
        await eventually(lambda: calls(db))
        await listener.settled()
    [call] = calls(db)
    assert call.outcome == "answered"
    assert call.operator == "张伟" and call.operator_extension == "7002"
    assert call.queue is None and call.hold_seconds is None
    assert call.talk_seconds is not None and call.ring_seconds is not None
    assert call.hangup_cause == 16
    assert callbacks(db) == []


async def test_replaying_the_same_events_twice_changes_nothing(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    first = Connection(after_login=[transcript("queue.txt"), transcript("missed.txt")], close_after=True)
    again = Connection(after_login=[transcript("queue.txt"), transcript("missed.txt")])
    async with AmiPeer(first, again) as peer, run_listener(peer) as listener:
        await eventually(lambda: len(calls(db)) == 2)
        await listener.settled()
        before = (calls(db), callbacks(db), count(db, CallChannel))
        await eventually(lambda: peer.connections == 2 and listener.connected.is_set())
        await eventually(lambda: listener.tracker.seen >= 2 * (113 + 16))
        await listener.settled()
        after = (calls(db), callbacks(db), count(db, CallChannel))
    assert after == before
    assert before[2] == 13 and len(before[1]) == 1 and before[1][0].missed_count == 1
