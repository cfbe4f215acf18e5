"""Working hours as people write them: ``mon-fri 08:00-18:00; sat 09:00-12:00`` (or ``daily
08:00-20:00``, ``周一至周五 08:00-18:00``). Stored as ``{"monday": ["08:00", "18:00"], ...}``;
a weekday that is not listed is a day off. ``24:00`` closes at midnight."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from config.errors import InvalidInput
from config.settings import WEEKDAYS

DEFAULT = "daily 08:00-20:00"
_DAY_NAMES: dict[str, int] = {}
for _index, _weekday in enumerate(WEEKDAYS):
    _DAY_NAMES[_weekday] = _DAY_NAMES[_weekday[:3]] = _index
for _index, _zh in enumerate("一二三四五六日"):
    _DAY_NAMES[f"周{_zh}"] = _DAY_NAMES[f"星期{_zh}"] = _index
_DAY_NAMES["周天"] = _DAY_NAMES["星期天"] = 6
_ALL_DAYS = ("daily", "everyday", "每天", "每日")
_SPAN = re.compile(r"^(?P<days>.+?)\s*(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$|^24:00$")


def _minutes(value: str) -> int:
    if not _TIME.match(value):
        raise InvalidInput(f"{value!r} is not a time of day (HH:MM)")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _day(name: str, text: str) -> int:
    if name not in _DAY_NAMES:
        raise InvalidInput(f"hours {text!r}: unknown day {name!r} (mon..sun, 周一..周日, daily)")
    return _DAY_NAMES[name]


def _days(part: str, text: str) -> list[int]:
    part = part.strip().lower()
    if part in _ALL_DAYS:
        return list(range(7))
    days: list[int] = []
    for piece in re.split(r"[,、]", part):
        piece = piece.strip()
        bounds = re.split(r"\s*(?:-|~|至|到)\s*", piece)
        if len(bounds) == 2:
            first, last = _day(bounds[0], text), _day(bounds[1], text)
            if last < first:
                raise InvalidInput(f"hours {text!r}: {piece!r} runs backwards")
            days += range(first, last + 1)
        else:
            days.append(_day(piece, text))
    return days


def parse(text: str | None) -> dict[str, list[str]]:
    """``mon-fri 08:00-18:00; sat 09:00-12:00`` -> ``{"monday": ["08:00", "18:00"], ...}``."""
    text = unicodedata.normalize("NFKC", text or "").strip() or DEFAULT
    hours: dict[str, list[str]] = {}
    for part in re.split(r"[;；]", text):
        part = part.strip()
        if not part:
            continue
        match = _SPAN.match(part)
        if not match:
            raise InvalidInput(f"hours {text!r}: expected e.g. 'mon-fri 08:00-18:00; sat 09:00-12:00'")
        start, end = match["start"].zfill(5), match["end"].zfill(5)
        if _minutes(start) >= _minutes(end):
            raise InvalidInput(f"hours {text!r}: {start} is not before {end}")
        for index in _days(match["days"], text):
            hours[WEEKDAYS[index]] = [start, end]
    return {day: hours[day] for day in WEEKDAYS if day in hours}


ZH_DAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def format(hours: dict[str, list[str]], locale: str = "en") -> str:
    """The inverse of ``parse``: consecutive days with the same hours are joined (``mon-fri``);
    ``locale`` zh_CN writes them as people read them (``周一至周五 08:00-18:00``)."""
    zh = locale == "zh_CN"
    parts: list[str] = []
    index = 0
    while index < 7:
        span = hours.get(WEEKDAYS[index])
        if not span:
            index += 1
            continue
        last = index
        while last + 1 < 7 and hours.get(WEEKDAYS[last + 1]) == span:
            last += 1
        names = ZH_DAYS if zh else [day[:3] for day in WEEKDAYS]
        if index == 0 and last == 6:
            days = "每天" if zh else "daily"
        else:
            days = names[index] + ((("至" if zh else "-") + names[last]) if last > index else "")
        parts.append(f"{days} {span[0]}-{span[1]}")
        index = last + 1
    return ("；" if zh else "; ").join(parts)


def is_working(hours: dict[str, list[str]], days_off: list[str], local: dt.datetime) -> bool:
    """Whether ``local`` (in the centre's zone) is inside the provider's hours and not a day off."""
    if local.date().isoformat() in days_off:
        return False
    span = hours.get(WEEKDAYS[local.weekday()])
    if not span:
        return False
    now = local.hour * 60 + local.minute
    return _minutes(span[0]) <= now < _minutes(span[1])
