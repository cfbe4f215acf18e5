"""The ticket page (``/tickets/{number}``): what happened (events, texts, calls in one
timeline), who asked (the resident's card and previous tickets), who could go (the suggested
providers with their reasons, and the offers made), and the actions the reader's role allows.

It lives in ``hotline/`` because it reads every channel: tickets (dispatch), texts (sms) and
calls (voice). The actions are ``hotline/ticket_actions.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks.states import OUTCOME_LABELS as COMPLAINT_OUTCOMES
from config import areas, catalog, phones
from config.auth import Principal, require
from config.errors import HotlineError
from config.i18n import N_, gettext
from config.settings import Settings
from config.staff import Staff
from config.web import LocaleDep, ReadSession, SettingsDep, render
from dispatch import escalation, offers, service
from dispatch.escalation import sla_state
from dispatch.models import Ticket
from dispatch.resident_views import TAG_LABELS
from dispatch.states import CHANNEL_LABELS, LABELS, OPEN_STATUSES, URGENCIES, URGENCY_LABELS
from hotline.voice.models import OUTCOME_LABELS, Call
from sms import service as sms_service
from sms.models import InboundMessage

router = APIRouter(prefix="/tickets", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("console.view"))]

KIND_LABELS = {
    "created": N_("Opened"),
    "status": N_("Status"),
    "note": N_("Note"),
    "classified": N_("Service item"),
    "located": N_("Location"),
    "urgency": N_("Urgency"),
    "repeat_contact": N_("Asked again"),
    "offered": N_("Offer sent"),
    "offer_declined": N_("Offer declined"),
    "offer_expired": N_("Offer not answered in time"),
    "offer_withdrawn": N_("Offer withdrawn: the provider may not take jobs now"),
    "sla_at_risk": N_("Response time at risk"),
    "sla_breached": N_("Response time breached"),
    "escalated": N_("Escalated"),
    "acknowledged": N_("Escalation taken in hand"),
    "alerted": N_("Alert"),
    "intake_point": N_("Intake point"),
    "call_linked": N_("Phone call linked"),
    "complaint_opened": N_("Complaint opened"),
    "complaint_decided": N_("Complaint decided"),
}
DONE = {
    "triage": N_("Triage saved."),
    "offer": N_("Offered. The provider has been texted."),
    "note": N_("Note added."),
    "resolve": N_("Closed at first contact."),
    "cancel": N_("Ticket cancelled."),
    "reopen": N_("Ticket reopened."),
    "escalate": N_("Escalated to a supervisor."),
    "acknowledge": N_("The escalation is in your hands."),
}
ESCALATION_LABELS = {"dispatcher": N_("Escalated to the dispatchers"), "supervisor": N_("Escalated to a supervisor")}
TEXT_OUT_LABELS = {  # sms.models.OUTBOUND_STATUSES
    "queued": N_("waiting to send"),
    "retrying": N_("retrying"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "undelivered": N_("not delivered"),
    "failed": N_("failed"),
    "dead": N_("given up"),
}
OFFERABLE = ("new", "reopened", "dispatching", "offered")
OFFER_LABELS = {
    "live": N_("Waiting for an answer"),
    "accepted": N_("Accepted"),
    "completed": N_("Completed"),
    "declined": N_("Declined"),
    "expired": N_("No answer in time"),
    "lost": N_("Taken by another"),
    "withdrawn": N_("Withdrawn"),
}


Shown = Callable[[str], str]  # a phone as the reader may see it (phones.on_screen)


@dataclass
class Entry:
    """One line of the timeline."""

    at: dt.datetime
    kind: str  # event, sms_in, sms_out, call
    title: str
    who: str
    text: str | None
    detail: str | None = None
    recording: str | None = None  # a call's recording (an http(s) address), for roles that see personal data


def _who(actor: str, names: dict[str, str], locale: str) -> str:
    if actor in names:
        return names[actor]
    return {"system": gettext(locale, "System"), "resident": gettext(locale, "Resident"), "cli": "CLI"}.get(
        actor, actor
    )


def _event_entries(ticket: Ticket, names: dict[str, str], locale: str) -> list[Entry]:
    entries = []
    for e in ticket.events:
        title = gettext(locale, KIND_LABELS.get(e.kind, e.kind))
        if e.kind == "status" and e.to_status:
            title += f": {gettext(locale, LABELS[e.from_status]) if e.from_status else ''} → "
            title += gettext(locale, LABELS[e.to_status])
        detail, note = None, e.note
        why = (e.data or {}).get("why")
        if e.data and e.kind in ("classified", "urgency"):
            detail = f"{e.data.get('from') or '—'} → {e.data.get('to')}"
        elif e.data and e.kind == "call_linked":
            detail = gettext(locale, "Call") + f" {e.data.get('call')}"
        elif e.data and e.kind in ("complaint_opened", "complaint_decided"):
            detail = gettext(locale, "Complaint {number}", number=e.data.get("complaint"))
            if e.data.get("outcome") in COMPLAINT_OUTCOMES:
                outcome = gettext(locale, COMPLAINT_OUTCOMES[e.data["outcome"]])
                detail = gettext(
                    locale, "Complaint {number}: {outcome}", number=e.data.get("complaint"), outcome=outcome
                )
        elif e.data and e.kind == "located":
            detail = str((e.data.get("to") or {}).get("address") or "")
        elif e.kind in ("escalated", "alerted") and why in escalation.WHY and why != "by_hand":
            note = gettext(locale, escalation.WHY[why])  # the system's reason is stored as its message id
        entries.append(Entry(e.at, "event", title, _who(e.actor, names, locale), note, detail))
    return entries


def _message_entries(session: Session, ticket: Ticket, locale: str, shown: Shown) -> list[Entry]:
    entries = []
    for m in sms_service.list_messages(session, subject="ticket:" + ticket.number, limit=200):
        if isinstance(m, InboundMessage):
            who = m.phone or m.from_raw
            entries.append(Entry(m.received_at, "sms_in", gettext(locale, "Text in"), shown(who), m.body))
        else:
            title = gettext(locale, "Text out") + f" ({gettext(locale, TEXT_OUT_LABELS.get(m.status, m.status))})"
            entries.append(Entry(m.created_at, "sms_out", title, shown(m.to), m.body))
    return entries


def _call_entries(session: Session, ticket: Ticket, locale: str, shown: Shown, full_phones: bool) -> list[Entry]:
    entries = []
    for call in session.scalars(select(Call).where(Call.ticket_id == ticket.id).order_by(Call.started_at)):
        title = gettext(locale, "Call") + f" ({gettext(locale, OUTCOME_LABELS.get(call.outcome, call.outcome))})"
        talk = f"{call.talk_seconds} s" if call.talk_seconds is not None else None
        recording = call.recording_url if full_phones and _web_address(call.recording_url) else None
        who = shown(call.caller_phone or "")
        entries.append(Entry(call.started_at, "call", title, who, None, talk, recording))
    return entries


def _web_address(value: str | None) -> bool:
    return bool(value) and str(value).lower().startswith(("https://", "http://"))


def _escalation(ticket: Ticket, names: dict[str, str], locale: str, who: Principal) -> dict[str, Any] | None:
    """The ticket's escalation, who took it in hand, and whether the reader may."""
    if ticket.escalation is None:
        return None
    taken = escalation.acknowledgement(ticket)
    need = "ticket.supervise" if ticket.escalation == "supervisor" else "ticket.escalate"
    return {
        "label": gettext(locale, ESCALATION_LABELS.get(ticket.escalation, ticket.escalation)),
        "at": ticket.escalated_at,
        "taken_by": _who(taken.actor, names, locale) if taken else None,
        "taken_at": taken.at if taken else None,
        "may_take": taken is None and who.can(need),
    }


