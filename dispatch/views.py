"""Read-only ticket list. Until the console's login exists it is served only in demo mode, with
phone numbers masked: residents' data is never public."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from config import phones
from config.errors import NotFound
from config.i18n import gettext
from config.web import LocaleDep, ReadSession, SettingsDep, render
from dispatch import service
from dispatch.states import CHANNEL_LABELS, LABELS, STATUSES, URGENCY_LABELS

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def ticket_list_page(
    request: Request, session: ReadSession, settings: SettingsDep, locale: LocaleDep, status: str | None = None
) -> HTMLResponse:
    if not settings.demo:
        raise NotFound("the ticket list is shown only in demo mode until the console's login exists")
    if status is not None and status not in STATUSES:
        status = None
    tickets = service.list_tickets(session, statuses=[status] if status else (), limit=500)
    rows = [
        {
            "number": t.number,
            "created_at": t.created_at,
            "channel": gettext(locale, CHANNEL_LABELS[t.channel]),
            "item": t.item.name(locale) if t.item else None,
            "community": t.community.name(locale) if t.community else None,
            "phone": phones.masked(t.resident.phone),
            "urgency": gettext(locale, URGENCY_LABELS[t.urgency]),
            "urgency_code": t.urgency,
            "status": gettext(locale, LABELS[t.status]),
            "status_code": t.status,
            "description": t.description,
        }
        for t in tickets
    ]
    labels = [(code, gettext(locale, LABELS[code])) for code in STATUSES]
    return render(request, "dispatch/tickets.html", {"tickets": rows, "status": status, "status_labels": labels})
