"""A provider answers an offer by text: ``Y 4821`` / ``接 4821`` / ``接单 4821`` to accept,
``N 4821`` / ``拒 4821`` to decline, ``到 4821`` / ``ARRIVED 4821`` on arrival, ``DONE 4821`` /
``完成 4821`` when finished, optionally with the amount charged (``完成 4821 80``; a volunteer's
number is the hours worked). Case, full-width characters and spaces are tolerated; the 10-digit
ticket number works in place of the code; a provider with exactly one live offer (or one job in
hand, for arrival and completion) may leave the code out.

``handle`` returns the reply in the provider's language, or None when the text is none of these
(the intake then answers with the commands it knows). Nothing changes unless the answer is
accepted: an unknown code, another provider's code, a late ``Y``, ``DONE`` before acceptance or an
amount that is not a number is answered and leaves everything as it was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.util import identity_key

from config.i18n import N_, gettext
from config.settings import Settings
from dispatch import answers
from dispatch.models import LIVE, Offer, Ticket
from providers.models import Provider

VERBS = {
    "accept": ("y", "yes", "accept", "接", "接单", "接受"),
    "decline": ("n", "no", "decline", "拒", "拒绝", "拒单", "不接"),
    "arrive": ("arrived", "arrive", "到", "到达", "已到"),
    "done": ("done", "finished", "完成", "完工", "已完成"),
}
_VERB_OF = {word: verb for verb, words in VERBS.items() for word in words}
_WORDS = "|".join(sorted(map(re.escape, _VERB_OF), key=len, reverse=True))
_REPLY = re.compile(rf"^(?P<verb>{_WORDS})\s*[:#：]?\s*(?P<ref>\d{{10}}|\d{{4}})?(?:\s+(?P<amount>\S+?))?\s*[.!。！]?$")
_AMOUNT = re.compile(r"^[¥￥]?(\d+(?:\.\d{1,2})?)(?:元|块|yuan|rmb|h|小时)?$")


@dataclass(frozen=True)
class Reply:
    verb: str  # accept, decline, arrive, done
    ref: str | None  # 4-digit code or 10-digit ticket number
    amount: str | None  # as written


def parse(text: str) -> Reply | None:
    """The provider's answer in ``text``, or None when it is not one."""
    clean = unicodedata.normalize("NFKC", text or "").strip().casefold()
    clean = re.sub(r"\s+", " ", clean)
    match = _REPLY.match(clean)
    if match is None:
        return None
    return Reply(_VERB_OF[match.group("verb")], match.group("ref"), match.group("amount"))


@dataclass(frozen=True)
class Answer:
    text: str  # the reply, in the provider's language
    ticket_number: str | None  # the ticket the text was about, when one was found


def handle(session: Session, *, provider: Provider, text: str, settings: Settings) -> Answer | None:
    answer = _handle(session, provider=provider, text=text, settings=settings)
    if answer is None or isinstance(answer, Answer):
        return answer
    return Answer(answer, None)


def _handle(session: Session, *, provider: Provider, text: str, settings: Settings) -> Answer | str | None:
    reply = parse(text)
    if reply is None:
        return None
    locale = provider.language
    amount: Decimal | None = None
    if reply.amount is not None:
        if reply.verb != "done":
            return None  # "Y 4821 thanks": not a command we know; the operators read it
        found = _AMOUNT.match(reply.amount)
        try:
            amount = Decimal(found.group(1)) if found else None
        except InvalidOperation:  # pragma: no cover (the pattern admits only digits)
            amount = None
        if amount is None:
            return gettext(
                locale,
                "{amount} is not an amount. Text DONE and the code with the amount in figures, e.g. DONE 4821 80.",
                amount=reply.amount,
            )
    wanted = (LIVE,) if reply.verb in ("accept", "decline") else ("accepted", "completed")
    offer, problem = _find(session, provider=provider, ref=reply.ref, wanted=wanted, locale=locale)
    if offer is None:
        return problem
    if reply.verb == "accept":
        outcome = answers.accept(session, offer=offer, settings=settings)
    elif reply.verb == "decline":
        outcome = answers.decline(session, offer=offer, settings=settings)
    elif reply.verb == "arrive":
        outcome = answers.arrive(session, offer=offer)
    else:
        volunteer = provider.kind == "volunteer"
        if volunteer and amount is not None and not 0 < amount <= 24:
            return gettext(locale, "Volunteers text the hours worked (at most 24), e.g. DONE 4821 2.")
        outcome = answers.done(
            session,
            offer=offer,
            settings=settings,
            charged=None if volunteer else amount,
            hours=float(amount) if volunteer and amount is not None else None,
        )
    return Answer(gettext(locale, ANSWERS[(reply.verb, outcome)], code=offer.code), _number(session, offer.ticket_id))


