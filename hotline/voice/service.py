"""Data access for calls and the callback list. Keyword-only, flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import clock, phones
from config.errors import Conflict, InvalidInput, NotFound
from config.settings import Settings
from config.staff import Actor, Staff, get_by_extension
from dispatch import residents
from dispatch import service as dispatch_service
from dispatch.models import Ticket
from hotline.voice.callerid import CallerId
from hotline.voice.models import OUTCOMES, Call, CallbackAttempt, CallbackEntry

RECENT_CONTACTS = 5


# --- calls -----------------------------------------------------------------------------------


def get_call(session: Session, *, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(f"no call with id {call_id} (see: hotline calls list)")
    return call


def get_call_by_external_id(session: Session, *, transport: str, external_id: str) -> Call | None:
    return session.scalar(select(Call).where(Call.transport == transport, Call.external_id == external_id))


def create_call(
    session: Session,
    *,
    transport: str,
    external_id: str,
    caller: CallerId,
    started_at: dt.datetime,
    caller_name: str | None = None,
    direction: str = "inbound",
) -> Call:
    resident = residents.get_resident_by_phone(session, phone=caller.phone) if caller.phone else None
    call = Call(
        transport=transport,
        external_id=external_id,
        direction=direction,
        caller_phone=caller.phone,
        caller_number=caller.number,
        caller_withheld=caller.withheld,
        caller_name=(caller_name or None) and caller_name[:80],
        resident=resident,
        started_at=started_at,
        rung_extensions=[],
        outcome="in_progress",
    )
    session.add(call)
    session.flush()
    return call


def set_caller(session: Session, *, call: Call, caller: CallerId, name: str | None) -> None:
    """A caller ID learnt after the channel was created (``NewCallerid``); first one wins."""
    if call.caller_phone or call.caller_number or caller.withheld:
        return
    call.caller_phone, call.caller_number, call.caller_withheld = caller.phone, caller.number, False
    if name and not call.caller_name:
        call.caller_name = name[:80]
    if caller.phone and call.resident_id is None:
        call.resident = residents.get_resident_by_phone(session, phone=caller.phone)
    session.flush()


def set_operator(session: Session, *, call: Call, extension: str) -> None:
    if call.operator_extension:
        return
    call.operator_extension = extension
    call.operator = get_by_extension(session, extension=extension)
    session.flush()


def seconds_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds()))


def finish_call(
    session: Session,
    *,
    call: Call,
    ended_at: dt.datetime,
    cause: int | None = None,
    cause_text: str | None = None,
    outcome: str | None = None,
) -> CallbackEntry | None:
    """Close a call once: its outcome, its durations, and a callback entry if the caller was
    missed or gave up in the queue. Returns the entry (new or bumped) or None."""
    if call.ended_at is not None:
        return None
    call.ended_at = ended_at
    call.hangup_cause = cause
    call.hangup_cause_text = (cause_text or None) and cause_text[:80]
    if outcome is None:
        if call.answered_at is not None:
            outcome = "answered"
        elif call.queue:
            outcome = "abandoned"
        else:
            outcome = "missed"
    if outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r}")
    call.outcome = outcome
    if call.answered_at is not None:
        if call.talk_seconds is None:
            call.talk_seconds = seconds_between(call.answered_at, ended_at)
        if call.ring_seconds is None:
            call.ring_seconds = seconds_between(call.ring_started_at, call.answered_at)
    elif call.ring_started_at is not None and call.ring_seconds is None:
        call.ring_seconds = seconds_between(call.ring_started_at, ended_at)
    session.flush()
    if outcome in ("missed", "abandoned") and call.direction == "inbound":
        return add_to_callback_list(session, call=call, reason=outcome)
    return None


def list_calls(
    session: Session, *, outcomes: Sequence[str] = (), phone: str | None = None, limit: int | None = 200
) -> list[Call]:
    query = select(Call).order_by(Call.started_at.desc(), Call.id.desc())
    if outcomes:
        query = query.where(Call.outcome.in_(outcomes))
    if phone:
        query = query.where(Call.caller_phone == phone)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def live_call_of_operator(session: Session, *, extension: str) -> Call | None:
    return session.scalar(
        select(Call)
        .where(Call.operator_extension == extension, Call.ended_at.is_(None), Call.answered_at.is_not(None))
        .order_by(Call.started_at.desc())
        .limit(1)
    )


def link_call_to_ticket(session: Session, *, call: Call, ticket: Ticket, actor: Actor) -> bool:
    """Record that ``ticket`` was created or worked during ``call``. Returns False when it
    already was; a call belongs to one ticket."""
    if call.ticket_id == ticket.id:
        return False
    if call.ticket_id is not None:
        raise Conflict(f"call {call.id} is already linked to ticket {call.ticket.number if call.ticket else '?'}")
    call.ticket = ticket
    if call.resident_id is None and call.caller_phone == ticket.resident.phone:
        call.resident_id = ticket.resident_id
    dispatch_service.note_call(session, ticket=ticket, call_id=call.id, actor=actor)
    return True


def link_live_call(session: Session, *, operator: Staff, ticket: Ticket) -> Call | None:
    """The simple rule: a ticket an operator opens while on an answered, live call belongs to it."""
    if not operator.extension:
        return None
    call = live_call_of_operator(session, extension=operator.extension)
    if call is None or call.ticket_id is not None:
        return None
    link_call_to_ticket(session, call=call, ticket=ticket, actor=Actor.of_staff(operator))
    return call


# --- callback list ---------------------------------------------------------------------------


def add_to_callback_list(session: Session, *, call: Call, reason: str) -> CallbackEntry | None:
    """One open entry per number: a second missed call bumps it. Withheld callers cannot be
    rung back and are only logged."""
    if not call.caller_number:
        return None
    existing = session.scalar(
        select(CallbackEntry).where(CallbackEntry.number == call.caller_number, CallbackEntry.status == "open")
    )
    if existing is not None:
        if existing.call_id != call.id:
            existing.missed_count += 1
            existing.last_missed_at = call.started_at
        session.flush()
        return existing
    entry = CallbackEntry(
        call=call,
        phone=call.caller_phone,
        number=call.caller_number,
        resident_id=call.resident_id,
        reason=reason,
        status="open",
        missed_count=1,
        created_at=clock.now(),
        last_missed_at=call.started_at,
    )
    session.add(entry)
    session.flush()
    return entry


def get_callback(session: Session, *, entry_id: int) -> CallbackEntry:
    entry = session.get(CallbackEntry, entry_id)
    if entry is None:
        raise NotFound(f"no callback entry {entry_id} (see: hotline callbacks-desk list)")
    return entry


def list_callbacks(
    session: Session, *, statuses: Sequence[str] = ("open",), limit: int | None = 500
) -> list[CallbackEntry]:
    query = select(CallbackEntry).order_by(CallbackEntry.created_at, CallbackEntry.id)
    if statuses:
        query = query.where(CallbackEntry.status.in_(statuses))
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def start_attempt(session: Session, *, entry: CallbackEntry, operator: Staff, action_id: str) -> CallbackAttempt:
    if entry.status != "open":
        raise Conflict(f"callback {entry.id} is {entry.status}")
    if not operator.extension:
        raise InvalidInput(f"{operator.name} has no extension to ring")
    attempt = CallbackAttempt(
        entry=entry,
        action_id=action_id,
        operator_id=operator.id,
        operator_extension=operator.extension,
        started_at=clock.now(),
    )
    session.add(attempt)
    entry.attempts += 1
    entry.last_attempt_at = attempt.started_at
    entry.operator_id = operator.id
    session.flush()
    return attempt


# AMI OriginateResponse ``Reason`` codes (Asterisk's AST_CONTROL_* values).
ORIGINATE_REASONS = {0: "failed", 1: "hung_up", 3: "no_answer", 4: "answered", 5: "busy", 8: "congested"}


def record_originate_result(
    session: Session, *, action_id: str, response: str, reason: int | None, channel: str | None, uniqueid: str | None
) -> CallbackAttempt | None:
    """What Asterisk said about a click-to-call (once; a repeat changes nothing)."""
    attempt = session.scalar(select(CallbackAttempt).where(CallbackAttempt.action_id == action_id))
    if attempt is None or attempt.finished_at is not None:
        return attempt
    if response.lower() == "success" and reason in (None, 4):
        result = "answered"
    else:
        result = ORIGINATE_REASONS.get(reason if reason is not None else 0, "failed")
    attempt.result, attempt.reason_code = result, reason
    attempt.channel, attempt.uniqueid = channel, uniqueid
    attempt.finished_at = clock.now()
    attempt.entry.last_result = result
    session.flush()
    return attempt


def fail_attempt(session: Session, *, action_id: str, result: str) -> None:
    attempt = session.scalar(select(CallbackAttempt).where(CallbackAttempt.action_id == action_id))
    if attempt is None or attempt.finished_at is not None:
        return
    attempt.result = result
    attempt.finished_at = clock.now()
    attempt.entry.last_result = result
    session.flush()


def close_callback(session: Session, *, entry: CallbackEntry, operator: Staff | None, note: str | None) -> None:
    if entry.status == "done":
        raise Conflict(f"callback {entry.id} is already done")
    entry.status = "done"
    entry.done_at = clock.now()
    entry.note = (note or "").strip() or None
    if operator is not None:
        entry.operator_id = operator.id
    session.flush()


# --- screen pop ------------------------------------------------------------------------------


def screen_pop(session: Session, *, call: Call, extension: str, settings: Settings) -> dict[str, Any]:
    """What the operator at ``extension`` sees while the call rings: who is calling (or "new
    caller"), their open tickets, their last contacts."""
    resident = call.resident
    # in demo mode the stream has no login in front of it: numbers are masked
    shown: Callable[[str], str] = phones.masked if settings.demo else str
    payload: dict[str, Any] = {
        "kind": "screen_pop",
        "call_id": call.id,
        "extension": extension,
        "caller": shown(call.caller_phone) if call.caller_phone else call.caller_number,
        "caller_withheld": call.caller_withheld,
        "queue": call.queue,
        "emergency": call.emergency,
        "new_caller": resident is None,
        "resident": None,
        "open_tickets": [],
        "last_contacts": [],
    }
    if resident is not None:
        payload["resident"] = {
            "name": resident.name,
            "phone": shown(resident.phone),
            "masked_phone": phones.masked(resident.phone),
            "community": resident.community.name(settings.locale) if resident.community else None,
            "address": resident.address,
            "language": resident.language,
            "tags": resident.tags,
        }
        payload["open_tickets"] = [
            {
                "number": t.number,
                "status": t.status,
                "item_code": t.item.code if t.item else None,
                "description": t.description,
                "created_at": t.created_at.isoformat(),
            }
            for t in dispatch_service.open_tickets_of(session, resident=resident)
        ]
    if call.caller_phone:
        earlier = session.scalars(
            select(Call)
            .where(Call.caller_phone == call.caller_phone, Call.id != call.id)
            .order_by(Call.started_at.desc())
            .limit(RECENT_CONTACTS)
        )
        payload["last_contacts"] = [
            {
                "call_id": c.id,
                "started_at": c.started_at.isoformat(),
                "outcome": c.outcome,
                "operator": c.operator.name if c.operator else None,
                "ticket_number": c.ticket.number if c.ticket else None,
            }
            for c in earlier
        ]
    return payload
