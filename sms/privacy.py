"""The texts' part of a resident's personal data (see ``config.privacy``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from config import clock
from config.privacy import ERASED, Holder, Person, changed
from sms.models import InboundMessage, OutboundMessage

PENDING = ("queued", "retrying", "sending")


def export(session: Session, person: Person) -> list[dict[str, Any]]:
    inbound = session.scalars(
        select(InboundMessage)
        .where(or_(InboundMessage.phone == person.phone, InboundMessage.from_raw == person.phone))
        .order_by(InboundMessage.id)
    )
    outbound = session.scalars(
        select(OutboundMessage).where(OutboundMessage.to == person.phone).order_by(OutboundMessage.id)
    )
    texts = [
        {
            "direction": "in",
            "at": m.received_at.isoformat(),
            "body": m.body,
            "handled_as": m.handled_as,
            "subject": m.subject,
        }
        for m in inbound
    ] + [
        {"direction": "out", "at": m.created_at.isoformat(), "body": m.body, "status": m.status, "subject": m.subject}
        for m in outbound
    ]
    return sorted(texts, key=lambda t: t["at"])


def erase(session: Session, person: Person) -> int:
    """Blank the texts from and to the number; texts still waiting in the outbox are cancelled."""
    now = clock.now()
    changed(  # cancelled first; then blanked with the other outbound texts (counted there)
        session,
        update(OutboundMessage)
        .where(OutboundMessage.to == person.phone, OutboundMessage.status.in_(PENDING))
        .values(status="cancelled", next_attempt_at=None, last_error="resident's data erased", updated_at=now),
    )
    inbound = changed(
        session,
        update(InboundMessage)
        .where(or_(InboundMessage.phone == person.phone, InboundMessage.from_raw == person.phone))
        .values(phone=None, from_raw=ERASED, body="", reply=None),
    )
    outbound = changed(
        session,
        update(OutboundMessage).where(OutboundMessage.to == person.phone).values(to=ERASED, body="", updated_at=now),
    )
    return inbound + outbound


def expire(session: Session, before: dt.datetime) -> int:
    """Texts received or sent before ``before`` lose number and words (counts, dates, subjects stay)."""
    inbound = changed(
        session,
        update(InboundMessage)
        .where(InboundMessage.received_at < before, InboundMessage.from_raw != ERASED)
        .values(phone=None, from_raw=ERASED, body="", reply=None),
    )
    outbound = changed(
        session,
        update(OutboundMessage)
        .where(
            OutboundMessage.created_at < before, OutboundMessage.to != ERASED, OutboundMessage.status.not_in(PENDING)
        )
        .values(to=ERASED, body=""),
    )
    return inbound + outbound


HOLDER = Holder(name="texts", export=export, erase=erase, expire=expire)
