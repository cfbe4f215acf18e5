"""Text messages in and out. Outbound rows are the outbox: written in the caller's transaction,
delivered after commit by the sender loop (``sms.outbox``). A message names what it is about with
an opaque ``subject`` string set by a higher layer (``ticket:2611210001``); ``sms`` never reads it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from config import clock
from config.db import Base

# Outbound statuses. queued/retrying wait in the outbox; sending is claimed by a sender; sent is
# accepted by the provider; delivered/undelivered/failed come from status callbacks; dead means the
# outbox gave up (a permanent error or too many attempts) and an operator must look.
OUTBOUND_STATUSES = ("queued", "retrying", "sending", "sent", "delivered", "undelivered", "failed", "dead")
WAITING = ("queued", "retrying", "sending")
# Inbound statuses: received (stored), handled (routed), throttled (over the rate limit),
# ignored (no usable sender: missing or short-code From), failed (routing raised; an operator looks).
INBOUND_STATUSES = ("received", "handled", "throttled", "ignored", "failed")


class InboundMessage(Base):
    __tablename__ = "sms_inbound"
    __table_args__ = (Index("ix_sms_inbound_phone_received_at", "phone", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)  # Twilio MessageSid
    from_raw: Mapped[str] = mapped_column(String(64), default="")  # From exactly as received
    phone: Mapped[str | None] = mapped_column(String(20))  # From in E.164; None if not a resident's line
    to_number: Mapped[str] = mapped_column(String(64), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    num_media: Mapped[int] = mapped_column(default=0)
    encoding: Mapped[str] = mapped_column(String(8), default="GSM-7")
    segments: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default="received")
    handled_as: Mapped[str | None] = mapped_column(String(24))  # new_ticket, threaded, status, stop ...
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    reply: Mapped[str | None] = mapped_column(Text)  # the TwiML reply, repeated to a retried MessageSid
    received_at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)


class OutboundMessage(Base):
    __tablename__ = "sms_outbound"
    __table_args__ = (Index("ix_sms_outbound_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    body: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(24))  # reply, ticket_ack, offer, survey, reminder ...
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    via: Mapped[str] = mapped_column(String(10), default="outbox")  # outbox, or twiml (sent in the reply)
    quiet: Mapped[bool] = mapped_column(default=False)  # held while the recipient's quiet hours last
    encoding: Mapped[str] = mapped_column(String(8), default="GSM-7")
    segments: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)  # Twilio MessageSid
    sender: Mapped[str | None] = mapped_column(String(16))  # console, twilio
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    sent_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]
