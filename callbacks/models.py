"""Surveys after a service, complaints, the residents' result notices, and their audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config import clock
from config.db import Base
from config.staff import Staff
from dispatch.models import Resident, Ticket
from providers.models import Provider


class Survey(Base):
    """One satisfaction survey of one completion of a ticket: ``(ticket, round)`` is unique, so a
    second sweep, a second process or a repeated completion can never survey the same service
    twice. A row is its own due time (``due_at``); the sweeper claims due rows with a lease."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("ticket_id", "round"),
        Index("ix_surveys_status_due_at", "status", "due_at"),
        # a code is unique among one resident's surveys that take answers
        Index(
            "uq_surveys_resident_open_code",
            "resident_id",
            "code",
            unique=True,
            sqlite_where=text("status IN ('sent', 'no_answer')"),
            postgresql_where=text("status IN ('sent', 'no_answer')"),
        ),
        Index("ix_surveys_resident_status", "resident_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(default=1)  # the ticket's completions so far (a reopened job is surveyed again)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    channel: Mapped[str] = mapped_column(String(8))  # sms, voice, desk
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    completed_at: Mapped[dt.datetime]  # the completion this survey is about
    due_at: Mapped[dt.datetime]  # when to ask (or ask again)
    lease_until: Mapped[dt.datetime | None]  # claimed by a sweeper until then
    claim: Mapped[str | None] = mapped_column(String(32))  # which pass holds the lease
    attempts: Mapped[int] = mapped_column(default=0)  # texts sent or calls made
    code: Mapped[str | None] = mapped_column(String(10))  # set when asked: unique among the resident's open surveys
    # who did the work and who took the request, stored when the survey is sent (FIELD-NOTES: Surveys)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="SET NULL"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    sent_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]  # an unanswered survey closes then
    answered_at: Mapped[dt.datetime | None]
    score: Mapped[int | None]  # 1..5
    comment: Mapped[str | None] = mapped_column(Text)
    clarified: Mapped[bool] = mapped_column(default=False)  # the one clarifying question was asked
    reason: Mapped[str | None] = mapped_column(String(40))  # why closed without an answer; last call result
    call_sid: Mapped[str | None] = mapped_column(String(64), index=True)  # the automated call (Twilio)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    ticket: Mapped[Ticket] = relationship(lazy="joined")
    resident: Mapped[Resident] = relationship(lazy="joined")
    provider: Mapped[Provider | None] = relationship(lazy="select")


class Complaint(Base):
    """A complaint about a service (from a survey, a text to the complaint line or an operator):
    an owner, a deadline in working days, a reply to the resident and an outcome."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_status_deadline_at", "status", "deadline_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="SET NULL"))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"), unique=True)
    source: Mapped[str] = mapped_column(String(10))  # survey, sms, operator
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, decided
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    deadline_at: Mapped[dt.datetime]
    escalated_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))  # upheld, not_upheld, withdrawn
    reply: Mapped[str | None] = mapped_column(Text)  # what the resident is told
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(40))
    told_at: Mapped[dt.datetime | None]  # the resident was texted the outcome
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    resident: Mapped[Resident] = relationship(lazy="joined")
    ticket: Mapped[Ticket | None] = relationship(lazy="joined")
    provider: Mapped[Provider | None] = relationship(lazy="joined")
    owner: Mapped[Staff | None] = relationship(lazy="joined")


class ResultNotice(Base):
    """The resident was told how a ticket ended (办理结果反馈): one row per closing of a ticket, so
    each closing is told once whatever sweeps it."""

    __tablename__ = "result_notices"
    __table_args__ = (UniqueConstraint("ticket_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    closed_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(10))  # told, skipped
    reason: Mapped[str | None] = mapped_column(String(40))  # why skipped: opted_out, landline
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class CallbackEvent(Base):
    """One row per change of a survey or a complaint: who, when, from, to, note."""

    __tablename__ = "callback_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    kind: Mapped[str] = mapped_column(String(24))  # scheduled, status, answer, clarify, call, escalated ...
    actor: Mapped[str] = mapped_column(String(40))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
