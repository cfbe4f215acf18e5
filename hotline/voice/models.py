"""Calls (from Asterisk or Twilio), their channels, and the callback list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config import clock
from config.db import Base
from config.i18n import N_
from config.staff import Staff
from dispatch.models import Resident, Ticket

TRANSPORTS = ("ami", "twilio")
DIRECTIONS = ("inbound", "callback")
OUTCOMES = ("in_progress", "answered", "missed", "abandoned", "voicemail")
OUTCOME_LABELS = {
    "in_progress": N_("In progress"),
    "answered": N_("Answered"),
    "missed": N_("Missed"),
    "abandoned": N_("Abandoned"),
    "voicemail": N_("Voicemail"),
}
CALLBACK_REASONS = ("missed", "abandoned")
CALLBACK_STATUSES = ("open", "done")


class Call(Base):
    """One call as the resident lived it: an Asterisk ``Linkedid`` or a Twilio ``CallSid``."""

    __tablename__ = "calls"
    __table_args__ = (UniqueConstraint("transport", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transport: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str] = mapped_column(String(64))  # Linkedid or CallSid
    direction: Mapped[str] = mapped_column(String(10), default="inbound")
    caller_phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    caller_number: Mapped[str | None] = mapped_column(String(40))  # digits as given (extensions too)
    caller_withheld: Mapped[bool] = mapped_column(default=False)
    caller_name: Mapped[str | None] = mapped_column(String(80))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    queue: Mapped[str | None] = mapped_column(String(40))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    operator_extension: Mapped[str | None] = mapped_column(String(20))
    rung_extensions: Mapped[list[str]] = mapped_column(JSON, default=list)
    emergency: Mapped[bool] = mapped_column(default=False)
    category_code: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)
    ring_started_at: Mapped[dt.datetime | None]
    answered_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    ring_seconds: Mapped[int | None]
    hold_seconds: Mapped[int | None]
    talk_seconds: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(12), default="in_progress", index=True)
    hangup_cause: Mapped[int | None]
    hangup_cause_text: Mapped[str | None] = mapped_column(String(80))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    recording_url: Mapped[str | None] = mapped_column(String(500))

    resident: Mapped[Resident | None] = relationship(lazy="joined")
    operator: Mapped[Staff | None] = relationship(lazy="joined")
    ticket: Mapped[Ticket | None] = relationship(lazy="joined")
    channels: Mapped[list[CallChannel]] = relationship(
        back_populates="call", order_by="CallChannel.id", cascade="all, delete-orphan"
    )


class CallChannel(Base):
    """One Asterisk channel (leg) of a call, by ``Uniqueid``."""

    __tablename__ = "call_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    uniqueid: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(160))
    state: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    hungup_at: Mapped[dt.datetime | None]
    cause: Mapped[int | None]

    call: Mapped[Call] = relationship(back_populates="channels")


class CallbackEntry(Base):
    """A missed or abandoned caller to ring back; one open entry per number."""

    __tablename__ = "callback_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)  # the first missed call
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    number: Mapped[str] = mapped_column(String(40))  # what Asterisk dials
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    reason: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    missed_count: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    last_missed_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    attempts: Mapped[int] = mapped_column(default=0)
    last_result: Mapped[str | None] = mapped_column(String(20))
    last_attempt_at: Mapped[dt.datetime | None]
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    done_at: Mapped[dt.datetime | None]
    note: Mapped[str | None] = mapped_column(Text)

    call: Mapped[Call] = relationship(lazy="joined")
    resident: Mapped[Resident | None] = relationship(lazy="joined")
    operator: Mapped[Staff | None] = relationship(lazy="joined")
    attempt_rows: Mapped[list[CallbackAttempt]] = relationship(
        back_populates="entry", order_by="CallbackAttempt.id", lazy="selectin"
    )


class CallbackAttempt(Base):
    """One click-to-call: an AMI ``Originate`` tracked to its ``OriginateResponse`` by ActionID."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("callback_entries.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[str] = mapped_column(String(80), unique=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    operator_extension: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[dt.datetime | None]
    result: Mapped[str | None] = mapped_column(String(20))  # answered busy no_answer congested failed ...
    reason_code: Mapped[int | None]
    channel: Mapped[str | None] = mapped_column(String(160))
    uniqueid: Mapped[str | None] = mapped_column(String(64))

    entry: Mapped[CallbackEntry] = relationship(back_populates="attempt_rows")
