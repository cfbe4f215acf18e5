"""Residents in the console: find by phone (``/residents``), see and edit the record
(``/residents/{id}``): tags, the one-touch emergency line, language, opt-outs, preferred provider.
Phones are shown in full only to roles allowed ``resident.phone``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from config import phones
from config.auth import Principal, require
from config.errors import HotlineError, InvalidInput, NotFound
from config.i18n import N_, gettext
from config.web import DatabaseDep, LocaleDep, ReadSession, SettingsDep, render
from dispatch import resident_edits, residents, service
from dispatch.models import RESIDENT_TAGS
from dispatch.states import LABELS

router = APIRouter(prefix="/residents", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("console.view"))]
Editor = Annotated[Principal, Depends(require("resident.edit"))]
TAG_LABELS = {
    "elderly": N_("Elderly"),
    "disabled": N_("Disabled"),
    "low_income": N_("Low income"),
    "lives_alone": N_("Lives alone"),
    "one_touch": N_("One-touch line"),
}
FIELD_LABELS = {
    "tags": N_("Tags"),
    "language": N_("Language"),
    "sms_opt_out": N_("No survey texts"),
    "call_opt_out": N_("No survey calls"),
    "preferred_provider_id": N_("Preferred provider"),
    "name": N_("Resident name"),
}


@router.get("", response_class=HTMLResponse)
def find_resident(
    request: Request, session: ReadSession, settings: SettingsDep, who: Viewer, phone: str = ""
) -> Response:
    error = None
    if phone.strip():
        try:
            found = residents.get_resident_by_phone(session, phone=settings.normalize_phone(phone))
        except InvalidInput as exc:
            found, error = None, exc.message
        if found is not None:
            return RedirectResponse(f"/residents/{found.id}", status_code=303)
        error = error or N_("No resident with this phone number.")
    return render(request, "dispatch/resident_find.html", {"phone": phone, "error": error})


def _page(
    request: Request,
    session: ReadSession,
    resident_id: int,
    who: Principal,
    locale: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    resident = residents.get_resident(session, resident_id=resident_id)
    if resident is None:
        raise NotFound(f"no resident with id {resident_id}")
    full = who.can("resident.phone")
    history = [
        (
            e.at,
            e.actor,
            [(gettext(locale, FIELD_LABELS.get(f, f)), c["from"], c["to"]) for f, c in (e.data or {}).items()],
        )
        for e in resident_edits.history(session, resident=resident)
    ]
    tickets = [
        (t.number, gettext(locale, LABELS[t.status]), t.created_at, t.description)
        for t in service.list_tickets(session, phone=resident.phone, limit=20)
    ]
    context = {
        "resident": resident,
        "phone": phones.on_screen(resident.phone, full=full, region=request.app.state.settings.default_region),
        "tag_choices": [(t, gettext(locale, TAG_LABELS[t]), t in resident.tags) for t in RESIDENT_TAGS],
        "history": history,
        "tickets": tickets,
        "error": error,
    }
    return render(request, "dispatch/resident.html", context, status_code=status_code)


@router.get("/{resident_id}", response_class=HTMLResponse)
def resident_page(
    request: Request, resident_id: int, session: ReadSession, locale: LocaleDep, who: Viewer
) -> HTMLResponse:
    return _page(request, session, resident_id, who, locale)


@router.post("/{resident_id}")
def edit_resident(
    request: Request,
    resident_id: int,
    db: DatabaseDep,
    locale: LocaleDep,
    who: Editor,
    tags: Annotated[list[str] | None, Form()] = None,
    language: Annotated[str, Form()] = "zh_CN",
    sms_opt_out: Annotated[str, Form()] = "",
    call_opt_out: Annotated[str, Form()] = "",
    preferred_provider: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    try:
        with db.transaction() as session:
            resident = residents.get_resident(session, resident_id=resident_id)
            if resident is None:
                raise NotFound(f"no resident with id {resident_id}")
            preferred = preferred_provider.strip()
            if preferred and not preferred.isdigit():
                raise InvalidInput(f"preferred provider {preferred!r} is not a provider id")
            resident_edits.edit_resident(
                session,
                resident=resident,
                actor=who.actor,
                tags=tags or [],
                language=language,
                sms_opt_out=bool(sms_opt_out),
                call_opt_out=bool(call_opt_out),
                preferred_provider_id=int(preferred) if preferred else None,
                name=name,
            )
    except NotFound:
        raise
    except HotlineError as exc:
        with db.read() as session:
            return _page(request, session, resident_id, who, locale, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/residents/{resident_id}", status_code=303)
