"""Data access for tickets. Keyword-only, flushes, never commits. Residents: ``dispatch.residents``."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, bindparam, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, defaultload, joinedload, lazyload, selectinload

from config import areas, catalog, clock, events
from config.errors import InvalidInput, NotFound
from config.staff import Actor, Staff
from dispatch.models import (
    LabelledText,
    Resident,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from dispatch.states import CHANNELS, OPEN_STATUSES, URGENCIES, check_transition

DUPLICATE_WINDOW = dt.timedelta(hours=24)
TOPIC = "tickets"  # live event on every ticket change (config.events.changed), after commit
URGENCY_RANK = {name: rank for rank, name in enumerate(URGENCIES)}


# --- ticket numbers --------------------------------------------------------------------------


def next_ticket_number(session: Session, *, zone: dt.tzinfo) -> str:
    """``YYMMDDNNNN``: the centre-local date and that day's sequence. Digits only, so a resident
    can read it over the phone or key it in; unique across processes (one atomic upsert)."""
    day = clock.now().astimezone(zone).strftime("%y%m%d")
    connection = session.connection()  # Core: no ORM bulk-insert machinery
    sequence = connection.execute(_counter_upsert(connection.dialect.name), {"day": day}).scalar_one()
    return f"{day}{sequence:04d}"


@functools.cache
def _counter_upsert(dialect_name: str) -> Insert:
    counters = TicketCounter.__table__
    dialect = sqlite if dialect_name == "sqlite" else postgresql
    return (
        dialect.insert(counters)
        .values(last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": counters.c.last + 1})
        .returning(counters.c.last)
    )


# --- tickets ---------------------------------------------------------------------------------


def _record(
    session: Session,
    ticket: Ticket,
    *,
    kind: str,
    actor: Actor,
    note: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    event = TicketEvent(
        kind=kind,
        actor=actor.ref,
        staff_id=actor.staff_id,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data,
        at=clock.now(),
    )
    if ticket not in session:
        raise RuntimeError("the ticket was loaded in another unit of work; load it in this session")
    if "events" in sa_inspect(ticket).unloaded:  # loaded without its history (a hot path): no read
        event.ticket_id = ticket.id
        session.add(event)
    else:
        ticket.events.append(event)
    session.flush()
    events.changed(session, TOPIC, {"number": ticket.number, "kind": kind, "event_id": event.id})
    return event


def find_open_duplicate(session: Session, *, resident: Resident, item: catalog.ServiceItem) -> Ticket | None:
    since = clock.now() - DUPLICATE_WINDOW
    return session.scalar(
        select(Ticket)
        .where(
            Ticket.resident_id == resident.id,
            Ticket.item_id == item.id,
            Ticket.status.in_(OPEN_STATUSES),
            Ticket.created_at >= since,
        )
        .order_by(Ticket.created_at)
        .limit(1)
        .options(lazyload("*"))  # usually none; a found one loads what it needs when used
    )


def create_ticket(
    session: Session,
    *,
    resident: Resident,
    channel: str,
    description: str,
    zone: dt.tzinfo,
    actor: Actor,
    item: catalog.ServiceItem | None = None,
    item_confidence: float | None = None,
    community: areas.Area | None = None,
    address: str | None = None,
    urgency: str = "normal",
    operator: Staff | None = None,
) -> tuple[Ticket, bool]:
    """Open a ticket, or link the contact to the resident's open ticket for the same item from
    the last 24 hours. Returns ``(ticket, created)``."""
    _check_new_ticket(channel=channel, urgency=urgency, item=item)
    description = description.strip()
    existing = _link_to_open_duplicate(
        session, resident=resident, item=item, channel=channel, description=description, urgency=urgency, actor=actor
    )
    if existing is not None:
        return existing, False
    now = clock.now()
    ticket = Ticket(
        number=next_ticket_number(session, zone=zone),
        channel=channel,
        resident=resident,
        item=item,
        item_confidence=item_confidence,
        description=description,
        community=community or resident.community,
        address=address or resident.address,
        urgency=urgency,
        status="new",
        operator=operator,
        created_at=now,
        updated_at=now,
        due_at=_due_at(now, item),
        events=[],  # a new ticket has none: saves loading the collection on the first event
    )
    session.add(ticket)
    _record(  # flushes the ticket with its first event
        session,
        ticket,
        kind="created",
        actor=actor,
        to_status="new",
        note=description or None,
        data=_created_data(channel=channel, urgency=urgency, item=item),
    )
    return ticket, True


def _check_new_ticket(*, channel: str, urgency: str, item: catalog.ServiceItem | None) -> None:
    if channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
    if urgency not in URGENCIES:
        raise InvalidInput(f"unknown urgency {urgency!r} (one of {', '.join(URGENCIES)})")
    if item is not None and not item.active:
        raise InvalidInput(f"service item {item.code} is no longer offered")


def _link_to_open_duplicate(
    session: Session,
    *,
    resident: Resident | None,
    item: catalog.ServiceItem | None,
    channel: str,
    description: str,
    urgency: str,
    actor: Actor,
) -> Ticket | None:
    """The resident's open ticket for the same item from the last 24 hours, with this contact
    linked to it; None if there is none (a resident not yet written has no tickets)."""
    if item is None or resident is None or resident.id is None:
        return None
    existing = find_open_duplicate(session, resident=resident, item=item)
    if existing is not None:
        link_repeat_contact(
            session, ticket=existing, channel=channel, description=description, urgency=urgency, actor=actor
        )
    return existing


def _due_at(now: dt.datetime, item: catalog.ServiceItem | None) -> dt.datetime | None:
    """The target response time from the item's SLA; None while the ticket awaits triage."""
    return now + dt.timedelta(minutes=item.sla_minutes) if item is not None else None


