"""The Twilio Voice IVR as TwiML (``twilio.twiml.voice_response``): the menu, the queues, the
voicemail. Prompts are Babel messages of ``hotline/voice`` in the caller's language."""

from __future__ import annotations

from collections.abc import Sequence

from twilio.twiml.voice_response import Gather, VoiceResponse

from config.catalog import Category
from config.i18n import gettext
from config.settings import Settings

# Twilio voices for our locales (Amazon Polly through Twilio; Polly names Mandarin ``cmn-CN``).
VOICES = {"zh_CN": ("Polly.Zhiyu", "cmn-CN"), "en": ("Polly.Joanna", "en-US")}
OPERATOR_QUEUE = "hotline"
EMERGENCY_QUEUE = "hotline-emergency"  # served first: one-touch line and emergency help
MAX_WAIT_SECONDS = 120  # then the caller is offered voicemail
VOICEMAIL_SECONDS = 120
BASE = "/voice/twilio"


def say(response: VoiceResponse | Gather, locale: str, text: str) -> None:
    voice, language = VOICES.get(locale, VOICES["en"])
    response.say(text, voice=voice, language=language)


def spoken_digits(number: str) -> str:
    """``2611210007`` read one digit at a time, as a resident would key it in."""
    return " ".join(number)


def menu(locale: str, settings: Settings, categories: Sequence[Category]) -> VoiceResponse:
    response = VoiceResponse()
    centre = settings.centre_name_en if locale == "en" else settings.centre_name_zh
    gather = Gather(input="dtmf", action=f"{BASE}/menu", method="POST", finish_on_key="#", timeout=5)
    say(gather, locale, gettext(locale, "Welcome to {centre}.", centre=centre))
    for digit, category in enumerate(categories, start=1):
        say(
            gather,
            locale,
            gettext(locale, "For {category}, press {digit}.", category=category.name(locale), digit=digit),
        )
    say(gather, locale, gettext(locale, "To speak to an operator, press 0. Then press the hash key."))
    response.append(gather)
    response.redirect(f"{BASE}/menu", method="POST")  # no choice: an operator
    return response


def enqueue(locale: str, *, emergency: bool, chosen: str | None = None) -> VoiceResponse:
    response = VoiceResponse()
    if emergency:
        say(response, locale, gettext(locale, "You are on the one-touch line. An operator will answer you first."))
    elif chosen:
        say(response, locale, gettext(locale, "You chose {category}. Please hold for an operator.", category=chosen))
    else:
        say(response, locale, gettext(locale, "Please hold for an operator."))
    response.enqueue(
        EMERGENCY_QUEUE if emergency else OPERATOR_QUEUE,
        action=f"{BASE}/queue-exit",
        method="POST",
        wait_url=f"{BASE}/wait",
        wait_url_method="POST",
    )
    return response


def not_on_menu(locale: str) -> VoiceResponse:
    response = VoiceResponse()
    say(response, locale, gettext(locale, "Sorry, that choice is not on the menu."))
    response.redirect(f"{BASE}/incoming", method="POST")
    return response


def hold(locale: str, queue_seconds: int) -> VoiceResponse:
    """Twilio's waitUrl, fetched again each time it ends; after MAX_WAIT the caller leaves."""
    response = VoiceResponse()
    if queue_seconds >= MAX_WAIT_SECONDS:
        response.leave()
        return response
    say(response, locale, gettext(locale, "All operators are busy. Please stay on the line."))
    response.pause(length=15)
    return response


def voicemail(locale: str, *, closed: bool) -> VoiceResponse:
    response = VoiceResponse()
    if closed:
        text = gettext(locale, "The service centre is closed now. Please leave a message after the tone.")
    else:
        text = gettext(locale, "No operator is free. Please leave a message after the tone.")
    say(response, locale, text)
    response.record(
        action=f"{BASE}/voicemail", method="POST", max_length=VOICEMAIL_SECONDS, finish_on_key="#", play_beep=True
    )
    say(response, locale, gettext(locale, "We did not hear a message. Goodbye."))
    response.hangup()
    return response


def recorded(locale: str, ticket_number: str | None) -> VoiceResponse:
    response = VoiceResponse()
    if ticket_number:
        say(
            response,
            locale,
            gettext(locale, "Thank you. Your message is ticket number {number}.", number=spoken_digits(ticket_number)),
        )
    else:
        say(response, locale, gettext(locale, "Thank you. We will call you back."))
    response.hangup()
    return response


def no_message(locale: str) -> VoiceResponse:
    response = VoiceResponse()
    say(response, locale, gettext(locale, "We did not hear a message. Goodbye."))
    response.hangup()
    return response


def goodbye() -> VoiceResponse:
    response = VoiceResponse()
    response.hangup()
    return response
