"""Residents, tickets and the tickets' audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config import clock
from config.areas import Area
from config.catalog import ServiceItem
from config.db import Base
from config.staff import Staff
from dispatch.states import OPEN_STATUSES
from providers.models import Provider

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
    # 自由选择服务主体: the provider this resident asked for, put first when eligible
    preferred_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="SET NULL"))
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


class ResidentEvent(Base):
    """A change to a resident's record (tags, language, opt-outs, preferred provider): who, when, what."""

    __tablename__ = "resident_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    actor: Mapped[str] = mapped_column(String(40))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class TicketCounter(Base):
    """The last ticket number handed out on a (centre-local) day."""

    __tablename__ = "ticket_counters"

    day: Mapped[str] = mapped_column(String(6), primary_key=True)  # YYMMDD
    last: Mapped[int] = mapped_column(default=0)


def queue_keys(table: str = "") -> tuple[str, str, str]:
    """The live queue's order as SQL expressions: open tickets first, emergencies first, tickets
    without a due time last. ``ix_tickets_queue`` indexes exactly these (unqualified), and
    ``dispatch.queue`` filters and sorts by them (qualified, with literals, not parameters: a
    database uses an expression index only for the same expression), so a page of the queue is
    read from the index in order instead of sorting every open ticket."""
    prefix = f"{table}." if table else ""
    statuses = ", ".join(f"'{status}'" for status in sorted(OPEN_STATUSES))
    return (
        f"CASE WHEN {prefix}status IN ({statuses}) THEN 0 ELSE 1 END",
        f"CASE WHEN {prefix}urgency = 'emergency' THEN 0 ELSE 1 END",
        f"CASE WHEN {prefix}due_at IS NULL THEN 1 ELSE 0 END",
    )


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_resident_item_status", "resident_id", "item_id", "status"),
        Index("ix_tickets_status_due_at", "status", "due_at"),
        Index("ix_tickets_queue", *(text(f"({key})") for key in queue_keys()), "due_at", "created_at", "id"),
        # The queue filtered by one status, in the same order (migration 0972): "new" can be most of
        # the open tickets, which the status index above would have the database sort.
        Index(
            "ix_tickets_queue_status",
            "status",
            *(text(f"({key})") for key in queue_keys()[1:]),
            "due_at",
            "created_at",
            "id",
        ),
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
    # dispatch: who took the job, when, how it went
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    accepted_at: Mapped[dt.datetime | None]
    expected_at: Mapped[dt.datetime | None]  # when the resident was told to expect the provider
    arrived_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    rounds: Mapped[int] = mapped_column(default=0)  # offer rounds so far
    escalation: Mapped[str | None] = mapped_column(String(12))  # None, dispatcher, supervisor
    escalated_at: Mapped[dt.datetime | None]
    sla_flag: Mapped[int] = mapped_column(default=0)  # highest SLA mark recorded: 0 none, 1 at risk, 2 breached
    charged: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    overcharged: Mapped[bool] = mapped_column(default=False)
    service_hours: Mapped[float | None]  # volunteer work
    resolution: Mapped[str | None] = mapped_column(Text)  # first-contact resolution (即办件)

    resident: Mapped[Resident] = relationship(lazy="joined")
    item: Mapped[ServiceItem | None] = relationship(lazy="joined")
    community: Mapped[Area | None] = relationship(lazy="joined")
    operator: Mapped[Staff | None] = relationship(lazy="joined")
    provider: Mapped[Provider | None] = relationship(lazy="joined")
    offers: Mapped[list[Offer]] = relationship(order_by="Offer.id", viewonly=True)  # loaded when read
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


LIVE = "live"
# live: waiting for an answer; accepted: the provider holds the job; completed: the job was done;
# declined / expired (no answer in time) / lost (another provider took it) / withdrawn (cancelled):
# ended without the job. Only the job in hand is ``accepted``, so a reopened ticket can be taken again.
OFFER_STATUSES = ("live", "accepted", "completed", "declined", "expired", "lost", "withdrawn")


class Offer(Base):
    """A job offered to one provider by text, answered with its 4-digit code. At most one offer
    of a ticket is ever ``accepted`` and a code is unique among a provider's live offers: partial
    unique indexes hold both on SQLite and PostgreSQL, whatever the code above them does."""

    __tablename__ = "offers"
    __table_args__ = (
        Index(
            "uq_offers_ticket_accepted",
            "ticket_id",
            unique=True,
            sqlite_where=text("status = 'accepted'"),
            postgresql_where=text("status = 'accepted'"),
        ),
        Index(
            "uq_offers_provider_live_code",
            "provider_id",
            "code",
            unique=True,
            sqlite_where=text("status = 'live'"),
            postgresql_where=text("status = 'live'"),
        ),
        Index("ix_offers_status_expires_at", "status", "expires_at"),
        Index("ix_offers_ticket_id", "ticket_id"),
        Index("ix_offers_provider_status", "provider_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    code: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(10), default=LIVE)
    round: Mapped[int] = mapped_column(default=1)
    rank: Mapped[int | None]  # the candidate's place when offered (1 = top)
    score: Mapped[float | None]
    actor: Mapped[str] = mapped_column(String(40))  # who offered: "system", "staff:3", "cli"
    reason: Mapped[str | None] = mapped_column(Text)  # an override's reason
    offered_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]

    ticket: Mapped[Ticket] = relationship(lazy="raise")
    provider: Mapped[Provider] = relationship(lazy="joined")


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
