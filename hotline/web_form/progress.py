"""A ticket as its resident reads it on the status page: steps in plain words, the provider's
name once one has accepted, and how it ended. Found only by number *and* the resident's phone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.i18n import N_, gettext
from config.settings import Settings
from dispatch.models import Resident, Ticket
from dispatch.notify import money, price_text

STEPS = (
    ("received", N_("Received by the centre")),
    ("finding", N_("Finding a provider")),
    ("assigned", N_("Provider assigned")),
    ("working", N_("Work in progress")),
    ("done", N_("Done")),
)
STEP_OF = {
    "new": "received",
    "reopened": "received",
    "dispatching": "finding",
    "offered": "finding",
    "accepted": "assigned",
    "in_service": "working",
    "completed": "done",
    "surveyed": "done",
    "closed": "done",
}
SAYS = {
    "new": N_("We received your request. An operator will read it shortly."),
    "reopened": N_("Your request was opened again. An operator is looking at it."),
    "dispatching": N_("We are finding a provider for you."),
    "offered": N_("We are finding a provider for you."),
    "accepted": N_("A provider has taken the job and will come to you."),
    "in_service": N_("The provider has arrived and is working on it."),
    "completed": N_("The job is done."),
    "surveyed": N_("The job is done. Thank you for your rating."),
    "closed": N_("Your request is closed."),
    "cancelled": N_("This request was cancelled."),
}


def find(session: Session, *, number: str, phone: str) -> Ticket | None:
    """The ticket numbered ``number`` whose resident has ``phone`` (E.164); None otherwise."""
    return session.scalar(
        select(Ticket)
        .join(Resident, Ticket.resident_id == Resident.id)
        .where(Ticket.number == number, Resident.phone == phone)
    )


def describe(ticket: Ticket, locale: str, settings: Settings) -> dict[str, Any]:
    zone = settings.zone

    def when(value: Any) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    current = STEP_OF.get(ticket.status)
    keys = [key for key, _ in STEPS]
    reached = keys.index(current) if current else -1
    steps = [
        {
            "label": gettext(locale, label),
            "state": "done" if i < reached else "current" if i == reached else "todo",
        }
        for i, (_, label) in enumerate(STEPS)
    ]
    provider = None
    if ticket.provider is not None and ticket.status in ("accepted", "in_service", "completed", "surveyed", "closed"):
        provider = ticket.provider.name(locale)
    return {
        "number": ticket.number,
        "status": ticket.status,
        "says": gettext(
            locale, SAYS.get(ticket.status, N_("We received your request. An operator will read it shortly."))
        ),
        "cancelled": ticket.status == "cancelled",
        "steps": steps,
        "item": ticket.item.name(locale) if ticket.item else "",
        "price": price_text(ticket.item, locale) if ticket.item else "",
        "community": ticket.community.path(locale) if ticket.community else "",
        "created": when(ticket.created_at),
        "provider": provider,
        "expected": when(ticket.expected_at) if ticket.status == "accepted" else "",
        "arrived": when(ticket.arrived_at),
        "completed": when(ticket.completed_at),
        "charged": money(ticket.charged) if ticket.charged is not None else "",
        "resolution": ticket.resolution or "",
        "closed": when(ticket.closed_at),
    }
