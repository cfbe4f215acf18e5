"""The performance ledger: one row per fact about a provider's work. ``dispatch`` and
``callbacks`` append facts here (they may import providers; providers never import them);
ratings, reviews and reports read only this table.

``ticket_ref`` is an opaque string chosen by the writer (``"ticket:2611210001"``). A fact with a
``ticket_ref`` is recorded once: recording it again returns the first row (retries are safe)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from config import clock
from config.errors import InvalidInput
from providers.models import LedgerEntry, Provider

KINDS = (
    "offered",
    "accepted",
    "declined",
    "timed_out",
    "completed_on_time",
    "completed_late",
    "survey_score",
    "complaint",
    "overcharge",
    "service_hours",
)
# Kinds whose fact carries a number: survey_score 1..5, overcharge the amount above the standard
# price (yuan, > 0), service_hours a volunteer's hours on the job (> 0, at most a day).
VALUED = ("survey_score", "overcharge", "service_hours")
SCORE_RANGE = (1.0, 5.0)  # survey scores: 1 (very dissatisfied) .. 5 (very satisfied)
COMPLETED = ("completed_on_time", "completed_late")
# An accepted job with no completion fact counts as open for this long (then it is assumed lost).
OPEN_JOB_HORIZON = dt.timedelta(days=7)


def record(
    session: Session,
    *,
    provider: Provider,
    kind: str,
    at: dt.datetime | None = None,
    ticket_ref: str | None = None,
    value: float | None = None,
    note: str | None = None,
) -> LedgerEntry:
    """Append one fact. Idempotent on (provider, kind, ticket_ref) when ``ticket_ref`` is given."""
    _check(kind, value, at)
    if ticket_ref is not None:
        ticket_ref = ticket_ref.strip() or None
    if ticket_ref is not None:
        existing = _find(session, provider=provider, kind=kind, ticket_ref=ticket_ref)
        if existing is not None:
            return existing
    entry = LedgerEntry(
        provider_id=provider.id,
        kind=kind,
        at=at or clock.now(),
        ticket_ref=ticket_ref,
        value=value,
        note=note,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():  # another process may record the same fact at the same moment
            session.add(entry)
    except IntegrityError:
        found = _find(session, provider=provider, kind=kind, ticket_ref=ticket_ref or "")
        if found is None:
            raise
        return found
    return entry


def _check(kind: str, value: float | None, at: dt.datetime | None) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"unknown ledger kind {kind!r} (one of {', '.join(KINDS)})")
    if kind == "survey_score":
        if value is None or not SCORE_RANGE[0] <= value <= SCORE_RANGE[1]:
            raise InvalidInput(f"a survey score is a number from 1 to 5, got {value!r}")
    elif kind == "overcharge":
        if value is None or not value > 0:
            raise InvalidInput(f"an overcharge fact carries the amount above the standard price (> 0), got {value!r}")
    elif kind == "service_hours":
        if value is None or not 0 < value <= 24:
            raise InvalidInput(
                f"a service_hours fact carries the hours worked (more than 0, at most 24), got {value!r}"
            )
    elif value is not None:
        raise InvalidInput(f"a {kind} fact carries no value")
    if at is not None and at.tzinfo is None:
        raise InvalidInput("ledger times must be aware (UTC)")


def note(
    session: Session,
    *,
    provider_id: int,
    kind: str,
    ticket_ref: str,
    at: dt.datetime | None = None,
    value: float | None = None,
) -> bool:
    """``record`` for a writer that needs no row back (dispatch on its hot paths): one
    ``INSERT … ON CONFLICT DO NOTHING``, no look-up, no savepoint. True when the fact is new."""
    _check(kind, value, at)
    ticket_ref = ticket_ref.strip()
    if not ticket_ref:
        raise InvalidInput("note() needs a ticket_ref (it is what makes the fact idempotent)")
    now = clock.now()
    connection = session.connection()
    values = {"provider_id": provider_id, "kind": kind, "at": at or now, "ticket_ref": ticket_ref, "value": value}
    return bool(connection.execute(_NOTE[connection.dialect.name == "sqlite"], {**values, "created_at": now}).rowcount)


# Built once: the parameters go with each execution, so the statement compiles once per engine.
_NOTE = {
    sqlite_: dialect.insert(LedgerEntry).on_conflict_do_nothing(index_elements=["provider_id", "kind", "ticket_ref"])
    for sqlite_, dialect in ((True, sqlite), (False, postgresql))
}


def _find(session: Session, *, provider: Provider, kind: str, ticket_ref: str) -> LedgerEntry | None:
    return session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.provider_id == provider.id, LedgerEntry.kind == kind, LedgerEntry.ticket_ref == ticket_ref
        )
    )


def open_jobs(session: Session, *, provider_ids: Iterable[int], at: dt.datetime | None = None) -> dict[int, int]:
    """Jobs each provider has accepted (within OPEN_JOB_HORIZON) and not yet completed, from the
    ledger alone. Dispatch, which knows its tickets, may pass its own counts to eligibility instead."""
    ids = list(provider_ids)
    if not ids:
        return {}
    at = at or clock.now()
    done = aliased(LedgerEntry)
    finished = exists().where(
        and_(
            done.provider_id == LedgerEntry.provider_id,
            done.ticket_ref == LedgerEntry.ticket_ref,
            done.kind.in_(COMPLETED),
        )
    )
    query = (
        select(LedgerEntry.provider_id, func.count())
        .where(
            LedgerEntry.provider_id.in_(ids),
            LedgerEntry.kind == "accepted",
            LedgerEntry.ticket_ref.is_not(None),
            LedgerEntry.at >= at - OPEN_JOB_HORIZON,
            LedgerEntry.at <= at,
            ~finished,
        )
        .group_by(LedgerEntry.provider_id)
    )
    return {provider_id: count for provider_id, count in session.execute(query)}


@dataclass
class Summary:
    since: dt.datetime | None
    until: dt.datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    mean_score: float | None = None

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted offers out of offers made."""
        offered = self.counts.get("offered", 0)
        return self.counts.get("accepted", 0) / offered if offered else None

    @property
    def on_time_rate(self) -> float | None:
        completed = self.counts.get("completed_on_time", 0) + self.counts.get("completed_late", 0)
        return self.counts.get("completed_on_time", 0) / completed if completed else None

    @property
    def complaints(self) -> int:
        return self.counts.get("complaint", 0)

    @property
    def surveys(self) -> int:
        return self.counts.get("survey_score", 0)


def summary(
    session: Session, *, provider: Provider, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> Summary:
    """Counts per kind, acceptance rate, on-time rate, mean survey score, complaints in
    [since, until); either end None leaves that side open."""
    conditions = [LedgerEntry.provider_id == provider.id]
    if until is not None:
        conditions.append(LedgerEntry.at < until)
    if since is not None:
        conditions.append(LedgerEntry.at >= since)
    rows = session.execute(
        select(LedgerEntry.kind, func.count(), func.avg(LedgerEntry.value))
        .where(*conditions)
        .group_by(LedgerEntry.kind)
    )
    result = Summary(since=since, until=until, counts={kind: 0 for kind in KINDS})
    for kind, count, mean in rows:
        result.counts[kind] = count
        if kind == "survey_score" and mean is not None:
            result.mean_score = round(float(mean), 2)
    return result
