"""The public JSON shapes of providers (CLI ``--json``). Add fields, never rename or remove them.
Documented in docs/json.md."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from config.audit import AuditEventOut
from providers import ledger
from providers.eligibility import Eligibility
from providers.models import Provider


class ReasonOut(BaseModel):
    code: str
    text_en: str
    text_zh: str


class EligibilityOut(BaseModel):
    item_code: str | None
    community_code: str | None
    at: dt.datetime
    eligible: bool
    reasons: list[ReasonOut]

    @classmethod
    def of(
        cls, verdict: Eligibility, *, at: dt.datetime, item_code: str | None, community_code: str | None
    ) -> EligibilityOut:
        return cls(
            item_code=item_code,
            community_code=community_code,
            at=at,
            eligible=verdict.eligible,
            reasons=[ReasonOut(code=r.code, text_en=r.text("en"), text_zh=r.text("zh_CN")) for r in verdict.reasons],
        )


class DocumentOut(BaseModel):
    kind: str
    number: str | None
    expires_on: dt.date | None


class TrainingOut(BaseModel):
    course: str
    completed_on: dt.date
    expires_on: dt.date | None


class ProviderOut(BaseModel):
    id: int
    uuid: str
    kind: str
    status: str
    name_zh: str
    name_en: str | None
    phone: str
    other_phones: list[str]
    language: str
    item_codes: list[str]
    area_codes: list[str]
    capacity: int
    hours: dict[str, list[str]]
    days_off: list[str]
    standard_prices: bool
    paused: bool
    organisation: str | None
    documents: list[DocumentOut]
    trainings: list[TrainingOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    eligibility: EligibilityOut | None = None

    @classmethod
    def of(cls, provider: Provider, eligibility: EligibilityOut | None = None) -> ProviderOut:
        return cls(
            id=provider.id,
            uuid=provider.uuid,
            kind=provider.kind,
            status=provider.status,
            name_zh=provider.name_zh,
            name_en=provider.name_en,
            phone=provider.phone,
            other_phones=list(provider.other_phones),
            language=provider.language,
            item_codes=[item.code for item in provider.items],
            area_codes=[area.code for area in provider.areas],
            capacity=provider.capacity,
            hours=dict(provider.hours),
            days_off=list(provider.days_off),
            standard_prices=provider.standard_prices,
            paused=provider.paused,
            organisation=provider.organisation.path() if provider.organisation else None,
            documents=[DocumentOut(kind=d.kind, number=d.number, expires_on=d.expires_on) for d in provider.documents],
            trainings=[
                TrainingOut(course=t.course, completed_on=t.completed_on, expires_on=t.expires_on)
                for t in provider.trainings
            ],
            created_at=provider.created_at,
            updated_at=provider.updated_at,
            eligibility=eligibility,
        )


EventOut = AuditEventOut  # the shape every audit trail shares


class LedgerSummaryOut(BaseModel):
    since: dt.datetime | None
    until: dt.datetime | None
    counts: dict[str, int]
    acceptance_rate: float | None
    on_time_rate: float | None
    mean_score: float | None
    complaints: int

    @classmethod
    def of(cls, summary: ledger.Summary) -> LedgerSummaryOut:
        return cls(
            since=summary.since,
            until=summary.until,
            counts=summary.counts,
            acceptance_rate=summary.acceptance_rate,
            on_time_rate=summary.on_time_rate,
            mean_score=summary.mean_score,
            complaints=summary.complaints,
        )


class ProviderDetailOut(ProviderOut):
    vetting_checks: list[str]
    vetting_missing: list[str]
    events: list[EventOut]
    ledger: LedgerSummaryOut
