"""What staff do on a ticket page: triage, offer (or override with a reason), note, resolve at
first contact, cancel, reopen, escalate to a supervisor, take an escalation in hand. Each is a
POST checked against the role table and the session's CSRF token (``config.auth.require``), done
in one transaction through the same service functions the CLI uses, audited with the logged-in
staff member, and answered with a redirect back to the page (or the page again with the reason it
was refused, nothing changed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from config import areas, catalog, roles
from config.auth import Principal, require
from config.errors import HotlineError
from config.settings import Settings
from config.web import DatabaseDep, LocaleDep, SettingsDep
from dispatch import escalation, lifecycle, offers, service
from dispatch.models import Offer, Ticket
from hotline.ticket_page import render_ticket

router = APIRouter(prefix="/tickets", include_in_schema=False)
Action = Callable[[Session, Ticket], None]


# --- the actions, shared with the JSON API (hotline/api.py) --------------------------------------


def triage(
    session: Session,
    ticket: Ticket,
    who: Principal,
    *,
    item: str = "",
    community: str = "",
    address: str = "",
    urgency: str = "",
) -> None:
    """Service item (an operator's choice confirms or corrects the classifier), community and
    address, urgency: each only when given and different, each its own audit event."""
    if item and (ticket.item is None or ticket.item.code != item or ticket.item_confidence is not None):
        service.confirm_item(session, ticket=ticket, item=catalog.get_item(session, code=item), actor=who.actor)
    current = ticket.community.code if ticket.community else None
    if community and (community != current or (address.strip() and address.strip() != ticket.address)):
        chosen = areas.get_community(session, code=community)
        lifecycle.set_location(session, ticket=ticket, community=chosen, address=address or None, actor=who.actor)
    if urgency:
        lifecycle.set_urgency(session, ticket=ticket, urgency=urgency, actor=who.actor)


def offer_to(
    session: Session, ticket: Ticket, who: Principal, *, settings: Settings, provider_id: int | None, reason: str
) -> list[Offer]:
    """To the top candidate, or to a named one: if that is not the ranking's top, an override
    (``ticket.override``, with a reason)."""
    if provider_id is not None:
        top = offers.suggest(session, ticket=ticket, settings=settings).top
        if top is None or top.provider.id != provider_id:
            roles.require(who.role, "ticket.override", who=who.name)
    return offers.offer(
        session,
        ticket=ticket,
        settings=settings,
        actor=who.actor,
        staff=who.staff,
        provider_id=provider_id,
        reason=reason or None,
    )


def acknowledge(session: Session, ticket: Ticket, who: Principal, *, note: str = "") -> None:
    """Take the ticket's escalation in hand: a dispatcher's (``ticket.escalate``), a supervisor's
    escalation only a supervisor's (``ticket.supervise``)."""
    if ticket.escalation == "supervisor":
        roles.require(who.role, "ticket.supervise", who=who.name)
    escalation.acknowledge(session, ticket=ticket, actor=who.actor, note=note)


# --- the page's forms ----------------------------------------------------------------------------


def _act(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: str,
    who: Principal,
    number: str,
    done: str,
    action: Action,
) -> Response:
    try:
        with db.transaction() as session:
            action(session, service.get_ticket(session, number=number))
    except HotlineError as exc:  # refused: nothing was written; the page (404 if no such ticket) says why
        with db.read() as session:
            return render_ticket(
                request,
                session,
                number=number,
                settings=settings,
                who=who,
                locale=locale,
                error=exc.message,
                status_code=exc.status_code,
            )
    return RedirectResponse(f"/tickets/{number}?done={done}", status_code=303)


@router.post("/{number}/triage")
def triage_form(
    request: Request,
    number: str,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Annotated[Principal, Depends(require("ticket.triage"))],
    item: Annotated[str, Form()] = "",
    community: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    urgency: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, ticket: Ticket) -> None:
        triage(session, ticket, who, item=item, community=community, address=address, urgency=urgency)

    return _act(request, db, settings, locale, who, number, "triage", action)


@router.post("/{number}/offer")
def offer_form(
    request: Request,
    number: str,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Annotated[Principal, Depends(require("ticket.offer"))],
    provider_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, ticket: Ticket) -> None:
        chosen = int(provider_id) if provider_id.isdigit() else None
        offer_to(session, ticket, who, settings=settings, provider_id=chosen, reason=reason)

    return _act(request, db, settings, locale, who, number, "offer", action)


@router.post("/{number}/note")
def note_form(
    request: Request,
    number: str,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Annotated[Principal, Depends(require("ticket.note"))],
    text: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, ticket: Ticket) -> None:
        service.add_note(session, ticket=ticket, note=text, actor=who.actor)

    return _act(request, db, settings, locale, who, number, "note", action)


@router.post("/{number}/resolve")
def resolve_form(
    request: Request,
    number: str,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Annotated[Principal, Depends(require("ticket.resolve"))],
    text: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, ticket: Ticket) -> None:
        lifecycle.resolve(session, ticket=ticket, note=text, actor=who.actor)

    return _act(request, db, settings, locale, who, number, "resolve", action)


@router.post("/{number}/cancel")
def cancel_form(
    request: Request,
    number: str,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Annotated[Principal, Depends(require("ticket.cancel"))],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, ticket: Ticket) -> None:
        lifecycle.cancel(session, ticket=ticket, settings=settings, actor=who.actor, note=reason)

    return _act(request, db, settings, locale, who, number, "cancel", action)


@router.post("/{number}/reopen")
def reopen_form(
    request: Request,
    number: str,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Annotated[Principal, Depends(require("ticket.reopen"))],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, ticket: Ticket) -> None:
        service.move_ticket(session, ticket=ticket, to="reopened", actor=who.actor, note=reason.strip() or None)

    return _act(request, db, settings, locale, who, number, "reopen", action)


@router.post("/{number}/escalate")
def escalate_form(
    request: Request,
    number: str,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Annotated[Principal, Depends(require("ticket.escalate"))],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, ticket: Ticket) -> None:
        escalation.escalate_by_hand(session, ticket=ticket, settings=settings, actor=who.actor, why=reason)

    return _act(request, db, settings, locale, who, number, "escalate", action)


@router.post("/{number}/acknowledge")
def acknowledge_form(
    request: Request,
    number: str,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Annotated[Principal, Depends(require("ticket.escalate"))],
    note: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, ticket: Ticket) -> None:
        acknowledge(session, ticket, who, note=note)

    return _act(request, db, settings, locale, who, number, "acknowledge", action)
