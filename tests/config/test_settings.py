from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.settings import load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HOTLINE_TIMEZONE",
        "HOTLINE_DEFAULT_REGION",
        "HOTLINE_LOCALE",
        "HOTLINE_SECRET_KEY",
        "HOTLINE_DEMO",
        "HOTLINE_DATABASE_URL",
        "HOTLINE_CONFIG_FILE",
        "HOTLINE_AMI_PORT",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_come_from_default_toml() -> None:
    settings = load_settings(demo=True)
    assert settings.timezone == "Asia/Shanghai"
    assert settings.default_region == "CN"
    assert settings.default_area_code == "573"
    assert settings.locale == "zh_CN"
    assert settings.opening_hours["monday"] == ["08:00", "20:00"]
    assert dt.date(2026, 10, 1) in settings.holidays


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_TIMEZONE", "America/New_York")
    monkeypatch.setenv("HOTLINE_LOCALE", "en")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql://u:p@db/hotline")
    settings = load_settings(demo=True)
    assert settings.timezone == "America/New_York"
    assert settings.locale == "en"
    assert settings.database_url == "postgresql+psycopg://u:p@db/hotline"


def test_a_local_config_file_overrides_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    local = tmp_path / "local.toml"
    local.write_text('default_area_code = "571"\n[quiet_hours]\nstart = "22:00"\nend = "07:30"\n')
    monkeypatch.setenv("HOTLINE_CONFIG_FILE", str(local))
    settings = load_settings(demo=True)
    assert settings.default_area_code == "571"
    assert settings.quiet_hours.start == "22:00"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("HOTLINE_TIMEZONE", "Mars/Olympus", "HOTLINE_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("HOTLINE_DEFAULT_REGION", "XX", "HOTLINE_DEFAULT_REGION: unknown region 'XX'"),
        ("HOTLINE_LOCALE", "fr", "HOTLINE_LOCALE:"),
        ("HOTLINE_DATABASE_URL", "mysql://x", "HOTLINE_DATABASE_URL: must start with"),
        ("HOTLINE_AMI_PORT", "seventy", "HOTLINE_AMI_PORT:"),
    ],
)
def test_a_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings(demo=True)
    assert info.value.message.startswith(expected)
    assert "\n" not in info.value.message


def test_placeholder_secret_refused_outside_demo_mode() -> None:
    with pytest.raises(ConfigError, match="HOTLINE_SECRET_KEY is a placeholder"):
        load_settings()
    assert load_settings(demo=True).secret_key == "change-me"
    assert load_settings(secret_key="a-real-long-random-secret-value-of-32+").demo is False


@pytest.mark.parametrize("secret", ["short-but-not-a-placeholder", "x" * 31, " " * 8 + "y" * 30])
def test_a_secret_shorter_than_32_characters_is_refused_outside_demo_mode(secret: str) -> None:
    with pytest.raises(ConfigError, match=r"HOTLINE_SECRET_KEY is \d+ characters; it must be at least 32"):
        load_settings(secret_key=secret)
    assert load_settings(secret_key=secret, demo=True).demo is True  # demo mode does not use it
    assert load_settings(secret_key="z" * 32).secret_key == "z" * 32


def test_opening_hours_and_holidays() -> None:
    settings = load_settings(demo=True)
    shanghai = settings.zone
    assert settings.is_open(dt.datetime(2026, 11, 23, 9, 0, tzinfo=shanghai))  # Monday
    assert not settings.is_open(dt.datetime(2026, 11, 23, 20, 0, tzinfo=shanghai))
    assert not settings.is_open(dt.datetime(2026, 11, 22, 8, 0, tzinfo=shanghai))  # Sunday opens 08:30
    assert not settings.is_open(dt.datetime(2026, 10, 1, 10, 0, tzinfo=shanghai))  # National Day
    # UTC input is read in the centre's zone: 01:00 UTC is 09:00 in Shanghai
    assert settings.is_open(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC))


def test_quiet_hours_wrap_midnight() -> None:
    quiet = load_settings(demo=True).quiet_hours
    assert quiet.contains(dt.time(22, 30))
    assert quiet.contains(dt.time(6, 0))
    assert not quiet.contains(dt.time(12, 0))


def test_bad_opening_hours_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    local = tmp_path / "local.toml"
    local.write_text('[opening_hours]\nmonday = ["20:00", "08:00"]\n')
    monkeypatch.setenv("HOTLINE_CONFIG_FILE", str(local))
    with pytest.raises(ConfigError, match="HOTLINE_OPENING_HOURS: monday: opening 20:00 is not before"):
        load_settings(demo=True)
