"""Reporting and review periods: a month (``2026-10``), a quarter (``2026-Q3``) or a range of days
(``--from 2026-10-01 --to 2026-10-15``, both ends included), in centre time, as UTC bounds
[start, end)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from config.errors import InvalidInput

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True)
class Period:
    key: str  # 2026-10, 2026-Q3, 2026-10-01..2026-10-15
    kind: str  # month, quarter, range
    first: dt.date  # first day, centre time
    last: dt.date  # last day (included)
    zone: ZoneInfo

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), self.zone).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), self.zone).astimezone(dt.UTC)

    def previous(self) -> Period:
        """The period before: last month, last quarter, or as many days just before."""
        if self.kind == "month":
            return month_of(self.first - dt.timedelta(days=1), self.zone)
        if self.kind == "quarter":
            return quarter_of(self.first - dt.timedelta(days=1), self.zone)
        days = (self.last - self.first).days + 1
        return between(self.first - dt.timedelta(days=days), self.first - dt.timedelta(days=1), self.zone)

    def months(self) -> list[Period]:
        """The months the period touches (the trend charts), clipped to it."""
        result, day = [], self.first.replace(day=1)
        while day <= self.last:
            month = month_of(day, self.zone)
            result.append(month)
            day = month.last + dt.timedelta(days=1)
        return result


def month_of(day: dt.date, zone: ZoneInfo) -> Period:
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period(f"{first:%Y-%m}", "month", first, last, zone)


def quarter_of(day: dt.date, zone: ZoneInfo) -> Period:
    q = (day.month - 1) // 3
    first = dt.date(day.year, 3 * q + 1, 1)
    last = (dt.date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - dt.timedelta(days=1)
    return Period(f"{day.year}-Q{q + 1}", "quarter", first, last, zone)


def between(first: dt.date, last: dt.date, zone: ZoneInfo) -> Period:
    if last < first:
        raise InvalidInput(f"--to {last} is before --from {first}")
    return Period(f"{first}..{last}", "range", first, last, zone)


def parse(key: str, zone: ZoneInfo) -> Period:
    """``2026-10`` or ``2026-Q3``; anything else is one clear error."""
    key = key.strip()
    if m := _MONTH.match(key):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise InvalidInput(f"period {key!r}: month {month} is not 01-12")
        return month_of(dt.date(year, month, 1), zone)
    if m := _QUARTER.match(key):
        return quarter_of(dt.date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1), zone)
    raise InvalidInput(f"period {key!r} is neither a month (2026-10) nor a quarter (2026-Q3)")


def choose(
    zone: ZoneInfo,
    *,
    period: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    default: str = "month",
    today: dt.date | None = None,
) -> Period:
    """The period a command or page names: --period, or --from/--to, or else the last whole month
    (or quarter) before today."""
    if period and (first or last):
        raise InvalidInput("give either --period or --from/--to, not both")
    if period:
        return parse(period, zone)
    if first or last:
        if not (first and last):
            raise InvalidInput("--from and --to go together")
        return between(first, last, zone)
    today = today or dt.datetime.now(zone).date()
    current = quarter_of(today, zone) if default == "quarter" else month_of(today, zone)
    return current.previous()


def parse_day(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None
