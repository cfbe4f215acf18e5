"""What callbacks says to residents (texts, call prompts, the desk's script) and to staff, in the
reader's language. Texts leave through the SMS outbox in the caller's transaction with an
idempotency key, so a step run twice never texts twice; non-urgent ones wait out the quiet hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from config.i18n import N_, gettext
from config.settings import Settings
from sms import service as sms_service

SURVEY_QUESTION = N_(
    "[{centre}] Were you satisfied with your {item} (#{code})? Reply 1-5 (5 = very satisfied); comments welcome."
)
SEVERAL_OPEN = N_('You have several surveys open: put the number first, e.g. "{code} 5".')


def joined(locale: str, *sentences: str) -> str:
    """Sentences one after another: with a space in English, none in Chinese."""
    return ("" if locale == "zh_CN" else " ").join(s for s in sentences if s)


def centre(settings: Settings, locale: str) -> str:
    return settings.centre_name_en if locale == "en" else settings.centre_name_zh


def survey_question(settings: Settings, locale: str, *, item: str, code: str, several: bool) -> str:
    text = gettext(locale, SURVEY_QUESTION, centre=centre(settings, locale), item=item, code=code)
    return joined(locale, text, gettext(locale, SEVERAL_OPEN, code=code) if several else "")


def thanks(locale: str, *, score: int) -> str:
    return gettext(locale, "Thank you for your rating ({score} of 5).", score=score)


def complaint_taken(locale: str, *, complaint_id: int, deadline: str, rated: bool) -> str:
    text = gettext(
        locale,
        "We are sorry. Your complaint is registered as number {id}; a supervisor will reply by {deadline}.",
        id=complaint_id,
        deadline=deadline,
    )
    return text if rated else joined(locale, text, gettext(locale, "Please also rate the service from 1 to 5."))


def clarify(locale: str, *, item: str, code: str) -> str:
    return gettext(
        locale,
        "Please reply with a number from 1 to 5 to rate your {item} (#{code}): 5 very satisfied, 1 very dissatisfied.",
        item=item,
        code=code,
    )


def out_of_range(locale: str) -> str:
    return gettext(locale, "A rating is a whole number from 1 to 5. Please reply 1-5 (5 = very satisfied).")


def which_survey(locale: str, *, surveys: Sequence[tuple[str, str]], unknown: str | None = None) -> str:
    """``surveys``: (code, item) of the resident's open surveys."""
    listed = gettext(locale, ", ").join(f"#{code} {item}" for code, item in surveys)
    text = gettext(
        locale,
        'Your open surveys: {listed}. Reply with the number and the rating, e.g. "{code} 5".',
        listed=listed,
        code=surveys[0][0],
    )
    return joined(locale, gettext(locale, "We found no survey #{code}.", code=unknown) if unknown else "", text)


def no_survey(locale: str) -> str:
    return gettext(locale, "We have no survey open for you. To ask for a service, text us what you need and where.")


def already_answered(locale: str, *, number: str, score: int) -> str:
    return gettext(
        locale,
        "You have already rated ticket {number} ({score} of 5); your first answer stands. Thank you.",
        number=number,
        score=score,
    )


def survey_closed(locale: str, *, number: str) -> str:
    return gettext(
        locale,
        "The survey of ticket {number} has closed. Thank you. To ask for a service, text us what you need and where.",
        number=number,
    )


def stopped(locale: str) -> str:
    return gettext(
        locale,
        "You will no longer receive survey texts from us and this survey is closed. Text START to receive them again.",
    )


def passed_on(locale: str) -> str:
    return gettext(locale, "Thank you. We have passed your words to an operator.")


# --- calls -----------------------------------------------------------------------------------


def call_question(settings: Settings, locale: str, *, item: str) -> str:
    return gettext(
        locale,
        "Hello, this is {centre} calling about your {item}. If you were very satisfied press 5, satisfied 4, "
        "neither 3, dissatisfied 2, very dissatisfied 1.",
        centre=centre(settings, locale),
        item=item,
    )


def call_no_key(locale: str) -> str:
    return gettext(locale, "We did not hear a key. Please press a number from 1 to 5.")


def call_thanks(locale: str, *, complaint: bool) -> str:
    if complaint:
        return gettext(locale, "We are sorry. A supervisor will look into it and contact you. Goodbye.")
    return gettext(locale, "Thank you for your rating. Goodbye.")


def call_closed(locale: str) -> str:
    return gettext(locale, "This survey is closed. Thank you, goodbye.")


def desk_script(settings: Settings, *, number: str, item: str, provider: str, completed_at: dt.datetime) -> str:
    """What the operator says (the centre's language: operators read it)."""
    locale = settings.locale
    return gettext(
        locale,
        "Hello, this is {centre}. We are calling about the {item} done on {date} (ticket {number}, {provider}). "
        "How satisfied were you, from 1 to 5 (5 = very satisfied)? Anything we should know?",
        centre=centre(settings, locale),
        item=item,
        date=completed_at.astimezone(settings.zone).strftime("%m-%d"),
        number=number,
        provider=provider,
    )


# --- results and complaints ------------------------------------------------------------------

RESULT_TEXTS = {
    "resolved": N_("[{centre}] Your ticket {number} is closed: {resolution}"),
    "closed": N_("[{centre}] Your ticket {number} ({item}) is closed. Thank you for contacting us."),
    "cancelled": N_("[{centre}] Your ticket {number} was cancelled. If you still need the service, contact us again."),
}
OUTCOME_TEXTS = {
    "upheld": N_("your complaint was upheld"),
    "not_upheld": N_("your complaint was not upheld"),
    "withdrawn": N_("your complaint was withdrawn"),
}


def result(settings: Settings, locale: str, *, how: str, number: str, item: str, resolution: str | None) -> str:
    return gettext(
        locale, RESULT_TEXTS[how], centre=centre(settings, locale), number=number, item=item, resolution=resolution
    )


def outcome(settings: Settings, locale: str, *, complaint_id: int, outcome: str, reply: str) -> str:
    return gettext(
        locale,
        "[{centre}] Complaint {id}: {outcome}. {reply}",
        centre=centre(settings, locale),
        id=complaint_id,
        outcome=gettext(locale, OUTCOME_TEXTS[outcome]),
        reply=reply,
    )


def overdue(settings: Settings, *, complaint_id: int, deadline: dt.datetime, owner: str) -> str:
    locale = settings.locale
    return gettext(
        locale,
        "[{centre}] Complaint {id} (owner {owner}) passed its deadline {deadline} without a decision.",
        centre=centre(settings, locale),
        id=complaint_id,
        owner=owner,
        deadline=deadline.astimezone(settings.zone).strftime("%m-%d %H:%M"),
    )


def text(session: Session, *, to: str, body: str, purpose: str, subject: str | None, key: str, quiet: bool) -> None:
    sms_service.queue_message(
        session, to=to, body=body, purpose=purpose, subject=subject, idempotency_key=key, quiet=quiet
    )
