"""A resident's text while a survey may be open: the SMS intake asks ``answer_text`` before it
threads a text onto a ticket (``hotline.intake.survey_reply``).

The promise: the first valid answer is recorded in the webhook's own transaction, with the reply
that thanks the resident (a second answer is acknowledged and changes nothing); an ambiguous
answer gets one clarifying question; a reply that is plainly a new request, or a text from a
resident with nothing to answer that does not read as an answer, is not ours (``None``): the
intake threads it or opens a ticket. STOP in the middle of a survey opts the resident out and
closes their open surveys. Nothing is half-written: every refusal is a reply and no write.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks import complaints, notify, replies, service
from callbacks.audit import record_event
from callbacks.models import Survey
from config import clock
from config.settings import Settings
from config.staff import Actor
from dispatch import residents
from dispatch.models import Resident, Ticket

RECENT = dt.timedelta(days=14)  # a late answer to a survey closed this recently is told so
_TICKET_NUMBER = re.compile(r"(?<!\d)(\d{10})(?!\d)")


@dataclass(frozen=True)
class Answered:
    text: str  # the reply to the resident
    handled_as: str  # survey_answer, survey_clarify, survey_closed, complaint, survey_stop ...
    ticket_number: str | None = None


def _item(survey: Survey, locale: str) -> str:
    item = survey.ticket.item
    return item.name(locale) if item is not None else ("service" if locale == "en" else "服务")


def _deadline(at: dt.datetime, settings: Settings) -> str:
    return at.astimezone(settings.zone).strftime("%m-%d %H:%M")


def answer_text(
    session: Session, *, resident: Resident | None, text: str, locale: str, settings: Settings
) -> Answered | None:
    reading = replies.read(text, low_score=settings.callbacks.low_score)
    if reading.command:
        return None
    asked = service.asked_surveys_of(session, resident_id=resident.id) if resident is not None else []
    if reading.stop:
        if resident is None or not asked:
            return None  # the intake's STOP
        residents.set_sms_opt_out(session, resident=resident, opted_out=True)
        service.close_open_surveys(session, resident=resident, to="opted_out", actor=Actor.resident(), reason="stop")
        return Answered(notify.stopped(locale), "survey_stop")
    if reading.complaint and reading.score is None and resident is not None:
        named = _named_ticket(session, resident=resident, text=text)
        if named is not None and all(s.ticket_id != named.id for s in asked):
            return _complaint_line(
                session, resident=resident, ticket=named, text=text, locale=locale, settings=settings
            )
    if not asked:
        return _nothing_open(session, resident=resident, reading=reading, locale=locale)
    if reading.new_request and reading.score is None:
        return None  # "水管又漏了": a ticket, not a score
    survey = _which(asked, reading.code)
    if survey is None:
        codes = [(s.code or "", _item(s, locale)) for s in asked]
        unknown = reading.code if reading.code is not None else None
        return Answered(notify.which_survey(locale, surveys=codes, unknown=unknown), "survey_which")
    number = survey.ticket.number
    if reading.score is not None:
        opened = service.record_answer(
            session,
            survey=survey,
            score=reading.score,
            comment=reading.comment,
            actor=Actor.resident(),
            settings=settings,
            complaint=reading.complaint,
        )
        reply = notify.thanks(locale, score=reading.score)
        if opened is not None:
            deadline = _deadline(opened.deadline_at, settings)
            taken = notify.complaint_taken(locale, complaint_id=opened.id, deadline=deadline, rated=True)
            reply = notify.joined(locale, reply, taken)
        return Answered(reply, "survey_answer", number)
    if reading.complaint:
        opened = complaints.open_complaint(
            session,
            resident=survey.resident,
            text=reading.comment,
            source="survey",
            actor=Actor.resident(),
            settings=settings,
            ticket=survey.ticket,
            survey=survey,
        )
        deadline = _deadline(opened.deadline_at, settings)
        return Answered(
            notify.complaint_taken(locale, complaint_id=opened.id, deadline=deadline, rated=False), "complaint", number
        )
    if reading.out_of_range:
        return Answered(notify.out_of_range(locale), "survey_clarify", number)
    if not survey.clarified:
        survey.clarified = True
        record_event(session, survey=survey, kind="clarify", actor=Actor.resident(), note=text[:500])
        session.flush()
        return Answered(
            notify.clarify(locale, item=_item(survey, locale), code=survey.code or ""), "survey_clarify", number
        )
    service.note_words(session, survey=survey, text=text, actor=Actor.resident())
    return Answered(notify.passed_on(locale), "survey_words", number)


def _which(asked: list[Survey], code: str | None) -> Survey | None:
    """The survey the reply is about: the one its code (or ticket number) names, else the only one."""
    if code is not None:
        return next((s for s in asked if code in (s.code, s.ticket.number)), None)
    return asked[0] if len(asked) == 1 else None


def _nothing_open(
    session: Session, *, resident: Resident | None, reading: replies.Reading, locale: str
) -> Answered | None:
    """No survey takes answers: a text that reads as one is told why; anything else is not ours."""
    if not reading.answers:
        return None
    last = (
        service.last_closed_survey_of(session, resident_id=resident.id, since=clock.now() - RECENT)
        if resident is not None
        else None
    )
    if last is None:
        return Answered(notify.no_survey(locale), "survey_none")
    number = last.ticket.number
    if last.status == "answered" and last.score is not None:
        return Answered(notify.already_answered(locale, number=number, score=last.score), "survey_repeat", number)
    return Answered(notify.survey_closed(locale, number=number), "survey_closed", number)


def _named_ticket(session: Session, *, resident: Resident, text: str) -> Ticket | None:
    """One of the resident's own tickets that the text names by its number."""
    for number in _TICKET_NUMBER.findall(text):
        ticket = session.scalar(select(Ticket).where(Ticket.number == number, Ticket.resident_id == resident.id))
        if ticket is not None:
            return ticket
    return None


def _complaint_line(
    session: Session, *, resident: Resident, ticket: Ticket, text: str, locale: str, settings: Settings
) -> Answered:
    """A complaint about a ticket the text names ("投诉 2611200001 师傅乱收费"), survey or not."""
    opened = complaints.open_complaint(
        session, resident=resident, text=text, source="sms", actor=Actor.resident(), settings=settings, ticket=ticket
    )
    deadline = _deadline(opened.deadline_at, settings)
    reply = notify.complaint_taken(locale, complaint_id=opened.id, deadline=deadline, rated=True)
    return Answered(reply, "complaint", ticket.number)
