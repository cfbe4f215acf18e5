"""Twilio Voice webhooks (signature-checked TwiML) and the operators' screen-pop stream (SSE)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.datastructures import FormData
from twilio.twiml.voice_response import VoiceResponse

from config import catalog, clock
from config.auth import Principal, require
from config.errors import Forbidden
from config.events import EventBus
from config.web import DatabaseDep, SettingsDep
from hotline.voice import ivr, twilio_calls
from sms.twilio_signature import verified_twilio_form

router = APIRouter(prefix="/voice", tags=["voice"])
TwilioForm = Annotated[FormData, Depends(verified_twilio_form)]
KEEPALIVE_SECONDS = 15.0


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), media_type="application/xml")


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _int(form: FormData, key: str) -> int | None:
    value = _text(form, key)
    return int(value) if value.isdigit() else None


@router.post("/twilio/incoming", response_class=Response)
def incoming(form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """A call reaches the hotline's Twilio number: menu, one-touch queue, or voicemail."""
    with db.transaction() as session:
        call = twilio_calls.get_or_create(
            session, call_sid=_text(form, "CallSid"), caller_raw=_text(form, "From"), settings=settings
        )
        locale = twilio_calls.locale_of(call, settings)
        if not settings.is_open(clock.now()):
            return twiml(ivr.voicemail(locale, closed=True))
        if twilio_calls.is_one_touch(call):
            twilio_calls.join_queue(call, emergency=True, queue=ivr.EMERGENCY_QUEUE)
            return twiml(ivr.enqueue(locale, emergency=True))
        return twiml(ivr.menu(locale, settings, catalog.list_categories(session)))


@router.post("/twilio/menu", response_class=Response)
def menu(form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """The caller's key presses (Gather action): a category, or 0 / nothing for an operator."""
    digits = _text(form, "Digits").strip("#* ")
    with db.transaction() as session:
        call = twilio_calls.get_or_create(
            session, call_sid=_text(form, "CallSid"), caller_raw=_text(form, "From"), settings=settings
        )
        locale = twilio_calls.locale_of(call, settings)
        if digits in ("", "0"):
            emergency = twilio_calls.is_one_touch(call)
            twilio_calls.join_queue(
                call, emergency=emergency, queue=ivr.EMERGENCY_QUEUE if emergency else ivr.OPERATOR_QUEUE
            )
            return twiml(ivr.enqueue(locale, emergency=emergency))
        category = twilio_calls.category_for_digits(session, digits)
        if category is None:
            return twiml(ivr.not_on_menu(locale))
        call.category_code = call.category_code or category.code
        emergency = category.code == twilio_calls.EMERGENCY_CATEGORY or twilio_calls.is_one_touch(call)
        twilio_calls.join_queue(
            call, emergency=emergency, queue=ivr.EMERGENCY_QUEUE if emergency else ivr.OPERATOR_QUEUE
        )
        return twiml(ivr.enqueue(locale, emergency=emergency, chosen=category.name(locale)))


@router.post("/twilio/wait", response_class=Response)
def wait(form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """Enqueue's waitUrl: hold prompts, then leave the queue for voicemail after a while."""
    with db.read() as session:
        call = twilio_calls.get_or_create(
            session, call_sid=_text(form, "CallSid"), caller_raw=_text(form, "From"), settings=settings
        )
        locale = twilio_calls.locale_of(call, settings)
    return twiml(ivr.hold(locale, _int(form, "QueueTime") or 0))


@router.post("/twilio/queue-exit", response_class=Response)
def queue_exit(form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """Enqueue's action: bridged to an operator (done), or no one answered (voicemail)."""
    result = _text(form, "QueueResult")
    with db.transaction() as session:
        call = twilio_calls.get_or_create(
            session, call_sid=_text(form, "CallSid"), caller_raw=_text(form, "From"), settings=settings
        )
        twilio_calls.record_queue_exit(call, result=result, queue_seconds=_int(form, "QueueTime"))
        if result in ("bridged", "bridging-in-process", "hangup", "redirected"):
            return twiml(ivr.goodbye())
        return twiml(ivr.voicemail(twilio_calls.locale_of(call, settings), closed=False))


@router.post("/twilio/voicemail", response_class=Response)
def voicemail(form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """Record's action: the message becomes a ticket with the recording's link."""
    url = _text(form, "RecordingUrl")
    with db.transaction() as session:
        call = twilio_calls.get_or_create(
            session, call_sid=_text(form, "CallSid"), caller_raw=_text(form, "From"), settings=settings
        )
        locale = twilio_calls.locale_of(call, settings)
        seconds = _int(form, "RecordingDuration")
        if not url or seconds == 0:
            return twiml(ivr.no_message(locale))
        number = twilio_calls.voicemail_ticket(
            session, call=call, recording_url=url, seconds=seconds, settings=settings
        )
        return twiml(ivr.recorded(locale, number))


@router.post("/twilio/status", status_code=204, response_class=Response)
def status(form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """The call's status callback: a final status closes the call in the log."""
    with db.transaction() as session:
        call = twilio_calls.get_or_create(
            session, call_sid=_text(form, "CallSid"), caller_raw=_text(form, "From"), settings=settings
        )
        twilio_calls.finish(session, call=call, status=_text(form, "CallStatus"))
    return Response(status_code=204)


@router.get("/events", response_class=StreamingResponse)
async def screen_pops(
    request: Request,
    extension: Annotated[str, Query(pattern=r"^\d{2,6}$")],
    who: Annotated[Principal, Depends(require("ticket.create"))],
) -> StreamingResponse:
    """Server-Sent Events: the screen pops for the operator at ``extension``. Staff who take calls
    see their own extension's; dispatchers and above (and API keys) may watch any."""
    own = who.staff is not None and who.staff.extension == extension
    if who.staff is not None and not own and not who.can("ticket.escalate"):
        raise Forbidden(f"{who.name} may watch only their own extension's calls")
    bus: EventBus = request.app.state.events

    async def stream() -> AsyncIterator[str]:
        with bus.subscribe(f"extension:{extension}") as subscription:
            yield ": connected\n\n"
            while True:
                try:
                    payload = await asyncio.wait_for(subscription.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                yield f"event: {payload.get('kind', 'message')}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
