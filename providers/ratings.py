"""A provider's record in numbers, from the performance ledger alone: the rating dispatch ranks by.

Every figure is shrunk towards a prior so that a handful of facts cannot make or break a provider:
a Bayesian average ``(prior * weight + sum) / (weight + n)``. A new provider stands at the prior
(the rating: ``rating_prior_mean``; the rates: ``RATE_PRIOR``). The ratings issue extends this
function (trends, uncertainty ranges, complaints); dispatch and reports must keep calling this one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from config import clock
from providers.models import LedgerEntry

RECENT = dt.timedelta(days=30)  # "offers in the last 30 days": the fairness window
HISTORY = dt.timedelta(days=365)  # rates and the rating read a year of facts
RATE_PRIOR = 0.8  # a new provider's acceptance and on-time rates ...
RATE_PRIOR_WEIGHT = 5.0  # ... worth this many offers or jobs


@dataclass(frozen=True)
class Record:
    provider_id: int
    rating: float  # 1..5, shrunk towards the prior
    surveys: int  # sample size of the rating
    mean_score: float | None  # the plain mean of the surveys, None without any
    offers_recent: int  # offers made in the last 30 days
    offers: int  # in the history window
    accepted: int
    acceptance_rate: float  # shrunk
    completed: int
    on_time_rate: float  # shrunk
    complaints: int
    overcharges: int


def _shrunk(successes: float, n: float, prior: float, weight: float) -> float:
    return (prior * weight + successes) / (weight + n) if weight + n > 0 else prior


def records(
    session: Session,
    *,
    provider_ids: Iterable[int],
    prior_mean: float = 4.0,
    prior_weight: float = 5.0,
    at: dt.datetime | None = None,
) -> dict[int, Record]:
    """Each provider's record at ``at`` (one grouped query over the ledger's provider/time index)."""
    ids = sorted(set(provider_ids))
    if not ids:
        return {}
    at = at or clock.now()
    recent = case((LedgerEntry.at >= at - RECENT, 1), else_=0)
    rows = session.execute(
        select(
            LedgerEntry.provider_id,
            LedgerEntry.kind,
            func.count(),
            func.sum(LedgerEntry.value),
            func.sum(recent),
        )
        .where(LedgerEntry.provider_id.in_(ids), LedgerEntry.at >= at - HISTORY, LedgerEntry.at <= at)
        .group_by(LedgerEntry.provider_id, LedgerEntry.kind)
    )
    counts: dict[int, dict[str, tuple[int, float, int]]] = {pid: {} for pid in ids}
    for provider_id, kind, count, total, in_recent in rows:
        counts[provider_id][kind] = (int(count), float(total or 0.0), int(in_recent or 0))
    result = {}
    for pid in ids:
        c = counts[pid]

        def n(kind: str, c: dict[str, tuple[int, float, int]] = c) -> int:
            return c.get(kind, (0, 0.0, 0))[0]

        surveys, score_total = n("survey_score"), c.get("survey_score", (0, 0.0, 0))[1]
        offers, accepted = n("offered"), n("accepted")
        on_time, late = n("completed_on_time"), n("completed_late")
        result[pid] = Record(
            provider_id=pid,
            rating=round(_shrunk(score_total, surveys, prior_mean, prior_weight), 3),
            surveys=surveys,
            mean_score=round(score_total / surveys, 2) if surveys else None,
            offers_recent=c.get("offered", (0, 0.0, 0))[2],
            offers=offers,
            accepted=accepted,
            acceptance_rate=round(_shrunk(accepted, offers, RATE_PRIOR, RATE_PRIOR_WEIGHT), 3),
            completed=on_time + late,
            on_time_rate=round(_shrunk(on_time, on_time + late, RATE_PRIOR, RATE_PRIOR_WEIGHT), 3),
            complaints=n("complaint"),
            overcharges=n("overcharge"),
        )
    return result
