"""``open_ticket``: the text intake's plain-INSERT way to open a ticket writes what ``create_ticket``
writes (the same rules, the same rows, the same audit event)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from config import areas, catalog, clock
from config.db import Database
from config.errors import InvalidInput
from config.settings import Settings
from config.staff import Actor
from dispatch import residents, service
from dispatch.models import Resident, Ticket

AT = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
TICKET_FIELDS = (
    "channel",
    "item_id",
    "item_confidence",
    "description",
    "community_id",
    "address",
    "urgency",
    "status",
    "operator_id",
    "created_at",
    "updated_at",
    "due_at",
    "closed_at",
)
EVENT_FIELDS = ("kind", "actor", "staff_id", "from_status", "to_status", "note", "data", "at")


def _snapshot(db: Database, number: str) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    with db.read() as session:
        ticket = service.get_ticket(session, number=number)
        return (
            {field: getattr(ticket, field) for field in TICKET_FIELDS},
            [{field: getattr(event, field) for field in EVENT_FIELDS} for event in ticket.events],
            {
                field: getattr(ticket.resident, field)
                for field in ("language", "sms_opt_out", "call_opt_out", "created_at", "community_id", "address")
            },
        )


@pytest.mark.parametrize("code", ["PE-PIPE-LEAK", None])
def test_open_ticket_writes_what_create_ticket_writes(db: Database, settings: Settings, code: str | None) -> None:
    """A new resident each: one through the unit of work, one through plain INSERTs."""
    with clock.freeze(AT), db.transaction() as session:
        item = catalog.get_item(session, code=code) if code else None
        community = areas.get_community(session, code=areas.list_areas(session, level="community")[0].code)
        common: dict[str, Any] = {
            "channel": "sms",
            "description": "  厨房水管漏水，南湖街道  ",
            "zone": settings.zone,
            "actor": Actor.resident(),
            "item": item,
            "item_confidence": 0.87 if item else None,
            "community": community,
            "urgency": "urgent",
        }
        resident = residents.create_resident(session, phone="+8613800000001", language="en")
        created, _ = service.create_ticket(session, resident=resident, **common)
        opened = service.open_ticket(session, resident=None, phone="+8613800000002", language="en", **common)
        assert opened.created and opened.number == f"{int(created.number) + 1}"
        assert opened.id == session.scalar(select(Ticket.id).where(Ticket.number == opened.number))
        created_number = created.number
    assert _snapshot(db, opened.number) == _snapshot(db, created_number)
    with db.read() as session:
        written = session.scalar(select(Resident).where(Resident.phone == "+8613800000002"))
        assert written is not None and written.tags == []


def test_an_existing_residents_ticket_takes_their_community_and_address(db: Database, settings: Settings) -> None:
    with clock.freeze(AT), db.transaction() as session:
        community = areas.list_areas(session, level="community")[1]
        resident = residents.get_or_create_resident(
            session, phone="+8613800000003", community=community, address="3幢401"
        )
        opened = service.open_ticket(
            session,
            resident=resident,
            phone=resident.phone,
            language=resident.language,
            channel="sms",
            description="空调不制冷",
            zone=settings.zone,
            actor=Actor.resident(),
        )
    with db.read() as session:
        ticket = service.get_ticket(session, number=opened.number)
        assert (ticket.resident.phone, ticket.community_id, ticket.address) == (
            "+8613800000003",
            community.id,
            "3幢401",
        )
        assert ticket.item is None and ticket.due_at is None  # awaits triage


def test_a_second_request_for_the_same_item_is_linked_to_the_open_ticket(db: Database, settings: Settings) -> None:
    with clock.freeze(AT), db.transaction() as session:
        item = catalog.get_item(session, code="PE-PIPE-LEAK")
        args: dict[str, Any] = {"channel": "sms", "zone": settings.zone, "actor": Actor.resident(), "item": item}
        first = service.open_ticket(
            session, resident=None, phone="+8613800000004", language="zh_CN", description="水管漏水", **args
        )
    with clock.freeze(AT + dt.timedelta(hours=2)), db.transaction() as session:
        resident = residents.get_resident_by_phone(session, phone="+8613800000004")
        again = service.open_ticket(
            session,
            resident=resident,
            phone="+8613800000004",
            language="zh_CN",
            description="还在漏",
            urgency="urgent",
            **{**args, "item": catalog.get_item(session, code="PE-PIPE-LEAK")},
        )
    assert (again.number, again.id, again.created) == (first.number, first.id, False)
    _, events, _ = _snapshot(db, first.number)
    assert [(e["kind"], e["note"]) for e in events] == [("created", "水管漏水"), ("repeat_contact", "还在漏")]
    with db.read() as session:
        assert service.get_ticket(session, number=first.number).urgency == "urgent"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"channel": "fax"}, "unknown channel 'fax'"),
        ({"urgency": "whenever"}, "unknown urgency 'whenever'"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    db: Database, settings: Settings, change: dict[str, str], error: str
) -> None:
    arguments: dict[str, Any] = {
        "resident": None,
        "phone": "+8613800000005",
        "language": "zh_CN",
        "channel": "sms",
        "description": "x",
        "zone": settings.zone,
        "actor": Actor.resident(),
        **change,
    }
    with pytest.raises(InvalidInput, match=error), db.transaction() as session:
        service.open_ticket(session, **arguments)
    with db.read() as session:
        assert session.scalars(select(Ticket)).all() == [] and session.scalars(select(Resident)).all() == []


def test_a_withdrawn_item_is_refused(db: Database, settings: Settings) -> None:
    with pytest.raises(InvalidInput, match="PE-PIPE-LEAK is no longer offered"), db.transaction() as session:
        item = catalog.get_item(session, code="PE-PIPE-LEAK")
        item.active = False  # rolled back with the refusal
        service.open_ticket(
            session,
            resident=None,
            phone="+8613800000006",
            language="zh_CN",
            channel="sms",
            description="水管漏水",
            zone=settings.zone,
            actor=Actor.resident(),
            item=item,
        )
    with db.read() as session:
        assert catalog.get_item(session, code="PE-PIPE-LEAK").active
