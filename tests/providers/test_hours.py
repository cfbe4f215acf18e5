"""Working hours as supervisors write them in a roster."""

from __future__ import annotations

import datetime as dt

import pytest

from config.errors import InvalidInput
from providers import hours


def test_hours_written_in_english_or_chinese_read_the_same() -> None:
    week = {d: ["08:00", "18:00"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    assert hours.parse("mon-fri 08:00-18:00") == week
    assert hours.parse("周一至周五 8:00-18:00") == week
    assert hours.parse("mon-fri 08:00-18:00; sat 09:00-12:00") == {**week, "saturday": ["09:00", "12:00"]}
    assert hours.parse("") == hours.parse("daily 08:00-20:00")
    assert hours.format(hours.parse("mon-fri 08:00-18:00；sun 00:00-24:00")) == "mon-fri 08:00-18:00; sun 00:00-24:00"
    assert hours.format(hours.parse("每天 07:00-21:00"), "zh_CN") == "每天 07:00-21:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon-fri", "expected e.g. 'mon-fri 08:00-18:00"),
        ("fri-mon 08:00-18:00", "runs backwards"),
        ("someday 08:00-18:00", "unknown day 'someday'"),
        ("mon 18:00-08:00", "18:00 is not before 08:00"),
        ("mon 08:00-25:00", "'25:00' is not a time of day"),
    ],
)
def test_bad_hours_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        hours.parse(text)


def test_midnight_closing_and_days_off() -> None:
    allday = hours.parse("daily 00:00-24:00")
    assert hours.is_working(allday, [], dt.datetime(2026, 11, 20, 23, 59))
    assert not hours.is_working(allday, ["2026-11-20"], dt.datetime(2026, 11, 20, 12, 0))
