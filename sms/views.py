"""Twilio's SMS webhooks. Thin: check the signature, parse the form, hand over to ``sms.flows``.

``sms`` knows nothing of tickets: the app passes in the hotline's router for inbound texts.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from twilio.twiml.messaging_response import MessagingResponse

from config.db import Database
from config.settings import Settings
from sms import flows, service
from sms.twilio_signature import verified_twilio_form

log = logging.getLogger("hotline.sms")
SignedForm = Annotated[FormData, Depends(verified_twilio_form)]


def twiml(reply: str | None) -> Response:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(content=str(response), media_type="application/xml")


def _form(form: FormData) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def twilio_router(route: flows.InboundRouter) -> APIRouter:
    router = APIRouter(prefix="/sms/twilio", tags=["sms"])

    @router.post("/inbound", summary="Twilio: a text to the hotline's number (answers TwiML)")
    async def inbound(request: Request, form: SignedForm) -> Response:
        db: Database = request.app.state.db
        settings: Settings = request.app.state.settings
        text = flows.IncomingText.from_form(_form(form))
        reply = await run_in_threadpool(flows.receive, db, text, route, settings)
        return twiml(reply)

    @router.post("/status", summary="Twilio: delivery status of a text we sent")
    async def status(request: Request, form: SignedForm) -> Response:
        db: Database = request.app.state.db
        fields = _form(form)
        sid, state = fields.get("MessageSid", "").strip(), fields.get("MessageStatus", "").strip().lower()
        if sid and state:
            await run_in_threadpool(_apply_status, db, sid, state, fields.get("ErrorCode") or None)
        return Response(status_code=204)

    return router


def _apply_status(db: Database, sid: str, state: str, error_code: str | None) -> None:
    with db.transaction() as session:
        if service.apply_delivery_status(session, provider_sid=sid, status=state, error_code=error_code) is None:
            log.info("delivery status %s for unknown message %s ignored", state, sid)
