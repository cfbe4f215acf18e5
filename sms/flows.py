"""Receiving a text: store it, let the hotline's router answer, keep the answer.

The inbound row and the answer commit in one transaction before the webhook returns 2xx, so a
text Twilio saw acknowledged is never lost. The router works on a not-yet-stored inbound row (it
records there how the text was handled); the row is then written once, with the answer.

Twilio retries are rare, so a ``MessageSid`` is not looked up first: the unique index refuses a
repeat when its row is written, the repeat's work is rolled back with its transaction, and it is
answered with the reply stored the first time. If the router fails, its work is rolled back, the
text is still kept (status ``failed``) and the resident gets a holding answer.

If the database cannot take the text within ``Settings.webhook_db_wait`` (a long writer, a
migration, PostgreSQL restarting), the webhook keeps the form in the durable spool
(``config.spool``) before answering with the same holding answer, and the scheduler job
``hotline.spool`` replays it through ``receive_in`` (once per entry; a MessageSid stored meanwhile
is answered from its row, not routed twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import phones
from config.db import Database
from config.errors import InvalidInput
from config.i18n import gettext
from config.settings import Settings
from config.spool import UNAVAILABLE
from sms import service
from sms.models import InboundMessage

log = logging.getLogger("hotline.sms")

# The hotline's router: given the stored text, route it and return the answer (or None: no answer).
InboundRouter = Callable[[Session, InboundMessage], str | None]


@dataclass(frozen=True)
class IncomingText:
    message_sid: str | None
    from_raw: str
    to_number: str
    body: str
    num_media: int = 0
    received_at: dt.datetime | None = None  # when the webhook got it, if not now (a spooled text)

    @classmethod
    def from_form(cls, form: dict[str, str], received_at: dt.datetime | None = None) -> IncomingText:
        def field(name: str, limit: int | None = None) -> str:
            value = (form.get(name) or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
            return value[:limit] if limit else value

        media = field("NumMedia")
        return cls(
            message_sid=(field("MessageSid", 64) or field("SmsMessageSid", 64)) or None,
            from_raw=field("From", 64),
            to_number=field("To", 64),
            body=unicodedata.normalize("NFC", field("Body")),
            num_media=min(int(media), 99) if media.isascii() and media.isdigit() else 0,  # not "²"
            received_at=received_at,
        )


def resident_phone(raw: str, settings: Settings) -> str | None:
    """The sender as E.164, or None for what cannot be answered: missing, short codes (10086,
    96345: answering them can start an auto-reply loop), alphanumeric senders."""
    try:
        return settings.normalize_phone(raw) if raw else None
    except InvalidInput:
        return None


class RoutingFailed(Exception):
    """The router raised (its ``__cause__``); what it wrote is rolled back, the text is kept."""


def holding_reply(settings: Settings) -> str:
    return gettext(settings.locale, "We received your message. An operator will follow up shortly.")


def receive(
    db: Database, text: IncomingText, route: InboundRouter, settings: Settings, *, wait: float | None = None
) -> str | None:
    """Store, route and answer one inbound text in its own transaction; returns the reply (None:
    answer with nothing). With ``wait``, a database that cannot start the write in time raises
    one of ``config.spool.UNAVAILABLE`` (the webhook spools the text)."""
    try:
        try:
            with db.transaction(wait=wait) as session:
                return _handle(session, text, route, settings)
        except RoutingFailed as failure:
            log.error("routing SMS %s failed; kept for an operator", text.message_sid, exc_info=failure.__cause__)
            with db.transaction(wait=wait) as session:
                return _keep_failed(session, text, settings)
    except IntegrityError:
        # A MessageSid stored before: Twilio's retry, or (PostgreSQL) the same retry in two
        # workers at once. Answer as the first time.
        with db.read() as session:
            stored = service.get_inbound_by_sid(session, message_sid=text.message_sid) if text.message_sid else None
            if stored is None:
                raise
            return stored.reply


def receive_in(session: Session, text: IncomingText, route: InboundRouter, settings: Settings) -> str | None:
    """``receive`` inside the caller's transaction (the demo seeds texts with it): the MessageSid
    is looked up first and the router runs in a savepoint."""
    if text.message_sid:
        stored = service.get_inbound_by_sid(session, message_sid=text.message_sid)
        if stored is not None:
            return stored.reply
    try:
        with session.begin_nested():
            return _handle(session, text, route, settings)
    except RoutingFailed as failure:
        log.error("routing SMS %s failed; kept for an operator", text.message_sid, exc_info=failure.__cause__)
        return _keep_failed(session, text, settings)


def _inbound(text: IncomingText, settings: Settings) -> InboundMessage:
    return service.new_inbound(
        message_sid=text.message_sid,
        from_raw=text.from_raw,
        phone=resident_phone(text.from_raw, settings),
        to_number=text.to_number,
        body=text.body,
        num_media=text.num_media,
        received_at=text.received_at,
    )


def _handle(session: Session, text: IncomingText, route: InboundRouter, settings: Settings) -> str | None:
    inbound = _inbound(text, settings)
    if inbound.phone is None:
        log.info(
            "SMS %s from %s not answered: not a resident's number", inbound.message_sid, phones.for_log(text.from_raw)
        )
        service.record_exchange(session, inbound=inbound, reply=None)
        return None
    try:
        reply = route(session, inbound)
        session.flush()  # the router's own writes fail here, as routing
    except UNAVAILABLE:
        raise  # the database, not the routing: the webhook spools the text
    except Exception as exc:
        raise RoutingFailed(str(exc)) from exc
    service.record_exchange(session, inbound=inbound, reply=reply)
    return reply


def _keep_failed(session: Session, text: IncomingText, settings: Settings) -> str | None:
    inbound = _inbound(text, settings)
    inbound.status, inbound.handled_as = "failed", "error"
    reply = holding_reply(settings)
    service.record_exchange(session, inbound=inbound, reply=reply)
    return reply
