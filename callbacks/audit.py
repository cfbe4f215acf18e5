"""The audit trail of surveys and complaints: every change is a ``callback_events`` row (who,
when, from, to, note, data) written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from callbacks.models import CallbackEvent, Complaint, Survey
from config import clock
from config.staff import Actor


def record_event(
    session: Session,
    *,
    kind: str,
    actor: Actor,
    survey: Survey | None = None,
    complaint: Complaint | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> CallbackEvent:
    event = CallbackEvent(
        survey_id=survey.id if survey is not None else None,
        complaint_id=complaint.id if complaint is not None else None,
        at=clock.now(),
        kind=kind,
        actor=actor.ref,
        staff_id=actor.staff_id,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )
    session.add(event)
    return event
