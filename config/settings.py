"""One typed settings object: environment variables ``HOTLINE_*``, then a ``.env`` file in the
working directory (``hotline demo`` writes one), then ``HOTLINE_CONFIG_FILE``, then
``config/default.toml``. Demo mode is not a setting: it belongs to a database that records it is
a demo centre (``config.demo``), and ``load_settings`` reads it from there."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import AliasChoices, BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config import phones
from config.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_TOML = CONFIG_DIR / "default.toml"
ENV_FILE = ".env"  # read from the working directory, below the environment; `hotline demo` writes one
MIN_SECRET_LENGTH = 32
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "placeholder"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _time(value: str) -> dt.time:
    if not _HHMM.match(value):
        raise ValueError(f"expected HH:MM, got {value!r}")
    return dt.time.fromisoformat(value)


class QuietHours(BaseModel):
    start: str = "21:00"
    end: str = "08:00"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        _time(value)
        return value

    def contains(self, local: dt.time) -> bool:
        start, end = _time(self.start), _time(self.end)
        if start <= end:
            return start <= local < end
        return local >= start or local < end


class DispatchWeights(BaseModel):
    """How much each component counts in a candidate's score (each component is 0..1)."""

    rating: float = Field(default=0.30, ge=0)
    acceptance: float = Field(default=0.10, ge=0)
    on_time: float = Field(default=0.10, ge=0)
    load: float = Field(default=0.15, ge=0)
    fairness: float = Field(default=0.20, ge=0)
    proximity: float = Field(default=0.15, ge=0)
    welfare_volunteer: float = Field(default=0.30, ge=0)  # welfare item, volunteer of the resident's community


class Dispatch(BaseModel):
    """Matching, offers, timeouts and escalation (``[dispatch]`` in default.toml)."""

    offer_window_minutes: dict[str, int] = Field(default_factory=lambda: {"normal": 30, "urgent": 10, "emergency": 3})
    arrival_minutes: dict[str, int] = Field(default_factory=lambda: {"normal": 120, "urgent": 60, "emergency": 30})
    max_rounds: int = Field(default=4, ge=1)  # offer rounds before a ticket is escalated
    retry_minutes: int = Field(default=10, ge=1)  # an escalated automatic ticket is tried again this often
    at_risk_share: float = Field(default=0.8, gt=0, lt=1)  # of the response time, without an acceptance
    auto_categories: list[str] = Field(default_factory=list)  # category codes dispatched without an operator
    duty_dispatcher_phone: str = ""  # texted on escalation when set
    duty_supervisor_phone: str = ""  # texted when a ticket breaches its SLA
    rating_prior_mean: float = Field(default=4.0, ge=1, le=5)  # a new provider's rating
    rating_prior_weight: float = Field(default=5.0, ge=0)  # surveys' worth of the prior
    weights: DispatchWeights = Field(default_factory=DispatchWeights)

    @field_validator("offer_window_minutes", "arrival_minutes")
    @classmethod
    def _per_urgency(cls, value: dict[str, int]) -> dict[str, int]:
        for urgency in ("normal", "urgent", "emergency"):
            if urgency not in value:
                raise ValueError(f"needs a value for {urgency}")
            if value[urgency] < 1:
                raise ValueError(f"{urgency}: at least 1 minute")
        return value

    def window(self, urgency: str) -> dt.timedelta:
        return dt.timedelta(minutes=self.offer_window_minutes.get(urgency, self.offer_window_minutes["normal"]))

    def arrival(self, urgency: str) -> dt.timedelta:
        return dt.timedelta(minutes=self.arrival_minutes.get(urgency, self.arrival_minutes["normal"]))


SURVEY_CHANNELS = ("sms", "voice", "desk")  # a text, an automated Twilio call, an operator's call


class Callbacks(BaseModel):
    """Surveys after every service and complaints (``[callbacks]`` in default.toml)."""

    sms_delay_minutes: int = Field(default=120, ge=0)  # a survey text this long after completion ...
    delay_minutes: dict[str, int] = Field(default_factory=dict)  # ... or this long for a category code
    call_at: str = "10:00"  # phone surveys: the day after completion at this centre time (then opening hours)
    channels: dict[str, str] = Field(default_factory=dict)  # category code -> sms, voice or desk
    desk_tags: list[str] = Field(default_factory=lambda: ["elderly", "one_touch", "disabled"])  # a person calls
    answer_hours: int = Field(default=48, ge=1)  # an unanswered survey text closes after this
    call_retry_hours: list[float] = Field(default_factory=lambda: [4.0, 24.0])  # waits between call attempts
    horizon_days: int = Field(default=7, ge=1)  # a ticket completed (or closed) longer ago is left alone
    low_score: int = Field(default=2, ge=1, le=5)  # a score at or below it opens a complaint
    complaint_days: int = Field(default=3, ge=1)  # working days (open days, not holidays) to decide
    complaint_owner: str = ""  # staff name or extension of the supervisor who owns complaints; else the first

    @field_validator("call_at")
    @classmethod
    def _call_at(cls, value: str) -> str:
        _time(value)
        return value

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: dict[str, str]) -> dict[str, str]:
        for category, channel in value.items():
            if channel not in SURVEY_CHANNELS:
                raise ValueError(f"{category}: channel {channel!r} is not one of {', '.join(SURVEY_CHANNELS)}")
        return value

    @field_validator("delay_minutes")
    @classmethod
    def _delays(cls, value: dict[str, int]) -> dict[str, int]:
        for category, minutes in value.items():
            if minutes < 0:
                raise ValueError(f"{category}: a delay cannot be negative")
        return value

    @property
    def call_attempts(self) -> int:
        return len(self.call_retry_hours) + 1


