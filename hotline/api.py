"""The JSON API (``/api/v1``): the console's actions for other programs.

Authenticate with ``Authorization: Bearer <key>`` (``hotline apikeys create``); a logged-in
browser session works too, with its CSRF token in ``X-CSRF-Token`` on writes. Every endpoint
checks the role table like the pages and the CLI; errors are JSON ``{"detail": ...}``. The same
functions as the ticket page's forms do the work (``hotline.ticket_actions``), so both are
audited alike: ``staff:<id>`` for a session, ``apikey:<id>`` for a key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from config import areas, catalog, phones
from config.auth import Principal, require
from config.db import Database
from config.settings import Settings
from config.web import DatabaseDep, SettingsDep
from dispatch import lifecycle, queue, residents, service
from dispatch.models import Ticket
from dispatch.schemas import TicketOut
from dispatch.states import CHANNELS
from hotline.ticket_actions import offer_to, triage
from providers import service as provider_service
from providers.schemas import ProviderOut

# Declares the scheme for the OpenAPI page ("Authorize"); config.auth does the checking.
router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(HTTPBearer(auto_error=False))])


Viewer = Annotated[Principal, Depends(require("console.view"))]
Creator = Annotated[Principal, Depends(require("ticket.create"))]
Triager = Annotated[Principal, Depends(require("ticket.triage"))]
Offerer = Annotated[Principal, Depends(require("ticket.offer"))]
NoteTaker = Annotated[Principal, Depends(require("ticket.note"))]
Resolver = Annotated[Principal, Depends(require("ticket.resolve"))]
Canceller = Annotated[Principal, Depends(require("ticket.cancel"))]
Reopener = Annotated[Principal, Depends(require("ticket.reopen"))]
StatusChanger = Annotated[Principal, Depends(require("provider.status"))]
Approver = Annotated[Principal, Depends(require("provider.approve"))]


class QueueTicketOut(BaseModel):
    number: str
    status: str
    urgency: str
    channel: str
    item_code: str | None
    community_code: str | None
    phone: str
    description: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    sla_state: str
    minutes_left: int | None


class QueueOut(BaseModel):
    total: int
    page: int
    pages: int
    cursor: int  # the newest ticket event id: /queue/events sends it as the SSE id
    tickets: list[QueueTicketOut]


class TicketIn(BaseModel):
    phone: str = Field(description="As given: 13800138000, 0573-82123456, ...")
    item: str = Field(description="Service item code")
    text: str
    community: str | None = None
    address: str | None = None
    urgency: str = "normal"
    channel: str = "api"
    name: str | None = None


class TriageIn(BaseModel):
    item: str = ""
    community: str = ""
    address: str = ""
    urgency: str = ""


class OfferIn(BaseModel):
    provider_id: int | None = Field(default=None, description="Not the top candidate: an override (dispatcher+)")
    reason: str = ""


class TextIn(BaseModel):
    text: str


class ReasonIn(BaseModel):
    reason: str = ""


class StatusIn(BaseModel):
    status: str
    reason: str


class ApproveIn(BaseModel):
    probation: bool = False
    reason: str = "vetting complete"


def _out(ticket: Ticket, settings: Settings, who: Principal) -> TicketOut:
    record = TicketOut.of(ticket, at_risk_share=settings.dispatch.at_risk_share)
    return record if who.can("resident.phone") else record.model_copy(update={"phone": phones.masked(record.phone)})


def _on_ticket(
    db: Database, settings: Settings, who: Principal, number: str, action: Callable[..., object]
) -> TicketOut:
    with db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        action(session, ticket)
        return _out(ticket, settings, who)


@router.get("/tickets", response_model=QueueOut)
def list_open_tickets(
    db: DatabaseDep, settings: SettingsDep, who: Viewer, status: str | None = None, q: str = "", page: int = 1
) -> QueueOut:
    """Open tickets in the queue's order (emergency first, then time left), 50 a page."""
    with db.read() as session:
        found = queue.open_queue(session, settings=settings, filters=queue.QueueFilters(status=status, q=q, page=page))
        full = who.can("resident.phone")
        return QueueOut(
            total=found.total,
            page=found.page,
            pages=found.pages,
            cursor=found.cursor,
            tickets=[
                QueueTicketOut(
                    number=r.ticket.number,
                    status=r.ticket.status,
                    urgency=r.ticket.urgency,
                    channel=r.ticket.channel,
                    item_code=r.ticket.item_code,
                    community_code=r.ticket.community_code,
                    phone=r.ticket.phone if full else phones.masked(r.ticket.phone),
                    description=r.ticket.description,
                    created_at=r.ticket.created_at,
                    due_at=r.ticket.due_at,
                    sla_state=r.sla,
                    minutes_left=r.minutes_left,
                )
                for r in found.rows
            ],
        )


