"""The demo's reviews: the two whole months before this one, reviewed and partly decided through
the real ``providers.reviews`` code (``hotline.demo`` calls ``seed`` once the history is written)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from config import clock, periods, staff
from config.settings import Settings
from config.staff import Actor
from providers import reviews as provider_reviews

# What the supervisor said on the demo's reviews of the month before last (see seed).
REVIEW_REASONS = {
    "confirm": "数据属实，按规则处理",
    "override": "迟到主要因中山路施工封路，已核实，本月不予警告",
    "appeal": "企业申诉：两起投诉已与居民协商解决，居民撤回意见",
    "reinstate": "申诉属实，投诉已妥善处理，恢复正常派单",
    "confirm_last": "已电话约谈负责人，按规则处理",
}


def seed(session: Session, settings: Settings, supervisor: staff.Staff, now: dt.datetime) -> None:
    """The reviews of the two whole months before this one, through the real ``providers.reviews``
    code, at the time the supervisor would have done them: the month before last decided (warnings
    and probations confirmed, the late arrivals overridden with a reason, the complaints probation
    appealed and reinstated), last month proposed with two decisions made and the rest (the
    removals among them) left for the visitor."""
    zone, actor = settings.zone, Actor.of_staff(supervisor)
    this_month = periods.month_of(now.astimezone(zone).date(), zone)
    last = this_month.previous()
    before = last.previous()

    def at(day: dt.date, hour: int) -> dt.datetime:
        return min(dt.datetime.combine(day, dt.time(hour), zone).astimezone(dt.UTC), now)

    def decide(review: Any, decision: str, reason: str) -> None:
        provider_reviews.decide(
            session, review=review, decision=decision, reason=reason, actor=actor, staff=supervisor, settings=settings
        )

    with clock.freeze(at(last.first + dt.timedelta(days=1), 9)):
        rows = provider_reviews.run(session, period=before, settings=settings)
        for review in rows:
            if review.proposal == "keep":
                continue
            if review.rule == "on_time_warn":
                decide(review, "keep", REVIEW_REASONS["override"])
            else:
                decide(review, review.proposal, REVIEW_REASONS["confirm"])
    appealed = next((r for r in rows if r.rule == "complaints_probation" and r.status == "decided"), None)
    if appealed is not None:
        with clock.freeze(at(last.first + dt.timedelta(days=4), 10)):
            provider_reviews.appeal(session, review=appealed, note=REVIEW_REASONS["appeal"], actor=actor)
        with clock.freeze(at(last.first + dt.timedelta(days=6), 15)):
            provider_reviews.reinstate(
                session, review=appealed, reason=REVIEW_REASONS["reinstate"], actor=actor, staff=supervisor,
                settings=settings,
            )  # fmt: skip
    with clock.freeze(at(this_month.first + dt.timedelta(days=1), 9)):
        rows = provider_reviews.run(session, period=last, settings=settings)
        for review in rows:
            if review.rule in ("rating_probation", "overcharges"):
                decide(review, review.proposal, REVIEW_REASONS["confirm_last"])
