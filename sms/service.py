"""Data access for text messages. Keyword-only, flushes, never commits.

``queue_message`` is the one way other packages send a text: it writes an outbox row in the
caller's transaction; the sender loop (``sms.outbox``) delivers it after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from config import clock
from config.errors import InvalidInput
from sms.encoding import encoding_of
from sms.models import InboundMessage, OutboundMessage

RATE_WINDOW = dt.timedelta(minutes=1)
MAX_BODY = 1600  # Twilio's limit for one message body


def queue_message(
    session: Session,
    *,
    to: str,
    body: str,
    purpose: str,
    subject: str | None = None,
    idempotency_key: str | None = None,
    quiet: bool = False,
) -> OutboundMessage:
    """Put a text in the outbox. ``to`` is E.164. A known ``idempotency_key`` returns the row
    queued before instead of a second one. ``quiet``: not urgent, so the outbox holds it while the
    recipient's quiet hours last (decided when it is sent, not now)."""
    values = _queued(to=to, body=body, purpose=purpose, subject=subject, idempotency_key=idempotency_key, quiet=quiet)
    if idempotency_key is not None:
        existing = session.scalar(select(OutboundMessage).where(OutboundMessage.idempotency_key == idempotency_key))
        if existing is not None:
            return existing
    message = OutboundMessage(**values)
    session.add(message)
    session.flush()
    return message


def enqueue(
    session: Session,
    *,
    to: str,
    body: str,
    purpose: str,
    idempotency_key: str,
    subject: str | None = None,
    quiet: bool = False,
) -> bool:
    """``queue_message`` for a caller that needs no row back: one ``INSERT … ON CONFLICT
    (idempotency_key) DO NOTHING``, no look-up. True when the text is new."""
    values = _queued(to=to, body=body, purpose=purpose, subject=subject, idempotency_key=idempotency_key, quiet=quiet)
    connection = session.connection()
    return bool(connection.execute(_ENQUEUE[connection.dialect.name == "sqlite"], values).rowcount)


# Built once: the parameters go with each execution, so the statement compiles once per engine.
_ENQUEUE = {
    sqlite_: dialect.insert(OutboundMessage).on_conflict_do_nothing(index_elements=["idempotency_key"])
    for sqlite_, dialect in ((True, sqlite), (False, postgresql))
}


def _queued(
    *, to: str, body: str, purpose: str, subject: str | None, idempotency_key: str | None, quiet: bool
) -> dict[str, Any]:
    """The columns of a new outbox row, checked: one definition for the ORM and the Core path."""
    body = _checked(to, body)
    encoding = encoding_of(body)
    now = clock.now()
    return {
        "to": to,
        "body": body,
        "purpose": purpose,
        "subject": subject,
        "idempotency_key": idempotency_key,
        "via": "outbox",
        "quiet": quiet,
        "encoding": encoding.name,
        "segments": encoding.segments,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _checked(to: str, body: str) -> str:
    if not to.startswith("+") or not (to[1:].isascii() and to[1:].isdigit()):
        raise InvalidInput(f"{to!r} is not an E.164 phone number")
    body = body.strip()
    if not body:
        raise InvalidInput("an SMS body must not be empty")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"an SMS body is at most {MAX_BODY} characters (got {len(body)})")
    return body


def new_inbound(
    *,
    message_sid: str | None,
    from_raw: str,
    phone: str | None,
    to_number: str,
    body: str,
    num_media: int = 0,
    received_at: dt.datetime | None = None,
) -> InboundMessage:
    """An inbound text, not yet stored: the router fills in how it was handled, then
    ``record_exchange`` writes it once."""
    encoding = encoding_of(body)
    return InboundMessage(
        message_sid=message_sid,
        from_raw=from_raw,
        phone=phone,
        to_number=to_number,
        body=body,
        num_media=num_media,
        encoding=encoding.name,
        segments=encoding.segments,
        status="received" if phone else "ignored",
        received_at=received_at or clock.now(),
    )


_INBOUND_COLUMNS = tuple(column.key for column in InboundMessage.__table__.columns if column.key != "id")
_INSERT_INBOUND = insert(InboundMessage)
_INSERT_OUTBOUND = insert(OutboundMessage)


