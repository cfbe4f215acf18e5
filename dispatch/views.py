"""The ticket list (staff only). Residents' phones are shown in full only to roles allowed
``resident.phone``, masked for the others."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from config import phones
from config.auth import Principal, require
from config.i18n import gettext
from config.web import LocaleDep, ReadSession, render
from dispatch import service
from dispatch.states import CHANNEL_LABELS, LABELS, STATUSES, URGENCY_LABELS

router = APIRouter()
Viewer = Annotated[Principal, Depends(require("console.view"))]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def ticket_list_page(
    request: Request, session: ReadSession, locale: LocaleDep, who: Viewer, status: str | None = None
) -> HTMLResponse:
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
            "phone": t.resident.phone if who.can("resident.phone") else phones.masked(t.resident.phone),
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
