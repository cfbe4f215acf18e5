"""Providers (member companies, skilled individuals, volunteers), their volunteer organisations,
documents, training, status history, vetting checks, expiry reminders and the performance ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config import clock
from config.areas import Area
from config.catalog import ServiceItem
from config.db import Base
from config.staff import Staff


class VolunteerOrg(Base):
    """A volunteer station, one of its substations, or a service point (where volunteers belong)."""

    __tablename__ = "volunteer_orgs"
    __table_args__ = (UniqueConstraint("parent_id", "name_zh"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(12))  # station, substation, point
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_orgs.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(160))

    parent: Mapped[VolunteerOrg | None] = relationship(remote_side=[id], lazy="joined", join_depth=2)

    def path(self) -> str:
        names: list[str] = []
        org: VolunteerOrg | None = self
        while org is not None:
            names.append(org.name_zh)
            org = org.parent
        return " > ".join(reversed(names))


def display_name(name_zh: str, name_en: str | None, locale: str) -> str:
    """A provider's name in ``locale``: the English one where there is one, else the Chinese (also
    for rows read as plain columns, as the providers report reads them)."""
    return (name_en or name_zh) if locale == "en" else name_zh


class Provider(Base):
    __tablename__ = "providers"
    __table_args__ = (Index("ix_providers_status_paused", "status", "paused"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    kind: Mapped[str] = mapped_column(String(12), index=True)  # company, individual, volunteer
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(160))
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # primary phone, E.164: offers go here
    other_phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    capacity: Mapped[int] = mapped_column(default=1)  # jobs at once
    hours: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)  # weekday -> [HH:MM, HH:MM]
    days_off: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates (leave, holidays)
    standard_prices: Mapped[bool] = mapped_column(default=False)  # agrees to the centre's prices
    paused: Mapped[bool] = mapped_column(default=False)  # PAUSE by text: no offers until RESUME
    status: Mapped[str] = mapped_column(String(12), default="applicant")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_orgs.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    organisation: Mapped[VolunteerOrg | None] = relationship(lazy="joined")
    items: Mapped[list[ServiceItem]] = relationship(
        secondary="provider_items", lazy="selectin", order_by="ServiceItem.code"
    )
    areas: Mapped[list[Area]] = relationship(secondary="provider_areas", lazy="selectin", order_by="Area.code")
    documents: Mapped[list[ProviderDocument]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", lazy="selectin", order_by="ProviderDocument.id"
    )
    trainings: Mapped[list[ProviderTraining]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", lazy="selectin", order_by="ProviderTraining.id"
    )
    events: Mapped[list[ProviderEvent]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="ProviderEvent.id"
    )
    checks: Mapped[list[VettingCheck]] = relationship(cascade="all, delete-orphan", order_by="VettingCheck.id")

    def name(self, locale: str) -> str:
        return display_name(self.name_zh, self.name_en, locale)


class ProviderItem(Base):
    __tablename__ = "provider_items"
    __table_args__ = (Index("ix_provider_items_item_provider", "item_id", "provider_id"),)

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"), primary_key=True)


class ProviderArea(Base):
    """A community, street or district covered; a street covers its communities."""

    __tablename__ = "provider_areas"
    __table_args__ = (Index("ix_provider_areas_area_provider", "area_id", "provider_id"),)

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)


class ProviderDocument(Base):
    __tablename__ = "provider_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # business_licence, insurance, skill_certificate
    number: Mapped[str | None] = mapped_column(String(80))
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    provider: Mapped[Provider] = relationship(back_populates="documents")


class ProviderTraining(Base):
    __tablename__ = "provider_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(24))  # induction, etiquette, safety
    completed_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    provider: Mapped[Provider] = relationship(back_populates="trainings")


class ProviderEvent(Base):
    """One row per change of a provider: the audit trail (who, when, from, to, why)."""

    __tablename__ = "provider_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    kind: Mapped[str] = mapped_column(String(24))  # created, status, paused, resumed, vetting_check, document ...
    actor: Mapped[str] = mapped_column(String(40))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    provider: Mapped[Provider] = relationship(back_populates="events")
    staff: Mapped[Staff | None] = relationship(lazy="joined")


class VettingCheck(Base):
    __tablename__ = "provider_vetting_checks"
    __table_args__ = (UniqueConstraint("provider_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    note: Mapped[str | None] = mapped_column(Text)

    staff: Mapped[Staff] = relationship(lazy="joined")


class ProviderReminder(Base):
    """A text to send later (a document or training about to expire, or expired): claimed by the
    reminder sweeper in ``providers.jobs`` when ``due_at`` has passed."""

    __tablename__ = "provider_reminders"
    __table_args__ = (
        Index("ix_provider_reminders_pending_due", "sent_at", "due_at"),
        UniqueConstraint("provider_id", "subject", "expires_on", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(40))  # "document:insurance", "training:safety"
    expires_on: Mapped[dt.date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(12))  # expiring (ahead), expired (on the day)
    due_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]  # when the sweeper finished with it (sent, skipped or gave up)
    outcome: Mapped[str | None] = mapped_column(String(12))  # sent, skipped (renewed), failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    provider: Mapped[Provider] = relationship(lazy="joined")


class LedgerEntry(Base):
    """One performance fact about a provider. Written by dispatch and callbacks through
    ``providers.ledger.record``; ratings, reviews and reports read only this table."""

    __tablename__ = "provider_ledger"
    __table_args__ = (
        UniqueConstraint("provider_id", "kind", "ticket_ref"),
        Index("ix_provider_ledger_provider_at", "provider_id", "at"),
        Index("ix_provider_ledger_at_kind", "at", "kind"),  # reports and reviews: all providers, a period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime]
    ticket_ref: Mapped[str | None] = mapped_column(String(60))  # opaque, e.g. "ticket:2611210001"
    value: Mapped[float | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class ProviderReview(Base):
    """One provider's review for one period: the proposal (rule and figures, recomputed while
    undecided), then a supervisor's decision with a reason, an appeal, a reinstatement. The
    status changes it causes are ``provider_events`` rows too."""

    __tablename__ = "provider_reviews"
    __table_args__ = (UniqueConstraint("period", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(24), index=True)  # 2026-10, 2026-Q3
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    proposal: Mapped[str] = mapped_column(String(12))  # keep, warn, probation, remove
    rule: Mapped[str] = mapped_column(String(40))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="proposed")  # proposed, decided, appealed, reinstated
    decision: Mapped[str | None] = mapped_column(String(12))  # keep, warn, probation, suspend, remove
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[dt.datetime | None]
    appeal: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[dt.datetime | None]
    reinstated_at: Mapped[dt.datetime | None]
    reinstate_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    provider: Mapped[Provider] = relationship(lazy="joined")
    decided_by: Mapped[Staff | None] = relationship(lazy="joined")
