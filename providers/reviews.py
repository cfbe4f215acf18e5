"""Survival of the fittest (优胜劣汰), on evidence: every review period the hotline proposes for each
working provider **keep**, **warn**, **probation** or **remove**, with the rule that fired and the
figures behind it (``ratings.records`` over the period); a supervisor confirms or overrides each
proposal with a reason. Rules are ``[reviews]`` in default.toml (README "Reviews").

A rule fires only on enough evidence (minimum surveys, jobs, offers in the period), and removal
only when the removal level held in ``remove_periods`` consecutive periods: a new provider with two
bad surveys is never proposed for removal. ``run`` is idempotent per period: undecided proposals
are recomputed, decided ones are left as they were decided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, joinedload

from config import clock, periods
from config.errors import Conflict, InvalidInput, NotFound
from config.i18n import N_, gettext
from config.periods import Period
from config.settings import Reviews, Settings
from config.staff import Actor, Staff
from providers import ratings, service
from providers.models import Provider, ProviderReview
from sms import service as sms_service

PROPOSALS = ("keep", "warn", "probation", "remove")
DECISIONS = ("keep", "warn", "probation", "suspend", "remove")
REVIEWED = ("active", "probation")  # who is reviewed: providers at work
APPEALABLE = ("warn", "probation", "suspend")
LEVELS = {"keep": 0, "warn": 1, "probation": 2, "remove": 3}
LABELS = {
    "keep": N_("Keep"),
    "warn": N_("Warn"),
    "probation": N_("Probation"),
    "suspend": N_("Suspend"),
    "remove": N_("Remove"),
}
REVIEW_STATUS_LABELS = {
    "proposed": N_("Proposed"),
    "decided": N_("Decided"),
    "appealed": N_("Appealed"),
    "reinstated": N_("Reinstated"),
}
RULES = {
    "within_thresholds": N_("Every figure within the thresholds"),
    "too_little_evidence": N_("Too little evidence this period to judge"),
    "rating_warn": N_("Satisfaction below the warning level"),
    "rating_probation": N_("Satisfaction below the probation level"),
    "rating_remove": N_("Satisfaction below the removal level, but not for enough periods yet"),
    "rating_sustained": N_("Satisfaction below the removal level for consecutive periods"),
    "complaints_warn": N_("Upheld complaints per 100 jobs at the warning level"),
    "complaints_probation": N_("Upheld complaints per 100 jobs at the probation level"),
    "complaints_remove": N_("Upheld complaints per 100 jobs at the removal level, but not for enough periods yet"),
    "complaints_sustained": N_("Upheld complaints per 100 jobs at the removal level for consecutive periods"),
    "overcharge": N_("Charged above the standard price"),
    "overcharges": N_("Charged above the standard price repeatedly"),
    "on_time_warn": N_("Too few jobs completed on time"),
    "acceptance_warn": N_("Accepts too few offers"),
    "expired_warn": N_("Leaves too many offers to expire"),
}
# What the provider is told (their own language), by decision.
TEXTS = {
    "warn": N_("[{centre}] Review {period}: a warning. {rule}. Please improve; you may appeal by calling the centre."),
    "probation": N_("[{centre}] Review {period}: you are on probation. {rule}. You may appeal by calling the centre."),
    "suspend": N_(
        "[{centre}] Review {period}: you are suspended and receive no offers. {rule}. "
        "You may appeal by calling the centre."
    ),
    "remove": N_("[{centre}] Review {period}: you are removed from the centre's providers. {rule}."),
    "reinstated": N_("[{centre}] Your appeal against review {period} was accepted: {reason}"),
}


@dataclass(frozen=True)
class Judgement:
    proposal: str
    rule: str
    level: int  # this period's level alone (0 keep .. 3 removal level)


def level(record: ratings.Record, rules: Reviews) -> tuple[int, str]:
    """The highest level one period's figures reach, and the rule that reached it."""
    fired: list[tuple[int, str]] = []
    judged = False
    if record.surveys >= rules.min_surveys:
        judged = True
        if record.rating < rules.remove_rating:
            fired.append((3, "rating_remove"))
        elif record.rating < rules.probation_rating:
            fired.append((2, "rating_probation"))
        elif record.rating < rules.warn_rating:
            fired.append((1, "rating_warn"))
    if record.completed >= rules.min_jobs:
        judged = True
        per_100 = record.complaints_per_100 or 0.0
        if per_100 >= rules.remove_complaints:
            fired.append((3, "complaints_remove"))
        elif per_100 >= rules.probation_complaints:
            fired.append((2, "complaints_probation"))
        elif per_100 >= rules.warn_complaints and record.complaints:
            fired.append((1, "complaints_warn"))
        if record.on_time / record.completed < rules.warn_on_time:
            fired.append((1, "on_time_warn"))
    if record.offers >= rules.min_offers:
        judged = True
        if record.accepted / record.offers < rules.warn_acceptance:
            fired.append((1, "acceptance_warn"))
        if record.timed_out / record.offers > rules.warn_expired:
            fired.append((1, "expired_warn"))
    if record.overcharges >= rules.probation_overcharges:  # a fact, not a rate: no minimum
        fired.append((2, "overcharges"))
    elif record.overcharges:
        fired.append((1, "overcharge"))
    if not fired:
        return (0, "within_thresholds" if judged else "too_little_evidence")
    return max(fired, key=lambda f: f[0])  # the first rule at the highest level


