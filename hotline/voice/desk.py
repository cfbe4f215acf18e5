"""The callback desk in the browser (``/callbacks``): missed and abandoned callers to ring back,
oldest first, with click-to-call (Asterisk rings the operator's extension, then the resident:
``flows.call_back``, as ``hotline callbacks-desk call`` does) and "done" with a note; below them
the satisfaction surveys due by phone (``callbacks.service.desk_list``, as ``hotline surveys
desk``), each with its script, click-to-call (``survey_calls.call_resident``, as ``hotline surveys
call``) and the result recorded (``survey.record``: a score and what was said, or no answer, as
``hotline surveys record``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from callbacks import replies
from callbacks import service as surveys
from callbacks.schemas import DeskEntryOut
from config import phones
from config.auth import Principal, require
from config.errors import HotlineError, InvalidInput
from config.i18n import N_, gettext
from config.settings import Settings
from config.web import DatabaseDep, LocaleDep, SettingsDep, render
from hotline.voice import flows, service, survey_calls

router = APIRouter(prefix="/callbacks", include_in_schema=False)
Desk = Annotated[Principal, Depends(require("ticket.create"))]
Recorder = Annotated[Principal, Depends(require("survey.record"))]
REASONS = {"missed": N_("Missed"), "abandoned": N_("Hung up in the queue")}


def _surveys_due(session: Session, settings: Settings, who: Principal, locale: str) -> list[dict[str, object]]:
    full = who.can("resident.phone")
    rows = []
    for survey in surveys.desk_list(session):
        entry = DeskEntryOut.of(survey, settings)
        rows.append(
            {
                "id": entry.survey.id,
                "phone": phones.on_screen(entry.survey.phone, full=full, region=settings.default_region),
                "name": entry.resident_name,
                "ticket": entry.survey.ticket,
                "item": (entry.item_en if locale == "en" else entry.item_zh) or "",
                "due_at": entry.survey.due_at,
                "attempts": entry.survey.attempts,
                "last_result": entry.last_result,
                "script": entry.script,
            }
        )
    return rows


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
    settings = request.app.state.settings
    with db.read() as session:
        entries = [
            {
                "id": e.id,
                "number": phones.on_screen(e.phone or e.number, full=full, region=settings.default_region),
                "name": e.resident.name if e.resident else None,
                "reason": gettext(locale, REASONS.get(e.reason, e.reason)),
                "missed_count": e.missed_count,
                "last_missed_at": e.last_missed_at,
                "attempts": e.attempts,
                "last_result": e.last_result,
            }
            for e in service.list_callbacks(session)
        ]
        due = _surveys_due(session, settings, who, locale)
    extension = who.staff.extension if who.staff else None
    context = {"entries": entries, "surveys": due, "extension": extension, "notice": notice, "error": error}
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


@router.post("/surveys/{survey_id}/call", response_class=HTMLResponse)
async def call_for_survey(
    request: Request, survey_id: int, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, who: Desk
) -> Response:
    """Ring the operator's extension, then the resident; what was said is recorded below it."""
    try:
        if who.staff is None or not who.staff.extension:
            raise InvalidInput(gettext(locale, "Your login has no phone extension: ask an administrator."))
        result = await survey_calls.call_resident(
            db=db, settings=settings, survey_id=survey_id, extension=who.staff.extension
        )
    except HotlineError as exc:
        return _page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    notice = gettext(locale, "Survey {survey}: {result}", survey=survey_id, result=result.result)
    return _page(request, db, who, locale, notice=notice)


@router.post("/surveys/{survey_id}/record", response_class=HTMLResponse)
def record_survey(
    request: Request,
    survey_id: int,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Recorder,
    score: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    no_answer: Annotated[str, Form()] = "",
) -> Response:
    """The resident's score (1-5) and words, or no answer (tried again later, or closed)."""
    try:
        with db.transaction() as session:
            survey = surveys.get_survey(session, survey_id=survey_id)
            if no_answer:
                surveys.record_no_answer(session, survey=survey, actor=who.actor, settings=settings, result="no_answer")
            else:
                if not score.strip().isdigit():
                    raise InvalidInput(gettext(locale, "Choose the score the resident gave, or No answer."))
                reading = replies.read(comment, low_score=settings.callbacks.low_score)
                surveys.record_answer(
                    session,
                    survey=survey,
                    score=int(score),
                    comment=comment,
                    actor=who.actor,
                    settings=settings,
                    complaint=reading.complaint,
                )
    except HotlineError as exc:
        return _page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    return RedirectResponse("/callbacks#surveys", status_code=303)