def record_exchange(session: Session, *, inbound: InboundMessage, reply: str | None) -> None:
    """Write an inbound text (built by ``new_inbound``, handled by the router) and the answer
    sent back in the webhook's TwiML (not queued: it has left already). Two plain INSERTs in the
    caller's transaction: this is every text's path, and nothing reads the rows back here.
    A ``message_sid`` stored before raises IntegrityError (the unique index is the idempotency check)."""
    inbound.reply = reply or None
    connection = session.connection()
    connection.execute(_INSERT_INBOUND, {key: getattr(inbound, key) for key in _INBOUND_COLUMNS})
    if inbound.phone is None or not reply:
        return
    encoding = encoding_of(reply)
    now = clock.now()
    connection.execute(
        _INSERT_OUTBOUND,
        {
            "to": inbound.phone,
            "body": reply,
            "purpose": "reply",
            "subject": inbound.subject,
            "via": "twiml",
            "encoding": encoding.name,
            "segments": encoding.segments,
            "status": "sent",
            "attempts": 1,
            "created_at": now,
            "updated_at": now,
            "sent_at": now,
        },
    )


def get_inbound_by_sid(session: Session, *, message_sid: str) -> InboundMessage | None:
    return session.scalar(select(InboundMessage).where(InboundMessage.message_sid == message_sid))


def get_outbound_by_sid(session: Session, *, provider_sid: str) -> OutboundMessage | None:
    return session.scalar(select(OutboundMessage).where(OutboundMessage.provider_sid == provider_sid))


def recent_inbound_count_of(
    phone: str | ColumnElement[str], *, since: dt.datetime | ColumnElement[dt.datetime]
) -> ScalarSelect[int]:
    """The number of texts from ``phone`` received since ``since`` (the rate limit's count), as a
    scalar subquery: the intake asks it together with who the sender is."""
    return (
        select(func.count())
        .select_from(InboundMessage)
        .where(InboundMessage.phone == phone, InboundMessage.received_at >= since)
        .scalar_subquery()
    )


def list_messages(
    session: Session,
    *,
    phone: str | None = None,
    subject: str | None = None,
    statuses: Sequence[str] = (),
    limit: int | None = 200,
) -> list[InboundMessage | OutboundMessage]:
    """Inbound and outbound messages, oldest first (the newest ``limit``)."""
    inbound = select(InboundMessage).order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
    outbound = select(OutboundMessage).order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
    if phone:
        inbound = inbound.where(or_(InboundMessage.phone == phone, InboundMessage.from_raw == phone))
        outbound = outbound.where(OutboundMessage.to == phone)
    if subject:
        inbound = inbound.where(InboundMessage.subject == subject)
        outbound = outbound.where(OutboundMessage.subject == subject)
    if statuses:
        inbound = inbound.where(InboundMessage.status.in_(statuses))
        outbound = outbound.where(OutboundMessage.status.in_(statuses))
    if limit:
        inbound, outbound = inbound.limit(limit), outbound.limit(limit)
    rows: list[InboundMessage | OutboundMessage] = [*session.scalars(inbound), *session.scalars(outbound)]
    rows.sort(key=lambda m: (m.received_at if isinstance(m, InboundMessage) else m.created_at, m.id))
    return rows[-limit:] if limit else rows


# Twilio's MessageStatus values in the order a message moves through them; a late callback never
# moves a message backwards (a "sent" arriving after "delivered" is ignored).
_STATUS_RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3}
_PROVIDER_STATUS = {"accepted": "sent", "scheduled": "sent", "read": "delivered", "canceled": "failed"}


def apply_delivery_status(
    session: Session, *, provider_sid: str, status: str, error_code: str | None = None
) -> OutboundMessage | None:
    """A delivery status callback. Returns the message, or None when the id is not ours."""
    message = get_outbound_by_sid(session, provider_sid=provider_sid)
    if message is None:
        return None
    status = _PROVIDER_STATUS.get(status, status)
    if status not in _STATUS_RANK or message.status not in _STATUS_RANK:
        return message
    if _STATUS_RANK[status] <= _STATUS_RANK[message.status]:
        return message
    now = clock.now()
    message.status = status
    message.updated_at = now
    if status == "delivered":
        message.delivered_at = now
    if status in ("undelivered", "failed"):
        message.last_error = f"provider reported {status}" + (f" (error {error_code})" if error_code else "")
    session.flush()
    return message
