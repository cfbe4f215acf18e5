"""The quarterly packet for the social supervisors' meeting (社会监督员): the centre figures, the
complaints and their outcomes (residents' phones masked), the review decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks.models import Complaint
from config import clock, phones
from config.periods import Period
from hotline.reports.figures import Centre, centre
from providers.models import ProviderReview


@dataclass
class Packet:
    """The quarterly packet for the social supervisors' meeting (社会监督员)."""

    centre: Centre
    complaints: list[dict[str, Any]]
    decisions: list[dict[str, Any]]


def packet(session: Session, *, period: Period, locale: str, zone: Any) -> Packet:
    complaints = [
        {
            "id": c.id,
            "received": c.created_at.astimezone(zone).strftime("%Y-%m-%d"),
            "resident": phones.masked(c.resident.phone) if c.resident.phone.startswith("+") else "-",
            "provider": c.provider.name(locale) if c.provider else "-",
            "text": c.text,
            "outcome": c.outcome or c.status,
            "reply": c.reply or "",
            "late": bool((c.decided_at or clock.now()) > c.deadline_at),
        }
        for c in session.scalars(
            select(Complaint)
            .where(Complaint.created_at >= period.start, Complaint.created_at < period.end)
            .order_by(Complaint.created_at)
        )
    ]
    keys = [m.key for m in period.months()] + ([period.key] if period.kind == "quarter" else [])
    decisions = [
        {
            "period": r.period,
            "provider": r.provider.name(locale),
            "proposal": r.proposal,
            "rule": r.rule,
            "decision": r.decision,
            "reason": r.reason or "",
            "status": r.status,
            "appeal": r.appeal or "",
        }
        for r in session.scalars(
            select(ProviderReview)
            .where(ProviderReview.period.in_(keys), ProviderReview.decision.is_not(None))
            .order_by(ProviderReview.period, ProviderReview.provider_id)
        )
    ]
    return Packet(centre=centre(session, period=period, locale=locale), complaints=complaints, decisions=decisions)
