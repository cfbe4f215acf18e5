"""Twilio's SMS webhooks. Thin: check the signature, parse the form, hand over to ``sms.flows``.

``sms`` knows nothing of tickets: the app passes in the hotline's router for inbound texts.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from twilio.twiml.messaging_response import MessagingResponse

from config import spool
from config.db import Database
from config.settings import Settings
from sms import flows, service
from sms.twilio_signature import verified_twilio_form

log = logging.getLogger("hotline.sms")
SignedForm = Annotated[FormData, Depends(verified_twilio_form)]
SPOOL_KIND = "sms.inbound"
STATUS_SPOOL_KIND = "sms.status"


def twiml(reply: str | None) -> Response:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(content=str(response), media_type="application/xml")


def _form(form: FormData) -> dict[str, str]:
    """The form's text fields, without NUL (PostgreSQL refuses it)."""
    return {key: value.replace("\x00", "") for key, value in form.items() if isinstance(value, str)}


def twilio_router(route: flows.InboundRouter) -> APIRouter:
    router = APIRouter(prefix="/sms/twilio", tags=["sms"])

    @router.post("/inbound", summary="Twilio: a text to the hotline's number (answers TwiML)")
    async def inbound(request: Request, form: SignedForm) -> Response:
        db: Database = request.app.state.db
        settings: Settings = request.app.state.settings
        fields = _form(form)
        text = flows.IncomingText.from_form(fields)
        reply = await run_in_threadpool(
            spool.write_or_spool,
            request.app.state.spool,
            kind=SPOOL_KIND,
            key=text.message_sid,
            form=fields,
            write=lambda: flows.receive(db, text, route, settings, wait=settings.webhook_db_wait),
            holding=lambda: flows.holding_reply(settings),
        )
        return twiml(reply)

    @router.post("/status", summary="Twilio: delivery status of a text we sent")
    async def status(request: Request, form: SignedForm) -> Response:
        db: Database = request.app.state.db
        settings: Settings = request.app.state.settings
        fields = _form(form)

        def write() -> None:
            with db.transaction(wait=settings.webhook_db_wait) as session:
                apply_status(session, fields)

        if fields.get("MessageSid", "").strip() and fields.get("MessageStatus", "").strip():
            await run_in_threadpool(
                spool.write_or_spool,
                request.app.state.spool,
                kind=STATUS_SPOOL_KIND,
                key=fields.get("MessageSid"),
                form=fields,
                write=write,
                holding=lambda: None,
            )
        return Response(status_code=204)

    return router


def apply_status(session: Session, fields: dict[str, str]) -> None:
    """A delivery report (also the spool's replayer for ``sms.status``)."""
    sid, state = fields.get("MessageSid", "").strip()[:64], fields.get("MessageStatus", "").strip().lower()[:20]
    error_code = (fields.get("ErrorCode") or "").strip()[:20] or None
    if (
        sid
        and state
        and service.apply_delivery_status(session, provider_sid=sid, status=state, error_code=error_code) is None
    ):
        log.info("delivery status %s for unknown message %s ignored", state, sid)


def replay_inbound(route: flows.InboundRouter, settings: Settings) -> spool.Replayer:
    """How the spool job writes a text the webhook kept: as ``receive`` would have, when it came."""

    def replay(session: Session, entry: spool.Entry) -> None:
        flows.receive_in(session, flows.IncomingText.from_form(entry.form, entry.received_at), route, settings)

    return replay


def replay_status(session: Session, entry: spool.Entry) -> None:
    apply_status(session, entry.form)
