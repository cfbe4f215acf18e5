"""Residents' and tickets' part of a resident's personal data (see ``config.privacy``).

A resident is anonymised in place: the phone becomes ``erased:<id>`` (unique, never a number), name,
address and tags go; their tickets keep item, community, urgency, channel, status and times (what
statistics count) and lose address, description, event notes and the texts operators labelled for
the classifier. Closed or cancelled tickets older than the retention period get the same, and a
resident with nothing newer is anonymised too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session

from config.privacy import ERASED, Holder, Person
from dispatch.models import LabelledText, Resident, Ticket, TicketEvent

FINISHED = ("closed", "cancelled")
BATCH = 500  # rows anonymised in one transaction by the retention job
ERASED_PREFIX = ERASED + ":"


def is_erased(resident: Resident) -> bool:
    return resident.phone.startswith(ERASED_PREFIX)


def export(session: Session, person: Person) -> list[dict[str, Any]]:
    if person.resident_id is None:
        return []
    resident = session.get(Resident, person.resident_id)
    if resident is None:
        return []
    tickets = session.scalars(select(Ticket).where(Ticket.resident_id == resident.id).order_by(Ticket.id))
    labelled = session.scalars(
        select(LabelledText).join(Ticket, LabelledText.ticket_id == Ticket.id).where(Ticket.resident_id == resident.id)
    )
    texts_by_ticket: dict[int | None, list[str]] = {}
    for row in labelled:
        texts_by_ticket.setdefault(row.ticket_id, []).append(row.text)
    return [
        {
            "resident": {
                "phone": resident.phone,
                "name": resident.name,
                "community_code": resident.community.code if resident.community else None,
                "address": resident.address,
                "language": resident.language,
                "tags": resident.tags,
                "sms_opt_out": resident.sms_opt_out,
                "call_opt_out": resident.call_opt_out,
                "created_at": resident.created_at.isoformat(),
            }
        }
    ] + [
        {
            "ticket": {
                "number": t.number,
                "status": t.status,
                "channel": t.channel,
                "item_code": t.item.code if t.item else None,
                "description": t.description,
                "address": t.address,
                "created_at": t.created_at.isoformat(),
                "closed_at": t.closed_at.isoformat() if t.closed_at else None,
                "events": [
                    {"at": e.at.isoformat(), "kind": e.kind, "to_status": e.to_status, "note": e.note} for e in t.events
                ],
                "labelled_texts": texts_by_ticket.get(t.id, []),
            }
        }
        for t in tickets
    ]


def _anonymise_tickets(session: Session, ticket_ids: list[int]) -> int:
    if not ticket_ids:
        return 0
    session.execute(update(Ticket).where(Ticket.id.in_(ticket_ids)).values(description="", address=None))
    session.execute(update(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids)).values(note=None, data=None))
    session.execute(delete(LabelledText).where(LabelledText.ticket_id.in_(ticket_ids)))
    return len(ticket_ids)


def _anonymise_residents(session: Session, resident_ids: list[int]) -> int:
    for resident in session.scalars(select(Resident).where(Resident.id.in_(resident_ids))):
        resident.phone = f"{ERASED_PREFIX}{resident.id}"
        resident.name, resident.address = None, None
        resident.sms_opt_out, resident.call_opt_out = True, True
        resident.tag_rows = []
    session.flush()
    return len(resident_ids)


def erase(session: Session, person: Person) -> int:
    if person.resident_id is None:
        return 0
    ticket_ids = list(session.scalars(select(Ticket.id).where(Ticket.resident_id == person.resident_id)))
    return _anonymise_tickets(session, ticket_ids) + _anonymise_residents(session, [person.resident_id])


def expire(session: Session, before: dt.datetime, *, batch: int = BATCH) -> int:
    """Finished tickets closed before ``before``, then residents with nothing newer. Selected
    inside the caller's transaction, so a ticket reopened meanwhile is not touched."""
    ticket_ids = list(
        session.scalars(
            select(Ticket.id)
            .where(Ticket.status.in_(FINISHED), Ticket.updated_at < before)
            .where(or_(Ticket.description != "", Ticket.address.is_not(None)))
            .limit(batch)
        )
    )
    newer_or_open = exists().where(
        Ticket.resident_id == Resident.id, or_(Ticket.status.not_in(FINISHED), Ticket.updated_at >= before)
    )
    resident_ids = list(
        session.scalars(
            select(Resident.id)
            .where(Resident.updated_at < before, ~Resident.phone.startswith(ERASED_PREFIX), ~newer_or_open)
            .limit(batch)
        )
    )
    return _anonymise_tickets(session, ticket_ids) + _anonymise_residents(session, resident_ids)


HOLDER = Holder(name="tickets", export=export, erase=erase, expire=expire)
