"""When surveys are asked and complaints fall due: quiet hours across midnight, opening hours,
public holidays (the centre's calendar in config/default.toml), in Shanghai time."""

from __future__ import annotations

import datetime as dt

import pytest

from callbacks import sweep, timing
from config.settings import Settings, load_settings

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def settings() -> Settings:
    return load_settings(demo=True)


@pytest.mark.parametrize(
    ("completed", "due"),
    [
        ("2026-11-20 10:00", "2026-11-20 12:00"),  # two hours later
        ("2026-11-20 18:59", "2026-11-20 20:59"),  # just before the quiet hours
        ("2026-11-20 19:00", "2026-11-21 08:00"),  # 21:00 is quiet: the morning
        ("2026-11-20 23:30", "2026-11-21 08:00"),  # 01:30 after midnight is still quiet
        ("2026-11-21 05:00", "2026-11-21 08:00"),  # 07:00: quiet until 08:00
        ("2026-11-21 06:00", "2026-11-21 08:00"),  # exactly the end of the quiet hours
    ],
)
def test_a_survey_text_waits_two_hours_and_never_falls_in_the_quiet_hours(
    settings: Settings, completed: str, due: str
) -> None:
    got = timing.survey_due(local(completed), channel="sms", category="plumbing_electrical", settings=settings)
    assert got == local(due)


def test_a_category_can_wait_longer(settings: Settings) -> None:
    got = timing.survey_due(local("2026-11-20 10:00"), channel="sms", category="emergency_help", settings=settings)
    assert got == local("2026-11-21 10:00")  # delay_minutes.emergency_help = 1440


@pytest.mark.parametrize(
    ("completed", "due"),
    [
        ("2026-11-20 15:00", "2026-11-21 10:00"),  # Friday: Saturday 10:00 (open 08:30-17:30)
        ("2026-11-20 23:50", "2026-11-21 10:00"),  # late Friday: still the next day
        ("2026-09-24 16:00", "2026-09-28 10:00"),  # before the Mid-Autumn holiday (25-27): Monday after
        ("2026-09-30 11:00", "2026-10-08 10:00"),  # before National Day (1-7)
        ("2026-12-31 09:00", "2027-01-02 10:00"),  # New Year's Day is a holiday
    ],
)
def test_a_survey_call_is_the_next_day_at_ten_in_opening_hours_and_off_holidays(
    settings: Settings, completed: str, due: str
) -> None:
    for channel in ("desk", "voice"):
        assert timing.survey_due(local(completed), channel=channel, category=None, settings=settings) == local(due)


def test_a_call_time_outside_opening_hours_moves_to_the_opening(settings: Settings) -> None:
    early = settings.model_copy(update={"callbacks": settings.callbacks.model_copy(update={"call_at": "07:00"})})
    got = timing.survey_due(local("2026-11-20 15:00"), channel="desk", category=None, settings=early)
    assert got == local("2026-11-21 08:30")  # Saturday opens at 08:30
    late = settings.model_copy(update={"callbacks": settings.callbacks.model_copy(update={"call_at": "19:00"})})
    got = timing.survey_due(local("2026-11-20 15:00"), channel="desk", category=None, settings=late)
    assert got == local("2026-11-22 08:30")  # Saturday closes at 17:30: Sunday's opening


def test_opening_hours_inside_the_quiet_hours_still_give_no_call_at_night(settings: Settings) -> None:
    open_late = settings.model_copy(
        update={"opening_hours": {day: ["06:00", "23:00"] for day in ("monday", "tuesday")}}
    )
    assert timing.call_time(local("2026-11-23 22:00"), open_late) == local("2026-11-24 08:00")
    assert timing.call_time(local("2026-11-23 06:30"), open_late) == local("2026-11-23 08:00")


def test_unanswered_calls_are_tried_three_times_over_two_days(settings: Settings) -> None:
    first = local("2026-11-21 10:00")
    second = timing.retry_due(first, attempt=1, settings=settings)
    assert second == local("2026-11-21 14:00")
    assert second is not None and timing.retry_due(second, attempt=2, settings=settings) == local("2026-11-22 14:00")
    assert timing.retry_due(local("2026-11-22 14:00"), attempt=3, settings=settings) is None
    assert timing.retry_due(local("2026-11-21 16:00"), attempt=1, settings=settings) == local("2026-11-22 08:30")


@pytest.mark.parametrize(
    ("made", "deadline"),
    [
        ("2026-11-20 10:00", "2026-11-23 20:00"),  # Friday: Sat, Sun, Mon
        ("2026-09-24 17:00", "2026-09-30 20:00"),  # Thursday 17:00 before Mid-Autumn: Mon, Tue, Wed after it
        ("2026-09-30 10:00", "2026-10-10 17:30"),  # before National Day: Thu 8, Fri 9, Sat 10 (closes 17:30)
        ("2026-12-31 23:00", "2027-01-04 20:00"),  # over New Year's Day
    ],
)
def test_a_complaint_is_due_at_the_close_of_its_third_working_day(settings: Settings, made: str, deadline: str) -> None:
    assert timing.working_deadline(local(made), 3, settings) == local(deadline)


@pytest.mark.parametrize(
    ("phone", "tags", "category", "channel"),
    [
        ("+8613800138000", (), "plumbing_electrical", "sms"),
        ("+8613800138000", ("elderly",), "plumbing_electrical", "desk"),
        ("+8613800138000", ("one_touch",), None, "desk"),
        ("+8613800138000", ("low_income",), None, "sms"),
        ("+8657382123456", (), "plumbing_electrical", "desk"),  # a landline cannot take texts
        ("+8613800138000", (), "elderly_care", "desk"),  # the category says a person calls
    ],
)
def test_the_channel_follows_the_residents_profile_then_the_category(
    settings: Settings, phone: str, tags: tuple[str, ...], category: str | None, channel: str
) -> None:
    assert sweep.channel_for(phone=phone, tags=tags, category=category, settings=settings) == channel


def test_an_automated_call_needs_twilio_else_a_person_calls(settings: Settings) -> None:
    voice = settings.callbacks.model_copy(update={"channels": {"plumbing_electrical": "voice"}})
    without = settings.model_copy(update={"callbacks": voice, "demo": False})  # a real centre without Twilio
    assert (
        sweep.channel_for(phone="+8613800138000", tags=(), category="plumbing_electrical", settings=without) == "desk"
    )
    twilio = without.model_copy(
        update={"twilio_account_sid": "AC1", "twilio_auth_token": "t", "twilio_from_number": "+8657396345"}
    )
    assert (
        sweep.channel_for(phone="+8613800138000", tags=(), category="plumbing_electrical", settings=twilio) == "voice"
    )
    for mode in ("demo", "training"):  # without Twilio the call rings the phone simulator
        simulated = without.model_copy(update={mode: True})
        assert sweep.channel_for(
            phone="+8613800138000", tags=(), category="plumbing_electrical", settings=simulated
        ) == ("voice")


def test_a_code_takes_more_digits_when_the_residents_other_survey_has_its_last_four() -> None:
    assert sweep.code_for("2611210007", set()) == "0007"
    assert sweep.code_for("2611220007", {"0007"}) == "220007"
    assert sweep.code_for("2611220007", {"0007", "220007"}) == "2611220007"
