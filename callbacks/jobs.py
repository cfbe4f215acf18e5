"""Callbacks' sweepers, run by the scheduler (``hotline serve``) or once by name
(``hotline jobs run callbacks.surveys [--at ISO-8601]``):

- ``callbacks.surveys``: schedule a survey for each newly completed ticket, ask the due ones (a
  text, or an automated call), close unanswered texts, tell residents how their closed tickets
  ended;
- ``callbacks.complaints``: escalate complaints past their deadline.

Rows are claimed in batches with a lease; each batch of texts is one transaction and each call
its own, so one bad row costs only its batch, and a pass after an outage catches up.
"""

from __future__ import annotations

import datetime as dt
import logging

from callbacks import calls, complaints, results, service, sweep
from callbacks.audit import record_event
from callbacks.calls import CallError, CallPlacer
from callbacks.models import Survey
from callbacks.states import DUE
from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor

log = logging.getLogger("hotline.callbacks")
SURVEYS_JOB = "callbacks.surveys"
COMPLAINTS_JOB = "callbacks.complaints"
BATCH = 500
RETRY_PLACING = dt.timedelta(minutes=5)


def sweep_surveys(db: Database, settings: Settings, *, placer: CallPlacer | None = None, batch: int = BATCH) -> int:
    """One pass; returns how many rows it handled."""
    handled = 0
    while True:
        with db.transaction() as session:
            looked_at = sweep.schedule_completed(session, settings=settings, limit=batch)
        handled += looked_at
        if looked_at < batch:
            break
    handled += send_due(db, settings, placer=placer, batch=batch)
    with db.transaction() as session:
        handled += sweep.expire_unanswered(session)
    handled += results.tell_closed(db, settings)
    return handled


def send_due(db: Database, settings: Settings, *, placer: CallPlacer | None = None, batch: int = BATCH) -> int:
    handled = 0
    while True:
        token, ids = sweep.claim_due(db, limit=batch)
        if not ids:
            return handled
        handled += send_claimed(db, settings, token=token, ids=ids, placer=placer)
        if len(ids) < batch:
            return handled


def send_claimed(
    db: Database, settings: Settings, *, token: str, ids: list[int], placer: CallPlacer | None = None
) -> int:
    """Ask what this pass claimed: the texts in one transaction, then each call."""
    with db.transaction() as session:
        handled = sweep.ask_by_text(session, token=token, ids=ids, settings=settings)
    with db.read() as session:
        rows = sweep.claimed(session, token=token, ids=ids, channel="voice")
    for row in rows:
        try:
            _call(db, settings, row, token=token, placer=placer)
        except Exception:
            log.exception("callbacks: calling survey %s failed", row.id)
        handled += 1
    return handled


def _call(db: Database, settings: Settings, row, *, token: str, placer: CallPlacer | None) -> None:  # type: ignore[no-untyped-def]
    stop = ("opted_out", "opted_out") if row.call_opt_out else sweep.obstacle(row)
    if stop is not None or placer is None:
        with db.transaction() as session:
            survey = session.get(Survey, row.id)
            if survey is None or survey.claim != token:
                return
            if stop is not None:
                service.move_survey(session, survey=survey, to=stop[0], actor=Actor.system(), reason=stop[1])
            else:  # Twilio is no longer configured: a person calls instead
                survey.channel, survey.lease_until, survey.claim = "desk", None, None
                record_event(session, survey=survey, kind="channel", actor=Actor.system(), note="voice_unavailable")
        return
    ask_url, status_url = calls.urls(settings, row.id)
    try:
        call_sid = placer.place(to=row.phone, url=ask_url, status_callback=status_url)
    except CallError as exc:
        with db.transaction() as session:
            survey = session.get(Survey, row.id)
            if survey is None or survey.claim != token:
                return
            if exc.retryable:
                survey.due_at, survey.lease_until, survey.claim = clock.now() + RETRY_PLACING, None, None
                record_event(session, survey=survey, kind="call", actor=Actor.system(), note=str(exc)[:200])
            else:
                service.record_no_answer(
                    session, survey=survey, actor=Actor.system(), settings=settings, result="failed"
                )
        return
    with db.transaction() as session:
        survey = session.get(Survey, row.id)
        if survey is None or survey.status not in DUE:
            return
        service.mark_asked(survey, survey.ticket, at=clock.now(), settings=settings)
        survey.call_sid = call_sid
        service.move_survey(session, survey=survey, to="sent", actor=Actor.system(), data={"call_sid": call_sid})


def sweep_complaints(db: Database, settings: Settings) -> int:
    with db.transaction() as session:
        return complaints.escalate_overdue(session, settings=settings)
