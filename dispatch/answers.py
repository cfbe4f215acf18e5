"""The provider's answers to an offer and what follows: ``accept`` (one per ticket), ``decline``
and ``expire`` (the next candidate is offered at once), ``arrive``, ``done`` / ``complete`` (the
charge checked against the standard price), ``withdraw_all`` when a ticket is cancelled, and
``stand_down`` when the provider may no longer take jobs (suspended or removed).

One acceptance per ticket: ``accept`` claims the *ticket* first with one conditional write
(``UPDATE tickets … WHERE status = 'offered'``). Of two providers accepting at the same moment the
second one's write waits for the first (PostgreSQL's row lock; SQLite's single writer) and then
changes nothing, so it is told the job has gone. A partial unique index (one ``accepted`` offer per
ticket) holds the same rule in the database whatever the code does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from config import clock
from config.errors import Conflict, InvalidInput
from config.settings import Settings
from config.staff import Actor
from dispatch import notify
from dispatch.models import LIVE, Offer, Ticket
from dispatch.offers import live_offers, offers_of, redispatch, ticket_ref
from dispatch.service import _record, move_ticket, ticket_for_update
from dispatch.states import check_transition
from providers import ledger
from providers.states import DISPATCHABLE


def _ended(session: Session, *, ticket: Ticket, settings: Settings) -> None:
    """An offer ended without the job: when none of the ticket's offers is live any more, the
    next candidate is offered at once."""
    if ticket.status != "offered" or live_offers(session, ticket=ticket):
        return
    move_ticket(session, ticket=ticket, to="dispatching", actor=Actor.system())
    redispatch(session, ticket=ticket, settings=settings)


# Hot-path statements built once (the parameters go with each execution).
_SET_OFFER = (
    update(Offer)
    .where(Offer.id == bindparam("offer_id"), Offer.status == bindparam("old_status"))
    .values(status=bindparam("new_status"), answered_at=bindparam("when"))
)
_CLAIM = (
    update(Ticket)
    .where(Ticket.id == bindparam("ticket_id"), Ticket.status == "offered")
    .values(
        status="accepted",
        provider_id=bindparam("provider"),
        accepted_at=bindparam("now"),
        expected_at=bindparam("expected"),
        updated_at=bindparam("now"),
    )
)


def _set_offer(session: Session, offer: Offer, *, frm: str, to: str, at: dt.datetime) -> bool:
    """One conditional write; False when the offer was no longer ``frm`` (someone else moved it)."""
    result = session.execute(
        _SET_OFFER,
        {"offer_id": offer.id, "old_status": frm, "new_status": to, "when": at},
        execution_options={"synchronize_session": False},
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.expire(offer, ["status", "answered_at"])  # read again what the other writer left
        return False
    set_committed_value(offer, "status", to)
    set_committed_value(offer, "answered_at", at)
    return True


def accept(session: Session, *, offer: Offer, settings: Settings) -> str:
    """``accepted``, or why not: ``already``, ``suspended``, ``expired``, ``declined``,
    ``lost``, ``withdrawn``, ``completed``. Nothing changes unless it is ``accepted``."""
    now = clock.now()
    provider = offer.provider
    if offer.status == "accepted":
        return "already"
    if provider.status not in DISPATCHABLE:
        return "suspended"
    if offer.status != LIVE:
        return offer.status
    if offer.expires_at <= now:
        return "expired"  # the offer sweeper ends it and offers the next candidate
    ticket = ticket_for_update(session, ticket_id=offer.ticket_id)
    check_transition("offered", "accepted")
    expected = now + settings.dispatch.arrival(ticket.urgency)
    claim = {"status": "accepted", "provider_id": provider.id, "accepted_at": now, "expected_at": expected}
    claimed = session.execute(
        _CLAIM,
        {"ticket_id": ticket.id, "provider": provider.id, "now": now, "expected": expected},
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        session.expire(ticket)
        return "lost"
    if not _set_offer(session, offer, frm=LIVE, to="accepted", at=now):  # ended meanwhile (a sweeper)
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(status="offered", provider_id=None, accepted_at=None, expected_at=None),
            execution_options={"synchronize_session": False},
        )
        session.expire(ticket)
        return offer.status
    for name, value in (*claim.items(), ("updated_at", now), ("provider", provider)):
        set_committed_value(ticket, name, value)  # what the UPDATE wrote, without reading it back
    actor = Actor.provider(provider.id)
    data = {"offer": offer.id, "provider": provider.id, "code": offer.code}
    if ticket.escalation is not None:
        data["escalation_cleared"] = ticket.escalation
        ticket.escalation = None
    _record(session, ticket, kind="status", actor=actor, from_status="offered", to_status="accepted", data=data)
    for other in live_offers(session, ticket=ticket):
        if _set_offer(session, other, frm=LIVE, to="lost", at=now):
            notify.offer_ended(session, offer=other, ticket=ticket, why="lost")
    ledger.note(session, provider_id=provider.id, kind="accepted", at=now, ticket_ref=ticket_ref(ticket))
    notify.accepted(session, offer=offer, ticket=ticket, settings=settings)
    return "accepted"


def decline(session: Session, *, offer: Offer, settings: Settings) -> str:
    """``declined`` (the next candidate is offered at once), or why not: ``already`` or the
    offer's status."""
    if offer.status == "declined":
        return "already"
    now = clock.now()
    if offer.status != LIVE or not _set_offer(session, offer, frm=LIVE, to="declined", at=now):
        return offer.status
    ticket = ticket_for_update(session, ticket_id=offer.ticket_id)
    _record(
        session,
        ticket,
        kind="offer_declined",
        actor=Actor.provider(offer.provider_id),
        data={"offer": offer.id, "provider": offer.provider_id, "code": offer.code},
    )
    ledger.note(session, provider_id=offer.provider_id, kind="declined", at=now, ticket_ref=ticket_ref(ticket))
    _ended(session, ticket=ticket, settings=settings)
    return "declined"


