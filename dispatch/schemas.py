"""The public JSON shapes of tickets (CLI ``--json`` and the API). Keep them stable: add fields,
never rename or remove them. Documented in docs/json.md."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from config.audit import AuditEventOut
from dispatch.models import Resident, Ticket

TicketEventOut = AuditEventOut  # the shape every audit trail shares


class TicketOut(BaseModel):
    number: str
    status: str
    channel: str
    urgency: str
    phone: str
    resident_name: str | None
    resident_tags: list[str]
    item_code: str | None
    item_name_zh: str | None
    item_name_en: str | None
    category_code: str | None
    item_confidence: float | None
    community_code: str | None
    community_name_zh: str | None
    community_name_en: str | None
    address: str | None
    description: str
    operator: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    events: list[TicketEventOut]

    @classmethod
    def of(cls, ticket: Ticket) -> TicketOut:
        item = ticket.item
        return cls(
            number=ticket.number,
            status=ticket.status,
            channel=ticket.channel,
            urgency=ticket.urgency,
            phone=ticket.resident.phone,
            resident_name=ticket.resident.name,
            resident_tags=ticket.resident.tags,
            item_code=item.code if item else None,
            item_name_zh=item.name_zh if item else None,
            item_name_en=item.name_en if item else None,
            category_code=item.category.code if item else None,
            item_confidence=ticket.item_confidence,
            community_code=ticket.community.code if ticket.community else None,
            community_name_zh=ticket.community.name_zh if ticket.community else None,
            community_name_en=ticket.community.name_en if ticket.community else None,
            address=ticket.address,
            description=ticket.description,
            operator=ticket.operator.name if ticket.operator else None,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            due_at=ticket.due_at,
            closed_at=ticket.closed_at,
            events=[TicketEventOut.of(e) for e in ticket.events],
        )


class ResidentOut(BaseModel):
    phone: str
    name: str | None
    community_code: str | None
    address: str | None
    language: str
    tags: list[str]
    sms_opt_out: bool

    @classmethod
    def of(cls, resident: Resident) -> ResidentOut:
        return cls(
            phone=resident.phone,
            name=resident.name,
            community_code=resident.community.code if resident.community else None,
            address=resident.address,
            language=resident.language,
            tags=resident.tags,
            sms_opt_out=resident.sms_opt_out,
        )
