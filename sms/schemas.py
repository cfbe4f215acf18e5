"""The public JSON shape of a text message (``hotline messages list --json``). Documented in
docs/json.md; add fields, never rename or remove them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from sms.models import InboundMessage, OutboundMessage


class MessageOut(BaseModel):
    id: int
    direction: str  # inbound, outbound
    phone: str | None  # the resident's or provider's number, E.164 (None: unusable sender)
    from_raw: str | None  # inbound: From exactly as received
    our_number: str | None  # inbound: To; outbound: None (the configured sender's number)
    body: str
    status: str
    handled_as: str | None
    purpose: str | None
    subject: str | None
    via: str | None
    message_sid: str | None
    encoding: str
    segments: int
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None

    @classmethod
    def of(cls, message: InboundMessage | OutboundMessage) -> MessageOut:
        if isinstance(message, InboundMessage):
            return cls(
                id=message.id,
                direction="inbound",
                phone=message.phone,
                from_raw=message.from_raw,
                our_number=message.to_number or None,
                body=message.body,
                status=message.status,
                handled_as=message.handled_as,
                purpose=None,
                subject=message.subject,
                via=None,
                message_sid=message.message_sid,
                encoding=message.encoding,
                segments=message.segments,
                attempts=0,
                last_error=None,
                created_at=message.received_at,
                sent_at=None,
                delivered_at=None,
            )
        return cls(
            id=message.id,
            direction="outbound",
            phone=message.to,
            from_raw=None,
            our_number=None,
            body=message.body,
            status=message.status,
            handled_as=None,
            purpose=message.purpose,
            subject=message.subject,
            via=message.via,
            message_sid=message.provider_sid,
            encoding=message.encoding,
            segments=message.segments,
            attempts=message.attempts,
            last_error=message.last_error,
            created_at=message.created_at,
            sent_at=message.sent_at,
            delivered_at=message.delivered_at,
        )
