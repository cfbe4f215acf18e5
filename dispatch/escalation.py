"""Escalation and the SLA watch.

A ticket is escalated at most once per level (``dispatcher``: offers ran out or could not be made;
``supervisor``: the response time was breached), so a sweeper that runs every minute raises each
alarm once. Escalating records an event, texts the duty dispatcher or supervisor when a phone is
configured, and tells the resident (once) that finding a provider takes longer. An acceptance
clears the flag (``dispatch.offers.accept``).

The SLA clock is the item's response time (``due_at``): past ``at_risk_share`` of it without an
accepted offer a ticket is *at risk*, past ``due_at`` *breached*. ``sla_state`` computes the state
the same way everywhere (CLI, JSON, console); ``watch`` records the marks once each.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import clock
from config.errors import Conflict, InvalidInput
from config.i18n import N_
from config.settings import Settings
from config.staff import Actor
from dispatch import notify
from dispatch.models import Ticket, TicketEvent
from dispatch.service import _record
from dispatch.states import OPEN_STATUSES

LEVELS = ("dispatcher", "supervisor")
WAITING = ("new", "dispatching", "offered", "reopened")  # no provider has the job yet
WHY = {
    "rounds": N_("no provider accepted after the last offer round"),
    "no_candidates": N_("no eligible provider is left to offer"),
    "unroutable": N_("the ticket has no item or community to dispatch on"),
    "sla_breached": N_("the response time has passed without an accepted offer"),
    "emergency": N_("emergency ticket offered automatically: please follow it"),
    "by_hand": N_("a dispatcher asks a supervisor to step in"),
}


def escalate(session: Session, *, ticket: Ticket, settings: Settings, level: str, why: str) -> bool:
    """Flag the ticket for the dispatchers (or a supervisor). False when it already is at this
    level or above: each alarm is raised once."""
    current = LEVELS.index(ticket.escalation) if ticket.escalation in LEVELS else -1
    if LEVELS.index(level) <= current:
        return False
    first = ticket.escalated_at is None
    ticket.escalation, ticket.escalated_at = level, clock.now()
    _record(session, ticket, kind="escalated", actor=Actor.system(), note=WHY[why], data={"level": level, "why": why})
    config = settings.dispatch
    phone = config.duty_supervisor_phone if level == "supervisor" else config.duty_dispatcher_phone
    if phone:
        notify.duty(
            session, phone=phone, ticket=ticket, settings=settings, what=WHY[why], key=f"ticket:{ticket.number}:{level}"
        )
    if first:
        notify.delayed(session, ticket=ticket, settings=settings)
    return True


def escalate_by_hand(session: Session, *, ticket: Ticket, settings: Settings, actor: Actor, why: str) -> None:
    """A dispatcher asks a supervisor to step in, saying why (the console's and the API's
    escalation). Refused on a closed ticket or one a supervisor already has."""
    why = why.strip()
    if not why:
        raise InvalidInput("say why the ticket needs a supervisor")
    if ticket.status not in OPEN_STATUSES:
        raise InvalidInput(f"ticket {ticket.number} is {ticket.status}: only an open ticket is escalated")
    if ticket.escalation == "supervisor":
        raise Conflict(f"ticket {ticket.number} is already escalated to a supervisor")
    ticket.escalation, ticket.escalated_at = "supervisor", clock.now()
    _record(session, ticket, kind="escalated", actor=actor, note=why, data={"level": "supervisor", "why": "by_hand"})
    phone = settings.dispatch.duty_supervisor_phone
    if phone:
        key = f"ticket:{ticket.number}:supervisor"
        notify.duty(session, phone=phone, ticket=ticket, settings=settings, what=WHY["by_hand"], key=key)


def acknowledgement(ticket: Ticket) -> TicketEvent | None:
    """Who took the ticket's current escalation in hand, if anyone did."""
    if ticket.escalation is None or ticket.escalated_at is None:
        return None
    for event in reversed(ticket.events):
        if event.kind == "acknowledged" and (event.data or {}).get("level") == ticket.escalation:
            return event if event.at >= ticket.escalated_at else None
    return None


