"""A provider's record in numbers, from the performance ledger alone: the rating dispatch ranks by,
the evidence supervisors read, and the figures the reviews judge.

Every figure is shrunk towards a prior so that a handful of facts cannot make or break a provider:
a Bayesian average ``(prior * weight + sum) / (weight + n)``. A new provider stands at the prior
(the rating: the centre's mean score or ``rating_prior_mean``; the rates: ``RATE_PRIOR``). Each
figure carries its sample size and a 95 % range: a Wilson interval for the shares, a normal
interval around the shrunk mean for the satisfaction score. ``records`` is the one function;
dispatch, the provider page, the reviews and the reports all call it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from config import clock
from providers.models import LedgerEntry

RECENT = dt.timedelta(days=30)  # "offers in the last 30 days": the fairness window
HISTORY = dt.timedelta(days=365)  # rates and the rating read a year of facts
RATE_PRIOR = 0.8  # a new provider's acceptance and on-time rates ...
RATE_PRIOR_WEIGHT = 5.0  # ... worth this many offers or jobs
Z = 1.96  # 95 % ranges
SATISFIED = 4.0  # a survey scoring 4 or 5 is a satisfied resident


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
    complaints: int  # upheld complaints (callbacks records a complaint fact only when upheld)
    overcharges: int
    # the evidence (the ratings issue): counts, plain shares and their 95 % ranges
    rating_range: tuple[float, float] = (1.0, 5.0)
    satisfied: int = 0  # surveys scoring 4-5
    declined: int = 0
    timed_out: int = 0  # offers left to expire
    on_time: int = 0
    service_hours: float = 0.0

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.surveys if self.surveys else None

    @property
    def expired_share(self) -> float | None:
        return self.timed_out / self.offers if self.offers else None

    @property
    def complaints_per_100(self) -> float | None:
        """Upheld complaints per 100 completed jobs (None before the first job)."""
        return 100.0 * self.complaints / self.completed if self.completed else None

    @property
    def overcharges_per_100(self) -> float | None:
        return 100.0 * self.overcharges / self.completed if self.completed else None

    def evidence(self) -> dict[str, dict[str, Any]]:
        """Each component with its value, sample size and 95 % range (the page, the CLI's JSON)."""

        def share(successes: int, n: int) -> dict[str, Any]:
            low, high = wilson(successes, n)
            return {
                "value": round(successes / n, 3) if n else None,
                "count": successes,
                "n": n,
                "low": low,
                "high": high,
            }

        def per_100(events: int, jobs: int) -> dict[str, Any]:
            low, high = wilson(min(events, jobs), jobs)
            return {
                "value": round(100.0 * events / jobs, 2) if jobs else None,
                "count": events,
                "n": jobs,
                "low": round(100 * low, 2),
                "high": round(100 * high, 2),
            }

        return {
            "satisfaction": {
                "value": self.rating,
                "mean": self.mean_score,
                "n": self.surveys,
                "low": self.rating_range[0],
                "high": self.rating_range[1],
            },
            "satisfied": share(self.satisfied, self.surveys),
            "acceptance": share(self.accepted, self.offers),
            "expired": share(self.timed_out, self.offers),
            "on_time": share(self.on_time, self.completed),
            "complaints_per_100": per_100(self.complaints, self.completed),
            "overcharges_per_100": per_100(self.overcharges, self.completed),
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"rating_range": list(self.rating_range)}


def _shrunk(successes: float, n: float, prior: float, weight: float) -> float:
    return (prior * weight + successes) / (weight + n) if weight + n > 0 else prior


def wilson(successes: int, n: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a share (0..1 when there is nothing to go on)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (round(max(0.0, centre - spread), 3), round(min(1.0, centre + spread), 3))


def _score_range(shrunk: float, n: int, total: float, squares: float, weight: float) -> tuple[float, float]:
    """A normal 95 % range around the shrunk mean: the surveys' spread (at least 0.5, so a run of
    equal scores is not taken as certainty) over the square root of the evidence it stands on."""
    if n > 1:
        variance = max(0.0, (squares - total * total / n) / (n - 1))
        sd = max(math.sqrt(variance), 0.5)
    else:
        sd = 1.0
    spread = Z * sd / math.sqrt(max(weight + n, 1.0))
    return (round(max(1.0, shrunk - spread), 2), round(min(5.0, shrunk + spread), 2))


def centre_mean(session: Session, *, since: dt.datetime, until: dt.datetime) -> float | None:
    """The mean survey score of every provider in [since, until): what ratings shrink towards."""
    return _mean(session, (LedgerEntry.at >= since, LedgerEntry.at < until))


def _mean(session: Session, window: tuple[Any, ...]) -> float | None:
    value = session.scalar(select(func.avg(LedgerEntry.value)).where(LedgerEntry.kind == "survey_score", *window))
    return round(float(value), 3) if value is not None else None


# From this many providers on, a record reads every provider's facts in the window at once (see
# ``records``): a review or a report asks for nearly all of them; dispatch asks for a handful.
WHOLE_PASS = 100

# The kinds behind a record's rating and completed jobs (a report's "last period" column).
SATISFACTION_KINDS = frozenset({"survey_score", "completed_on_time", "completed_late"})
Counts = dict[str, tuple[int, float, int, int, float]]  # kind -> count, sum, recent, satisfied, squares
_EMPTY = (0, 0.0, 0, 0, 0.0)


def _aggregate(
    session: Session, ids: list[int] | None, window: tuple[Any, ...], recent_from: dt.datetime
) -> dict[int, Counts]:
    """One grouped query over the ledger: provider -> per-kind counts and sums. The ``IN (ids)``
    list lets SQLite walk the (provider_id, at) index provider by provider; ``ids=None`` reads
    every provider's facts in the window (one pass over the time index, no list to bind)."""
    recent = case((LedgerEntry.at >= recent_from, 1), else_=0)
    satisfied = case((LedgerEntry.value >= SATISFIED, 1), else_=0)
    result: dict[int, Counts] = {}
    chunks: list[tuple[Any, ...]] = (
        [()] if ids is None else [(LedgerEntry.provider_id.in_(ids[i : i + 900]),) for i in range(0, len(ids), 900)]
    )  # 900: SQLite's bound-parameter limit
    for chunk in chunks:
        rows = session.execute(
            select(
                LedgerEntry.provider_id,
                LedgerEntry.kind,
                func.count(),
                func.sum(LedgerEntry.value),
                func.sum(recent),
                func.sum(satisfied),
                func.sum(LedgerEntry.value * LedgerEntry.value),
            )
            .where(*chunk, *window)
            .group_by(LedgerEntry.provider_id, LedgerEntry.kind)
        )
        for provider_id, kind, count, total, in_recent, happy, squares in rows:
            result.setdefault(provider_id, {})[kind] = (
                int(count),
                float(total or 0.0),
                int(in_recent or 0),
                int(happy or 0),
                float(squares or 0.0),
            )
    return result


def _record(pid: int, c: Counts, prior_mean: float, prior_weight: float) -> Record:
    def n(kind: str) -> int:
        return c.get(kind, _EMPTY)[0]

    surveys, score_total, _, happy, squares = c.get("survey_score", _EMPTY)
    offers, accepted = n("offered"), n("accepted")
    on_time, late = n("completed_on_time"), n("completed_late")
    rating = _shrunk(score_total, surveys, prior_mean, prior_weight)
    return Record(
        provider_id=pid,
        rating=round(rating, 3),
        surveys=surveys,
        mean_score=round(score_total / surveys, 2) if surveys else None,
        offers_recent=c.get("offered", _EMPTY)[2],
        offers=offers,
        accepted=accepted,
        acceptance_rate=round(_shrunk(accepted, offers, RATE_PRIOR, RATE_PRIOR_WEIGHT), 3),
        completed=on_time + late,
        on_time_rate=round(_shrunk(on_time, on_time + late, RATE_PRIOR, RATE_PRIOR_WEIGHT), 3),
        complaints=n("complaint"),
        overcharges=n("overcharge"),
        rating_range=_score_range(rating, surveys, score_total, squares, prior_weight),
        satisfied=happy,
        declined=n("declined"),
        timed_out=n("timed_out"),
        on_time=on_time,
        service_hours=round(c.get("service_hours", _EMPTY)[1], 2),
    )


def records(
    session: Session,
    *,
    provider_ids: Iterable[int],
    prior_mean: float = 4.0,
    prior_weight: float = 5.0,
    at: dt.datetime | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    kinds: Collection[str] | None = None,
    towards_centre: bool = False,
) -> dict[int, Record]:
    """Each provider's record at ``at`` over the year before it (one grouped query over the ledger's
    provider/time index), or over [since, until) when a review or report names a period.
    ``kinds``: count only these kinds of fact (a report's comparison column needs only
    ``SATISFACTION_KINDS``); the figures of the other kinds are then zero, not read.
    ``towards_centre``: shrink the rating towards the centre's mean score over the same window
    (``centre_mean``; ``prior_mean`` only when nobody was surveyed). For many providers (a review,
    a report) every provider's facts are read in one pass and the centre's mean is summed from
    them, which costs the same pass as the providers' own counts instead of one more."""
    ids = sorted(set(provider_ids))
    if not ids:
        return {}
    at = at or clock.now()
    if until is not None:
        span: tuple[Any, ...] = (LedgerEntry.at >= (since or until - HISTORY), LedgerEntry.at < until)
        recent_from = until - RECENT
    else:
        span = (LedgerEntry.at >= (since or at - HISTORY), LedgerEntry.at <= at)
        recent_from = at - RECENT
    window = span if kinds is None else (*span, LedgerEntry.kind.in_(sorted(kinds)))
    whole = towards_centre and len(ids) >= WHOLE_PASS and (kinds is None or "survey_score" in kinds)
    counts = _aggregate(session, None if whole else ids, window, recent_from)
    if whole:
        surveys = [c["survey_score"] for c in counts.values() if "survey_score" in c]
        n = sum(s[0] for s in surveys)
        prior_mean = round(sum(s[1] for s in surveys) / n, 3) if n else prior_mean
    elif towards_centre:
        centre = _mean(session, span)
        prior_mean = centre if centre is not None else prior_mean
    return {pid: _record(pid, counts.get(pid, {}), prior_mean, prior_weight) for pid in ids}


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM, centre time
    surveys: int
    mean_score: float | None
    offers: int
    accepted: int
    timed_out: int
    completed: int
    on_time: int
    complaints: int
    overcharges: int


def trend(
    session: Session, *, provider_id: int, zone: ZoneInfo, months: int = 12, at: dt.datetime | None = None
) -> list[Month]:
    """One provider's facts month by month (centre time), oldest first, the current month last."""
    at = at or clock.now()
    local = at.astimezone(zone)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    keys = []
    cursor = first
    for _ in range(months):
        keys.append(f"{cursor:%Y-%m}")
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    buckets: dict[str, dict[str, list[float]]] = {key: {} for key in keys}
    rows = session.execute(
        select(LedgerEntry.kind, LedgerEntry.at, LedgerEntry.value).where(
            LedgerEntry.provider_id == provider_id,
            LedgerEntry.at >= first.astimezone(dt.UTC),
            LedgerEntry.at <= at,
        )
    )
    for kind, when, value in rows:
        key = f"{when.astimezone(zone):%Y-%m}"
        if key in buckets:
            buckets[key].setdefault(kind, []).append(float(value or 0.0))
    result = []
    for key in keys:
        b = buckets[key]
        scores = b.get("survey_score", [])
        on_time = len(b.get("completed_on_time", []))
        result.append(
            Month(
                month=key,
                surveys=len(scores),
                mean_score=round(sum(scores) / len(scores), 2) if scores else None,
                offers=len(b.get("offered", [])),
                accepted=len(b.get("accepted", [])),
                timed_out=len(b.get("timed_out", [])),
                completed=on_time + len(b.get("completed_late", [])),
                on_time=on_time,
                complaints=len(b.get("complaint", [])),
                overcharges=len(b.get("overcharge", [])),
            )
        )
    return result
