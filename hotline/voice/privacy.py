"""Calls' part of a resident's personal data (see ``config.privacy``): numbers, caller names and
recordings' links go; the calls (times, queue, outcome, operator) stay countable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from config.privacy import ERASED, Holder, Person, changed
from hotline.voice.models import Call, CallbackEntry

_CALL_BLANK = {"caller_phone": None, "caller_number": None, "caller_name": None, "recording_url": None}


def _of(person: Person) -> Any:
    mine = Call.caller_phone == person.phone
    return or_(mine, Call.resident_id == person.resident_id) if person.resident_id is not None else mine


def export(session: Session, person: Person) -> list[dict[str, Any]]:
    return [
        {
            "started_at": c.started_at.isoformat(),
            "direction": c.direction,
            "outcome": c.outcome,
            "caller_name": c.caller_name,
            "recording_url": c.recording_url,
            "ticket_number": c.ticket.number if c.ticket else None,
        }
        for c in session.scalars(select(Call).where(_of(person)).order_by(Call.id))
    ]


def erase(session: Session, person: Person) -> int:
    calls = changed(session, update(Call).where(_of(person)).values(**_CALL_BLANK))
    entries = changed(
        session,
        update(CallbackEntry)
        .where(CallbackEntry.phone == person.phone)
        .values(phone=None, number=ERASED, note=None, status="done"),
    )
    return calls + entries


def expire(session: Session, before: dt.datetime) -> int:
    calls = changed(
        session,
        update(Call)
        .where(Call.started_at < before, or_(Call.caller_number.is_not(None), Call.recording_url.is_not(None)))
        .values(**_CALL_BLANK),
    )
    entries = changed(
        session,
        update(CallbackEntry)
        .where(CallbackEntry.last_missed_at < before, CallbackEntry.number != ERASED)
        .values(phone=None, number=ERASED, note=None, status="done"),
    )
    return calls + entries


HOLDER = Holder(name="calls", export=export, erase=erase, expire=expire)
