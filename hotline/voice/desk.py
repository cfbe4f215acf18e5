"""The callback desk in the browser (``/callbacks``): missed and abandoned callers to ring back,
oldest first, with click-to-call (Asterisk rings the operator's extension, then the resident:
``flows.call_back``, as ``hotline callbacks-desk call`` does) and "done" with a note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from config import phones
from config.auth import Principal, require
from config.errors import HotlineError, InvalidInput
from config.i18n import N_, gettext
from config.web import DatabaseDep, LocaleDep, SettingsDep, render
from hotline.voice import flows, service

router = APIRouter(prefix="/callbacks", include_in_schema=False)
Desk = Annotated[Principal, Depends(require("ticket.create"))]
REASONS = {"missed": N_("Missed"), "abandoned": N_("Hung up in the queue")}


def _page(
    request: Request,
    db: DatabaseDep,
    who: Principal,
    locale: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    full = who.can("resident.phone")
    with db.read() as session:
        entries = [
            {
                "id": e.id,
                "number": (e.phone or e.number) if full else phones.masked(e.phone or e.number),
                "name": e.resident.name if e.resident else None,
                "reason": gettext(locale, REASONS.get(e.reason, e.reason)),
                "missed_count": e.missed_count,
                "last_missed_at": e.last_missed_at,
                "attempts": e.attempts,
                "last_result": e.last_result,
            }
            for e in service.list_callbacks(session)
        ]
    extension = who.staff.extension if who.staff else None
    context = {"entries": entries, "extension": extension, "notice": notice, "error": error}
    return render(request, "voice/callbacks.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def callback_desk(request: Request, db: DatabaseDep, locale: LocaleDep, who: Desk) -> HTMLResponse:
    return _page(request, db, who, locale)


@router.post("/{entry_id}/call", response_class=HTMLResponse)
async def call_back(
    request: Request, entry_id: int, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, who: Desk
) -> Response:
    """Ring the logged-in operator's extension, then the resident; the page shows what came of it."""
    try:
        if who.staff is None or not who.staff.extension:
            raise InvalidInput(gettext(locale, "Your login has no phone extension: ask an administrator."))
        result = await flows.call_back(db=db, settings=settings, entry_id=entry_id, extension=who.staff.extension)
    except HotlineError as exc:
        return _page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    notice = gettext(locale, "Callback {entry}: {result}", entry=entry_id, result=result.result)
    return _page(request, db, who, locale, notice=notice)


@router.post("/{entry_id}/done")
def done(
    request: Request,
    entry_id: int,
    db: DatabaseDep,
    locale: LocaleDep,
    who: Desk,
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        with db.transaction() as session:
            entry = service.get_callback(session, entry_id=entry_id)
            operator = session.merge(who.staff) if who.staff else None
            service.close_callback(session, entry=entry, operator=operator, note=note)
    except HotlineError as exc:
        return _page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    return RedirectResponse("/callbacks", status_code=303)
