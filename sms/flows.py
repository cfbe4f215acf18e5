"""Receiving a text: store it, let the hotline's router answer, keep the answer.

The inbound row and the answer commit in one transaction before the webhook returns 2xx, so a
text Twilio saw acknowledged is never lost. A retried ``MessageSid`` gets the stored answer and
changes nothing. The router runs inside a savepoint on a not-yet-stored inbound row (it records how the text was
handled on it; the row is then written once): if the router fails, its work is rolled back, the
text is still kept (status ``failed``) and the resident gets a holding answer.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.db import Database
from config.errors import InvalidInput
from config.i18n import gettext
from config.settings import Settings
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

    @classmethod
    def from_form(cls, form: dict[str, str]) -> IncomingText:
        def field(name: str, limit: int | None = None) -> str:
            value = (form.get(name) or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
            return value[:limit] if limit else value

        media = field("NumMedia")
        return cls(
            message_sid=(field("MessageSid", 64) or field("SmsMessageSid", 64)) or None,
            from_raw=field("From", 64),
            to_number=field("To", 64),
            body=unicodedata.normalize("NFC", field("Body")),
            num_media=min(int(media), 99) if media.isdigit() else 0,
        )


def resident_phone(raw: str, settings: Settings) -> str | None:
    """The sender as E.164, or None for what cannot be answered: missing, short codes (10086,
    96345: answering them can start an auto-reply loop), alphanumeric senders."""
    try:
        return settings.normalize_phone(raw) if raw else None
    except InvalidInput:
        return None


def receive(db: Database, text: IncomingText, route: InboundRouter, settings: Settings) -> str | None:
    """Store, route and answer one inbound text; returns the reply (None: answer with nothing)."""
    try:
        return _receive_once(db, text, route, settings)
    except IntegrityError:
        # The same MessageSid arrived twice at once (PostgreSQL, two workers): the other one won.
        with db.read() as session:
            stored = service.get_inbound_by_sid(session, message_sid=text.message_sid or "")
            if stored is None:
                raise
            return stored.reply


def _receive_once(db: Database, text: IncomingText, route: InboundRouter, settings: Settings) -> str | None:
    with db.transaction() as session:
        return receive_in(session, text, route, settings)


def receive_in(session: Session, text: IncomingText, route: InboundRouter, settings: Settings) -> str | None:
    """``receive`` inside the caller's transaction (the demo seeds texts with it)."""
    if text.message_sid:
        stored = service.get_inbound_by_sid(session, message_sid=text.message_sid)
        if stored is not None:
            return stored.reply
    inbound = service.new_inbound(
        message_sid=text.message_sid,
        from_raw=text.from_raw,
        phone=resident_phone(text.from_raw, settings),
        to_number=text.to_number,
        body=text.body,
        num_media=text.num_media,
    )
    if inbound.phone is None:
        log.info("SMS %s from %r not answered: not a resident's number", inbound.message_sid, text.from_raw)
        service.store_inbound(session, inbound=inbound)
        return None
    try:
        with session.begin_nested():
            reply = route(session, inbound)
    except Exception:
        log.exception("routing SMS %s failed; kept for an operator", inbound.message_sid)
        inbound.status, inbound.handled_as, inbound.subject = "failed", "error", None
        reply = gettext(settings.locale, "We received your message. An operator will follow up shortly.")
    inbound.reply = reply
    # One INSERT with how it was handled, flushed together with the answer's row.
    service.store_inbound(session, inbound=inbound, flush=not reply)
    if reply:
        service.record_reply(session, inbound=inbound, body=reply)
    return reply