def judge(this: ratings.Record, before: Sequence[ratings.Record], rules: Reviews) -> Judgement:
    """The proposal from this period's figures and the periods just before it (latest first).
    Removal needs the removal level in ``remove_periods`` consecutive periods, each on enough
    evidence; probation needs its level in ``probation_periods``; otherwise one step less."""
    now_level, rule = level(this, rules)
    levels = [now_level] + [level(r, rules)[0] for r in before]

    def sustained(at_least: int, periods: int) -> bool:
        return len(levels) >= periods and all(lv >= at_least for lv in levels[:periods])

    if now_level >= 3 and sustained(3, rules.remove_periods):
        return Judgement("remove", rule.replace("_remove", "_sustained"), now_level)
    if now_level >= 2 and sustained(2, rules.probation_periods):
        return Judgement("probation", rule, now_level)
    if now_level >= 1:
        return Judgement("warn", rule, now_level)
    return Judgement("keep", rule, now_level)


def figures(record: ratings.Record) -> dict[str, Any]:
    """The numbers behind a proposal, as stored and printed (docs/json.md)."""
    return {
        "surveys": record.surveys,
        "rating": record.rating,
        "rating_low": record.rating_range[0],
        "rating_high": record.rating_range[1],
        "mean_score": record.mean_score,
        "satisfied": record.satisfied,
        "offers": record.offers,
        "accepted": record.accepted,
        "acceptance": round(record.accepted / record.offers, 3) if record.offers else None,
        "expired": record.timed_out,
        "completed": record.completed,
        "on_time": round(record.on_time / record.completed, 3) if record.completed else None,
        "complaints": record.complaints,
        "complaints_per_100": round(record.complaints_per_100, 2) if record.complaints_per_100 is not None else None,
        "overcharges": record.overcharges,
    }


def period_records(
    session: Session,
    *,
    period: Period,
    provider_ids: Sequence[int],
    settings: Settings,
    kinds: Collection[str] | None = None,
) -> dict[int, ratings.Record]:
    """Each provider's record over the period, satisfaction shrunk towards the centre's mean score
    in that period (the configured prior when nobody was surveyed); ``kinds`` as ``ratings.records``."""
    return ratings.records(
        session,
        provider_ids=provider_ids,
        towards_centre=True,
        prior_mean=settings.dispatch.rating_prior_mean,
        prior_weight=settings.reviews.prior_weight,
        since=period.start,
        until=period.end,
        kinds=kinds,
    )


