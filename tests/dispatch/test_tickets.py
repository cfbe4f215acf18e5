from __future__ import annotations

import datetime as dt
import re
import threading

from sqlalchemy import func, select

from config import catalog, clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import residents, service
from dispatch.models import Resident, Ticket
from tests import factories


def test_ticket_numbers_are_digits_by_local_day_and_sequence(db: Database, settings: Settings) -> None:
    # 23:30 UTC on 21 Nov is 07:30 on 22 Nov in Shanghai: the number follows the centre's day
    with clock.freeze(dt.datetime(2026, 11, 21, 23, 30, tzinfo=dt.UTC)), db.transaction() as session:
        first = factories.ticket(session, settings, item="PE-PIPE-LEAK")
        second = factories.ticket(session, settings, item="EH-UNLOCK")
    assert (first.number, second.number) == ("2611220001", "2611220002")
    assert re.fullmatch(r"\d{10}", first.number)


def test_new_ticket_has_sla_due_time_and_creation_event(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        ticket = factories.ticket(session, settings, item="EH-UNLOCK", urgency="urgent")
        item = catalog.get_item(session, code="EH-UNLOCK")
        assert ticket.due_at == ticket.created_at + dt.timedelta(minutes=item.sla_minutes)
        [event] = ticket.events
        assert (event.kind, event.to_status, event.actor) == ("created", "new", "system")
        assert ticket.urgency == "urgent"


def test_second_request_for_same_item_within_24h_is_linked_not_duplicated(db: Database, settings: Settings) -> None:
    start = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)
    with clock.freeze(start), db.transaction() as session:
        first = factories.ticket(session, settings, text="厨房水管漏水")
    with clock.freeze(start + dt.timedelta(hours=23)), db.transaction() as session:
        resident = residents.get_resident_by_phone(session, phone="+8613800138000")
        assert resident is not None
        again, created = service.create_ticket(
            session,
            resident=resident,
            channel="sms",
            description="还在漏，越来越严重了",
            zone=settings.zone,
            actor=Actor.resident(),
            item=catalog.get_item(session, code="PE-PIPE-LEAK"),
            urgency="urgent",
        )
        assert not created
        assert again.number == first.number
        assert again.urgency == "urgent"
        repeat = again.events[-1]
        assert repeat.kind == "repeat_contact"
        assert repeat.note == "还在漏，越来越严重了"
        assert repeat.data == {"channel": "sms", "urgency": {"from": "normal", "to": "urgent"}}
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_after_24h_or_for_another_item_or_once_closed_a_new_ticket_opens(db: Database, settings: Settings) -> None:
    start = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)
    with clock.freeze(start), db.transaction() as session:
        first = factories.ticket(session, settings)
    with clock.freeze(start + dt.timedelta(hours=24, minutes=1)), db.transaction() as session:
        later = factories.ticket(session, settings)
        assert later.number != first.number
    with clock.freeze(start + dt.timedelta(hours=25)), db.transaction() as session:
        other_item = factories.ticket(session, settings, item="EH-UNLOCK")
        assert other_item.number not in (first.number, later.number)
        other_resident = factories.ticket(session, settings, phone="+8613912345678")
        assert other_resident.number not in (first.number, later.number)
        reloaded = service.get_ticket(session, number=later.number)
        service.move_ticket(session, ticket=reloaded, to="cancelled", actor=Actor.system())
        after_cancel = factories.ticket(session, settings)
        assert after_cancel.number != later.number


def test_residents_are_unique_by_e164_phone(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        for typed in ("13800138000", "+86 138-0013-8000", "008613800138000", "１３８００１３８０００"):
            residents.get_or_create_resident(session, phone=settings.normalize_phone(typed))
        for typed in ("0573-82123456", "82123456"):
            residents.get_or_create_resident(session, phone=settings.normalize_phone(typed))
    with db.read() as session:
        phones = sorted(session.scalars(select(Resident.phone)))
    assert phones == ["+8613800138000", "+8657382123456"]


def test_resident_tags(db: Database) -> None:
    with db.transaction() as session:
        resident = factories.resident(session)
        residents.set_resident_tags(session, resident=resident, tags=["elderly", "one_touch"])
        residents.set_resident_tags(session, resident=resident, tags=["elderly", "lives_alone"])
        assert resident.tags == ["elderly", "lives_alone"]
    import pytest

    from config.errors import InvalidInput

    with pytest.raises(InvalidInput, match="unknown tag 'vip'"), db.transaction() as session:
        residents.set_resident_tags(session, resident=factories.resident(session), tags=["vip"])


def test_ticket_numbers_stay_unique_under_concurrent_writers(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        for i in range(4):
            factories.resident(session, phone=f"+861380013800{i}")
    numbers: list[str] = []
    errors: list[BaseException] = []

    def open_tickets(i: int) -> None:
        try:
            for _ in range(10):
                with db.transaction() as session:
                    t = factories.ticket(session, settings, phone=f"+861380013800{i}", item="HK-CLEAN-HOURLY")
                    service.move_ticket(session, ticket=t, to="cancelled", actor=Actor.system())
                    numbers.append(t.number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_tickets, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(numbers) == len(set(numbers)) == 40