@router.post("/tickets", response_model=TicketOut, status_code=201)
def create_ticket(body: TicketIn, db: DatabaseDep, settings: SettingsDep, who: Creator) -> TicketOut:
    """Open a ticket (or add the contact to the resident's open one for the same item)."""
    e164 = settings.normalize_phone(body.phone)
    with db.transaction() as session:
        item = catalog.get_item(session, code=body.item)
        area = areas.get_community(session, code=body.community) if body.community else None
        resident = residents.get_or_create_resident(
            session, phone=e164, name=body.name, community=area, address=body.address, language=settings.locale
        )
        ticket, _ = service.create_ticket(
            session,
            resident=resident,
            channel=body.channel if body.channel in CHANNELS else "api",
            description=body.text,
            zone=settings.zone,
            actor=who.actor,
            item=item,
            community=area,
            address=body.address,
            urgency=body.urgency,
            operator=session.merge(who.staff) if who.staff else None,
        )
        return _out(ticket, settings, who)


@router.get("/tickets/{number}", response_model=TicketOut)
def get_ticket(number: str, db: DatabaseDep, settings: SettingsDep, who: Viewer) -> TicketOut:
    with db.read() as session:
        return _out(service.get_ticket(session, number=number), settings, who)


@router.post("/tickets/{number}/triage", response_model=TicketOut)
def triage_ticket(
    number: str,
    body: TriageIn,
    db: DatabaseDep,
    settings: SettingsDep,
    who: Triager,
) -> TicketOut:
    return _on_ticket(db, settings, who, number, lambda s, t: triage(s, t, who, **body.model_dump()))


@router.post("/tickets/{number}/offer", response_model=TicketOut)
def offer_ticket(
    number: str,
    body: OfferIn,
    db: DatabaseDep,
    settings: SettingsDep,
    who: Offerer,
) -> TicketOut:
    return _on_ticket(
        db,
        settings,
        who,
        number,
        lambda s, t: offer_to(s, t, who, settings=settings, provider_id=body.provider_id, reason=body.reason),
    )


@router.post("/tickets/{number}/notes", response_model=TicketOut)
def add_note(number: str, body: TextIn, db: DatabaseDep, settings: SettingsDep, who: NoteTaker) -> TicketOut:
    return _on_ticket(
        db, settings, who, number, lambda s, t: service.add_note(s, ticket=t, note=body.text, actor=who.actor)
    )


@router.post("/tickets/{number}/resolve", response_model=TicketOut)
def resolve(number: str, body: TextIn, db: DatabaseDep, settings: SettingsDep, who: Resolver) -> TicketOut:
    return _on_ticket(
        db, settings, who, number, lambda s, t: lifecycle.resolve(s, ticket=t, note=body.text, actor=who.actor)
    )


@router.post("/tickets/{number}/cancel", response_model=TicketOut)
def cancel(number: str, body: ReasonIn, db: DatabaseDep, settings: SettingsDep, who: Canceller) -> TicketOut:
    return _on_ticket(
        db,
        settings,
        who,
        number,
        lambda s, t: lifecycle.cancel(s, ticket=t, settings=settings, actor=who.actor, note=body.reason),
    )


@router.post("/tickets/{number}/reopen", response_model=TicketOut)
def reopen(number: str, body: ReasonIn, db: DatabaseDep, settings: SettingsDep, who: Reopener) -> TicketOut:
    return _on_ticket(
        db,
        settings,
        who,
        number,
        lambda s, t: service.move_ticket(s, ticket=t, to="reopened", actor=who.actor, note=body.reason or None),
    )


@router.post("/providers/{provider_id}/status", response_model=ProviderOut)
def provider_status(provider_id: int, body: StatusIn, db: DatabaseDep, who: StatusChanger) -> ProviderOut:
    """A status step with its reason; approval and reinstatement need a supervisor's session."""
    with db.transaction() as session:
        provider = provider_service.get_provider(session, provider_id=provider_id)
        staff = session.merge(who.staff) if who.staff else None
        provider_service.change_status(
            session, provider=provider, to=body.status, actor=who.actor, reason=body.reason, staff=staff
        )
        return ProviderOut.of(provider)


@router.post("/providers/{provider_id}/approve", response_model=ProviderOut)
def approve_provider(provider_id: int, body: ApproveIn, db: DatabaseDep, who: Approver) -> ProviderOut:
    """Approve after vetting (the checklist must be complete): a supervisor's decision."""
    with db.transaction() as session:
        provider = provider_service.get_provider(session, provider_id=provider_id)
        staff = session.merge(who.staff) if who.staff else None
        to = "probation" if body.probation else "active"
        provider_service.change_status(
            session, provider=provider, to=to, actor=who.actor, reason=body.reason, staff=staff
        )
        return ProviderOut.of(provider)
