"""The automated survey call's Twilio Voice webhooks (signature-checked TwiML): the question with
a keypad ``<Gather>``, the key pressed, and the call's final status. Which survey a request is
about is in the URL the sweeper gave Twilio (``?survey=ID``), which the signature covers; a
request about another call of that survey (an earlier attempt) changes nothing. Each commits
before it answers and may be repeated (Twilio retries)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from starlette.datastructures import FormData
from twilio.twiml.voice_response import Gather, VoiceResponse

from callbacks import calls
from config.web import DatabaseDep, SettingsDep
from hotline.voice import ivr
from sms.twilio_signature import verified_twilio_form

router = APIRouter(prefix=calls.VOICE_BASE, tags=["voice"])
TwilioForm = Annotated[FormData, Depends(verified_twilio_form)]
SurveyId = Annotated[int, Query(alias="survey", ge=1)]
KEY_SECONDS = 8


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _twiml(prompt: calls.Prompt, survey_id: int) -> Response:
    response = VoiceResponse()
    if prompt.gather:
        gather = Gather(
            input="dtmf",
            num_digits=1,
            action=f"{calls.VOICE_BASE}/answer?survey={survey_id}",
            method="POST",
            timeout=KEY_SECONDS,
        )
        ivr.say(gather, prompt.locale, prompt.text)
        response.append(gather)
        # no key at all: Twilio goes on here; the status callback counts the call as unanswered
    else:
        ivr.say(response, prompt.locale, prompt.text)
    response.hangup()
    return Response(str(response), media_type="application/xml")


@router.post("/ask", response_class=Response)
def ask(survey_id: SurveyId, form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """The resident picked up: the question, keys 1-5."""
    with db.transaction() as session:
        prompt = calls.ask(session, survey_id=survey_id, call_sid=_text(form, "CallSid"), settings=settings)
    return _twiml(prompt, survey_id)


@router.post("/answer", response_class=Response)
def answer(survey_id: SurveyId, form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """The key pressed (Gather's action): recorded at once, or the question again."""
    with db.transaction() as session:
        prompt = calls.answer(
            session,
            survey_id=survey_id,
            call_sid=_text(form, "CallSid"),
            digits=_text(form, "Digits"),
            settings=settings,
        )
    return _twiml(prompt, survey_id)


@router.post("/status", status_code=204, response_class=Response)
def status(survey_id: SurveyId, form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """The call's final status: unanswered (or no key pressed) is an attempt, tried again later."""
    with db.transaction() as session:
        calls.ended(
            session,
            survey_id=survey_id,
            call_sid=_text(form, "CallSid"),
            call_status=_text(form, "CallStatus"),
            settings=settings,
        )
    return Response(status_code=204)
