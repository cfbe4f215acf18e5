"""Where an inbound text goes. An ordered list of handlers, each ``(session, inbound, context)``
returning the reply (``""``: handled, answer nothing) or ``None`` (not mine: try the next one).

    rate limit -> empty text -> provider -> survey answer -> keywords (STATUS, STOP, START, HELP)
    -> threaded reply -> new ticket

A text from a registered provider never opens a ticket: ``provider_command`` carries out PAUSE /
RESUME, then answers to offers (``dispatch.replies``: Y / N / ARRIVED / DONE with the offer's
code), and answers anything else with the commands it knows. ``survey_reply`` hands a resident's
text to ``callbacks.flows`` first: an answer to an open survey ("5", "4821 5", "很满意"), STOP in
the middle of one, or an answer with nothing open never reaches threading.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import BindParameter, Select, String, bindparam, select
from sqlalchemy.orm import Session

from callbacks import flows as survey_flows
from config import areas, catalog, clock, phones
from config.i18n import gettext
from config.settings import Settings
from config.staff import Actor
from dispatch import classifier, replies, residents, service
from dispatch.models import Resident, Ticket
from dispatch.states import LABELS
from providers import flows as provider_flows
from providers import service as provider_service
from sms import service as sms_service
from sms.models import InboundMessage

SUBJECT_PREFIX = "ticket:"
_COMMAND = re.compile(r"^(status|查询|stop|退订|td|start|订阅|help|帮助)\s*[:#]?\s*(\d{10})?\s*[.!。!]?$")
_COMMAND_NAMES = {"查询": "status", "退订": "stop", "td": "stop", "订阅": "start", "帮助": "help"}


@dataclass
class Context:
    settings: Settings
    phone: str  # E.164
    text: str  # NFKC, stripped: full-width letters and digits are plain ones here (for matching)
    written: str  # the text as the resident wrote it (for the ticket)
    resident: Resident | None = None
    provider_id: int | None = None  # the sender is a registered provider
    recent_texts: int = 0  # texts from this phone within the rate window, this one not counted
    guess: classifier.Classification | None = None  # the classifier's, computed once when needed

    @property
    def locale(self) -> str:
        if self.resident is not None:
            return self.resident.language
        return classifier.guess_language(self.text) if self.text else self.settings.locale


Handler = Callable[[Session, InboundMessage, Context], str | None]


def subject_of(ticket: Ticket | service.OpenedTicket) -> str:
    return SUBJECT_PREFIX + ticket.number


def ticket_number_of(subject: str | None) -> str | None:
    return subject.removeprefix(SUBJECT_PREFIX) if subject and subject.startswith(SUBJECT_PREFIX) else None


# --- handlers, in order --------------------------------------------------------------------------


def rate_limit(session: Session, inbound: InboundMessage, ctx: Context) -> str | None:
    """Over the limit: keep the text, answer once politely, open nothing."""
    count = ctx.recent_texts + 1  # this one too
    limit = ctx.settings.sms_rate_limit
    if count <= limit:
        return None
    inbound.status, inbound.handled_as = "throttled", "rate_limited"
    if count == limit + 1:
        return gettext(
            ctx.locale,
            "You have sent many texts in a short time. We keep them all; please wait a minute before texting again.",
        )
    return ""


def empty_text(session: Session, inbound: InboundMessage, ctx: Context) -> str | None:
    if ctx.text:
        return None
    inbound.handled_as = "empty"
    if inbound.num_media:
        return gettext(ctx.locale, "We received your picture. Please also text us in words what you need and where.")
    return gettext(
        ctx.locale,
        'Your text was empty. Please tell us what you need and where, e.g. "kitchen pipe leaking, Block 3, Room 401".',
    )


def provider_command(session: Session, inbound: InboundMessage, ctx: Context) -> str | None:
    """Texts from a registered provider: PAUSE / RESUME, else a reply that says what works."""
    if ctx.provider_id is None:
        return None
    provider = provider_service.get_provider_row(session, provider_id=ctx.provider_id)
    reply = provider_flows.handle_provider_text(session, provider=provider, body=ctx.text)
    if reply is not None:
        inbound.handled_as = "provider_command"
        return reply
    answer = replies.handle(session, provider=provider, text=ctx.text, settings=ctx.settings)
    if answer is not None:
        inbound.handled_as = "offer_reply"
        if answer.ticket_number:
            inbound.subject = SUBJECT_PREFIX + answer.ticket_number
        return answer.text
    inbound.handled_as = "provider_text"
    return gettext(
        provider.language,
        "We keep your text for the operators. Answer a job offer with Y or N and its code (e.g. Y 4821), "
        "ARRIVED 4821 on arrival, DONE 4821 80 when finished with the amount charged. PAUSE stops offers, "
        "RESUME restarts them; for anything else please call the centre.",
    )


def survey_reply(session: Session, inbound: InboundMessage, ctx: Context) -> str | None:
    answered = survey_flows.answer_text(
        session, resident=ctx.resident, text=ctx.written, locale=ctx.locale, settings=ctx.settings
    )
    if answered is None:
        return None
    inbound.handled_as = answered.handled_as
    if answered.ticket_number:
        inbound.subject = SUBJECT_PREFIX + answered.ticket_number
    return answered.text


def keyword_command(session: Session, inbound: InboundMessage, ctx: Context) -> str | None:
    match = _COMMAND.match(ctx.text.casefold())
    if match is None:
        return None
    command = _COMMAND_NAMES.get(match.group(1), match.group(1))
    inbound.handled_as = command
    if command == "help":
        return gettext(
            ctx.locale,
            "Text us what you need and where; we open a ticket and find a provider. "
            "STATUS: progress of your latest ticket. STOP: no survey texts. START: texts again. "
            "In an emergency call 110 or 120.",
        )
    if command == "status":
        return _status(session, inbound, ctx, number=match.group(2))
    resident = ctx.resident or _new_resident(session, ctx)
    residents.set_sms_opt_out(session, resident=resident, opted_out=command == "stop")
    if command == "stop":
        return gettext(ctx.locale, "You will no longer receive survey texts from us. Text START to receive them again.")
    return gettext(ctx.locale, "You will receive our texts again. Text STOP to opt out.")


def threaded_reply(session: Session, inbound: InboundMessage, ctx: Context) -> str | None:
    """A text while a ticket is open, that does not confidently ask for another service, belongs
    on that ticket."""
    if ctx.resident is None:
        return None
    open_tickets = service.open_tickets_of(session, resident=ctx.resident)
    if not open_tickets:
        return None
    ticket = open_tickets[0]
    guess = _classify(session, ctx)
    if guess.item_code and ticket.item is not None and guess.item_code != ticket.item.code:
        return None  # a new request
    service.link_repeat_contact(
        session,
        ticket=ticket,
        channel="sms",
        description=ctx.written,
        urgency=classifier.urgency_of(ctx.text),
        actor=Actor.resident(),
    )
    inbound.handled_as, inbound.subject = "threaded", subject_of(ticket)
    return gettext(ctx.locale, "Added to your ticket {number}. Text STATUS for its progress.", number=ticket.number)


def new_ticket(session: Session, inbound: InboundMessage, ctx: Context) -> str | None:
    guess = _classify(session, ctx)
    finder = classifier.for_session(session, precision_target=ctx.settings.classifier_precision_target)[1]
    community_code = finder.find(ctx.text)
    item = catalog.get_item(session, code=guess.item_code) if guess.item_code else None
    if item is not None and not item.active:  # withdrawn since the classifier was built
        item = None
    community = areas.get_community(session, code=community_code) if community_code else None
    ticket = service.open_ticket(
        session,
        resident=ctx.resident,
        phone=ctx.phone,
        language=ctx.locale,
        channel="sms",
        description=ctx.written,
        zone=ctx.settings.zone,
        actor=Actor.resident(),
        item=item,
        item_confidence=guess.confidence if guess.best else None,
        community=community,
        urgency=classifier.urgency_of(ctx.text),
    )
    inbound.handled_as, inbound.subject = ("new_ticket" if ticket.created else "threaded"), subject_of(ticket)
    if not ticket.created:
        return gettext(ctx.locale, "Added to your ticket {number}. Text STATUS for its progress.", number=ticket.number)
    if item is None:
        # a text with words of a danger to life is not a request: it is told to call 110 or 120 first
        danger = gettext(ctx.locale, "If anyone is in danger, call 110 or 120 now.") + " " if guess.emergency else ""
        if ctx.settings.is_open(clock.now()):
            return danger + gettext(
                ctx.locale,
                "We received your request as ticket {number}. An operator will read it shortly and text you. "
                "Text STATUS for progress.",
                number=ticket.number,
            )
        return danger + gettext(
            ctx.locale,
            "We received your request as ticket {number}. The centre is closed now; an operator will read it "
            "when we open and text you. In an emergency call 110 or 120.",
            number=ticket.number,
        )
    reply = gettext(
        ctx.locale,
        "We received your request for {item} as ticket {number}. We are finding a provider and will text you "
        "when one is assigned. Text STATUS for progress.",
        item=item.name(ctx.locale),
        number=ticket.number,
    )
    if item.category.code == "emergency_help":
        reply += " " + gettext(ctx.locale, "If anyone is in danger, call 110 or 120 now.")
    return reply


HANDLERS: list[Handler] = [
    rate_limit,
    empty_text,
    provider_command,
    survey_reply,
    keyword_command,
    threaded_reply,
    new_ticket,
]


# --- the router ------------------------------------------------------------------------------


def route(session: Session, inbound: InboundMessage, settings: Settings) -> str | None:
    """Try each handler in turn; the first that answers wins."""
    assert inbound.phone is not None
    resident_id, provider_id, recent_texts = session.execute(
        _sender_lookup(), {"phone": inbound.phone, "since": clock.now() - sms_service.RATE_WINDOW}
    ).one()
    ctx = Context(
        settings=settings,
        phone=inbound.phone,
        text=unicodedata.normalize("NFKC", inbound.body).strip(),
        written=inbound.body.strip(),
        resident=residents.get_resident(session, resident_id=resident_id) if resident_id is not None else None,
        provider_id=provider_id,
        recent_texts=recent_texts,
    )
    inbound.status = "handled"
    for handler in HANDLERS:
        reply = handler(session, inbound, ctx)
        if reply is not None:
            return reply or None
    return None


def router_for(settings: Settings) -> Callable[[Session, InboundMessage], str | None]:
    """The router ``sms.views.twilio_router`` calls for each inbound text."""

    def _route(session: Session, inbound: InboundMessage) -> str | None:
        return route(session, inbound, settings)

    return _route


# --- helpers -----------------------------------------------------------------------------------


@functools.cache
def _sender_lookup() -> Select[int, int, int]:
    """Who is texting, in one statement: resident id, provider id, texts in the rate window.
    Every text asks this; most senders are neither, so nothing more is loaded for them."""
    phone: BindParameter[str] = bindparam("phone", type_=String())
    return select(
        residents.resident_id_with_phone(phone),
        provider_service.provider_id_with_phone(phone),
        sms_service.recent_inbound_count_of(phone, since=bindparam("since")),
    )


def _classify(session: Session, ctx: Context) -> classifier.Classification:
    if ctx.guess is None:
        model = classifier.for_session(session, precision_target=ctx.settings.classifier_precision_target)[0]
        ctx.guess = model.classify(ctx.text)
    return ctx.guess


def _new_resident(session: Session, ctx: Context) -> Resident:
    resident = residents.create_resident(session, phone=ctx.phone, language=ctx.locale)  # route() found none
    ctx.resident = resident
    return resident


def _status(session: Session, inbound: InboundMessage, ctx: Context, *, number: str | None) -> str:
    tickets = service.list_tickets(session, phone=ctx.phone, limit=None if number else 1)
    if number:
        tickets = [t for t in tickets if t.number == number]
        if not tickets:
            return gettext(ctx.locale, "There is no ticket {number} for this phone number.", number=number)
    if not tickets:
        return gettext(ctx.locale, "You have no tickets with us. Text us what you need and where.")
    ticket = tickets[0]
    inbound.subject = subject_of(ticket)
    status = gettext(ctx.locale, LABELS[ticket.status])
    if ticket.item is None:
        return gettext(
            ctx.locale, "Ticket {number}: {status}, waiting for an operator.", number=ticket.number, status=status
        )
    if ticket.provider is not None and ticket.status in ("accepted", "in_service"):
        return gettext(
            ctx.locale,
            "Ticket {number} ({item}): {status}. {provider} ({phone}) is expected by {deadline}.",
            number=ticket.number,
            item=ticket.item.name(ctx.locale),
            status=status,
            provider=ticket.provider.name(ctx.locale),
            phone=phones.national(ticket.provider.phone),
            deadline=(ticket.expected_at or clock.now()).astimezone(ctx.settings.zone).strftime("%m-%d %H:%M"),
        )
    return gettext(
        ctx.locale,
        "Ticket {number} ({item}): {status}.",
        number=ticket.number,
        item=ticket.item.name(ctx.locale),
        status=status,
    )
