"""Taking a call or a walk-in: the new-ticket form (``/tickets/new``).

The screen pop (``/voice/events``, watched by ``console.js`` for the logged-in operator's
extension) opens it with the caller's number and call; the caller's record, if any, is on the
form with their open tickets, so a repeat caller is recognised before a duplicate is typed. The
item list carries both languages for the browser's own search, and ``/tickets/new/suggest``
gives the classifier's suggestion for what the operator types. Submitting opens the ticket with
the operator on it (``create_ticket``, so a second request for the same item within 24 hours
joins the open ticket) and links the call.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from config import areas, catalog, phones
from config.auth import Principal, require
from config.errors import HotlineError, InvalidInput
from config.i18n import gettext
from config.settings import Settings
from config.web import DatabaseDep, LocaleDep, ReadSession, SettingsDep, render
from dispatch import classifier, lifecycle, residents, service
from dispatch.states import CHANNEL_LABELS, URGENCIES, URGENCY_LABELS
from hotline.voice import service as voice_service

router = APIRouter(prefix="/tickets/new", include_in_schema=False)
Taker = Annotated[Principal, Depends(require("ticket.create"))]
FORM_CHANNELS = ("phone", "walk_in", "web")


def _form_context(
    session: Session, settings: Settings, locale: str, *, values: dict[str, str], error: str | None = None
) -> dict[str, Any]:
    known = None
    if values.get("phone"):
        try:
            known = residents.get_resident_by_phone(session, phone=settings.normalize_phone(values["phone"]))
        except InvalidInput:
            known = None
    return {
        "values": values,
        "error": error,
        "known": known,
        "known_phone": phones.grouped(known.phone, settings.default_region) if known else "",
        "open_tickets": service.open_tickets_of(session, resident=known) if known else [],
        "item_choices": [(i.code, i.name_zh, i.name_en) for i in catalog.list_items(session)],
        "community_choices": [(a.code, a.path(locale)) for a in areas.list_areas(session, level="community")],
        "urgency_choices": [(u, gettext(locale, URGENCY_LABELS[u])) for u in URGENCIES],
        "channel_choices": [(c, gettext(locale, CHANNEL_LABELS[c])) for c in FORM_CHANNELS],
    }


@router.get("", response_class=HTMLResponse)
def new_ticket_form(
    request: Request,
    session: ReadSession,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Taker,
    phone: str = "",
    call: str = "",
    channel: str = "phone",
) -> HTMLResponse:
    values = {"phone": phone, "call": call if call.isdigit() else "", "channel": channel}
    context = _form_context(session, settings, locale, values=values)
    if context["known"] is not None:
        values.update(name=context["known"].name or "", address=context["known"].address or "")
        values["community"] = context["known"].community.code if context["known"].community else ""
    return render(request, "console/new_ticket.html", context)


@router.get("/suggest")
def suggest_item(session: ReadSession, settings: SettingsDep, who: Taker, text: str = "") -> JSONResponse:
    """The classifier's top three for what the operator has typed so far."""
    model, _ = classifier.for_session(session, precision_target=settings.classifier_precision_target)
    found = []
    for s in model.classify(text[:500]).suggestions if text.strip() else []:
        item = catalog.get_item(session, code=s.code)
        found.append({"code": s.code, "name_zh": item.name_zh, "name_en": item.name_en, "confidence": s.confidence})
    return JSONResponse({"suggestions": found})


@router.post("", response_class=HTMLResponse)
def create_ticket(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Taker,
    phone: Annotated[str, Form()] = "",
    item: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    community: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    urgency: Annotated[str, Form()] = "normal",
    channel: Annotated[str, Form()] = "phone",
    call: Annotated[str, Form()] = "",
    intake_point: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "phone": phone,
        "item": item,
        "text": text,
        "name": name,
        "community": community,
        "address": address,
        "urgency": urgency,
        "channel": channel,
        "call": call,
        "intake_point": intake_point,
    }
    try:
        with db.transaction() as session:
            if not item:
                raise InvalidInput(gettext(locale, "Choose the service the resident needs."))
            area = areas.get_community(session, code=community) if community else None
            resident = residents.get_or_create_resident(
                session,
                phone=settings.normalize_phone(phone),
                name=name.strip() or None,
                community=area,
                address=address.strip() or None,
                language=settings.locale,
            )
            ticket, _ = service.create_ticket(
                session,
                resident=resident,
                channel=channel if channel in FORM_CHANNELS else "phone",
                description=text,
                zone=settings.zone,
                actor=who.actor,
                item=catalog.get_item(session, code=item),
                community=area,
                address=address.strip() or None,
                urgency=urgency,
                operator=session.merge(who.staff) if who.staff else None,
            )
            if channel == "walk_in" and intake_point.strip():
                lifecycle.record_intake_point(session, ticket=ticket, place=intake_point, actor=who.actor)
            if call.isdigit():
                linked_call = voice_service.get_call(session, call_id=int(call))
                voice_service.link_call_to_ticket(session, call=linked_call, ticket=ticket, actor=who.actor)
            number = ticket.number
    except HotlineError as exc:
        with db.read() as session:
            context = _form_context(session, settings, locale, values=values, error=exc.message)
        return render(request, "console/new_ticket.html", context, status_code=exc.status_code)
    return RedirectResponse(f"/tickets/{number}", status_code=303)
