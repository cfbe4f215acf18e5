"""The public JSON shapes of tickets (CLI ``--json`` and the API). Keep them stable: add fields,
never rename or remove them. Documented in docs/json.md."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy.orm import Session

from config.audit import AuditEventOut
from dispatch.escalation import sla_state
from dispatch.models import Offer, Resident, Ticket
from providers.models import Provider

TicketEventOut = AuditEventOut  # the shape every audit trail shares


class ProviderRef(BaseModel):
    id: int
    name: str
    phone: str

    @classmethod
    def of(cls, provider: Provider) -> ProviderRef:
        return cls(id=provider.id, name=provider.name_zh, phone=provider.phone)


class OfferOut(BaseModel):
    provider: ProviderRef
    code: str
    status: str
    round: int
    offered_at: dt.datetime
    answered_at: dt.datetime | None
    expires_at: dt.datetime

    @classmethod
    def of(cls, offer: Offer) -> OfferOut:
        return cls(
            provider=ProviderRef.of(offer.provider),
            code=offer.code,
            status=offer.status,
            round=offer.round,
            offered_at=offer.offered_at,
            answered_at=offer.answered_at,
            expires_at=offer.expires_at,
        )


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
    provider: ProviderRef | None
    offers: list[OfferOut]
    sla_state: str
    escalated: bool
    escalation: str | None
    accepted_at: dt.datetime | None
    expected_at: dt.datetime | None
    completed_at: dt.datetime | None
    charged: str | None
    overcharged: bool
    service_hours: float | None
    resolution: str | None
    events: list[TicketEventOut]

    @classmethod
    def of(cls, ticket: Ticket, *, at_risk_share: float = 0.8) -> TicketOut:
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
            provider=ProviderRef.of(ticket.provider) if ticket.provider else None,
            offers=[OfferOut.of(o) for o in ticket.offers],
            sla_state=sla_state(ticket, share=at_risk_share),
            escalated=ticket.escalation is not None,
            escalation=ticket.escalation,
            accepted_at=ticket.accepted_at,
            expected_at=ticket.expected_at,
            completed_at=ticket.completed_at,
            charged=f"{ticket.charged:.2f}" if ticket.charged is not None else None,
            overcharged=ticket.overcharged,
            service_hours=ticket.service_hours,
            resolution=ticket.resolution,
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


class ResidentRecordOut(BaseModel):
    """A resident's record as ``hotline residents show --json`` and ``GET /api/v1/residents/{phone}``
    give it: the card, the survey-call opt-out, the preferred provider, open tickets, changes."""

    resident: ResidentOut
    call_opt_out: bool
    preferred_provider_id: int | None
    open_tickets: list[str]
    history: list[dict[str, object]]

    @classmethod
    def of(cls, session: Session, resident: Resident) -> ResidentRecordOut:
        from dispatch import resident_edits, service

        return cls(
            resident=ResidentOut.of(resident),
            call_opt_out=resident.call_opt_out,
            preferred_provider_id=resident.preferred_provider_id,
            open_tickets=[t.number for t in service.open_tickets_of(session, resident=resident)],
            history=[
                {"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "changes": e.data}
                for e in resident_edits.history(session, resident=resident)
            ],
        )
