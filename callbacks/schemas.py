"""The public JSON shapes of surveys and complaints (docs/json.md): fields are added, never renamed."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from callbacks import complaints as complaint_rules
from callbacks import notify
from callbacks.models import Complaint, Survey
from config.audit import AuditEventOut
from config.settings import Settings


class PartyOut(BaseModel):
    id: int
    name: str


class SurveyOut(BaseModel):
    id: int
    ticket: str
    round: int
    channel: str
    status: str
    due_at: dt.datetime
    attempts: int
    code: str | None
    score: int | None
    comment: str | None
    reason: str | None
    phone: str
    provider: PartyOut | None
    operator: PartyOut | None
    completed_at: dt.datetime
    sent_at: dt.datetime | None
    expires_at: dt.datetime | None
    answered_at: dt.datetime | None
    events: list[AuditEventOut]

    @classmethod
    def of(cls, survey: Survey, events: list[AuditEventOut] | None = None) -> SurveyOut:
        provider = survey.provider or survey.ticket.provider
        operator = survey.ticket.operator
        return cls(
            id=survey.id,
            ticket=survey.ticket.number,
            round=survey.round,
            channel=survey.channel,
            status=survey.status,
            due_at=survey.due_at,
            attempts=survey.attempts,
            code=survey.code,
            score=survey.score,
            comment=survey.comment,
            reason=survey.reason,
            phone=survey.resident.phone,
            provider=PartyOut(id=provider.id, name=provider.name_zh) if provider else None,
            operator=PartyOut(id=operator.id, name=operator.name) if operator else None,
            completed_at=survey.completed_at,
            sent_at=survey.sent_at,
            expires_at=survey.expires_at,
            answered_at=survey.answered_at,
            events=events or [],
        )


class DeskEntryOut(BaseModel):
    """A phone survey an operator should make now, with what to say."""

    survey: SurveyOut
    resident_name: str | None
    language: str
    item_zh: str | None
    item_en: str | None
    last_result: str | None
    script: str

    @classmethod
    def of(cls, survey: Survey, settings: Settings) -> DeskEntryOut:
        ticket, resident = survey.ticket, survey.resident
        item = ticket.item.name(settings.locale) if ticket.item else "-"
        provider = ticket.provider.name(settings.locale) if ticket.provider else "-"
        return cls(
            survey=SurveyOut.of(survey),
            resident_name=resident.name,
            language=resident.language,
            item_zh=ticket.item.name_zh if ticket.item else None,
            item_en=ticket.item.name_en if ticket.item else None,
            last_result=survey.reason,
            script=notify.desk_script(
                settings, number=ticket.number, item=item, provider=provider, completed_at=survey.completed_at
            ),
        )


class ComplaintOut(BaseModel):
    id: int
    status: str
    source: str
    ticket: str | None
    provider: PartyOut | None
    phone: str
    text: str
    owner: PartyOut | None
    deadline_at: dt.datetime
    overdue: bool
    escalated: bool
    outcome: str | None
    reply: str | None
    decided_at: dt.datetime | None
    decided_by: str | None
    told: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, complaint: Complaint) -> ComplaintOut:
        return cls(
            id=complaint.id,
            status=complaint.status,
            source=complaint.source,
            ticket=complaint.ticket.number if complaint.ticket else None,
            provider=PartyOut(id=complaint.provider.id, name=complaint.provider.name_zh)
            if complaint.provider
            else None,
            phone=complaint.resident.phone,
            text=complaint.text,
            owner=PartyOut(id=complaint.owner.id, name=complaint.owner.name) if complaint.owner else None,
            deadline_at=complaint.deadline_at,
            overdue=complaint_rules.overdue(complaint),
            escalated=complaint.escalated_at is not None,
            outcome=complaint.outcome,
            reply=complaint.reply,
            decided_at=complaint.decided_at,
            decided_by=complaint.decided_by,
            told=complaint.told_at is not None,
            created_at=complaint.created_at,
        )


class FiguresOut(BaseModel):
    channel: str
    sent: int
    answered: int
    response_rate: float | None
    median_minutes_to_answer: float | None
