"""The public JSON shapes of calls and callback entries (CLI ``--json``). Documented in
docs/json.md; fields are added, never renamed or removed."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from hotline.voice.models import Call, CallbackEntry


class CallOut(BaseModel):
    id: int
    transport: str
    external_id: str
    direction: str
    caller_phone: str | None
    caller_number: str | None
    caller_withheld: bool
    caller_name: str | None
    resident_name: str | None
    queue: str | None
    operator: str | None
    operator_extension: str | None
    rung_extensions: list[str]
    emergency: bool
    category_code: str | None
    started_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    ring_seconds: int | None
    hold_seconds: int | None
    talk_seconds: int | None
    outcome: str
    hangup_cause: int | None
    hangup_cause_text: str | None
    ticket_number: str | None
    recording_url: str | None

    @classmethod
    def of(cls, call: Call) -> CallOut:
        return cls(
            id=call.id,
            transport=call.transport,
            external_id=call.external_id,
            direction=call.direction,
            caller_phone=call.caller_phone,
            caller_number=call.caller_number,
            caller_withheld=call.caller_withheld,
            caller_name=call.caller_name,
            resident_name=call.resident.name if call.resident else None,
            queue=call.queue,
            operator=call.operator.name if call.operator else None,
            operator_extension=call.operator_extension,
            rung_extensions=list(call.rung_extensions or []),
            emergency=call.emergency,
            category_code=call.category_code,
            started_at=call.started_at,
            answered_at=call.answered_at,
            ended_at=call.ended_at,
            ring_seconds=call.ring_seconds,
            hold_seconds=call.hold_seconds,
            talk_seconds=call.talk_seconds,
            outcome=call.outcome,
            hangup_cause=call.hangup_cause,
            hangup_cause_text=call.hangup_cause_text,
            ticket_number=call.ticket.number if call.ticket else None,
            recording_url=call.recording_url,
        )


class CallbackOut(BaseModel):
    id: int
    status: str
    reason: str
    phone: str | None
    number: str
    resident_name: str | None
    call_id: int
    missed_count: int
    created_at: dt.datetime
    last_missed_at: dt.datetime
    attempts: int
    last_result: str | None
    last_attempt_at: dt.datetime | None
    operator: str | None
    done_at: dt.datetime | None
    note: str | None

    @classmethod
    def of(cls, entry: CallbackEntry) -> CallbackOut:
        return cls(
            id=entry.id,
            status=entry.status,
            reason=entry.reason,
            phone=entry.phone,
            number=entry.number,
            resident_name=entry.resident.name if entry.resident else None,
            call_id=entry.call_id,
            missed_count=entry.missed_count,
            created_at=entry.created_at,
            last_missed_at=entry.last_missed_at,
            attempts=entry.attempts,
            last_result=entry.last_result,
            last_attempt_at=entry.last_attempt_at,
            operator=entry.operator.name if entry.operator else None,
            done_at=entry.done_at,
            note=entry.note,
        )
