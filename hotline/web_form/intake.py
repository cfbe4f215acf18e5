"""A request typed by the resident (web form) or sent by another civic system (Open311) becomes
a ticket the way every channel's does: ``dispatch.service.create_ticket`` (a second request for
the same item within 24 hours joins the open ticket), urgency read from the words as for a text,
and the resident told the number by text through the outbox (sent after commit)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from config import areas, catalog
from config.i18n import gettext
from config.settings import Settings
from config.staff import Actor
from dispatch import classifier, residents, service
from dispatch.models import Ticket
from sms import service as sms_service


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    created: bool  # False: added to the resident's open ticket for the same item


def open_request(
    session: Session,
    *,
    settings: Settings,
    phone: str,
    language: str,
    channel: str,
    actor: Actor,
    description: str,
    item: catalog.ServiceItem | None,
    community: areas.Area | None,
    address: str | None,
    name: str | None,
    sms_key: str,
) -> Opened:
    """Open (or join) the ticket and queue the text that tells the resident its number.
    ``phone`` is E.164; ``sms_key`` makes the text once-only for this submission."""
    resident = residents.get_or_create_resident(
        session, phone=phone, name=name, community=community, address=address, language=language
    )
    ticket, created = service.create_ticket(
        session,
        resident=resident,
        channel=channel,
        description=description,
        zone=settings.zone,
        actor=actor,
        item=item,
        community=community,
        address=address,
        urgency=classifier.urgency_of(description),
    )
    sms_service.enqueue(
        session,
        to=phone,
        body=received_text(language, ticket=ticket, created=created),
        purpose="ticket_ack",
        subject=f"ticket:{ticket.number}",
        idempotency_key=sms_key,
    )
    return Opened(ticket, created)


def received_text(locale: str, *, ticket: Ticket, created: bool) -> str:
    if not created:
        return gettext(locale, "Added to your ticket {number}. Text STATUS for its progress.", number=ticket.number)
    if ticket.item is None:
        text = gettext(
            locale,
            "We received your request as ticket {number}. An operator will read it shortly and text you. "
            "Text STATUS for progress.",
            number=ticket.number,
        )
    else:
        text = gettext(
            locale,
            "We received your request for {item} as ticket {number}. We are finding a provider and will text you "
            "when one is assigned. Text STATUS for progress.",
            item=ticket.item.name(locale),
            number=ticket.number,
        )
    if ticket.urgency == "emergency" or (ticket.item is not None and ticket.item.category.code == "emergency_help"):
        text += " " + gettext(locale, "If anyone is in danger, call 110 or 120 now.")
    return text
