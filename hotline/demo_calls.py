"""The demo's phone calls, so the centre report's calls answered / abandoned and the callback desk
have something true to show.

- History (bulk, like ``hotline.demo_rows``): every phone ticket was opened during an answered
  call from the resident, linked to the ticket; about one caller in eleven had hung up in the
  queue (or rung an operator who did not answer) a little before, and that callback entry was
  closed when they called again.
- Recent (the real code paths of ``hotline.voice.service``): the last two days' phone tickets get
  their call the same way, and a few callers who hung up this morning wait on the callback desk.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import staff
from config.settings import Settings
from config.staff import Actor
from dispatch.models import Resident, Ticket
from hotline.demo_rows import _plain, _returning
from hotline.voice import callerid, service
from hotline.voice.models import Call, CallbackEntry

QUEUE = "hotline"
CALLED_AGAIN = "居民再次来电，已接通"  # the note a closed entry carries (data, in the centre's language)


class Linkedids:
    """Asterisk names a call by its first channel's ``Uniqueid``: epoch seconds and a sequence."""

    def __init__(self) -> None:
        self.sequence = 0

    def __call__(self, at: dt.datetime) -> str:
        self.sequence += 1
        return f"{int(at.timestamp())}.{self.sequence}"


def _row(settings: Settings, resident: Any, started: dt.datetime, linkedid: str, **rest: Any) -> dict[str, Any]:
    caller = callerid.parse(resident.phone, settings)
    return {
        "transport": "ami",
        "external_id": linkedid,
        "direction": "inbound",
        "caller_phone": caller.phone,
        "caller_number": caller.number,
        "caller_withheld": False,
        "caller_name": None,
        "resident_id": resident.id,
        "queue": QUEUE,
        "emergency": False,
        "category_code": None,
        "started_at": started,
        "hold_seconds": None,
        "hangup_cause": 16,
        "hangup_cause_text": "Normal Clearing",
        "recording_url": None,
        **rest,
    }


def write_history(
    session: Session, settings: Settings, specs: Sequence[Any], ticket_ids: Sequence[int], rng: random.Random
) -> int:
    """One answered call per phone ticket of the bulk history, and the calls given up before some
    of them with their (closed) callback entries. Returns how many calls were written."""
    extensions = dict(session.execute(select(staff.Staff.id, staff.Staff.extension)).all())
    linkedid = Linkedids()
    calls: list[dict[str, Any]] = []
    given_up: list[tuple[int, Any, dt.datetime]] = []  # index in calls, resident, when they got through
    for spec, ticket_id in zip(specs, ticket_ids, strict=True):
        if spec.channel != "phone":
            continue
        talk = rng.randint(70, 420)
        ring = rng.randint(3, 18)
        started = spec.created_at - dt.timedelta(seconds=ring + rng.randint(20, talk))  # the ticket is typed mid-call
        answered = started + dt.timedelta(seconds=ring)
        if rng.random() < 0.09:
            before = started - dt.timedelta(minutes=rng.randint(2, 40))
            waited = rng.randint(25, 150)
            missed = rng.random() < 0.25  # rang an operator who did not answer; else gave up in the queue
            given_up.append((len(calls), spec.resident, started))
            calls.append(
                _row(settings, spec.resident, before, linkedid(before),
                     ring_started_at=before + dt.timedelta(seconds=5) if missed else None,
                     outcome="missed" if missed else "abandoned", rung_extensions=[], operator_id=None,
                     operator_extension=None, answered_at=None, ended_at=before + dt.timedelta(seconds=waited),
                     ring_seconds=waited - 5 if missed else None, talk_seconds=None, ticket_id=None)
            )  # fmt: skip
        extension = extensions.get(spec.operator_id)
        calls.append(
            _row(settings, spec.resident, started, linkedid(started), ring_started_at=started, outcome="answered",
                 rung_extensions=[extension] if extension else [], operator_id=spec.operator_id,
                 operator_extension=extension, answered_at=answered, ring_seconds=ring, talk_seconds=talk,
                 ended_at=answered + dt.timedelta(seconds=talk), ticket_id=ticket_id)
        )  # fmt: skip
    ids = _returning(session, Call, calls)
    entries = []
    for index, resident, called_again in given_up:
        row = calls[index]
        entries.append(
            {
                "call_id": ids[index],
                "phone": row["caller_phone"],
                "number": row["caller_number"],
                "resident_id": resident.id,
                "reason": row["outcome"],
                "status": "done",
                "missed_count": 1,
                "created_at": row["ended_at"],
                "last_missed_at": row["started_at"],
                "attempts": 0,
                "last_result": None,
                "last_attempt_at": None,
                "operator_id": None,
                "done_at": called_again,
                "note": CALLED_AGAIN,
            }
        )
    _plain(session, CallbackEntry, entries)
    return len(calls)


def answered_call(session: Session, settings: Settings, *, ticket: Ticket, operator: staff.Staff) -> Call:
    """The call a recent phone ticket was opened in, through the voice service: it rang the
    operator, was answered, the ticket was linked while it lasted, then it ended."""
    created = ticket.created_at
    started = created - dt.timedelta(seconds=40 + ticket.id * 37 % 120)
    call = service.create_call(
        session,
        transport="ami",
        external_id=f"{int(started.timestamp())}.{ticket.id}",
        caller=callerid.parse(ticket.resident.phone, settings),
        started_at=started,
    )
    call.queue, call.ring_started_at = QUEUE, started
    if operator.extension:
        service.set_operator(session, call=call, extension=operator.extension)
        call.rung_extensions = [operator.extension]
    call.answered_at = started + dt.timedelta(seconds=8)
    service.link_call_to_ticket(session, call=call, ticket=ticket, actor=Actor.of_staff(operator))
    service.finish_call(
        session, call=call, ended_at=created + dt.timedelta(seconds=60 + ticket.id * 53 % 240), cause=16
    )
    return call


def waiting_callers(session: Session, settings: Settings, now: dt.datetime, rng: random.Random) -> int:
    """Two callers who hung up in the queue in the last hours and one whose call rang out: open
    entries on the callback desk, made by the voice service as a live hang-up makes them."""
    residents = list(session.scalars(select(Resident).order_by(Resident.id).offset(100).limit(3)))
    made = 0
    for index, resident in enumerate(residents):
        started = now - dt.timedelta(minutes=rng.randint(20, 180))
        call = service.create_call(
            session,
            transport="ami",
            external_id=f"{int(started.timestamp())}.{9000 + index}",
            caller=callerid.parse(resident.phone, settings),
            started_at=started,
        )
        if index < len(residents) - 1:
            call.queue = QUEUE
        else:
            call.ring_started_at = started
        entry = service.finish_call(session, call=call, ended_at=started + dt.timedelta(seconds=rng.randint(30, 140)))
        made += entry is not None
    return made
