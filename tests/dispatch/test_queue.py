"""The live queue: order (emergency first, then time left), SLA marks, filters, search, pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event

from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import queue, service
from tests import factories

T0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai


def _numbers(page: queue.QueuePage) -> list[str]:
    return [r.ticket.number for r in page.rows]


def test_emergencies_first_then_by_time_left_and_late_ones_stand_out(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        with clock.freeze(T0):
            elder = factories.ticket(session, settings, item="EC-VISIT", text="上门探访", phone="+8613800000001")
            pipe = factories.ticket(session, settings, item="PE-PIPE-LEAK", text="水管漏水", phone="+8613800000002")
        with clock.freeze(T0 + dt.timedelta(minutes=30)):
            circuit = factories.ticket(session, settings, item="PE-CIRCUIT-FAULT", text="跳闸", phone="+8613800000003")
            fire = factories.ticket(
                session, settings, item="HK-CLEAN-HOURLY", text="emergency", urgency="emergency", phone="+8613800000004"
            )
        numbers = [elder.number, pipe.number, circuit.number, fire.number]
    with db.read() as session:
        later = T0 + dt.timedelta(minutes=100)
        found = queue.open_queue(session, settings=settings, filters=queue.QueueFilters(), at=later)
        rows = {r.ticket.number: r for r in found.rows}
        order = _numbers(found)
    # circuit: due 90 min after 09:30 -> 10 min late; pipe: due 11:00 -> 20 min left, past 80 % of 120
    assert order == [numbers[3], numbers[2], numbers[1], numbers[0]]
    by_number = rows
    assert by_number[numbers[2]].sla == "breached" and by_number[numbers[2]].minutes_left == -10
    assert by_number[numbers[1]].sla == "at_risk" and by_number[numbers[1]].minutes_left == 20
    assert by_number[numbers[0]].sla == "ok"
    assert found.total == 4 and found.cursor > 0


def test_closed_tickets_leave_the_queue_and_filters_narrow_it(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        member = factories.operator(session)
        pipe = factories.ticket(session, settings, item="PE-PIPE-LEAK", phone="+8613800000002", channel="sms")
        visit = factories.ticket(session, settings, item="EC-VISIT", text="探访", phone="+8613800000001")
        gone = factories.ticket(session, settings, item="PE-TAP", text="水龙头", phone="+8613800000005")
        service.move_ticket(session, ticket=gone, to="cancelled", actor=Actor.of_staff(member), note="dup")
        visit.operator_id = member.id
        numbers = (pipe.number, visit.number)

    def find(**filters: object) -> list[str]:
        with db.read() as session:
            return _numbers(queue.open_queue(session, settings=settings, filters=queue.QueueFilters(**filters)))  # type: ignore[arg-type]

    assert sorted(find()) == sorted(numbers)
    assert find(category="elderly_care") == [numbers[1]]
    assert find(channel="sms") == [numbers[0]]
    assert find(operator_id=member.id) == [numbers[1]]
    assert find(status="new") and find(status="offered") == []


def test_search_by_number_phone_as_typed_or_words(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        pipe = factories.ticket(session, settings, text="厨房水管漏水 3幢401", phone="+8613800138000").number
        other = factories.ticket(
            session, settings, item="EC-VISIT", text="please visit my mother", phone="+8657382123456"
        ).number

    def search(q: str) -> list[str]:
        with db.read() as session:
            return _numbers(queue.open_queue(session, settings=settings, filters=queue.QueueFilters(q=q)))

    assert search(pipe) == [pipe]
    assert search("138 0013 8000") == [pipe]
    assert search("+86 138-0013-8000") == [pipe]
    assert search("0573-82123456") == [other] and search("82123456") == [other]
    assert search("8000") == [pipe]
    assert search("水管 3幢") == [pipe]
    assert search("VISIT mother") == [other]
    assert search("100%_") == []


def test_pages_of_fifty(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        for n in range(queue.PAGE_SIZE + 3):
            factories.ticket(session, settings, phone=f"+86138000{n:05d}")
    with db.read() as session:
        first = queue.open_queue(session, settings=settings, filters=queue.QueueFilters())
        second = queue.open_queue(session, settings=settings, filters=queue.QueueFilters(page=2))
        beyond = queue.open_queue(session, settings=settings, filters=queue.QueueFilters(page=9))
        assert (first.total, first.pages, len(first.rows), len(second.rows)) == (53, 2, 50, 3)
        assert not set(_numbers(first)) & set(_numbers(second))
        assert beyond.page == 2


def test_a_search_pages_as_the_queue_does(db: Database, settings: Settings) -> None:
    """A search is read in one pass (count and order together): its pages are the queue's order
    cut in fifties, the same as the whole queue's when every ticket matches."""
    with db.transaction() as session:
        for n in range(queue.PAGE_SIZE + 3):
            urgency = "emergency" if n % 7 == 0 else "normal"
            factories.ticket(session, settings, text=f"Leak no. {n}", phone=f"+86138000{n:05d}", urgency=urgency)
        factories.ticket(session, settings, text="a broken window", phone="+8613900000001")

    def pages(**filters: Any) -> list[queue.QueuePage]:
        with db.read() as session:
            return [
                queue.open_queue(session, settings=settings, filters=queue.QueueFilters(page=page, **filters))
                for page in (1, 2, 9)
            ]

    first, second, beyond = pages(q="leak")
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (53, 2, 50, 3)
    assert beyond.page == 2 and _numbers(beyond) == _numbers(second)
    everything = [number for page in pages()[:2] for number in _numbers(page)]
    assert _numbers(first) + _numbers(second) == [n for n in everything if n in set(_numbers(first) + _numbers(second))]
    assert len(everything) == 54 and not pages(q="LEAK window")[0].rows


@pytest.mark.parametrize(
    ("filters", "index"),
    [(queue.QueueFilters(page=1), "ix_tickets_queue"), (queue.QueueFilters(status="new"), "ix_tickets_queue_status")],
    ids=["open", "one-status"],
)
def test_a_page_is_read_from_the_queue_index_in_order_not_sorted(
    db: Database, settings: Settings, filters: queue.QueueFilters, index: str
) -> None:
    """The page's cost must not grow with the open tickets: the database walks ``ix_tickets_queue``
    (or, for one status, ``ix_tickets_queue_status``) and stops after the page. Checked by the
    query plan (SQLite; PostgreSQL plans by statistics)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite, whose planner does not depend on table statistics")
    statements: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    with db.transaction() as session:
        for n in range(3):
            factories.ticket(session, settings, phone=f"+86138000{n:05d}")
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        with db.read() as session:
            assert len(queue.open_queue(session, settings=settings, filters=filters).rows) == 3
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    statement, parameters = next((s, p) for s, p in statements if "ORDER BY" in s and "LIMIT" in s)
    with db.engine.connect() as connection:
        plan = " | ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
    assert f"USING INDEX {index} " in plan and "TEMP B-TREE" not in plan, plan
