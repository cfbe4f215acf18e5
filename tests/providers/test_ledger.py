"""The performance ledger: facts written by dispatch and callbacks, read by reviews and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from config import clock
from config.db import Database
from config.errors import InvalidInput
from config.settings import Settings
from providers import ledger
from providers.models import LedgerEntry, Provider
from tests.providers import builders

NOV = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_recording_the_same_fact_twice_keeps_one_row(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings)
        first = ledger.record(session, provider=p, kind="offered", ticket_ref="ticket:2611210001")
        again = ledger.record(session, provider=p, kind="offered", ticket_ref="ticket:2611210001")
        ledger.record(session, provider=p, kind="accepted", ticket_ref="ticket:2611210001")
        ledger.record(session, provider=p, kind="complaint", note="rude on the phone")
        ledger.record(session, provider=p, kind="complaint", note="late again")
        assert again.id == first.id
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 4


def test_bad_facts_are_refused_with_one_clear_line(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings)
        with pytest.raises(InvalidInput, match="unknown ledger kind 'praised'"):
            ledger.record(session, provider=p, kind="praised")
        with pytest.raises(InvalidInput, match="survey score is a number from 1 to 5"):
            ledger.record(session, provider=p, kind="survey_score", value=9)
        with pytest.raises(InvalidInput, match="carries no value"):
            ledger.record(session, provider=p, kind="accepted", value=1)
        with pytest.raises(InvalidInput, match="aware"):
            ledger.record(session, provider=p, kind="offered", at=dt.datetime(2026, 11, 1))


def test_summary_gives_rates_scores_and_complaints_for_a_period(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings)
        for n in range(1, 5):  # 4 offers in November: 3 accepted (2 on time, 1 late), 1 declined
            ref, at = f"ticket:26110{n}0001", NOV + dt.timedelta(days=n)
            ledger.record(session, provider=p, kind="offered", ticket_ref=ref, at=at)
            if n == 4:
                ledger.record(session, provider=p, kind="declined", ticket_ref=ref, at=at)
                continue
            ledger.record(session, provider=p, kind="accepted", ticket_ref=ref, at=at)
            kind = "completed_late" if n == 3 else "completed_on_time"
            ledger.record(session, provider=p, kind=kind, ticket_ref=ref, at=at + dt.timedelta(hours=2))
            ledger.record(session, provider=p, kind="survey_score", ticket_ref=ref, value=5 if n < 3 else 2, at=at)
        ledger.record(
            session, provider=p, kind="complaint", ticket_ref="ticket:2611030001", at=NOV + dt.timedelta(days=3)
        )
        ledger.record(
            session, provider=p, kind="offered", ticket_ref="ticket:2610010001", at=NOV - dt.timedelta(days=20)
        )
        with clock.freeze(NOV + dt.timedelta(days=20)):
            november = ledger.summary(session, provider=p, since=NOV)
            everything = ledger.summary(session, provider=p)
    assert november.counts["offered"] == 4 and everything.counts["offered"] == 5
    assert november.acceptance_rate == 0.75
    assert november.on_time_rate == pytest.approx(2 / 3)
    assert november.mean_score == 4.0
    assert november.complaints == 1 and november.surveys == 3
    empty = ledger.Summary(since=None, until=NOV)
    assert (empty.acceptance_rate, empty.on_time_rate, empty.mean_score) == (None, None, None)


def test_two_workers_recording_the_same_fact_at_once_leave_one_row(db: Database, settings: Settings) -> None:
    import threading

    if db.is_sqlite:
        pytest.skip("SQLite serialises writers (one writer lock), so the race cannot happen there")
    with db.transaction() as session:
        provider_id = builders.provider(session, settings).id
    barrier = threading.Barrier(2)
    ids: list[int] = []

    def worker() -> None:
        with db.transaction() as session:
            p = session.get(Provider, provider_id)
            assert p is not None
            barrier.wait(timeout=5)
            ids.append(ledger.record(session, provider=p, kind="accepted", ticket_ref="ticket:2611210001").id)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    assert len(ids) == 2 and len(set(ids)) == 1