def propose(
    session: Session, *, period: Period, settings: Settings, provider_ids: Sequence[int]
) -> dict[int, tuple[Judgement, ratings.Record]]:
    """Judgements for these providers (no writes). The periods before this one are read only for
    the providers whose figures this period reach a level that needs them (removal, or probation
    when ``probation_periods`` > 1): for everyone else this period decides."""
    rules = settings.reviews
    this = period_records(session, period=period, provider_ids=provider_ids, settings=settings)
    threshold = 2 if rules.probation_periods > 1 else 3
    need = [pid for pid, record in this.items() if level(record, rules)[0] >= threshold]
    earlier: list[dict[int, ratings.Record]] = []
    back = period
    for _ in range(max(rules.remove_periods, rules.probation_periods) - 1 if need else 0):
        back = back.previous()
        earlier.append(period_records(session, period=back, provider_ids=need, settings=settings))
    return {pid: (judge(record, [e[pid] for e in earlier if pid in e], rules), record) for pid, record in this.items()}


def run(session: Session, *, period: Period, settings: Settings) -> list[ProviderReview]:
    """Propose for every provider at work (active, probation), one row per provider and period:
    rerunning recomputes undecided proposals and leaves decisions alone. The rows are written as
    one multi-row INSERT and one executemany UPDATE (ORM bulk by primary key), not 500 units of
    work, and read back once."""
    ids = list(session.scalars(select(Provider.id).where(Provider.status.in_(REVIEWED)).order_by(Provider.id)))
    existing: dict[int, tuple[int, str]] = {
        provider_id: (review_id, status)
        for provider_id, review_id, status in session.execute(
            select(ProviderReview.provider_id, ProviderReview.id, ProviderReview.status).where(
                ProviderReview.period == period.key
            )
        )
    }
    judged = propose(session, period=period, settings=settings, provider_ids=ids)
    now = clock.now()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for provider_id in ids:
        review_id, status = existing.get(provider_id, (None, "proposed"))
        if status != "proposed":
            continue  # decided: left alone
        judgement, record = judged[provider_id]
        values = {"proposal": judgement.proposal, "rule": judgement.rule, "figures": figures(record)}
        if review_id is not None:
            changed.append({"id": review_id, "updated_at": now, **values})
        else:
            new.append({"period": period.key, "provider_id": provider_id, "status": "proposed", "created_at": now,
                        "updated_at": now, **values})  # fmt: skip
    session.flush()  # anything pending goes first: the bulk statements bypass the unit of work
    if new:
        session.execute(insert(ProviderReview), new)
    if changed:
        session.execute(update(ProviderReview), changed)
    rows = session.scalars(
        select(ProviderReview)
        .where(ProviderReview.period == period.key)
        .options(joinedload(ProviderReview.provider).lazyload("*"))  # name and kind, not the whole registry
        .execution_options(populate_existing=True)  # rows already in the session see the new figures
    )
    return sorted(rows, key=lambda r: (-LEVELS[r.proposal], r.provider_id))


def list_reviews(
    session: Session, *, period: str | None = None, provider_id: int | None = None, statuses: Sequence[str] = ()
) -> list[ProviderReview]:
    query = select(ProviderReview).order_by(ProviderReview.period.desc(), ProviderReview.provider_id)
    if period:
        query = query.where(ProviderReview.period == period)
    if provider_id is not None:
        query = query.where(ProviderReview.provider_id == provider_id)
    if statuses:
        query = query.where(ProviderReview.status.in_(statuses))
    return list(session.scalars(query))


def get_review(session: Session, *, review_id: int) -> ProviderReview:
    review = session.get(ProviderReview, review_id)
    if review is None:
        raise NotFound(f"no review with id {review_id} (see: hotline review list)")
    return review


def find_review(session: Session, *, period: str, provider_id: int) -> ProviderReview:
    review = session.scalar(
        select(ProviderReview).where(ProviderReview.period == period, ProviderReview.provider_id == provider_id)
    )
    if review is None:
        raise NotFound(f"provider {provider_id} has no review for {period} (run: hotline review run --period {period})")
    return review


_STATUS_OF = {"probation": "probation", "suspend": "suspended", "remove": "removed"}


def _tell(session: Session, *, review: ProviderReview, what: str, settings: Settings, **params: Any) -> None:
    provider = review.provider
    locale = provider.language
    centre = settings.centre_name_en if locale == "en" else settings.centre_name_zh
    rule = gettext(locale, RULES.get(review.rule, review.rule))
    body = gettext(locale, TEXTS[what], centre=centre, period=review.period, rule=rule, **params)
    sms_service.enqueue(
        session,
        to=provider.phone,
        body=body,
        purpose="provider_review",
        subject=f"review:{review.id}",
        idempotency_key=f"review:{review.id}:{what}",
    )


