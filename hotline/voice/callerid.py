"""Caller IDs as Asterisk and Twilio give them: ``13800138000``, ``013800138000``, ``8613800138000``,
``+8613800138000``, ``82123456`` (a local number, the centre's area code), ``7003`` (an internal
extension), ``anonymous``/``unknown``/``<unknown>``/empty (withheld)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from config import phones
from config.phones import PhoneNumberError
from config.settings import Settings

WITHHELD = {"", "anonymous", "unknown", "<unknown>", "restricted", "private", "unavailable", "withheld"}
_EXTENSION = re.compile(r"^\d{2,6}$")


@dataclass(frozen=True)
class CallerId:
    phone: str | None  # E.164 when it is a real phone number
    number: str | None  # what can be dialled back (E.164's digits or an internal extension)
    withheld: bool

    @property
    def label(self) -> str:
        return self.phone or self.number or "withheld"


def parse(raw: str | None, settings: Settings) -> CallerId:
    """Never raises: what cannot be read is a withheld caller."""
    text = (raw or "").strip()
    if text.lower() in WITHHELD:
        return CallerId(None, None, True)
    compact = re.sub(r"[\s\-().]", "", text)
    try:
        phone = settings.normalize_phone(compact)
    except PhoneNumberError:
        phone = None
    if phone is not None:
        return CallerId(phone, dial_string(phone, settings), False)
    if _EXTENSION.match(compact):
        return CallerId(None, compact, False)  # an internal extension: reachable, not a resident's line
    return CallerId(None, None, True)  # letters, short codes, invalid numbers: nothing to ring back


def dial_string(e164: str, settings: Settings) -> str:
    """How the PBX dials ``e164`` from the centre: national digits at home, ``00`` abroad."""
    country = phonenumbers.country_code_for_region(settings.default_region)
    if e164.startswith(f"+{country}"):
        return phones.national(e164)
    return "00" + e164.lstrip("+")


_CHANNEL_EXTENSION = re.compile(r"^(?:PJSIP|SIP|IAX2|DAHDI|Local)/(\d{2,6})(?:[@\-/;]|$)")


def extension_of(channel_or_interface: str | None) -> str | None:
    """``PJSIP/7002-001600ea`` and ``Local/7006@from-queue/n`` name extensions 7002 and 7006;
    trunks (``PJSIP/trunk-0001``) and long dial strings are not operator extensions."""
    if not channel_or_interface:
        return None
    match = _CHANNEL_EXTENSION.match(channel_or_interface.strip())
    return match.group(1) if match else None
