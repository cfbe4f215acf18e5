"""Offers' part of a resident's personal data (see ``config.privacy``): erasing a resident stops
what is still to happen for them. Their open tickets that no provider has started are cancelled,
the live offers and jobs in hand withdrawn and the providers told (a job already in service runs
on; the ticket is anonymised like any other). The export lists the offers made for them. Offers
hold no personal data of their own, so the retention job has nothing to do here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.privacy import Holder, Person
from config.staff import Actor
from dispatch import answers
from dispatch.models import Offer, Ticket
from dispatch.service import move_ticket
from dispatch.states import TRANSITIONS

ERASE_NOTE = "the resident's personal data was erased"


def export(session: Session, person: Person) -> list[dict[str, Any]]:
    if person.resident_id is None:
        return []
    rows = session.execute(
        select(Ticket.number, Offer)
        .join(Offer, Offer.ticket_id == Ticket.id)
        .where(Ticket.resident_id == person.resident_id)
        .order_by(Offer.id)
    )
    return [
        {
            "ticket_number": number,
            "provider": offer.provider.name_zh,
            "status": offer.status,
            "offered_at": offer.offered_at.isoformat(),
            "answered_at": offer.answered_at.isoformat() if offer.answered_at else None,
        }
        for number, offer in rows
    ]


def erase(session: Session, person: Person) -> int:
    """Cancel the resident's open tickets that may still be cancelled; returns how many offers
    were withdrawn plus how many tickets were cancelled."""
    if person.resident_id is None:
        return 0
    tickets = session.scalars(select(Ticket).where(Ticket.resident_id == person.resident_id).order_by(Ticket.id)).all()
    done = 0
    for ticket in tickets:
        if "cancelled" not in TRANSITIONS[ticket.status]:
            continue  # not open, or a provider is already at work
        move_ticket(session, ticket=ticket, to="cancelled", actor=Actor.system(), note=ERASE_NOTE)
        done += 1 + answers.withdraw_all(session, ticket=ticket)
    return done


def expire(session: Session, before: dt.datetime) -> int:
    return 0


HOLDER = Holder(name="offers", export=export, erase=erase, expire=expire)
