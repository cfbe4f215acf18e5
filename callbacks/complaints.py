"""Complaints: from a low score or complaint words in a survey, from a text to the complaint line,
or recorded by an operator. Each has an owner (a supervisor), a deadline in working days (the
centre's opening days that are not public holidays), a reply to the resident and an outcome.
An upheld complaint is a ``complaint`` fact in the provider's ledger; the resident is texted the
outcome; a complaint past its deadline is escalated once (an event and a text to the duty
supervisor). Keyword-only, flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks import notify, timing
from callbacks.audit import record_event
from callbacks.models import Complaint, Survey
from callbacks.states import COMPLAINT_SOURCES, OUTCOMES
from config import clock, phones, staff
from config.errors import Conflict, InvalidInput, NotFound
from config.settings import Settings
from config.staff import Actor, Staff
from dispatch import service as dispatch_service
from dispatch.models import Resident, Ticket
from providers import ledger

MAX_TEXT = 2000


def owner_for(session: Session, settings: Settings) -> Staff | None:
    """``complaint_owner`` (a name or an extension), else the first active supervisor."""
    named = settings.callbacks.complaint_owner.strip()
    if named:
        member = staff.get_by_extension(session, extension=named) if named.isdigit() else None
        return member or staff.get_by_name(session, name=named)
    query = select(Staff).where(Staff.role == "supervisor", Staff.active.is_(True)).order_by(Staff.id).limit(1)
    return session.scalar(query)


def open_complaint(
    session: Session,
    *,
    resident: Resident,
    text: str,
    source: str,
    actor: Actor,
    settings: Settings,
    ticket: Ticket | None = None,
    survey: Survey | None = None,
) -> Complaint:
    """Register a complaint (or return the one this survey already opened)."""
    if source not in COMPLAINT_SOURCES:
        raise InvalidInput(f"unknown complaint source {source!r} (one of {', '.join(COMPLAINT_SOURCES)})")
    text = text.strip()
    if not text:
        raise InvalidInput("a complaint needs the resident's words: what went wrong")
    if survey is not None:
        existing = session.scalar(select(Complaint).where(Complaint.survey_id == survey.id))
        if existing is not None:
            return existing
    now = clock.now()
    owner = owner_for(session, settings)
    complaint = Complaint(
        resident=resident,
        ticket=ticket,
        provider_id=(survey.provider_id if survey is not None else None) or (ticket.provider_id if ticket else None),
        survey_id=survey.id if survey is not None else None,
        source=source,
        text=text[:MAX_TEXT],
        status="open",
        owner=owner,
        deadline_at=timing.working_deadline(now, settings.callbacks.complaint_days, settings),
        created_at=now,
    )
    session.add(complaint)
    session.flush()
    record_event(
        session,
        complaint=complaint,
        kind="status",
        actor=actor,
        to_status="open",
        note=complaint.text,
        data={"source": source, "owner": owner.id if owner else None, "deadline_at": complaint.deadline_at.isoformat()},
    )
    if ticket is not None:
        dispatch_service.note_complaint(
            session, ticket=ticket, complaint_id=complaint.id, text=complaint.text[:200], actor=actor
        )
    session.flush()
    return complaint


def get_complaint(session: Session, *, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"no complaint with id {complaint_id} (see: hotline complaints list)")
    return complaint


def list_complaints(session: Session, *, statuses: Sequence[str] = (), limit: int | None = 200) -> list[Complaint]:
    query = select(Complaint).order_by(Complaint.deadline_at, Complaint.id)
    if statuses:
        query = query.where(Complaint.status.in_(statuses))
    return list(session.scalars(query.limit(limit) if limit else query))


def decide(
    session: Session, *, complaint: Complaint, outcome: str, reply: str, actor: Actor, settings: Settings
) -> Complaint:
    """Record the outcome and the reply; an upheld complaint goes to the provider's ledger; the
    resident is texted (quiet hours respected) when the phone takes texts and they did not opt out."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r} (one of {', '.join(OUTCOMES)})")
    reply = reply.strip()
    if not reply:
        raise InvalidInput("a decision needs a note: the reply the resident is told")
    if complaint.status != "open":
        raise Conflict(f"complaint {complaint.id} was already decided: {complaint.outcome}")
    now = clock.now()
    complaint.status, complaint.outcome, complaint.reply = "decided", outcome, reply[:MAX_TEXT]
    complaint.decided_at, complaint.decided_by = now, actor.ref
    ticket_ref = f"ticket:{complaint.ticket.number}" if complaint.ticket is not None else f"complaint:{complaint.id}"
    if outcome == "upheld" and complaint.provider is not None:
        ledger.record(
            session, provider=complaint.provider, kind="complaint", at=now, ticket_ref=ticket_ref, note=complaint.text
        )
    record_event(
        session,
        complaint=complaint,
        kind="status",
        actor=actor,
        from_status="open",
        to_status="decided",
        note=reply,
        data={"outcome": outcome, "late": now > complaint.deadline_at},
    )
    if complaint.ticket is not None:
        dispatch_service.note_complaint(
            session, ticket=complaint.ticket, complaint_id=complaint.id, outcome=outcome, actor=actor
        )
    resident = complaint.resident
    if not resident.sms_opt_out and phones.is_mobile(resident.phone):
        body = notify.outcome(settings, resident.language, complaint_id=complaint.id, outcome=outcome, reply=reply)
        notify.text(
            session,
            to=resident.phone,
            body=body,
            purpose="complaint_outcome",
            subject=f"ticket:{complaint.ticket.number}" if complaint.ticket else None,
            key=f"complaint:{complaint.id}:decided",
            quiet=True,
        )
        complaint.told_at = now
    session.flush()
    return complaint


def escalate_overdue(session: Session, *, settings: Settings, limit: int = 200) -> int:
    """Open complaints past their deadline are escalated once: an event, and a text to the duty
    supervisor when a phone is configured. Returns how many were escalated."""
    now = clock.now()
    query = (
        select(Complaint)
        .where(Complaint.status == "open", Complaint.deadline_at <= now, Complaint.escalated_at.is_(None))
        .order_by(Complaint.deadline_at, Complaint.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True, of=Complaint)
    rows = list(session.scalars(query))
    phone = settings.dispatch.duty_supervisor_phone
    for complaint in rows:
        complaint.escalated_at = now
        record_event(
            session,
            complaint=complaint,
            kind="escalated",
            actor=Actor.system(),
            note="past its deadline without a decision",
            data={"deadline_at": complaint.deadline_at.isoformat()},
        )
        if phone:
            owner = complaint.owner.name if complaint.owner else "-"
            notify.text(
                session,
                to=phone,
                body=notify.overdue(settings, complaint_id=complaint.id, deadline=complaint.deadline_at, owner=owner),
                purpose="duty_alert",
                subject=f"complaint:{complaint.id}",
                key=f"complaint:{complaint.id}:overdue",
                quiet=False,
            )
    session.flush()
    return len(rows)


def overdue(complaint: Complaint, at: dt.datetime | None = None) -> bool:
    return complaint.status == "open" and (at or clock.now()) >= complaint.deadline_at
