"""Surveys' and complaints' part of a resident's personal data (see ``config.privacy``).

Erasing a resident closes their open surveys (``expired``, reason ``erased``: none is asked again)
and removes the words they wrote (survey comments, complaint texts); scores, outcomes and times
stay, so satisfaction and complaint figures remain countable. The retention job removes the words
of answered surveys and decided complaints older than the retention period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callbacks import service
from callbacks.models import Complaint, Survey
from config.privacy import ERASED, Holder, Person, changed
from config.staff import Actor
from dispatch.models import Resident


def export(session: Session, person: Person) -> list[dict[str, Any]]:
    if person.resident_id is None:
        return []
    surveys = session.scalars(select(Survey).where(Survey.resident_id == person.resident_id).order_by(Survey.id))
    complaints = session.scalars(
        select(Complaint).where(Complaint.resident_id == person.resident_id).order_by(Complaint.id)
    )
    return [
        {
            "survey": {
                "ticket_number": s.ticket.number,
                "channel": s.channel,
                "status": s.status,
                "score": s.score,
                "comment": s.comment,
                "answered_at": s.answered_at.isoformat() if s.answered_at else None,
            }
        }
        for s in surveys
    ] + [
        {"complaint": {"text": c.text, "status": c.status, "outcome": c.outcome, "reply": c.reply}}
        for c in complaints
    ]


def erase(session: Session, person: Person) -> int:
    if person.resident_id is None:
        return 0
    resident = session.get(Resident, person.resident_id)
    closed = 0
    if resident is not None:
        closed = service.close_open_surveys(
            session, resident=resident, to="expired", actor=Actor.system(), reason="erased"
        )
    words = changed(
        session,
        update(Survey)
        .where(Survey.resident_id == person.resident_id, Survey.comment.is_not(None))
        .values(comment=ERASED),
    ) + changed(
        session,
        update(Complaint).where(Complaint.resident_id == person.resident_id).values(text=ERASED),
    )
    return closed + words


def expire(session: Session, before: dt.datetime) -> int:
    return changed(
        session,
        update(Survey)
        .where(Survey.answered_at < before, Survey.comment.is_not(None), Survey.comment != ERASED)
        .values(comment=ERASED),
    ) + changed(
        session,
        update(Complaint)
        .where(Complaint.decided_at < before, Complaint.text != ERASED)
        .values(text=ERASED),
    )


HOLDER = Holder(name="surveys", export=export, erase=erase, expire=expire)