REVIEW_PROPOSALS = ("keep", "warn", "probation", "remove")


class Reviews(BaseModel):
    """Keep / warn / probation / remove, proposed every review period (``[reviews]`` in default.toml;
    README "Reviews"). A rule fires only on enough evidence: ``min_surveys`` for the satisfaction
    rules, ``min_jobs`` for complaints, overcharges and punctuality, ``min_offers`` for acceptance."""

    period: Literal["month", "quarter"] = "month"  # what ``hotline review run`` covers without --period
    prior_weight: float = Field(default=10.0, ge=0)  # satisfaction shrinks to the centre mean by this many surveys
    min_surveys: int = Field(default=10, ge=1)
    min_jobs: int = Field(default=10, ge=1)
    min_offers: int = Field(default=10, ge=1)
    warn_rating: float = Field(default=3.8, ge=1, le=5)  # shrunk satisfaction below this: warn
    probation_rating: float = Field(default=3.4, ge=1, le=5)  # ... below this: probation
    remove_rating: float = Field(default=3.0, ge=1, le=5)  # ... below this for remove_periods periods: remove
    warn_complaints: float = Field(default=3.0, ge=0)  # upheld complaints per 100 jobs at or above: warn
    probation_complaints: float = Field(default=6.0, ge=0)
    remove_complaints: float = Field(default=10.0, ge=0)
    remove_periods: int = Field(default=3, ge=1)  # consecutive periods at the removal level
    probation_periods: int = Field(default=1, ge=1)  # consecutive periods at the probation level
    warn_acceptance: float = Field(default=0.5, ge=0, le=1)  # acceptance rate below this: warn
    warn_expired: float = Field(default=0.3, ge=0, le=1)  # share of offers left to expire above this: warn
    warn_on_time: float = Field(default=0.7, ge=0, le=1)  # on-time share below this: warn
    probation_overcharges: int = Field(default=2, ge=1)  # overcharges in the period at or above: probation

    @model_validator(mode="after")
    def _ordered(self) -> Reviews:
        if not self.remove_rating <= self.probation_rating <= self.warn_rating:
            raise ValueError("reviews: remove_rating <= probation_rating <= warn_rating")
        if not self.warn_complaints <= self.probation_complaints <= self.remove_complaints:
            raise ValueError("reviews: warn_complaints <= probation_complaints <= remove_complaints")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_", extra="ignore", validate_default=True, env_file=ENV_FILE, env_file_encoding="utf-8"
    )

    database_url: str = "sqlite:///var/hotline.db"
    timezone: str = "Asia/Shanghai"
    default_region: str = "CN"
    default_area_code: str = "573"
    locale: Literal["zh_CN", "en"] = "zh_CN"
    secret_key: str = "change-me"
    public_url: str = "http://127.0.0.1:8000"
    # Whether this process serves a demo centre. ``load_settings`` sets it from the database's own
    # record (config.demo), never from HOTLINE_DEMO or a file: see ``load_settings``.
    demo: bool = False
    training: bool = False  # training mode (上岗培训): a training database, scenarios, the phone simulator
    centre_name_zh: str = "96345 社区服务热线"
    centre_name_en: str = "96345 Community Service Hotline"
    opening_hours: dict[str, list[str]] = Field(default_factory=dict)
    holidays: list[dt.date] = Field(default_factory=list)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    session_idle_minutes: int = Field(default=60, ge=1)  # a console session ends after this long unused

    # Residents' personal data: closed tickets, texts and calls are anonymised after this many days
    retention_days: int = Field(default=730, ge=30)

    # Webhooks that cannot write in time keep the request here and answer with a holding reply
    spool_dir: str = "var/spool"
    webhook_db_wait: float = Field(default=3.0, gt=0, le=10)  # seconds a webhook waits for the database

    # SMS (issue: SMS channel)
    sms_backend: Literal["console", "twilio"] = "console"
    sms_rate_limit: int = Field(default=10, ge=1)  # texts a minute from one number before throttling
    sms_max_attempts: int = Field(default=6, ge=1)  # delivery attempts before an outbound text is dead
    sms_retry_seconds: float = Field(default=30.0, gt=0)  # first retry delay; doubles each attempt
    # the share of automatically set items that must be right (held-out); below it a text awaits triage
    classifier_precision_target: float = Field(default=0.9, gt=0, le=1)
    twilio_account_sid: Annotated[
        str, Field(validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "HOTLINE_TWILIO_ACCOUNT_SID"))
    ] = ""
    twilio_auth_token: Annotated[
        str, Field(validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "HOTLINE_TWILIO_AUTH_TOKEN"))
    ] = ""
    twilio_from_number: Annotated[
        str, Field(validation_alias=AliasChoices("TWILIO_FROM_NUMBER", "HOTLINE_TWILIO_FROM_NUMBER"))
    ] = ""

    dispatch: Dispatch = Field(default_factory=Dispatch)
    callbacks: Callbacks = Field(default_factory=Callbacks)
    reviews: Reviews = Field(default_factory=Reviews)

    # Asterisk AMI (issue: voice)
    ami_host: str = ""
    ami_port: int = Field(default=5038, ge=1, le=65535)
    ami_username: str = ""
    ami_secret: str = ""
    ami_context: str = "from-internal"  # dialplan context for callbacks (operator's extension, then resident)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        extra = os.environ.get("HOTLINE_CONFIG_FILE")
        if extra:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(extra)))
        sources.append(TomlConfigSettingsSource(settings_cls, toml_file=DEFAULT_TOML))
        return tuple(sources)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)") from None
        return value

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        value = value.upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {value!r} (use a two-letter code such as CN or US)")
        return value

    @field_validator("default_area_code")
    @classmethod
    def _area_code(cls, value: str) -> str:
        value = value.strip().lstrip("0")
        if value and not value.isdigit():
            raise ValueError(f"area code must be digits, got {value!r}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, span in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}")
            if len(span) != 2:
                raise ValueError(f"{day}: expected [open, close]")
            if _time(span[0]) >= _time(span[1]):
                raise ValueError(f"{day}: opening {span[0]} is not before closing {span[1]}")
        return value

    @model_validator(mode="after")
    def _real_secret_outside_demo(self) -> Settings:
        if self.demo:
            return self
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "HOTLINE_SECRET_KEY is a placeholder; set a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(32))'); only a demo database seeded by "
                "`hotline demo` runs without one"
            )
        if len(self.secret_key.strip()) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"HOTLINE_SECRET_KEY is {len(self.secret_key.strip())} characters; it must be at least "
                f"{MIN_SECRET_LENGTH} (python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return self

    @model_validator(mode="after")
    def _twilio_credentials(self) -> Settings:
        if self.sms_backend == "twilio":
            for name in ("twilio_account_sid", "twilio_auth_token", "twilio_from_number"):
                if not getattr(self, name).strip():
                    raise ValueError(
                        f"HOTLINE_SMS_BACKEND=twilio needs {name.upper()} (the number's Twilio credentials)"
                    )
        return self

    @field_validator("dispatch")
    @classmethod
    def _duty_phones(cls, value: Dispatch) -> Dispatch:
        for name in ("duty_dispatcher_phone", "duty_supervisor_phone"):
            raw = getattr(value, name).strip()
            if raw and not (raw.startswith("+") and raw[1:].isdigit()):
                raise ValueError(f"{name} must be an E.164 number such as +8613800138000, got {raw!r}")
        return value

    def in_quiet_hours(self, when: dt.datetime) -> bool:
        """Whether ``when`` falls in the residents' quiet hours (read in the centre's zone)."""
        return self.quiet_hours.contains(when.astimezone(self.zone).time())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def normalize_phone(self, raw: str | None) -> str:
        """``raw`` as E.164, read with the centre's region and area code."""
        return phones.normalize(raw, region=self.default_region, area_code=self.default_area_code)

    def is_open(self, when: dt.datetime) -> bool:
        """Whether operators are at their desks at ``when`` (aware datetime)."""
        local = when.astimezone(self.zone)
        if local.date() in self.holidays:
            return False
        span = self.opening_hours.get(WEEKDAYS[local.weekday()])
        if not span:
            return False
        return _time(span[0]) <= local.time() < _time(span[1])


def _variable_name(loc: tuple[int | str, ...]) -> str:
    field = str(loc[0]) if loc else "settings"
    if field.isupper():  # an alias such as TWILIO_AUTH_TOKEN
        return field
    return "HOTLINE_" + field.upper()


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; a bad value raises ConfigError naming the variable.

    Demo mode comes from the database: it is on only when the configured database records that
    it is a demo centre (``config.demo.database_is_demo``), whatever HOTLINE_DEMO or a file says,
    so a real database never runs with one-click logins or a placeholder secret. A caller that
    knows better passes ``demo=`` itself (``hotline demo`` while it creates the demo database; tests)."""
    try:
        if "demo" in overrides:
            return Settings(**overrides)  # type: ignore[arg-type]
        where = Settings(**overrides, demo=True)  # type: ignore[arg-type]  # only to find the database
        from config.demo import database_is_demo

        return Settings(**overrides, demo=database_is_demo(where.database_url))  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        if not error["loc"] and message.startswith("HOTLINE_"):
            raise ConfigError(message) from None
        raise ConfigError(f"{_variable_name(error['loc'])}: {message}") from None


@functools.cache
def get_settings() -> Settings:
    return load_settings()
