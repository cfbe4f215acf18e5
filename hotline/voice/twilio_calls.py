"""What a Twilio Voice webhook does to the call log and the tickets. Idempotent on ``CallSid``:
Twilio retries, and the same request twice changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from config import catalog, clock
from config.i18n import gettext
from config.settings import Settings
from config.staff import Actor
from dispatch import residents
from dispatch import service as dispatch_service
from hotline.voice import callerid, service
from hotline.voice.models import Call

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
ONE_TOUCH = "one_touch"
EMERGENCY_CATEGORY = "emergency_help"


def find(session: Session, *, call_sid: str) -> Call | None:
    return service.get_call_by_external_id(session, transport="twilio", external_id=call_sid)


def get_or_create(session: Session, *, call_sid: str, caller_raw: str | None, settings: Settings) -> Call:
    call = service.get_call_by_external_id(session, transport="twilio", external_id=call_sid)
    if call is None:
        raw = caller_raw or ""
        caller = callerid.parse(None if raw.startswith("client:") else raw, settings)
        call = service.create_call(
            session, transport="twilio", external_id=call_sid, caller=caller, started_at=clock.now()
        )
    return call


def locale_of(call: Call, settings: Settings) -> str:
    if call.resident is not None and call.resident.language in ("zh_CN", "en"):
        return call.resident.language
    return settings.locale


def is_one_touch(call: Call) -> bool:
    return call.resident is not None and ONE_TOUCH in call.resident.tags


def join_queue(call: Call, *, emergency: bool, queue: str) -> None:
    call.emergency = call.emergency or emergency
    if not call.queue:
        call.queue = queue


def category_for_digits(session: Session, digits: str) -> catalog.Category | None:
    """Digits 1..11 pick the categories in catalogue order; anything else is not on the menu."""
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 3):  # "²" is a digit to isdigit()
        return None
    categories = catalog.list_categories(session)
    index = int(digits) - 1
    return categories[index] if 0 <= index < len(categories) else None


def record_queue_exit(call: Call, *, result: str, queue_seconds: int | None) -> None:
    if queue_seconds is not None and call.hold_seconds is None:
        call.hold_seconds = queue_seconds
    if result == "bridged" and call.answered_at is None:
        call.answered_at = clock.now()


def voicemail_ticket(
    session: Session, *, call: Call, recording_url: str, seconds: int | None, settings: Settings
) -> str | None:
    """The recorded message becomes a ticket (once); returns its number, or None when the caller
    is withheld (no resident to open it for: the recording stays on the call)."""
    if call.ticket is not None:
        return call.ticket.number
    call.recording_url = recording_url[:500]
    if not call.caller_phone:
        session.flush()
        return None
    resident = call.resident or residents.get_or_create_resident(
        session, phone=call.caller_phone, language=settings.locale
    )
    call.resident = resident
    locale = settings.locale
    category = catalog.get_category(session, code=call.category_code) if call.category_code else None
    description = gettext(
        locale, "Voicemail ({seconds} s): {url}", seconds=seconds if seconds is not None else "?", url=recording_url
    )
    if category is not None:
        description = gettext(locale, "Menu choice: {category}.", category=category.name(locale)) + " " + description
    ticket, _created = dispatch_service.create_ticket(
        session,
        resident=resident,
        channel="phone",
        description=description,
        zone=settings.zone,
        actor=Actor.system(),
        item=None,
        urgency="emergency" if call.emergency else "normal",
    )
    call.ticket = ticket
    session.flush()
    return ticket.number


def finish(session: Session, *, call: Call, status: str) -> None:
    if status not in FINAL_STATUSES:
        return
    outcome = None
    if call.answered_at is None and call.recording_url:
        outcome = "voicemail"
    service.finish_call(session, call=call, ended_at=clock.now(), cause_text=status, outcome=outcome)