def acknowledge(session: Session, *, ticket: Ticket, actor: Actor, note: str = "") -> None:
    """A person takes the escalation in hand (audited): the alarm stops being nobody's. The
    level stays, so the sweeper does not raise the same alarm again."""
    if ticket.escalation is None:
        raise InvalidInput(f"ticket {ticket.number} is not escalated")
    if acknowledgement(ticket) is not None:
        raise Conflict(f"the escalation of ticket {ticket.number} is already in someone's hands")
    _record(
        session, ticket, kind="acknowledged", actor=actor, note=note.strip() or None, data={"level": ticket.escalation}
    )


def alert(session: Session, *, ticket: Ticket, settings: Settings) -> None:
    """An emergency went out without an operator: a person is told too (event, duty text)."""
    _record(session, ticket, kind="alerted", actor=Actor.system(), note=WHY["emergency"], data={"why": "emergency"})
    phone = settings.dispatch.duty_dispatcher_phone
    if phone:
        notify.duty(
            session,
            phone=phone,
            ticket=ticket,
            settings=settings,
            what=WHY["emergency"],
            key=f"ticket:{ticket.number}:alert",
        )


class SlaClock(Protocol):
    """What the SLA state is computed from: a ``Ticket``, or the queue's row of one
    (``dispatch.queue.QueueTicket``, read as plain columns)."""

    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def due_at(self) -> dt.datetime | None: ...
    @property
    def accepted_at(self) -> dt.datetime | None: ...
    @property
    def sla_flag(self) -> int: ...


def at_risk_from(ticket: SlaClock, share: float) -> dt.datetime | None:
    if ticket.due_at is None:
        return None
    return ticket.created_at + (ticket.due_at - ticket.created_at) * share


def sla_state(ticket: SlaClock, *, share: float = 0.8, at: dt.datetime | None = None) -> str:
    """``ok``, ``at_risk`` or ``breached``: the response clock stops at the acceptance."""
    if ticket.due_at is None:
        return "ok"
    if ticket.accepted_at is not None and ticket.status not in WAITING:
        return "breached" if ticket.accepted_at > ticket.due_at else "ok"
    if ticket.status not in WAITING:  # closed without a provider (resolved, cancelled): what was marked
        return ("ok", "at_risk", "breached")[ticket.sla_flag]
    now = at or clock.now()
    if now >= ticket.due_at:
        return "breached"
    risk = at_risk_from(ticket, share)
    return "at_risk" if risk is not None and now >= risk else "ok"


def watch(session: Session, *, settings: Settings, limit: int = 500) -> int:
    """The SLA sweeper's pass: mark at-risk tickets, escalate breached ones to a supervisor.
    Returns how many marks it recorded."""
    now = clock.now()
    share = settings.dispatch.at_risk_share
    query = (
        select(Ticket)
        .where(Ticket.status.in_(WAITING), Ticket.due_at.is_not(None), Ticket.sla_flag < 2)
        .order_by(Ticket.due_at, Ticket.id)
        .limit(limit)
    )
    marked = 0
    for ticket in session.scalars(query):
        state = sla_state(ticket, share=share, at=now)
        if state == "breached":
            if ticket.sla_flag < 1:
                _mark(session, ticket, 1, "sla_at_risk")
            _mark(session, ticket, 2, "sla_breached")
            escalate(session, ticket=ticket, settings=settings, level="supervisor", why="sla_breached")
            marked += 1
        elif state == "at_risk" and ticket.sla_flag < 1:
            _mark(session, ticket, 1, "sla_at_risk")
            marked += 1
    return marked


def _mark(session: Session, ticket: Ticket, flag: int, kind: str) -> None:
    ticket.sla_flag = flag
    assert ticket.due_at is not None
    _record(session, ticket, kind=kind, actor=Actor.system(), data={"due_at": ticket.due_at.isoformat()})