def _number(session: Session, ticket_id: int) -> str | None:
    """The ticket's number: from the session when the step loaded the ticket, else the column only."""
    loaded = session.identity_map.get(identity_key(Ticket, ticket_id))
    if isinstance(loaded, Ticket) and "number" in loaded.__dict__:
        return loaded.number
    return session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))


def _find(
    session: Session, *, provider: Provider, ref: str | None, wanted: tuple[str, ...], locale: str
) -> tuple[Offer | None, str]:
    """The provider's offer the text is about, or None and what to answer."""
    mine = select(Offer).where(Offer.provider_id == provider.id).options(lazyload(Offer.provider))  # in the session
    if ref is None:
        rows = list(session.scalars(mine.where(Offer.status.in_(wanted[:1])).order_by(Offer.id)))
        if len(rows) == 1:
            return rows[0], ""
        if not rows:
            if wanted[0] == LIVE:
                return None, gettext(locale, "You have no job offers waiting for an answer.")
            return None, gettext(locale, "You have no job in hand. Text the job's code, e.g. DONE 4821.")
        codes = ", ".join(row.code for row in rows)
        return None, gettext(
            locale, "You have several jobs ({codes}): text the code too, e.g. Y {code}.", codes=codes, code=rows[0].code
        )
    if len(ref) == 10:
        query = mine.join(Ticket, Ticket.id == Offer.ticket_id).where(Ticket.number == ref)
    else:
        query = mine.where(Offer.code == ref)
    rows = list(session.scalars(query.order_by(Offer.id.desc())))
    for status in (*wanted, "accepted", LIVE):  # the one the verb is for, else the newest
        for row in rows:
            if row.status == status:
                return row, ""
    if rows:
        return rows[0], ""
    live = list(session.scalars(mine.where(Offer.status == LIVE).order_by(Offer.id)))
    if live:
        return None, gettext(
            locale,
            "There is no job {ref} for you. Your jobs waiting for an answer: {codes}.",
            ref=ref,
            codes=", ".join(o.code for o in live),
        )
    return None, gettext(locale, "There is no job {ref} for you.", ref=ref)


ANSWERS = {
    ("accept", "accepted"): N_("Job {code} is yours. The address and the resident's number follow in a text."),
    ("accept", "already"): N_("You have already accepted job {code}."),
    ("accept", "suspended"): N_(
        "Job {code}: you cannot accept jobs while your status does not allow it. Please call the centre."
    ),
    ("accept", "expired"): N_("Sorry, job {code} has expired and goes to another provider. Nothing was changed."),
    ("accept", "lost"): N_("Sorry, job {code} was taken by another provider first. Thank you."),
    ("accept", "withdrawn"): N_("Job {code} was cancelled. Please do not go."),
    ("accept", "declined"): N_("You declined job {code} already; it has gone to another provider."),
    ("accept", "completed"): N_("Job {code} is already completed."),
    ("decline", "declined"): N_("You declined job {code}. Thank you for answering."),
    ("decline", "already"): N_("You declined job {code} already."),
    ("decline", "expired"): N_("Job {code} had expired already. Nothing was changed."),
    ("decline", "lost"): N_("Job {code} was taken by another provider. Nothing was changed."),
    ("decline", "withdrawn"): N_("Job {code} was cancelled. Nothing was changed."),
    ("decline", "accepted"): N_("You hold job {code}. To give it back please call the centre."),
    ("decline", "completed"): N_("Job {code} is already completed."),
    ("arrive", "arrived"): N_("Arrival at job {code} recorded. Text DONE {code} when finished."),
    ("arrive", "already"): N_("Arrival at job {code} was recorded already."),
    ("arrive", "not_accepted"): N_("Job {code} is not yours to start: accept it first (Y {code})."),
    ("done", "completed"): N_("Job {code} recorded as completed. Thank you!"),
    ("done", "already"): N_("Job {code} was recorded as completed already."),
    ("done", "not_accepted"): N_(
        "Job {code} has not been accepted by you, so it cannot be completed. Accept it first (Y {code})."
    ),
}
