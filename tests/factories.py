"""Small builders for tests; each returns rows flushed in the given session."""

from __future__ import annotations

from sqlalchemy.orm import Session

from config import catalog, staff
from config.settings import Settings
from config.staff import Actor
from dispatch import residents, service
from dispatch.models import Resident, Ticket


def resident(session: Session, phone: str = "+8613800138000", **kwargs: object) -> Resident:
    return residents.get_or_create_resident(session, phone=phone, **kwargs)  # type: ignore[arg-type]


def ticket(
    session: Session,
    settings: Settings,
    *,
    phone: str = "+8613800138000",
    item: str = "PE-PIPE-LEAK",
    text: str = "厨房水管漏水",
    channel: str = "phone",
    urgency: str = "normal",
) -> Ticket:
    created, _ = service.create_ticket(
        session,
        resident=resident(session, phone),
        channel=channel,
        description=text,
        zone=settings.zone,
        actor=Actor.system(),
        item=catalog.get_item(session, code=item),
        urgency=urgency,
    )
    return created


def operator(session: Session, name: str = "王芳", extension: str | None = "7001") -> staff.Staff:
    return staff.create(session, name=name, role="operator", extension=extension)
