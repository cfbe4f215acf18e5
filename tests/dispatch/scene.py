"""A small dispatch world for tests: a leaking pipe in 南湖社区 (330402003001, 南湖街道) and the
plumbers who may fix it. Times are a Friday morning in Shanghai unless a test moves the clock."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import areas, catalog
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import residents, service
from dispatch.models import Offer, Ticket
from hotline import intake
from providers.models import LedgerEntry, Provider
from sms import flows
from sms.models import OutboundMessage
from tests.providers import builders
from tests.providers.builders import WORKDAY_MORNING

COMMUNITY = "330402003001"  # 南湖社区, under 南湖街道 330402003
STREET = "330402003"
RESIDENT = "+8613800138000"
PLUMBERS = ("+8613857300101", "+8613857300102", "+8613857300103")
NOW = WORKDAY_MORNING
__all__ = ["NOW", "WORKDAY_MORNING"]


def plumber(session: Session, settings: Settings, n: int = 0, **kwargs: Any) -> Provider:
    defaults: dict[str, Any] = {"phone": PLUMBERS[n] if n < len(PLUMBERS) else f"+86138573002{n:02d}"}
    defaults["name"] = f"水电维修{n + 1}号"
    defaults.update(kwargs)
    return builders.provider(session, settings, **defaults)


def leak(
    session: Session,
    settings: Settings,
    *,
    phone: str = RESIDENT,
    urgency: str = "normal",
    item: str = "PE-PIPE-LEAK",
    community: str | None = COMMUNITY,
    address: str = "3幢401",
    name: str | None = "李阿姨",
) -> Ticket:
    area = areas.get_community(session, code=community) if community else None
    resident = residents.get_or_create_resident(session, phone=phone, name=name, community=area, address=address)
    ticket, _ = service.create_ticket(
        session,
        resident=resident,
        channel="phone",
        description="厨房水管漏水",
        zone=settings.zone,
        actor=Actor.system(),
        item=catalog.get_item(session, code=item),
        community=area,
        address=address,
        urgency=urgency,
    )
    return ticket


def ticket(session: Session, number: str) -> Ticket:
    return session.scalars(select(Ticket).where(Ticket.number == number)).one()


def offers_of(session: Session, number: str) -> list[Offer]:
    return list(session.scalars(select(Offer).join(Ticket).where(Ticket.number == number).order_by(Offer.id)))


def texts_to(session: Session, phone: str) -> list[OutboundMessage]:
    query = select(OutboundMessage).where(OutboundMessage.to == phone, OutboundMessage.via == "outbox")
    return list(session.scalars(query.order_by(OutboundMessage.id)))


def facts(session: Session, provider_id: int) -> list[tuple[str, float | None]]:
    query = select(LedgerEntry.kind, LedgerEntry.value).where(LedgerEntry.provider_id == provider_id)
    return [tuple(row) for row in session.execute(query.order_by(LedgerEntry.id))]  # type: ignore[misc]


def later(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


def says(db: Database, settings: Settings, phone: str, body: str) -> str:
    """A text through the real intake (store, route, answer, commit), as the webhook runs it."""
    text = flows.IncomingText(f"SM{uuid.uuid4().hex}", phone, "+8657396345", body)
    return flows.receive(db, text, intake.router_for(settings), settings) or ""