def _created_data(*, channel: str, urgency: str, item: catalog.ServiceItem | None) -> dict[str, Any]:
    return {"channel": channel, "urgency": urgency, "item": item.code if item else None}


@dataclass(frozen=True)
class OpenedTicket:
    """What ``open_ticket`` did: the ticket, and whether it is new (False: the contact was linked
    to the resident's open ticket for the same item)."""

    id: int
    number: str
    created: bool


_INSERT_RESIDENT = insert(Resident).returning(Resident.id)
_INSERT_TICKET = insert(Ticket).returning(Ticket.id)
_INSERT_EVENT = insert(TicketEvent)


def open_ticket(
    session: Session,
    *,
    resident: Resident | None,
    phone: str,
    language: str,
    channel: str,
    description: str,
    zone: dt.tzinfo,
    actor: Actor,
    item: catalog.ServiceItem | None = None,
    item_confidence: float | None = None,
    community: areas.Area | None = None,
    urgency: str = "normal",
) -> OpenedTicket:
    """``create_ticket`` for an intake that needs only the number back (every text that asks for
    a service comes here): the same rules, rows and audit event, written with plain INSERTs, not
    through the unit of work. ``resident`` None: a new resident with ``phone`` (E.164) and
    ``language``, written with the ticket. Nothing is loaded into the session."""
    _check_new_ticket(channel=channel, urgency=urgency, item=item)
    description = description.strip()
    existing = _link_to_open_duplicate(
        session, resident=resident, item=item, channel=channel, description=description, urgency=urgency, actor=actor
    )
    if existing is not None:
        return OpenedTicket(existing.id, existing.number, created=False)
    number = next_ticket_number(session, zone=zone)
    now = clock.now()
    connection = session.connection()
    if resident is None:
        resident_id = connection.execute(
            _INSERT_RESIDENT,
            {"phone": phone, "language": language, "created_at": now, "updated_at": now},  # the rest: model defaults
        ).scalar_one()
        community_id, address = None, None
    else:
        resident_id, community_id, address = resident.id, resident.community_id, resident.address
    ticket_id = connection.execute(
        _INSERT_TICKET,
        {
            "number": number,
            "channel": channel,
            "resident_id": resident_id,
            "item_id": item.id if item is not None else None,
            "item_confidence": item_confidence,
            "description": description,
            "community_id": community.id if community is not None else community_id,
            "address": address,
            "urgency": urgency,
            "status": "new",
            "created_at": now,
            "updated_at": now,
            "due_at": _due_at(now, item),
        },
    ).scalar_one()
    connection.execute(
        _INSERT_EVENT,
        {
            "ticket_id": ticket_id,
            "at": now,
            "kind": "created",
            "actor": actor.ref,
            "staff_id": actor.staff_id,
            "to_status": "new",
            "note": description or None,
            "data": _created_data(channel=channel, urgency=urgency, item=item),
        },
    )
    events.changed(session, TOPIC, {"number": number, "kind": "created"})
    return OpenedTicket(ticket_id, number, created=True)


def link_repeat_contact(
    session: Session, *, ticket: Ticket, channel: str, description: str, urgency: str, actor: Actor
) -> TicketEvent:
    """The resident asked again: keep what they said on the ticket, raise its urgency if needed."""
    data: dict[str, Any] = {"channel": channel}
    if URGENCY_RANK[urgency] > URGENCY_RANK[ticket.urgency]:
        data["urgency"] = {"from": ticket.urgency, "to": urgency}
        ticket.urgency = urgency
    ticket.updated_at = clock.now()
    return _record(session, ticket, kind="repeat_contact", actor=actor, note=description or None, data=data)


def move_ticket(session: Session, *, ticket: Ticket, to: str, actor: Actor, note: str | None = None) -> TicketEvent:
    """One lifecycle step; an illegal step raises IllegalTransition and changes nothing."""
    check_transition(ticket.status, to)
    previous = ticket.status
    ticket.status = to
    now = clock.now()
    ticket.updated_at = now
    if to in ("closed", "cancelled"):
        ticket.closed_at = now
    elif to == "reopened":
        ticket.closed_at = None
    return _record(session, ticket, kind="status", actor=actor, from_status=previous, to_status=to, note=note)