def _suggestions(session: Session, ticket: Ticket, settings: Settings, locale: str) -> dict[str, Any]:
    if ticket.status not in OFFERABLE:
        return {"candidates": [], "excluded": [], "why_none": None}
    if ticket.item is None:
        return {"candidates": [], "excluded": [], "why_none": gettext(locale, "Triage first: choose the service.")}
    if ticket.community is None and ticket.resident.community is None:
        return {"candidates": [], "excluded": [], "why_none": gettext(locale, "Triage first: choose the community.")}
    try:
        ranking = offers.suggest(session, ticket=ticket, settings=settings)
    except HotlineError as exc:
        return {"candidates": [], "excluded": [], "why_none": exc.message}
    return {
        "candidates": [
            {
                "id": c.provider.id,
                "name": c.provider.name_zh,
                "score": c.score,
                "reasons": [r.text(locale) for r in c.reasons],
            }
            for c in ranking.candidates[:8]
        ],
        "excluded": [
            {"id": x.provider.id, "name": x.provider.name_zh, "reasons": [r.text(locale) for r in x.reasons]}
            for x in ranking.excluded[:8]
        ],
        "why_none": None,
    }


def ticket_context(
    session: Session, *, ticket: Ticket, settings: Settings, who: Principal, locale: str
) -> dict[str, Any]:
    full = who.can("resident.phone")
    names = {f"staff:{s.id}": s.name for s in session.scalars(select(Staff))}
    names.update({f"provider:{o.provider.id}": o.provider.name_zh for o in offers.offers_of(session, ticket=ticket)})
    shown = functools.partial(phones.on_screen, full=full, region=settings.default_region)
    timeline = _event_entries(ticket, names, locale) + _message_entries(session, ticket, locale, shown)
    timeline += _call_entries(session, ticket, locale, shown, full)
    timeline.sort(key=lambda e: e.at)
    resident = ticket.resident
    previous = [t for t in service.list_tickets(session, phone=resident.phone, limit=11) if t.id != ticket.id][:10]
    return {
        "ticket": ticket,
        "status_label": gettext(locale, LABELS[ticket.status]),
        "urgency_label": gettext(locale, URGENCY_LABELS[ticket.urgency]),
        "channel_label": gettext(locale, CHANNEL_LABELS[ticket.channel]),
        "sla": sla_state(ticket, share=settings.dispatch.at_risk_share),
        "timeline": timeline,
        "phone": shown(resident.phone),
        "tags": [gettext(locale, TAG_LABELS.get(tag, tag)) for tag in resident.tags],
        "previous": [(t.number, gettext(locale, LABELS[t.status]), t.created_at, t.description) for t in previous],
        "offers": [
            (o.provider.name_zh, o.code, o.status, gettext(locale, OFFER_LABELS.get(o.status, o.status)), o.expires_at)
            for o in offers.offers_of(session, ticket=ticket)
        ],
        "offerable": ticket.status in OFFERABLE,
        "escalation": _escalation(ticket, names, locale, who),
        "escalatable": ticket.status in OPEN_STATUSES and ticket.escalation != "supervisor",
        "item_choices": [(i.code, f"{i.name(locale)} ({i.code})") for i in catalog.list_items(session)],
        "community_choices": [(a.code, a.path(locale)) for a in areas.list_areas(session, level="community")],
        "urgency_choices": [(u, gettext(locale, URGENCY_LABELS[u])) for u in URGENCIES],
        **_suggestions(session, ticket, settings, locale),
    }


def render_ticket(
    request: Request,
    session: Session,
    *,
    number: str,
    settings: Settings,
    who: Principal,
    locale: str,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ticket = service.get_ticket(session, number=number)
    context = ticket_context(session, ticket=ticket, settings=settings, who=who, locale=locale)
    done = request.query_params.get("done")
    context["notice"] = gettext(locale, DONE[done]) if done in DONE and not error else None
    context["error"] = error
    return render(request, "console/ticket.html", context, status_code=status_code)


@router.get("/{number}", response_class=HTMLResponse)
def ticket_page(
    request: Request, number: str, session: ReadSession, settings: SettingsDep, locale: LocaleDep, who: Viewer
) -> HTMLResponse:
    return render_ticket(request, session, number=number, settings=settings, who=who, locale=locale)