def expire(session: Session, *, offer: Offer, settings: Settings) -> bool:
    """End an unanswered offer after its window (the offer sweeper); False if it had moved on."""
    now = clock.now()
    if not _set_offer(session, offer, frm=LIVE, to="expired", at=now):
        return False
    ticket = ticket_for_update(session, ticket_id=offer.ticket_id)
    _record(
        session,
        ticket,
        kind="offer_expired",
        actor=Actor.system(),
        data={"offer": offer.id, "provider": offer.provider_id, "code": offer.code},
    )
    ledger.note(session, provider_id=offer.provider_id, kind="timed_out", at=now, ticket_ref=ticket_ref(ticket))
    notify.offer_ended(session, offer=offer, ticket=ticket, why="expired")
    _ended(session, ticket=ticket, settings=settings)
    return True


def expire_due(session: Session, *, settings: Settings, limit: int = 100) -> int:
    """The offer sweeper's pass: every live offer past its window, oldest first."""
    query = (
        select(Offer)
        .where(Offer.status == LIVE, Offer.expires_at <= clock.now())
        .order_by(Offer.expires_at, Offer.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True, of=Offer)
    return sum(expire(session, offer=row, settings=settings) for row in list(session.scalars(query)))


def arrive(session: Session, *, offer: Offer) -> str:
    """The provider is at the door: ``arrived``, ``already`` or ``not_accepted``."""
    if offer.status != "accepted":
        return "already" if offer.status == "completed" else "not_accepted"
    ticket = ticket_for_update(session, ticket_id=offer.ticket_id)
    if ticket.status == "in_service":
        return "already"
    ticket.arrived_at = clock.now()
    move_ticket(session, ticket=ticket, to="in_service", actor=Actor.provider(offer.provider_id))
    return "arrived"


def done(
    session: Session,
    *,
    offer: Offer,
    settings: Settings,
    charged: Decimal | None = None,
    hours: float | None = None,
) -> str:
    """The provider finished: ``completed``, ``already`` or ``not_accepted``."""
    if offer.status == "completed":
        return "already"
    if offer.status != "accepted":
        return "not_accepted"
    ticket = ticket_for_update(session, ticket_id=offer.ticket_id)
    complete(
        session, ticket=ticket, settings=settings, actor=Actor.provider(offer.provider_id), charged=charged, hours=hours
    )
    return "completed"


def complete(
    session: Session,
    *,
    ticket: Ticket,
    settings: Settings,
    actor: Actor,
    charged: Decimal | None = None,
    hours: float | None = None,
) -> Ticket:
    """Record the job done (by the provider's text or an operator): a DONE straight after the
    acceptance steps through ``in_service``; the charge is compared with the standard price and
    the on-time, overcharge and volunteer-hours facts go to the ledger."""
    if ticket.status not in ("accepted", "in_service") or ticket.provider is None:
        raise Conflict(f"ticket {ticket.number} is {ticket.status}: only an accepted job can be completed")
    if charged is not None and charged < 0:
        raise InvalidInput(f"the amount charged cannot be negative, got {charged}")
    if hours is not None and not 0 < hours <= 24:
        raise InvalidInput(f"service hours are more than 0 and at most 24, got {hours}")
    now = clock.now()
    provider, item = ticket.provider, ticket.item
    assert item is not None
    if ticket.status == "accepted":
        ticket.arrived_at = ticket.arrived_at or now
        move_ticket(session, ticket=ticket, to="in_service", actor=actor, note="completion reported without arrival")
    ticket.completed_at, ticket.charged, ticket.service_hours = now, charged, hours
    standard = item.price * Decimal(str(hours)) if item.unit == "hour" and hours else item.price
    over = charged - standard if charged is not None and charged > standard else None
    ticket.overcharged = over is not None
    data: dict[str, object] = {"charged": str(charged) if charged is not None else None, "hours": hours}
    if over is not None:
        data["overcharge"] = str(over)
    move_ticket(session, ticket=ticket, to="completed", actor=actor).data = data
    ref = ticket_ref(ticket)
    on_time = ticket.expected_at is None or (ticket.arrived_at or now) <= ticket.expected_at
    ledger.note(
        session,
        provider_id=provider.id,
        kind="completed_on_time" if on_time else "completed_late",
        at=now,
        ticket_ref=ref,
    )
    if over is not None:
        ledger.note(session, provider_id=provider.id, kind="overcharge", at=now, ticket_ref=ref, value=float(over))
    if hours is not None:
        ledger.note(session, provider_id=provider.id, kind="service_hours", at=now, ticket_ref=ref, value=hours)
    session.execute(
        update(Offer).where(Offer.ticket_id == ticket.id, Offer.status == "accepted").values(status="completed")
    )
    return ticket


def withdraw_all(session: Session, *, ticket: Ticket) -> int:
    """The ticket is cancelled: live offers and a job in hand are withdrawn, the providers told."""
    now = clock.now()
    count = 0
    for row in offers_of(session, ticket=ticket):
        if row.status in (LIVE, "accepted") and _set_offer(session, row, frm=row.status, to="withdrawn", at=now):
            notify.offer_ended(session, offer=row, ticket=ticket, why="withdrawn")
            count += 1
    return count


def stand_down(session: Session, *, offer: Offer, settings: Settings) -> bool:
    """The offer's provider may no longer take jobs (suspended or removed after it was made): a
    live offer, or a job accepted but not yet arrived at, is withdrawn, the provider told, and the
    ticket goes to the next candidate (the resident told when someone had been announced). A job
    already in service runs to its end. False when there was nothing to do."""
    provider = offer.provider
    if provider.status in DISPATCHABLE or offer.status not in (LIVE, "accepted"):
        return False
    now = clock.now()
    ticket = ticket_for_update(session, ticket_id=offer.ticket_id)
    if offer.status == "accepted" and ticket.status != "accepted":
        return False  # arrived (in service) or already moved on: the job runs to its end
    was = offer.status
    if not _set_offer(session, offer, frm=was, to="withdrawn", at=now):
        return False
    data = {"offer": offer.id, "provider": provider.id, "code": offer.code, "provider_status": provider.status}
    _record(session, ticket, kind="offer_withdrawn", actor=Actor.system(), data=data)
    notify.offer_ended(session, offer=offer, ticket=ticket, why="stood_down")
    if was == LIVE:
        _ended(session, ticket=ticket, settings=settings)
        return True
    ticket.provider, ticket.accepted_at, ticket.expected_at = None, None, None
    move_ticket(session, ticket=ticket, to="dispatching", actor=Actor.system())  # why: the offer_withdrawn event
    notify.reassigned(session, offer=offer, ticket=ticket)
    redispatch(session, ticket=ticket, settings=settings)
    return True
