"""When to ask and by when to answer: the centre's calendar (opening hours, public holidays) and
the residents' quiet hours, as pure functions of an instant and the settings.

- a survey text goes ``sms_delay_minutes`` (or the category's ``delay_minutes``) after the
  completion, moved out of the quiet hours (which run across midnight: 21:00-08:00);
- a survey call (automated or an operator's) goes the next day at ``call_at``, moved into the
  opening hours, off public holidays and out of the quiet hours; a retry likewise;
- a complaint is due at the close of the n-th working day after it came in (a working day is a
  day the centre opens that is not a public holiday).

All instants are aware; the rules are read in the centre's zone.
"""

from __future__ import annotations

import datetime as dt

from config.settings import WEEKDAYS, Settings
from sms.outbox import Policy

SEARCH_DAYS = 400  # a calendar without an open day in a year is a configuration mistake


def out_of_quiet_hours(at: dt.datetime, settings: Settings) -> dt.datetime:
    """``at``, or the end of the quiet hours it falls in."""
    until = Policy(quiet_hours=settings.quiet_hours, zone=settings.zone).quiet_until(at)
    return until if until is not None else at


def _opening(day: dt.date, settings: Settings) -> tuple[dt.datetime, dt.datetime] | None:
    """The day's opening and closing instants, or None when closed (no hours, or a holiday)."""
    if day in settings.holidays:
        return None
    span = settings.opening_hours.get(WEEKDAYS[day.weekday()])
    if not span:
        return None
    zone = settings.zone
    opens, closes = (dt.datetime.combine(day, dt.time.fromisoformat(t), tzinfo=zone) for t in span)
    return opens, closes


def next_open(at: dt.datetime, settings: Settings) -> dt.datetime:
    """The first instant at or after ``at`` when the centre is open (``at`` itself if open)."""
    local = at.astimezone(settings.zone)
    for offset in range(SEARCH_DAYS):
        hours = _opening(local.date() + dt.timedelta(days=offset), settings)
        if hours is None:
            continue
        opens, closes = hours
        if offset == 0 and local >= closes:
            continue
        return max(opens, local).astimezone(dt.UTC)
    return at  # no opening hours configured at all: nothing to move into


def call_time(at: dt.datetime, settings: Settings) -> dt.datetime:
    """``at`` moved into the opening hours, off holidays and out of the quiet hours."""
    for _ in range(10):  # the two rules settle in a step or two
        moved = out_of_quiet_hours(next_open(at, settings), settings)
        if moved == at:
            return at
        at = moved
    return at


def survey_due(completed_at: dt.datetime, *, channel: str, category: str | None, settings: Settings) -> dt.datetime:
    """When a survey of a service completed at ``completed_at`` is first asked."""
    config = settings.callbacks
    if channel == "sms":
        minutes = config.delay_minutes.get(category or "", config.sms_delay_minutes)
        return out_of_quiet_hours(completed_at + dt.timedelta(minutes=minutes), settings)
    day = completed_at.astimezone(settings.zone).date() + dt.timedelta(days=1)
    for _ in range(SEARCH_DAYS):  # a holiday or a closed day: the next open day, at the same time
        if _opening(day, settings) is not None:
            break
        day += dt.timedelta(days=1)
    call_at = dt.datetime.combine(day, dt.time.fromisoformat(config.call_at), tzinfo=settings.zone)
    return call_time(call_at.astimezone(dt.UTC), settings)


def retry_due(after: dt.datetime, *, attempt: int, settings: Settings) -> dt.datetime | None:
    """When to call again after ``attempt`` unanswered calls, or None when that was the last."""
    waits = settings.callbacks.call_retry_hours
    if attempt > len(waits):
        return None
    return call_time(after + dt.timedelta(hours=waits[attempt - 1]), settings)


def working_deadline(start: dt.datetime, days: int, settings: Settings) -> dt.datetime:
    """The close of the ``days``-th working day after the day of ``start`` (its own day does not
    count: a complaint made on Friday at 17:00 before a holiday is due at the close of the third
    open day after the holiday)."""
    day = start.astimezone(settings.zone).date()
    counted = 0
    for _ in range(SEARCH_DAYS):
        day += dt.timedelta(days=1)
        hours = _opening(day, settings)
        if hours is None:
            continue
        counted += 1
        if counted == days:
            return hours[1].astimezone(dt.UTC)
    return start + dt.timedelta(days=days)  # no opening hours configured: calendar days
