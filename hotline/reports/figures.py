"""The figures of each report, computed with grouped queries over one period (``config.periods``).

- centre: contacts by channel, calls answered / abandoned, tickets by category and community,
  first-contact resolutions, median time to acceptance, SLA met, services delivered (人次, the
  ledger's completion facts), satisfaction rate (answers scoring 4-5 and the count behind it),
  callback (survey) reach rate, complaints received / upheld / overdue;
- providers: per category, ranked by rating, this period against the last, with the review's
  proposal (stored, or computed without writing);
- volunteers: service hours by station, substation, service point and volunteer, welfare jobs done.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callbacks.models import Complaint, Survey
from config import clock
from config.areas import Area
from config.catalog import Category, ServiceItem
from config.i18n import gettext
from config.periods import Period
from config.settings import Settings
from dispatch.models import Ticket
from hotline.voice.models import Call
from providers import ratings, reviews
from providers.models import LedgerEntry, Provider, ProviderItem, ProviderReview, display_name
from providers.states import KIND_LABELS, LABELS

COMPLETED = ("completed_on_time", "completed_late")
REACH_FINISHED = ("answered", "no_answer", "expired")


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Centre:
    period: Period
    contacts_by_channel: dict[str, int] = field(default_factory=dict)
    contacts: int = 0
    calls: dict[str, int] = field(default_factory=dict)  # inbound calls by outcome
    by_category: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, tickets
    by_community: list[tuple[str, str, int]] = field(default_factory=list)
    first_contact: int = 0
    accepted: int = 0
    median_acceptance_minutes: float | None = None
    sla_due: int = 0
    sla_met: int = 0
    services: int = 0  # 人次: completions in the ledger
    surveys_answered: int = 0
    surveys_satisfied: int = 0
    surveys_finished: int = 0  # answered, unanswered or expired: the reach rate's base
    complaints_received: int = 0
    complaints_upheld: int = 0
    complaints_overdue: int = 0
    trend: list[dict[str, Any]] = field(default_factory=list)  # per month: tickets, services, satisfaction

    @property
    def calls_total(self) -> int:
        return sum(self.calls.values())

    @property
    def sla_share(self) -> float | None:
        return share(self.sla_met, self.sla_due)

    @property
    def satisfaction(self) -> float | None:
        return share(self.surveys_satisfied, self.surveys_answered)

    @property
    def reach(self) -> float | None:
        return share(self.surveys_answered, self.surveys_finished)

    def summary(self) -> dict[str, Any]:
        """The headline figures, flat (CSV, XLSX, JSON)."""
        return {
            "period": self.period.key,
            "contacts": self.contacts,
            **{f"contacts_{k}": v for k, v in self.contacts_by_channel.items()},
            "calls": self.calls_total,
            "calls_answered": self.calls.get("answered", 0),
            "calls_abandoned": self.calls.get("abandoned", 0),
            "calls_missed": self.calls.get("missed", 0),
            "first_contact_resolutions": self.first_contact,
            "accepted": self.accepted,
            "median_minutes_to_acceptance": self.median_acceptance_minutes,
            "sla_due": self.sla_due,
            "sla_met": self.sla_met,
            "sla_met_share": self.sla_share,
            "services_delivered": self.services,
            "surveys_answered": self.surveys_answered,
            "surveys_satisfied": self.surveys_satisfied,
            "satisfaction_rate": self.satisfaction,
            "surveys_finished": self.surveys_finished,
            "callback_reach_rate": self.reach,
            "complaints_received": self.complaints_received,
            "complaints_upheld": self.complaints_upheld,
            "complaints_overdue": self.complaints_overdue,
        }


def centre(session: Session, *, period: Period, locale: str, with_trend: bool = True) -> Centre:
    start, end = period.start, period.end
    result = Centre(period=period)
    in_period = (Ticket.created_at >= start, Ticket.created_at < end)
    for channel, count in session.execute(
        select(Ticket.channel, func.count()).where(*in_period).group_by(Ticket.channel).order_by(Ticket.channel)
    ):
        result.contacts_by_channel[channel] = count
    result.contacts = sum(result.contacts_by_channel.values())
    for outcome, count in session.execute(
        select(Call.outcome, func.count())
        .where(Call.direction == "inbound", Call.started_at >= start, Call.started_at < end)
        .group_by(Call.outcome)
    ):
        result.calls[outcome] = count
    rows = session.execute(
        select(Category.code, Category.name_zh, Category.name_en, func.count())
        .select_from(Ticket)
        .join(ServiceItem, ServiceItem.id == Ticket.item_id)
        .join(Category, Category.id == ServiceItem.category_id)
        .where(*in_period)
        .group_by(Category.code, Category.name_zh, Category.name_en)
    )
    result.by_category = sorted(
        ((code, en if locale == "en" else zh, n) for code, zh, en, n in rows), key=lambda r: (-r[2], r[0])
    )
    untriaged = session.scalar(select(func.count()).where(*in_period, Ticket.item_id.is_(None))) or 0
    if untriaged:
        result.by_category.append(("-", "-", untriaged))
    rows = session.execute(
        select(Area.code, Area.name_zh, Area.name_en, func.count())
        .select_from(Ticket)
        .join(Area, Area.id == Ticket.community_id)
        .where(*in_period)
        .group_by(Area.code, Area.name_zh, Area.name_en)
    )
    result.by_community = sorted(
        ((code, en if locale == "en" else zh, n) for code, zh, en, n in rows), key=lambda r: (-r[2], r[0])
    )
    result.first_contact = (
        session.scalar(
            select(func.count()).where(*in_period, Ticket.resolution.is_not(None), Ticket.provider_id.is_(None))
        )
        or 0
    )
    waits = [
        (accepted - created).total_seconds() / 60
        for created, accepted in session.execute(
            select(Ticket.created_at, Ticket.accepted_at).where(*in_period, Ticket.accepted_at.is_not(None))
        )
        if accepted is not None
    ]
    result.accepted = len(waits)
    result.median_acceptance_minutes = round(statistics.median(waits), 1) if waits else None
    due = [
        (accepted is not None and accepted <= due_at)
        for due_at, accepted in session.execute(
            select(Ticket.due_at, Ticket.accepted_at).where(
                *in_period, Ticket.due_at.is_not(None), Ticket.status != "cancelled", Ticket.resolution.is_(None)
            )
        )
        if due_at is not None and (accepted is not None or due_at < clock.now())  # not yet due: not judged
    ]
    result.sla_due, result.sla_met = len(due), sum(due)
    result.services = (
        session.scalar(
            select(func.count()).where(LedgerEntry.kind.in_(COMPLETED), LedgerEntry.at >= start, LedgerEntry.at < end)
        )
        or 0
    )
    answered = (Survey.answered_at >= start, Survey.answered_at < end, Survey.score.is_not(None))
    result.surveys_answered = session.scalar(select(func.count()).where(*answered)) or 0
    result.surveys_satisfied = session.scalar(select(func.count()).where(*answered, Survey.score >= 4)) or 0
    result.surveys_finished = (
        session.scalar(
            select(func.count()).where(
                Survey.completed_at >= start, Survey.completed_at < end, Survey.status.in_(REACH_FINISHED)
            )
        )
        or 0
    )
    received = (Complaint.created_at >= start, Complaint.created_at < end)
    result.complaints_received = session.scalar(select(func.count()).where(*received)) or 0
    result.complaints_upheld = (
        session.scalar(
            select(func.count()).where(
                Complaint.outcome == "upheld", Complaint.decided_at >= start, Complaint.decided_at < end
            )
        )
        or 0
    )
    now = clock.now()
    result.complaints_overdue = sum(
        1
        for deadline, decided in session.execute(select(Complaint.deadline_at, Complaint.decided_at).where(*received))
        if deadline is not None and (decided > deadline if decided is not None else deadline < now)
    )
    if with_trend:
        result.trend = trend(session, period=period)
    return result


def trend(session: Session, *, period: Period) -> list[dict[str, Any]]:
    """Month by month over the period (the current year's months for a single month)."""
    months = period.months() if period.kind != "month" else _year_to(period)
    rows = []
    for month in months:
        tickets = (
            session.scalar(select(func.count()).where(Ticket.created_at >= month.start, Ticket.created_at < month.end))
            or 0
        )
        services = (
            session.scalar(
                select(func.count()).where(
                    LedgerEntry.kind.in_(COMPLETED), LedgerEntry.at >= month.start, LedgerEntry.at < month.end
                )
            )
            or 0
        )
        answered = (Survey.answered_at >= month.start, Survey.answered_at < month.end, Survey.score.is_not(None))
        n = session.scalar(select(func.count()).where(*answered)) or 0
        happy = session.scalar(select(func.count()).where(*answered, Survey.score >= 4)) or 0
        rows.append(
            {
                "month": month.key,
                "tickets": tickets,
                "services": services,
                "satisfaction": share(happy, n),
                "surveys": n,
            }
        )
    return rows


def _year_to(period: Period) -> list[Period]:
    """The six months up to and including this one."""
    result = [period]
    for _ in range(5):
        result.insert(0, result[0].previous())
    return result


@dataclass
class ProviderRow:
    id: int
    name: str
    kind: str
    status: str
    rating: float
    surveys: int
    completed: int
    on_time: float | None
    complaints: int
    complaints_per_100: float | None
    overcharges: int
    last_rating: float | None
    last_completed: int
    proposal: str
    rule: str
    decision: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


WORKING = ("active", "probation", "suspended")  # the providers a report ranks


@dataclass
class ProvidersReport:
    period: Period
    previous: Period
    categories: list[tuple[str, str, list[ProviderRow]]]  # code, name, ranked rows
    proposals: dict[str, int]


def providers(session: Session, *, period: Period, settings: Settings, locale: str) -> ProvidersReport:
    """Ranked tables per category (a provider appears under each category it serves)."""
    previous = period.previous()
    working_now = Provider.status.in_(WORKING)
    # plain columns: the rows only show a name, a kind and a status (no provider objects to build)
    working = session.execute(
        select(Provider.id, Provider.name_zh, Provider.name_en, Provider.kind, Provider.status)
        .where(working_now)
        .order_by(Provider.id)
    ).all()
    ids = [p.id for p in working]
    this = reviews.period_records(session, period=period, provider_ids=ids, settings=settings)
    # the last period is only compared by rating and completed jobs: only their facts are read
    last = reviews.period_records(
        session, period=previous, provider_ids=ids, settings=settings, kinds=ratings.SATISFACTION_KINDS
    )
    stored = {
        provider_id: (proposal, rule, decision)
        for provider_id, proposal, rule, decision in session.execute(
            select(
                ProviderReview.provider_id, ProviderReview.proposal, ProviderReview.rule, ProviderReview.decision
            ).where(ProviderReview.period == period.key)
        )
    }
    missing = [p.id for p in working if p.id not in stored and p.status in reviews.REVIEWED]
    computed = reviews.propose(session, period=period, settings=settings, provider_ids=missing) if missing else {}
    categories = {c.id: c for c in session.scalars(select(Category).order_by(Category.position, Category.code))}
    served: dict[int, set[int]] = defaultdict(set)
    for provider_id, category_id in session.execute(
        select(ProviderItem.provider_id, ServiceItem.category_id)
        .join(ServiceItem, ServiceItem.id == ProviderItem.item_id)
        .join(Provider, Provider.id == ProviderItem.provider_id)
        .where(working_now)
    ):
        served[provider_id].add(category_id)
    rows: dict[int, ProviderRow] = {}
    counts: dict[str, int] = {p: 0 for p in reviews.PROPOSALS}
    kinds = {kind: gettext(locale, label) for kind, label in KIND_LABELS.items()}
    statuses = {status: gettext(locale, label) for status, label in LABELS.items()}
    for p in working:
        r, before = this[p.id], last[p.id]
        if p.id in stored:
            proposal, rule, decision = stored[p.id]
        elif p.id in computed:
            proposal, rule, decision = computed[p.id][0].proposal, computed[p.id][0].rule, None
        else:
            proposal, rule, decision = "keep", "not_reviewed", None
        counts[proposal] = counts.get(proposal, 0) + (p.status in reviews.REVIEWED)
        rows[p.id] = ProviderRow(
            id=p.id,
            name=display_name(p.name_zh, p.name_en, locale),
            kind=kinds[p.kind],
            status=statuses[p.status],
            rating=r.rating,
            surveys=r.surveys,
            completed=r.completed,
            on_time=share(r.on_time, r.completed),
            complaints=r.complaints,
            complaints_per_100=round(r.complaints_per_100, 1) if r.complaints_per_100 is not None else None,
            overcharges=r.overcharges,
            last_rating=before.rating if before.surveys else None,
            last_completed=before.completed,
            proposal=proposal,
            rule=rule,
            decision=decision,
        )
    tables = []
    for category_id, category in categories.items():
        ranked = sorted(
            (rows[pid] for pid in ids if category_id in served[pid]),
            key=lambda row: (-row.rating, -row.completed, row.id),
        )
        if ranked:
            tables.append((category.code, category.name(locale), ranked))
    return ProvidersReport(period=period, previous=previous, categories=tables, proposals=counts)
