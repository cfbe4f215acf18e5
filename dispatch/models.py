"""Residents, tickets and the tickets' audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config import clock
from config.areas import Area
from config.catalog import ServiceItem
from config.db import Base
from config.staff import Staff

RESIDENT_TAGS = ("elderly", "disabled", "low_income", "lives_alone", "one_touch")


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    name: Mapped[str | None] = mapped_column(String(80))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    sms_opt_out: Mapped[bool] = mapped_column(default=False)  # no non-essential texts (surveys)
    call_opt_out: Mapped[bool] = mapped_column(default=False)  # no survey calls
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    community: Mapped[Area | None] = relationship(lazy="joined")
    tag_rows: Mapped[list[ResidentTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ResidentTag.tag"
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class ResidentTag(Base):
    __tablename__ = "resident_tags"
    __table_args__ = (UniqueConstraint("resident_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(20), index=True)


class TicketCounter(Base):
    """The last ticket number handed out on a (centre-local) day."""

    __tablename__ = "ticket_counters"

    day: Mapped[str] = mapped_column(String(6), primary_key=True)  # YYMMDD
    last: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_resident_item_status", "resident_id", "item_id", "status"),
        Index("ix_tickets_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(10))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))  # ix_tickets_resident_item_status leads
    item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))  # None: awaits triage
    item_confidence: Mapped[float | None]  # from the text classifier; None when an operator chose
    description: Mapped[str] = mapped_column(Text, default="")
    community_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="new")  # ix_tickets_status_due_at leads
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    due_at: Mapped[dt.datetime | None]  # target response time from the item's SLA
    closed_at: Mapped[dt.datetime | None]

    resident: Mapped[Resident] = relationship(lazy="joined")
    item: Mapped[ServiceItem | None] = relationship(lazy="joined")
    community: Mapped[Area | None] = relationship(lazy="joined")
    operator: Mapped[Staff | None] = relationship(lazy="joined")
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan", lazy="selectin"
    )


class TicketEvent(Base):
    """One row per change of a ticket: the audit trail (who, when, from, to, note)."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    kind: Mapped[str] = mapped_column(String(24))  # created, status, repeat_contact, note, classified ...
    actor: Mapped[str] = mapped_column(String(40))  # "staff:3", "system", "resident", "provider:12"
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class LabelledText(Base):
    """A text and the service item an operator said it is about: the classifier's confirmations
    and corrections, kept for tuning (``hotline ticket classify``)."""

    __tablename__ = "labelled_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"), index=True)
    predicted_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))
    predicted_confidence: Mapped[float | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    item: Mapped[ServiceItem] = relationship(foreign_keys=[item_id], lazy="joined")
    predicted_item: Mapped[ServiceItem | None] = relationship(foreign_keys=[predicted_item_id], lazy="joined")


class ClassifierModel(Base):
    """A retrained text classifier (``dispatch.classifier.store``); the newest accepted one is in use."""

    __tablename__ = "classifier_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    actor: Mapped[str] = mapped_column(String(40))  # "system" (the job), "cli", "staff:3"
    accepted: Mapped[bool] = mapped_column(index=True)
    corrections_upto: Mapped[int] = mapped_column(default=0)
    examples: Mapped[int] = mapped_column(default=0)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # held-out, before and after
    note: Mapped[str | None] = mapped_column(Text)  # why a retrain was refused
    artifact: Mapped[bytes | None] = mapped_column(LargeBinary)  # LinearModel.to_bytes(); None if refused
