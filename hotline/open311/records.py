"""Catalogue items and tickets as Open311 records. A public record carries nothing personal:
no phone, no name, no street address or room, no description (residents write their names and
numbers in it); where it is, is the community (``address``) and its code (``address_id``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import areas, catalog
from config.i18n import gettext
from config.settings import Settings
from dispatch.models import Ticket
from dispatch.notify import price_text
from dispatch.states import LABELS, OPEN_STATUSES, STATUSES

CLOSED_STATUSES = frozenset(STATUSES) - OPEN_STATUSES


def status_of(ticket_status: str) -> str:
    return "open" if ticket_status in OPEN_STATUSES else "closed"


def w3(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """ISO 8601 with the offset (``2026-11-27T10:00:00+08:00``), as the spec requires."""
    return value.astimezone(zone).isoformat(timespec="seconds") if value else None


def service(item: catalog.ServiceItem, locale: str) -> dict[str, Any]:
    keywords = item.keywords_en if locale == "en" else item.keywords_zh
    return {
        "service_code": item.code,
        "service_name": item.name(locale),
        "description": gettext(locale, "Standard price: {price}.", price=price_text(item, locale)),
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": item.category.name(locale),
    }


def service_request(ticket: PublicTicket, locale: str, settings: Settings) -> dict[str, Any]:
    zone = settings.zone
    expected = ticket.expected_at or ticket.due_at
    return {
        "service_request_id": ticket.number,
        "status": status_of(ticket.status),
        "status_notes": gettext(locale, LABELS.get(ticket.status, ticket.status)),
        "service_name": ticket.item.name(locale) if ticket.item else None,
        "service_code": ticket.item.code if ticket.item else None,
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": w3(ticket.created_at, zone),
        "updated_datetime": w3(
            ticket.closed_at if status_of(ticket.status) == "closed" and ticket.closed_at else ticket.updated_at, zone
        ),
        "expected_datetime": w3(expected, zone) if status_of(ticket.status) == "open" else None,
        "address": ticket.community.path(locale) if ticket.community else None,
        "address_id": ticket.community.code if ticket.community else None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def notice(ticket: Ticket | PublicTicket, *, created: bool, locale: str) -> str:
    if not created:
        return gettext(
            locale, "Added to the resident's open request {number} for the same service.", number=ticket.number
        )
    return gettext(locale, "Ticket {number}: the centre finds a provider and texts the resident.", number=ticket.number)


@dataclass(frozen=True)
class PublicTicket:
    """The columns of a ticket an Open311 record is made of: nothing about the resident."""

    number: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    expected_at: dt.datetime | None
    due_at: dt.datetime | None
    item: catalog.ServiceItem | None
    community: areas.Area | None


_COLUMNS = (
    Ticket.number,
    Ticket.status,
    Ticket.created_at,
    Ticket.updated_at,
    Ticket.closed_at,
    Ticket.expected_at,
    Ticket.due_at,
    Ticket.item_id,
    Ticket.community_id,
)


def _public(session: Session, query: Any) -> list[PublicTicket]:
    """The rows of ``query`` (selecting ``_COLUMNS``) with their item and community from the
    reference tables, read once (a few hundred rows) instead of joined to every ticket."""
    rows = session.execute(query).all()
    if not rows:
        return []
    items = {item.id: item for item in catalog.list_items(session, active_only=False)}
    places = {area.id: area for area in areas.list_areas(session)}
    return [
        PublicTicket(row[0], row[1], row[2], row[3], row[4], row[5], row[6], items.get(row[7]), places.get(row[8]))
        for row in rows
    ]


def tickets_by_number(session: Session, *, numbers: Sequence[str]) -> list[PublicTicket]:
    wanted = [n for n in numbers if n.isdigit()]
    if not wanted:
        return []
    query = select(*_COLUMNS).where(Ticket.number.in_(wanted)).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    return _public(session, query)


def tickets_between(
    session: Session,
    *,
    start: dt.datetime,
    end: dt.datetime,
    codes: Collection[str],
    statuses: Collection[str],
    limit: int,
) -> list[PublicTicket]:
    query = select(*_COLUMNS).where(Ticket.created_at >= start, Ticket.created_at <= end)
    if codes:
        query = query.join(catalog.ServiceItem, Ticket.item_id == catalog.ServiceItem.id).where(
            catalog.ServiceItem.code.in_(list(codes))
        )
    if statuses and statuses != {"open", "closed"}:
        query = query.where(Ticket.status.in_(OPEN_STATUSES if "open" in statuses else CLOSED_STATUSES))
    return _public(session, query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))
