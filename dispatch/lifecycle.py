"""Ticket steps beside the offers: where the service is needed, first-contact resolution (即办件)
and cancellation (which withdraws the ticket's offers)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from config import areas, clock
from config.errors import Conflict, InvalidInput
from config.settings import Settings
from config.staff import Actor
from dispatch import answers
from dispatch.models import Ticket
from dispatch.service import _record, move_ticket
from dispatch.states import URGENCIES

MAX_ADDRESS = 200


def set_location(session: Session, *, ticket: Ticket, community: areas.Area, address: str | None, actor: Actor) -> None:
    """Set the ticket's community (and address); audited with what it was."""
    if address is not None:
        address = address.strip()
        if len(address) > MAX_ADDRESS:
            raise InvalidInput(f"an address is at most {MAX_ADDRESS} characters (got {len(address)})")
    before = {"community": ticket.community.code if ticket.community else None, "address": ticket.address}
    ticket.community = community
    if address:
        ticket.address = address
    ticket.updated_at = clock.now()
    _record(
        session,
        ticket,
        kind="located",
        actor=actor,
        data={"from": before, "to": {"community": community.code, "address": ticket.address}},
    )


def resolve(session: Session, *, ticket: Ticket, note: str, actor: Actor) -> None:
    """An information or consulting request answered during the contact: closed at intake with
    the answer kept, counted apart from dispatched work (``resolution`` is set)."""
    note = note.strip()
    if not note:
        raise InvalidInput("a resolution needs a note: what the resident was told")
    if ticket.status not in ("new", "reopened"):
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}: only a new or reopened ticket is resolved at first contact"
        )
    ticket.resolution = note
    move_ticket(session, ticket=ticket, to="closed", actor=actor, note=note).data = {"first_contact": True}


def cancel(session: Session, *, ticket: Ticket, settings: Settings, actor: Actor, note: str) -> int:
    """Cancel the ticket; its live offers (and a job in hand) are withdrawn and the providers
    told. Returns how many offers were withdrawn."""
    if not note.strip():
        raise InvalidInput("a cancellation needs a reason")
    move_ticket(session, ticket=ticket, to="cancelled", actor=actor, note=note.strip())
    return answers.withdraw_all(session, ticket=ticket)


def set_urgency(session: Session, *, ticket: Ticket, urgency: str, actor: Actor, note: str | None = None) -> bool:
    """Triage's urgency: audited with what it was; returns whether anything changed."""
    if urgency not in URGENCIES:
        raise InvalidInput(f"unknown urgency {urgency!r} (one of {', '.join(URGENCIES)})")
    if urgency == ticket.urgency:
        return False
    before, ticket.urgency = ticket.urgency, urgency
    ticket.updated_at = clock.now()
    _record(session, ticket, kind="urgency", actor=actor, note=note, data={"from": before, "to": urgency})
    return True


def record_intake_point(session: Session, *, ticket: Ticket, place: str, actor: Actor) -> None:
    """Where a walk-in was received (a community service centre's desk): audited on the ticket."""
    place = place.strip()
    if not place:
        raise InvalidInput("name the intake point")
    if len(place) > MAX_ADDRESS:
        raise InvalidInput(f"an intake point is at most {MAX_ADDRESS} characters")
    _record(session, ticket, kind="intake_point", actor=actor, note=place, data={"place": place})
