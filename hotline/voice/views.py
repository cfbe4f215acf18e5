"""Twilio Voice webhooks (signature-checked TwiML) and the operators' screen-pop stream (SSE)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from twilio.twiml.voice_response import VoiceResponse

from config import catalog, clock, spool
from config.auth import Principal, require
from config.db import Database
from config.errors import Forbidden
from config.events import EventBus
from config.settings import Settings
from config.web import DatabaseDep, SettingsDep
from hotline.voice import ivr, twilio_calls
from hotline.voice.models import Call
from sms.twilio_signature import verified_twilio_form

router = APIRouter(prefix="/voice", tags=["voice"])
TwilioForm = Annotated[FormData, Depends(verified_twilio_form)]
KEEPALIVE_SECONDS = 15.0
Form = Mapping[str, str]
# One Twilio Voice step: what it does to the call log and tickets, and the TwiML to answer.
Step = Callable[[Session, Form, Settings], VoiceResponse]
_CALL_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), media_type="application/xml")


def _fields(form: FormData) -> dict[str, str]:
    """The form's text fields, without NUL (PostgreSQL refuses it) and at most 2,000 characters."""
    return {key: value.replace("\x00", "")[:2000] for key, value in form.items() if isinstance(value, str)}


def _int(form: Form, key: str) -> int | None:
    """A count of seconds as Twilio sends it; anything else (``²``, 40 digits) is unknown."""
    value = form.get(key, "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def _get_call(session: Session, form: Form, settings: Settings) -> Call:
    return twilio_calls.get_or_create(
        session, call_sid=form["CallSid"], caller_raw=form.get("From", "")[:64], settings=settings
    )


def incoming_step(session: Session, form: Form, settings: Settings) -> VoiceResponse:
    call = _get_call(session, form, settings)
    locale = twilio_calls.locale_of(call, settings)
    if not settings.is_open(clock.now()):
        return ivr.voicemail(locale, closed=True)
    if twilio_calls.is_one_touch(call):
        twilio_calls.join_queue(call, emergency=True, queue=ivr.EMERGENCY_QUEUE)
        return ivr.enqueue(locale, emergency=True)
    return ivr.menu(locale, settings, catalog.list_categories(session))


def menu_step(session: Session, form: Form, settings: Settings) -> VoiceResponse:
    digits = form.get("Digits", "").strip("#* ")
    call = _get_call(session, form, settings)
    locale = twilio_calls.locale_of(call, settings)
    if digits in ("", "0"):
        emergency = twilio_calls.is_one_touch(call)
        twilio_calls.join_queue(
            call, emergency=emergency, queue=ivr.EMERGENCY_QUEUE if emergency else ivr.OPERATOR_QUEUE
        )
        return ivr.enqueue(locale, emergency=emergency)
    category = twilio_calls.category_for_digits(session, digits)
    if category is None:
        return ivr.not_on_menu(locale)
    call.category_code = call.category_code or category.code
    emergency = category.code == twilio_calls.EMERGENCY_CATEGORY or twilio_calls.is_one_touch(call)
    twilio_calls.join_queue(call, emergency=emergency, queue=ivr.EMERGENCY_QUEUE if emergency else ivr.OPERATOR_QUEUE)
    return ivr.enqueue(locale, emergency=emergency, chosen=category.name(locale))


def queue_exit_step(session: Session, form: Form, settings: Settings) -> VoiceResponse:
    result = form.get("QueueResult", "")
    call = _get_call(session, form, settings)
    twilio_calls.record_queue_exit(call, result=result, queue_seconds=_int(form, "QueueTime"))
    if result in BRIDGED:
        return ivr.goodbye()
    return ivr.voicemail(twilio_calls.locale_of(call, settings), closed=False)


def voicemail_step(session: Session, form: Form, settings: Settings) -> VoiceResponse:
    url = form.get("RecordingUrl", "")
    call = _get_call(session, form, settings)
    locale = twilio_calls.locale_of(call, settings)
    seconds = _int(form, "RecordingDuration")
    if not url or seconds == 0:
        return ivr.no_message(locale)
    number = twilio_calls.voicemail_ticket(session, call=call, recording_url=url, seconds=seconds, settings=settings)
    return ivr.recorded(locale, number)


def status_step(session: Session, form: Form, settings: Settings) -> VoiceResponse:
    call = _get_call(session, form, settings)
    twilio_calls.finish(session, call=call, status=form.get("CallStatus", ""))
    return VoiceResponse()


def _holding(step: str, form: Form, settings: Settings) -> VoiceResponse:
    """The answer while the database cannot take the step (it is spooled): the caller goes on
    without their record (the centre's language, the operators' queue, a message without a number)."""
    locale = settings.locale
    if step == "incoming":
        if not settings.is_open(clock.now()):
            return ivr.voicemail(locale, closed=True)
        return ivr.enqueue(locale, emergency=False)
    if step == "menu":
        return ivr.enqueue(locale, emergency=False)
    if step == "queue-exit":
        return ivr.goodbye() if form.get("QueueResult", "") in BRIDGED else ivr.voicemail(locale, closed=False)
    if step == "voicemail":
        if not form.get("RecordingUrl") or _int(form, "RecordingDuration") == 0:
            return ivr.no_message(locale)
        return ivr.recorded(locale, None)
    return VoiceResponse()


STEPS: dict[str, Step] = {
    "incoming": incoming_step,
    "menu": menu_step,
    "queue-exit": queue_exit_step,
    "voicemail": voicemail_step,
    "status": status_step,
}
BRIDGED = ("bridged", "bridging-in-process", "hangup", "redirected")


def _take(request: Request, name: str, form: FormData) -> VoiceResponse:
    """Run one step in a bounded transaction; if the database cannot take it, spool it."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    fields = _fields(form)
    call_sid = fields.get("CallSid", "").strip()
    if not _CALL_SID.match(call_sid):  # without it two callers would become one call
        raise HTTPException(status_code=400, detail="missing or malformed CallSid")
    fields["CallSid"] = call_sid

    def write() -> VoiceResponse:
        with db.transaction(wait=settings.webhook_db_wait) as session:
            return STEPS[name](session, fields, settings)

    return spool.write_or_spool(
        request.app.state.spool,
        kind=f"{SPOOL_PREFIX}{name}",
        key=call_sid,
        form=fields,
        write=write,
        holding=lambda: _holding(name, fields, settings),
    )


def spool_replayers(settings: Settings) -> dict[str, spool.Replayer]:
    """How the spool job writes each voice step the webhooks kept."""

    def replayer(step: Step) -> spool.Replayer:
        def replay(session: Session, entry: spool.Entry) -> None:
            step(session, entry.form, settings)  # the TwiML went to the caller long ago

        return replay

    return {f"{SPOOL_PREFIX}{name}": replayer(step) for name, step in STEPS.items()}


SPOOL_PREFIX = "voice."


@router.post("/twilio/incoming", response_class=Response)
def incoming(request: Request, form: TwilioForm) -> Response:
    """A call reaches the hotline's Twilio number: menu, one-touch queue, or voicemail."""
    return twiml(_take(request, "incoming", form))


@router.post("/twilio/menu", response_class=Response)
def menu(request: Request, form: TwilioForm) -> Response:
    """The caller's key presses (Gather action): a category, or 0 / nothing for an operator."""
    return twiml(_take(request, "menu", form))


@router.post("/twilio/wait", response_class=Response)
def wait(form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """Enqueue's waitUrl: hold prompts, then leave the queue for voicemail after a while. Reads
    only; when the database does not answer, the prompts are in the centre's language."""
    fields = _fields(form)
    locale: str = settings.locale
    if _CALL_SID.match(fields.get("CallSid", "").strip()):
        try:
            with db.read() as session:
                call = twilio_calls.find(session, call_sid=fields["CallSid"].strip())
                locale = twilio_calls.locale_of(call, settings) if call is not None else locale
        except spool.UNAVAILABLE:
            pass
    return twiml(ivr.hold(locale, _int(fields, "QueueTime") or 0))


@router.post("/twilio/queue-exit", response_class=Response)
def queue_exit(request: Request, form: TwilioForm) -> Response:
    """Enqueue's action: bridged to an operator (done), or no one answered (voicemail)."""
    return twiml(_take(request, "queue-exit", form))


@router.post("/twilio/voicemail", response_class=Response)
def voicemail(request: Request, form: TwilioForm) -> Response:
    """Record's action: the message becomes a ticket with the recording's link."""
    return twiml(_take(request, "voicemail", form))


@router.post("/twilio/status", status_code=204, response_class=Response)
def status(request: Request, form: TwilioForm) -> Response:
    """The call's status callback: a final status closes the call in the log."""
    _take(request, "status", form)
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
            # Subscribed: only now may the console count on its pops (an EventSource's "open" comes
            # with the headers, before this generator has run).
            yield "event: ready\ndata: {}\n\n"
            while True:
                try:
                    payload = await asyncio.wait_for(subscription.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                yield f"event: {payload.get('kind', 'message')}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
