"""The automated survey call (Twilio Voice, keypad 1-5) and the operator's desk call.

The sweeper places a call for a due ``voice`` survey through ``CallPlacer`` (Twilio's Calls API)
*after* the survey was leased and committed, and records the ``CallSid`` in a transaction of its
own: a process that dies in between leaves a leased row that is called again after the lease
(Twilio's Calls API takes no idempotency key, so in that one case the resident may be rung twice;
never not at all). Twilio then fetches the question from ``hotline``'s signed webhooks
(``VOICE_BASE``), which call ``ask``, ``answer`` and ``ended`` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from callbacks import notify, service
from callbacks.models import Survey
from callbacks.states import ASKED
from config.settings import Settings
from config.staff import Actor

VOICE_BASE = "/voice/twilio/survey"  # hotline.voice.survey_views serves these
RING_SECONDS = 30
# Twilio's final CallStatus values other than a call that was answered
UNANSWERED = {"busy": "busy", "no-answer": "no_answer", "failed": "failed", "canceled": "failed"}


class CallError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class CallPlacer(Protocol):
    def place(self, *, to: str, url: str, status_callback: str) -> str:
        """Start a call that fetches its TwiML from ``url``; return its id or raise CallError."""
        ...


class TwilioCallPlacer:
    """Twilio's Calls API. ``base_url`` points the client elsewhere (tests: a local server)."""

    def __init__(
        self, *, account_sid: str, auth_token: str, from_number: str, base_url: str | None = None, timeout: float = 10.0
    ) -> None:
        self.from_number = from_number
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        if base_url:
            self.client.api.base_url = base_url.rstrip("/")

    def place(self, *, to: str, url: str, status_callback: str) -> str:
        try:
            call = self.client.calls.create(
                to=to,
                from_=self.from_number,
                url=url,
                method="POST",
                status_callback=status_callback,
                status_callback_method="POST",
                status_callback_event=["completed"],
                timeout=RING_SECONDS,
            )
        except TwilioRestException as exc:
            status = int(exc.status)
            raise CallError(
                f"Twilio {status} (code {exc.code}): {exc.msg}", retryable=status == 429 or status >= 500
            ) from exc
        except (TwilioException, OSError) as exc:
            raise CallError(f"Twilio unreachable: {exc}", retryable=True) from exc
        return str(call.sid)


def placer_for(settings: Settings) -> CallPlacer | None:
    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number):
        return None
    return TwilioCallPlacer(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        from_number=settings.twilio_from_number,
    )


def urls(settings: Settings, survey_id: int) -> tuple[str, str]:
    """The question's URL and the status callback's, as Twilio is told them (and signs them)."""
    base = settings.public_url.rstrip("/") + VOICE_BASE
    return f"{base}/ask?survey={survey_id}", f"{base}/status?survey={survey_id}"


# --- the webhooks' steps ---------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    locale: str
    text: str
    gather: bool  # wait for a key (else hang up after the text)


def _item(survey: Survey, locale: str) -> str:
    item = survey.ticket.item
    return item.name(locale) if item is not None else ("service" if locale == "en" else "服务")


def _current(survey: Survey | None, call_sid: str) -> bool:
    """The webhook is about this survey's current call, and the survey still takes answers."""
    return survey is not None and survey.status in ASKED and survey.call_sid == call_sid


def ask(session: Session, *, survey_id: int, call_sid: str, settings: Settings) -> Prompt:
    survey = session.get(Survey, survey_id)
    locale = survey.resident.language if survey is not None else settings.locale
    if survey is None or not _current(survey, call_sid):
        return Prompt(locale, notify.call_closed(locale), gather=False)
    return Prompt(locale, notify.call_question(settings, locale, item=_item(survey, locale)), gather=True)


def answer(session: Session, *, survey_id: int, call_sid: str, digits: str, settings: Settings) -> Prompt:
    """A key pressed: 1-5 records the answer (a low score opens a complaint); anything else asks again."""
    survey = session.get(Survey, survey_id)
    locale = survey.resident.language if survey is not None else settings.locale
    if survey is None or not _current(survey, call_sid):
        return Prompt(locale, notify.call_closed(locale), gather=False)
    key = digits.strip("#* ")
    if len(key) != 1 or key not in "12345":
        return Prompt(locale, notify.call_no_key(locale), gather=True)
    complaint = service.record_answer(
        session, survey=survey, score=int(key), comment="", actor=Actor.resident(), settings=settings
    )
    return Prompt(locale, notify.call_thanks(locale, complaint=complaint is not None), gather=False)


def ended(session: Session, *, survey_id: int, call_sid: str, call_status: str, settings: Settings) -> str | None:
    """Twilio's final status of the call: an unanswered call (or one that ended without a key)
    is tried again later, or closes the survey after the last attempt. Returns the new status."""
    survey = session.get(Survey, survey_id)
    if survey is None or not _current(survey, call_sid):
        return None  # answered, or a late callback of an earlier attempt
    result = UNANSWERED.get(call_status, "no_key" if call_status == "completed" else None)
    if result is None:
        return None  # not final yet
    return service.record_no_answer(session, survey=survey, actor=Actor.system(), settings=settings, result=result)
