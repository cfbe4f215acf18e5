"""The automated survey call: the sweeper places it through Twilio's Calls API (a local stand-in
for api.twilio.com), Twilio fetches the question and posts the key through signed webhooks, an
unanswered call is tried again later, and an answer counts once."""

from __future__ import annotations

import itertools
import urllib.parse
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from callbacks import calls, jobs
from config import clock
from config.db import Database
from config.settings import Settings
from dispatch.models import Ticket
from hotline.app import create_app
from providers.models import LedgerEntry
from tests.callbacks import world
from tests.callbacks.world import NOW, RESIDENT, at
from tests.twilio_support import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, FakeTwilioApi, created, post_signed

HOTLINE_NUMBER = "+8657396345"
_call_sids = itertools.count(1)


@pytest.fixture
def voice(settings: Settings) -> Settings:
    """Plumbing surveys by automated call, with a Twilio account."""
    return settings.model_copy(
        update={
            "public_url": PUBLIC_URL,
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_from_number": HOTLINE_NUMBER,
            "callbacks": settings.callbacks.model_copy(update={"channels": {"plumbing_electrical": "voice"}}),
        }
    )


@pytest.fixture
def twilio(db: Database, voice: Settings) -> Iterator[TestClient]:
    with clock.freeze(NOW), TestClient(create_app(voice, db)) as client:
        yield client


def placer(api: FakeTwilioApi) -> calls.TwilioCallPlacer:
    return calls.TwilioCallPlacer(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number=HOTLINE_NUMBER, base_url=api.url
    )


def place_calls(db: Database, voice: Settings, hours: float) -> list[dict[str, str]]:
    """One sweeper pass at ``hours`` against the Calls API; the requests Twilio got."""
    with clock.freeze(at(hours)), FakeTwilioApi(lambda n, form: created(form, f"CA{next(_call_sids):032d}")) as api:
        jobs.sweep_surveys(db, voice, placer=placer(api))
    return api.requests


def twilio_posts(client: TestClient, step: str, survey_id: int, call_sid: str, hours: float = 24, **form: str) -> str:
    """Twilio's signed webhook about the call, at ``hours`` after Friday 10:00 (default: Saturday 10:00)."""
    body = {"CallSid": call_sid, "AccountSid": ACCOUNT_SID, "From": HOTLINE_NUMBER, "To": RESIDENT, **form}
    with clock.freeze(at(hours)):
        response = post_signed(client, f"{calls.VOICE_BASE}/{step}?survey={survey_id}", body)
    assert response.status_code in (200, 204), response.text
    return response.text


def test_the_resident_picks_up_hears_the_question_in_chinese_and_presses_4(
    db: Database, voice: Settings, twilio: TestClient
) -> None:
    number = world.completed_job(db, voice)
    assert place_calls(db, voice, 0.1) == []
    (request,) = place_calls(db, voice, 24)  # Saturday 10:00
    (survey,) = world.surveys(db)
    assert (request["To"], request["From"]) == (RESIDENT, HOTLINE_NUMBER)
    assert request["Url"] == f"{PUBLIC_URL}/voice/twilio/survey/ask?survey={survey.id}"
    assert request["StatusCallback"] == f"{PUBLIC_URL}/voice/twilio/survey/status?survey={survey.id}"
    assert (survey.status, survey.channel) == ("sent", "voice") and (survey.call_sid or "").startswith("CA")
    question = twilio_posts(twilio, "ask", survey.id, survey.call_sid)
    assert f'<Gather action="/voice/twilio/survey/answer?survey={survey.id}"' in question
    assert 'numDigits="1"' in question and 'language="cmn-CN"' in question
    assert "您好，这里是96345 社区服务热线，对您的水管漏水维修服务进行回访。非常满意请按5" in question
    wrong = twilio_posts(twilio, "answer", survey.id, survey.call_sid, Digits="9")
    assert "请按1到5之间的数字" in wrong and "<Gather" in wrong
    thanks = twilio_posts(twilio, "answer", survey.id, survey.call_sid, Digits="4")
    assert "感谢您的评价，再见。" in thanks and "<Hangup" in thanks and "<Gather" not in thanks
    twilio_posts(twilio, "answer", survey.id, survey.call_sid, Digits="1")  # a retried webhook: changes nothing
    twilio_posts(twilio, "status", survey.id, survey.call_sid, CallStatus="completed")
    (survey,) = world.surveys(db)
    assert (survey.status, survey.score, survey.attempts) == ("answered", 4, 1)
    with db.read() as session:
        assert session.scalars(select(Ticket.status).where(Ticket.number == number)).one() == "surveyed"
        assert [e.value for e in session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "survey_score"))] == [
            4.0
        ]


def test_an_unanswered_call_is_tried_again_and_a_late_status_of_the_first_changes_nothing(
    db: Database, voice: Settings, twilio: TestClient
) -> None:
    world.completed_job(db, voice)
    place_calls(db, voice, 0.1)
    place_calls(db, voice, 24)
    (first,) = world.surveys(db)
    twilio_posts(twilio, "status", first.id, first.call_sid or "", CallStatus="no-answer")
    (survey,) = world.surveys(db)
    assert (survey.status, survey.reason, survey.due_at) == ("no_answer", "no_answer", at(28))
    assert place_calls(db, voice, 27) == []
    (again,) = place_calls(db, voice, 28)
    (survey,) = world.surveys(db)
    assert survey.status == "sent" and survey.attempts == 2 and survey.call_sid != first.call_sid
    twilio_posts(twilio, "status", first.id, first.call_sid or "", 28, CallStatus="busy")  # the first call, late
    assert world.surveys(db)[0].status == "sent"
    closed = twilio_posts(twilio, "ask", first.id, first.call_sid or "", 28)  # the old call cannot answer
    assert "本次回访已结束" in closed and "<Gather" not in closed
    twilio_posts(twilio, "answer", survey.id, survey.call_sid or "", 28, Digits="1")
    (survey,) = world.surveys(db)
    assert survey.score == 1 and len(world.complaints(db)) == 1
    assert urllib.parse.urlparse(again["Url"]).query == f"survey={survey.id}"


def test_three_unanswered_calls_close_the_survey(db: Database, voice: Settings, twilio: TestClient) -> None:
    world.completed_job(db, voice)
    place_calls(db, voice, 0.1)
    for hours in (24, 28, 52):
        place_calls(db, voice, hours)
        (survey,) = world.surveys(db)
        twilio_posts(twilio, "status", survey.id, survey.call_sid or "", hours, CallStatus="no-answer")
    (survey,) = world.surveys(db)
    assert (survey.status, survey.reason, survey.attempts) == ("expired", "no_answer", 3)
    assert place_calls(db, voice, 80) == []


def test_an_unsigned_request_is_refused(db: Database, voice: Settings, twilio: TestClient) -> None:
    response = twilio.post(f"{calls.VOICE_BASE}/answer?survey=1", data={"CallSid": "CA1", "Digits": "5"})
    assert response.status_code == 403
    tampered = {"CallSid": "CA1", "Digits": "5"}
    signed_for_another = post_signed(twilio, f"{calls.VOICE_BASE}/answer?survey=2", tampered)
    assert signed_for_another.status_code == 200  # a valid signature for survey 2, which does not exist
    assert "本次回访已结束" in signed_for_another.text or "This survey is closed" in signed_for_another.text
