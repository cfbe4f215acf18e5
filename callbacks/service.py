"""Data access for surveys and their state changes. Keyword-only, flushes, never commits.

An answer is recorded the moment it arrives, in the same transaction as the reply that thanks
the resident: the survey's score, the ticket's step to ``surveyed``, the provider's ledger fact
(``survey_score``, once per ticket) and, for a low score or complaint words, a complaint."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks import complaints, timing
from callbacks.audit import record_event
from callbacks.models import CallbackEvent, Complaint, Survey
from callbacks.states import ASKED, DUE, OPEN, SURVEY_CHANNELS, check_survey_step
from config import clock
from config.errors import Conflict, InvalidInput, NotFound
from config.settings import Settings
from config.staff import Actor, Staff
from dispatch import service as dispatch_service
from dispatch.models import Resident, Ticket
from providers import ledger

MAX_COMMENT = 500


def move_survey(
    session: Session,
    *,
    survey: Survey,
    to: str,
    actor: Actor,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    check_survey_step(survey.status, to, survey_id=survey.id)
    before = survey.status
    survey.status = to
    survey.lease_until = survey.claim = None
    if reason is not None:
        survey.reason = reason
    record_event(
        session, survey=survey, kind="status", actor=actor, from_status=before, to_status=to, note=reason, data=data
    )
    session.flush()


# --- reading ---------------------------------------------------------------------------------


def get_survey(session: Session, *, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"no survey with id {survey_id} (see: hotline surveys list)")
    return survey


def asked_surveys_of(session: Session, *, resident_id: int) -> list[Survey]:
    """The resident's surveys that take answers, newest first."""
    query = select(Survey).where(Survey.resident_id == resident_id, Survey.status.in_(ASKED))
    return list(session.scalars(query.order_by(Survey.sent_at.desc(), Survey.id.desc())))


def last_closed_survey_of(session: Session, *, resident_id: int, since: dt.datetime) -> Survey | None:
    """The resident's latest survey that was answered or closed since ``since``."""
    query = select(Survey).where(
        Survey.resident_id == resident_id,
        Survey.status.not_in(OPEN),
        Survey.sent_at.is_not(None),
        Survey.sent_at >= since,
    )
    return session.scalar(query.order_by(Survey.sent_at.desc(), Survey.id.desc()).limit(1))


def list_surveys(
    session: Session,
    *,
    ticket_number: str | None = None,
    statuses: Sequence[str] = (),
    channels: Sequence[str] = (),
    limit: int | None = 200,
) -> list[Survey]:
    query = select(Survey).order_by(Survey.due_at.desc(), Survey.id.desc())
    if ticket_number:
        query = query.where(Survey.ticket_id == dispatch_service.get_ticket(session, number=ticket_number).id)
    if statuses:
        query = query.where(Survey.status.in_(statuses))
    if channels:
        query = query.where(Survey.channel.in_(channels))
    return list(session.scalars(query.limit(limit) if limit else query))