def decide(
    session: Session,
    *,
    review: ProviderReview,
    decision: str,
    reason: str,
    actor: Actor,
    staff: Staff | None,
    settings: Settings,
) -> ProviderReview:
    """Confirm (the proposal) or override (anything else) with a reason; the provider's status
    follows at once (suspended and removed providers get no more offers), the provider is texted,
    and the review and any status step are audited."""
    if decision not in DECISIONS:
        raise InvalidInput(f"unknown decision {decision!r} (one of {', '.join(DECISIONS)})")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why (--reason): a review decision must be defensible")
    if review.status != "proposed":
        raise Conflict(f"review {review.id} ({review.period}) was already decided: {review.decision}")
    provider = review.provider
    target = _STATUS_OF.get(decision)
    if provider.status not in REVIEWED and decision != "keep":
        raise Conflict(f"provider {provider.id} is {provider.status} now: change the status on its page instead")
    if target is not None and provider.status != target:
        service.change_status(session, provider=provider, to=target, actor=actor, reason=reason, staff=staff)
    now = clock.now()
    review.status, review.decision, review.reason = "decided", decision, reason
    review.decided_by_id, review.decided_at, review.updated_at = (staff.id if staff else None), now, now
    service.record_event(
        session,
        provider,
        kind="review",
        actor=actor,
        note=reason,
        data={
            "review": review.id,
            "period": review.period,
            "proposal": review.proposal,
            "decision": decision,
            "rule": review.rule,
            "override": decision != review.proposal,
        },
    )
    if decision in TEXTS:
        _tell(session, review=review, what=decision, settings=settings)
    session.flush()
    return review


def appeal(session: Session, *, review: ProviderReview, note: str, actor: Actor) -> ProviderReview:
    """Record a provider's appeal against a warning, probation or suspension. Removal is final:
    the provider may apply again (removed -> applicant)."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput("say what the provider appeals on (--note)")
    if review.status != "decided":
        raise Conflict(f"review {review.id} is {review.status}: only a decided review can be appealed")
    if review.decision == "remove":
        raise Conflict("removal is final: the provider may apply again (hotline providers status ID applicant)")
    if review.decision not in APPEALABLE:
        raise Conflict(f"review {review.id} decided {review.decision}: there is nothing to appeal")
    now = clock.now()
    review.status, review.appeal, review.appealed_at, review.updated_at = "appealed", note, now, now
    service.record_event(
        session,
        review.provider,
        kind="appeal",
        actor=actor,
        note=note,
        data={"review": review.id, "period": review.period},
    )
    session.flush()
    return review


def reinstate(
    session: Session, *, review: ProviderReview, reason: str, actor: Actor, staff: Staff | None, settings: Settings
) -> ProviderReview:
    """Uphold an appeal: the provider is active again (a suspension's end is a supervisor's step),
    told by text, and the review says so."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why the provider is reinstated (--reason)")
    if review.status != "appealed":
        raise Conflict(f"review {review.id} is {review.status}: only an appealed review can be reinstated")
    provider = review.provider
    if provider.status in ("probation", "suspended"):
        service.change_status(session, provider=provider, to="active", actor=actor, reason=reason, staff=staff)
    now = clock.now()
    review.status, review.reinstated_at, review.reinstate_reason, review.updated_at = "reinstated", now, reason, now
    service.record_event(
        session,
        provider,
        kind="reinstated",
        actor=actor,
        note=reason,
        data={"review": review.id, "period": review.period},
    )
    _tell(session, review=review, what="reinstated", settings=settings, reason=reason)
    session.flush()
    return review


def run_due(session: Session, *, settings: Settings, at: dt.datetime | None = None) -> int:
    """The scheduled pass: review the last whole period (month or quarter) once it has ended.
    Rerunning is harmless (idempotent per period); returns the proposals written or refreshed."""
    today = (at or clock.now()).astimezone(settings.zone).date()
    period = periods.choose(settings.zone, default=settings.reviews.period, today=today)
    return len(run(session, period=period, settings=settings))
