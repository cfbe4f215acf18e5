"""The texts dispatch sends: offers and their outcomes to providers, progress to residents, alerts
to the duty dispatcher and supervisor. Each goes through the SMS outbox in the caller's
transaction (so it leaves only after commit), in the recipient's language, with an idempotency key
so a step run twice never texts twice. Texts to residents about non-urgent tickets are held
through their quiet hours by the outbox; urgent ones and texts to providers and staff go at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from config import phones
from config.catalog import ServiceItem
from config.i18n import N_, gettext
from config.settings import Settings
from dispatch.models import Offer, Ticket
from sms import service as sms_service

UNIT_LABELS = {
    "hour": N_("hour"),
    "visit": N_("visit"),
    "job": N_("job"),
    "item": N_("item"),
    "square_metre": N_("square metre"),
    "metre": N_("metre"),
    "day": N_("day"),
    "month": N_("month"),
    "session": N_("session"),
    "trip": N_("trip"),
}
URGENCY_WORDS = {"normal": N_("normal"), "urgent": N_("URGENT"), "emergency": N_("EMERGENCY")}


def money(amount: Decimal) -> str:
    """``80`` or ``80.50``: yuan as a resident reads them."""
    text = f"{amount:.2f}"
    return text[:-3] if text.endswith(".00") else text


def price_text(item: ServiceItem, locale: str) -> str:
    if item.unit == "free" or not item.price:
        return gettext(locale, "free of charge")
    return gettext(
        locale,
        "{price} yuan per {unit}",
        price=money(item.price),
        unit=gettext(locale, UNIT_LABELS.get(item.unit, item.unit)),
    )


def _where(ticket: Ticket, locale: str) -> str:
    """Street and community, never the exact address (that comes with acceptance)."""
    if ticket.community is None:
        return "-"
    street = ticket.community.parent
    return f"{street.name(locale)} {ticket.community.name(locale)}" if street else ticket.community.name(locale)


def _clock(value: dt.datetime, settings: Settings) -> str:
    """``11-27 14:40`` in the centre's zone."""
    return value.astimezone(settings.zone).strftime("%m-%d %H:%M")


def _send(session: Session, *, to: str, body: str, purpose: str, ticket: Ticket, key: str, quiet: bool = False) -> None:
    sms_service.enqueue(
        session, to=to, body=body, purpose=purpose, subject=f"ticket:{ticket.number}", idempotency_key=key, quiet=quiet
    )


def _resident_quiet(ticket: Ticket) -> bool:
    return ticket.urgency == "normal"


def _tell_resident(session: Session, *, ticket: Ticket, body: str, purpose: str, key: str) -> None:
    """A text to the ticket's resident, held through their quiet hours unless the ticket is urgent."""
    _send(session, to=ticket.resident.phone, body=body, purpose=purpose, ticket=ticket, key=key,
          quiet=_resident_quiet(ticket))  # fmt: skip


def offer(session: Session, *, offer: Offer, ticket: Ticket, settings: Settings) -> None:
    provider, item = offer.provider, ticket.item
    assert item is not None
    locale = provider.language
    body = gettext(
        locale,
        "[{centre}] Job {code}: {item} ({urgency}), {where}, standard price {price}. Resident {phone}. "
        "Reply by {deadline}: Y {code} to accept, N {code} to decline.",
        centre=_centre(settings, locale),
        code=offer.code,
        item=item.name(locale),
        urgency=gettext(locale, URGENCY_WORDS[ticket.urgency]),
        where=_where(ticket, locale),
        price=price_text(item, locale),
        phone=phones.masked(ticket.resident.phone),
        deadline=_clock(offer.expires_at, settings),
    )
    _send(session, to=provider.phone, body=body, purpose="offer", ticket=ticket, key=f"offer:{offer.id}:made")