def desk_list(session: Session, *, at: dt.datetime | None = None, limit: int = 200) -> list[Survey]:
    """Phone surveys an operator should make now: the desk's, due, oldest first."""
    query = (
        select(Survey)
        .where(Survey.channel == "desk", Survey.status.in_(DUE), Survey.due_at <= (at or clock.now()))
        .order_by(Survey.due_at, Survey.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def survey_events(session: Session, *, survey_id: int) -> list[CallbackEvent]:
    query = select(CallbackEvent).where(CallbackEvent.survey_id == survey_id).order_by(CallbackEvent.id)
    return list(session.scalars(query))


# --- state changes ---------------------------------------------------------------------------


def mark_asked(survey: Survey, ticket: Ticket, *, at: dt.datetime, settings: Settings) -> None:
    """The first time a survey is put to the resident: who did the work and who took the request
    are stored now (a later reassignment cannot take the answer away from them)."""
    survey.attempts += 1
    if survey.sent_at is None:
        survey.sent_at = at
        survey.provider_id, survey.operator_id = ticket.provider_id, ticket.operator_id
    if survey.channel == "sms":
        survey.expires_at = at + dt.timedelta(hours=settings.callbacks.answer_hours)


def record_answer(
    session: Session,
    *,
    survey: Survey,
    score: int,
    comment: str,
    actor: Actor,
    settings: Settings,
    complaint: bool = False,
    source: str = "survey",
) -> Complaint | None:
    """The first valid answer: score and comment, the ticket to ``surveyed``, the ledger fact,
    and a complaint for a low score or complaint words. Returns the complaint, if one opened."""
    if not 1 <= score <= 5:
        raise InvalidInput(f"a survey score is a whole number from 1 to 5, got {score}")
    if survey.status not in OPEN:
        raise Conflict(f"survey {survey.id} is {survey.status}: it takes no answer")
    now = clock.now()
    ticket = survey.ticket
    if survey.channel == "desk" or survey.status == "scheduled":  # an operator's call is an attempt
        mark_asked(survey, ticket, at=now, settings=settings)
    comment = comment.strip()[:MAX_COMMENT]
    survey.score, survey.comment, survey.answered_at = score, comment or None, now
    move_survey(session, survey=survey, to="answered", actor=actor, data={"score": score, "channel": survey.channel})
    if ticket.status == "completed" and ticket.completed_at == survey.completed_at:
        step = dispatch_service.move_ticket(session, ticket=ticket, to="surveyed", actor=actor, note=comment or None)
        step.data = {"survey": survey.id, "score": score, "channel": survey.channel}
    provider = survey.provider
    if provider is not None:
        ledger.record(
            session,
            provider=provider,
            kind="survey_score",
            at=now,
            ticket_ref=f"ticket:{ticket.number}",
            value=float(score),
            note=comment or None,
        )
    if complaint or score <= settings.callbacks.low_score:
        return complaints.open_complaint(
            session,
            resident=survey.resident,
            text=comment or f"score {score}",
            source=source,
            actor=actor,
            settings=settings,
            ticket=ticket,
            survey=survey,
        )
    return None


def record_no_answer(session: Session, *, survey: Survey, actor: Actor, settings: Settings, result: str) -> str:
    """A call was not answered (``result``: no_answer, busy, failed ...): asked again at the next
    attempt time, or closed as ``expired`` after the last attempt. Returns the new status."""
    if survey.status not in OPEN:
        raise Conflict(f"survey {survey.id} is {survey.status}: there is nothing to ask again")
    now = clock.now()
    if survey.channel == "desk" or survey.status == "scheduled":  # the call was the operator's
        mark_asked(survey, survey.ticket, at=now, settings=settings)
    survey.reason = result[:40]
    retry = timing.retry_due(now, attempt=survey.attempts, settings=settings)
    if retry is None:
        move_survey(
            session, survey=survey, to="expired", actor=actor, reason="no_answer", data={"attempts": survey.attempts}
        )
        return "expired"
    if survey.status != "no_answer":
        move_survey(session, survey=survey, to="no_answer", actor=actor, reason=result[:40])
    else:
        record_event(session, survey=survey, kind="call", actor=actor, note=result, data={"attempt": survey.attempts})
    survey.due_at = retry
    session.flush()
    return "no_answer"


def start_desk_call(session: Session, *, survey: Survey, operator: Staff, action_id: str) -> None:
    """An operator rings the resident from the survey call list (the answer is recorded after)."""
    if survey.status not in OPEN:
        raise Conflict(f"survey {survey.id} is {survey.status}: there is nothing to ask")
    record_event(
        session,
        survey=survey,
        kind="call",
        actor=Actor.of_staff(operator),
        data={"action_id": action_id, "extension": operator.extension},
    )
    session.flush()


def close_open_surveys(session: Session, *, resident: Resident, to: str, actor: Actor, reason: str) -> int:
    """``opted_out`` (STOP) or ``expired`` every open survey of the resident."""
    rows = list(session.scalars(select(Survey).where(Survey.resident_id == resident.id, Survey.status.in_(OPEN))))
    for survey in rows:
        move_survey(session, survey=survey, to=to, actor=actor, reason=reason)
    return len(rows)


def note_words(session: Session, *, survey: Survey, text: str, actor: Actor) -> None:
    """Words that answer nothing, kept on the survey for the operators."""
    record_event(session, survey=survey, kind="words", actor=actor, note=text[:MAX_COMMENT])
    session.flush()


# --- figures ---------------------------------------------------------------------------------


@dataclass
class ChannelFigures:
    channel: str
    sent: int
    answered: int
    response_rate: float | None
    median_minutes_to_answer: float | None


def figures(
    session: Session, *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[ChannelFigures]:
    """Per channel, surveys put to residents in [since, until): how many, how many answered, the
    response rate and the median time from asking to the answer."""
    query = select(Survey.channel, Survey.status, Survey.sent_at, Survey.answered_at).where(Survey.sent_at.is_not(None))
    if since is not None:
        query = query.where(Survey.sent_at >= since)
    if until is not None:
        query = query.where(Survey.sent_at < until)
    sent = {channel: 0 for channel in SURVEY_CHANNELS}
    waits: dict[str, list[float]] = {channel: [] for channel in SURVEY_CHANNELS}
    for channel, status, sent_at, answered_at in session.execute(query):
        sent[channel] += 1
        if status == "answered" and answered_at is not None and sent_at is not None:
            waits[channel].append((answered_at - sent_at).total_seconds() / 60)
    return [
        ChannelFigures(
            channel=channel,
            sent=sent[channel],
            answered=len(waits[channel]),
            response_rate=round(len(waits[channel]) / sent[channel], 3) if sent[channel] else None,
            median_minutes_to_answer=round(statistics.median(waits[channel]), 1) if waits[channel] else None,
        )
        for channel in SURVEY_CHANNELS
    ]