def add_note(session: Session, *, ticket: Ticket, note: str, actor: Actor) -> TicketEvent:
    if not note.strip():
        raise InvalidInput("note is empty")
    return _record(session, ticket, kind="note", actor=actor, note=note.strip())


def note_call(session: Session, *, ticket: Ticket, call_id: int, actor: Actor) -> TicketEvent:
    """A phone call belongs to this ticket. The event names the call only: the call's own line on
    the timeline shows its caller, masked for those who may not see phones."""
    return _record(session, ticket, kind="call_linked", actor=actor, data={"call": call_id})


def note_complaint(
    session: Session,
    *,
    ticket: Ticket,
    complaint_id: int,
    actor: Actor,
    text: str | None = None,
    outcome: str | None = None,
) -> TicketEvent:
    """A complaint about this ticket was opened (with its text) or decided (with its outcome)."""
    if outcome is None:
        return _record(
            session, ticket, kind="complaint_opened", actor=actor, note=text, data={"complaint": complaint_id}
        )
    data = {"complaint": complaint_id, "outcome": outcome}
    return _record(session, ticket, kind="complaint_decided", actor=actor, data=data)


def set_item(
    session: Session, *, ticket: Ticket, item: catalog.ServiceItem, actor: Actor, confidence: float | None = None
) -> TicketEvent:
    """Classify or re-classify a ticket (by the classifier, or an operator's correction)."""
    previous = ticket.item.code if ticket.item else None
    ticket.item = item
    ticket.item_confidence = confidence
    if ticket.due_at is None:
        ticket.due_at = _due_at(ticket.created_at, item)
    ticket.updated_at = clock.now()
    return _record(
        session,
        ticket,
        kind="classified",
        actor=actor,
        data={"from": previous, "to": item.code, "confidence": confidence},
    )


def ticket_for_update(session: Session, *, ticket_id: int) -> Ticket:
    """A ticket to change on a hot path (a provider's answer, a sweeper): without its history or
    the resident's tags, which such a step never reads (``_record`` then adds its event directly)."""
    return session.scalars(_FOR_UPDATE, {"ticket_id": ticket_id}).one()


_FOR_UPDATE = (  # built once: a hot path's statement
    select(Ticket)
    .where(Ticket.id == bindparam("ticket_id"))
    .options(
        lazyload(Ticket.events),
        defaultload(Ticket.resident).lazyload(Resident.tag_rows),
        # the provider and operator are in the session already when a step needs them
        lazyload(Ticket.provider),
        lazyload(Ticket.operator),
        # district, street and community go in texts (Area.path)
        joinedload(Ticket.community).joinedload(areas.Area.parent).joinedload(areas.Area.parent),
    )
)


def get_ticket(session: Session, *, number: str) -> Ticket:
    ticket = session.scalar(select(Ticket).where(Ticket.number == number.strip()))
    if ticket is None:
        raise NotFound(f"no ticket numbered {number!r}")
    return ticket


def list_tickets(
    session: Session,
    *,
    statuses: Sequence[str] = (),
    phone: str | None = None,
    limit: int | None = 200,
    with_offers: bool = False,
) -> list[Ticket]:
    query = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    if with_offers:
        query = query.options(selectinload(Ticket.offers))
    if statuses:
        query = query.where(Ticket.status.in_(statuses))
    if phone:
        query = query.join(Resident).where(Resident.phone == phone)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def open_tickets_of(session: Session, *, resident: Resident) -> list[Ticket]:
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.resident_id == resident.id, Ticket.status.in_(OPEN_STATUSES))
            .order_by(Ticket.created_at.desc())
        )
    )


def confirm_item(session: Session, *, ticket: Ticket, item: catalog.ServiceItem, actor: Actor) -> LabelledText:
    """An operator confirms or corrects a ticket's item. The ticket is re-classified (audited)
    when the item changes, and the ticket's text is kept as a labelled example either way."""
    predicted, confidence = ticket.item, ticket.item_confidence
    if ticket.item is None or ticket.item.id != item.id or ticket.item_confidence is not None:
        set_item(session, ticket=ticket, item=item, actor=actor, confidence=None)
    example = LabelledText(
        text=ticket.description,
        item=item,
        predicted_item=predicted,
        predicted_confidence=confidence,
        ticket_id=ticket.id,
        actor=actor.ref,
        created_at=clock.now(),
    )
    session.add(example)
    session.flush()
    from dispatch import classifier  # lazy: numpy and the model only where texts are read

    classifier.remember(session, text=ticket.description, code=item.code)  # read so at once, here
    return example


def list_labelled_texts(session: Session, *, limit: int | None = None) -> list[LabelledText]:
    query = select(LabelledText).order_by(LabelledText.id)
    return list(session.scalars(query.limit(limit) if limit else query))