def offer_ended(session: Session, *, offer: Offer, ticket: Ticket, why: str) -> None:
    """Tell a provider their offer (or job in hand) is gone: ``expired``, ``lost`` (another took
    it), ``withdrawn`` (the ticket was cancelled) or ``stood_down`` (the provider may not take jobs
    now: suspended or removed)."""
    locale = offer.provider.language
    messages = {
        "expired": N_("Job {code} has expired: it was not answered in time and goes to another provider."),
        "lost": N_("Job {code} has been taken by another provider. Thank you."),
        "withdrawn": N_("Job {code} has been cancelled. Please do not go."),
        "stood_down": N_(
            "Job {code} has been withdrawn because you cannot take jobs at present. Please do not go; "
            "it goes to another provider."
        ),
    }
    body = gettext(locale, messages[why], code=offer.code)
    _send(
        session,
        to=offer.provider.phone,
        body=body,
        purpose="offer_" + why,
        ticket=ticket,
        key=f"offer:{offer.id}:{why}",
    )


def accepted(session: Session, *, offer: Offer, ticket: Ticket, settings: Settings) -> None:
    """The provider gets the exact address and the resident's number; the resident gets the
    provider's name and phone, the standard price and when to expect them."""
    provider, item, resident = offer.provider, ticket.item, ticket.resident
    assert item is not None and ticket.expected_at is not None
    locale = provider.language
    body = gettext(
        locale,
        "Job {code} is yours: {item}. Address: {address}. Resident: {name} {phone}. Be there by {deadline}. "
        "Text ARRIVED {code} when you arrive and DONE {code} with the amount charged when finished.",
        code=offer.code,
        item=item.name(locale),
        address=_full_address(ticket, locale),
        name=resident.name or "",
        phone=phones.national(resident.phone),
        deadline=_clock(ticket.expected_at, settings),
    )
    _send(session, to=provider.phone, body=body, purpose="offer_accepted", ticket=ticket, key=f"offer:{offer.id}:yours")
    rlocale = resident.language
    body = gettext(
        rlocale,
        "Ticket {number}: {provider} ({phone}) will come for {item}, expected by {deadline}. "
        "Standard price: {price}. Text STATUS for progress.",
        number=ticket.number,
        provider=provider.name(rlocale),
        phone=phones.national(provider.phone),
        item=item.name(rlocale),
        deadline=_clock(ticket.expected_at, settings),
        price=price_text(item, rlocale),
    )
    _tell_resident(
        session, ticket=ticket, body=body, purpose="dispatched", key=f"ticket:{ticket.number}:dispatched:{offer.id}"
    )


def reassigned(session: Session, *, offer: Offer, ticket: Ticket) -> None:
    """The resident was told a provider would come and now that provider cannot (suspended or
    removed before arriving): they hear that another one is being found."""
    resident = ticket.resident
    body = gettext(
        resident.language,
        "Ticket {number}: {provider} can no longer come. We are finding another provider and will text you "
        "who is coming.",
        number=ticket.number,
        provider=offer.provider.name(resident.language),
    )
    _tell_resident(
        session, ticket=ticket, body=body, purpose="reassigned", key=f"ticket:{ticket.number}:reassigned:{offer.id}"
    )


def _full_address(ticket: Ticket, locale: str) -> str:
    parts = [ticket.community.path(locale) if ticket.community else "", ticket.address or ""]
    return " ".join(p for p in parts if p) or "-"


def delayed(session: Session, *, ticket: Ticket, settings: Settings) -> None:
    """The resident hears that finding a provider takes longer (once per ticket)."""
    resident = ticket.resident
    body = gettext(
        resident.language,
        "Ticket {number}: finding a provider is taking longer than usual. A dispatcher is on it and we will "
        "text you as soon as someone is assigned. In an emergency call 110 or 120.",
        number=ticket.number,
    )
    _tell_resident(session, ticket=ticket, body=body, purpose="delayed", key=f"ticket:{ticket.number}:delayed")


def duty(session: Session, *, phone: str, ticket: Ticket, settings: Settings, what: str, key: str) -> None:
    """A short alert to the duty dispatcher or supervisor (staff read the centre's language)."""
    locale = settings.locale
    item = ticket.item.name(locale) if ticket.item else "-"
    body = gettext(
        locale,
        "[{centre}] Ticket {number} ({item}, {urgency}): {what}",
        centre=_centre(settings, locale),
        number=ticket.number,
        item=item,
        urgency=gettext(locale, URGENCY_WORDS[ticket.urgency]),
        what=gettext(locale, what),
    )
    _send(session, to=phone, body=body, purpose="duty_alert", ticket=ticket, key=key)


def _centre(settings: Settings, locale: str) -> str:
    return settings.centre_name_en if locale == "en" else settings.centre_name_zh
