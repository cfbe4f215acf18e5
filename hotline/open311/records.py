"""Catalogue items and tickets as Open311 records. A public record carries nothing personal:
no phone, no name, no street address or room, no description (residents write their names and
numbers in it); where it is, is the community (``address``) and its code (``address_id``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from config import catalog
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


def service_request(ticket: Ticket, locale: str, settings: Settings) -> dict[str, Any]:
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


def notice(ticket: Ticket, *, created: bool, locale: str) -> str:
    if not created:
        return gettext(
            locale, "Added to the resident's open request {number} for the same service.", number=ticket.number
        )
    return gettext(locale, "Ticket {number}: the centre finds a provider and texts the resident.", number=ticket.number)


def _query() -> Any:
    return select(Ticket).options(lazyload(Ticket.events), lazyload(Ticket.resident))


def tickets_by_number(session: Session, *, numbers: Sequence[str]) -> list[Ticket]:
    wanted = [n for n in numbers if n.isdigit()]
    if not wanted:
        return []
    return list(session.scalars(_query().where(Ticket.number.in_(wanted)).order_by(Ticket.created_at.desc())))


def tickets_between(
    session: Session,
    *,
    start: dt.datetime,
    end: dt.datetime,
    codes: Collection[str],
    statuses: Collection[str],
    limit: int,
) -> list[Ticket]:
    query = _query().where(Ticket.created_at >= start, Ticket.created_at <= end)
    if codes:
        query = query.join(catalog.ServiceItem, Ticket.item_id == catalog.ServiceItem.id).where(
            catalog.ServiceItem.code.in_(list(codes))
        )
    if statuses and statuses != {"open", "closed"}:
        query = query.where(Ticket.status.in_(OPEN_STATUSES if "open" in statuses else CLOSED_STATUSES))
    return list(session.scalars(query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)))
