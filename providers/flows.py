"""Steps that cross into other channels: a provider's text commands (PAUSE / RESUME).

The SMS intake (``hotline``) finds the provider with ``service.get_provider_by_phone`` and calls
``handle_provider_text``; None means "not a provider command", so the intake carries on."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import Session

from config.i18n import gettext
from config.staff import Actor
from providers import service
from providers.models import Provider

PAUSE_WORDS = frozenset({"pause", "暂停", "暫停"})
RESUME_WORDS = frozenset({"resume", "恢复", "恢復"})
_TRIM = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def command_of(body: str) -> str | None:
    """``pause`` or ``resume`` when the text is one of the words (any case or width, with spaces
    and punctuation around it), else None."""
    word = _TRIM.sub("", unicodedata.normalize("NFKC", body or "")).casefold()
    if word in PAUSE_WORDS:
        return "pause"
    if word in RESUME_WORDS:
        return "resume"
    return None


def handle_provider_text(session: Session, *, provider: Provider, body: str) -> str | None:
    """Carry out a provider's PAUSE or RESUME and return the reply in the provider's language."""
    command = command_of(body)
    if command is None:
        return None
    locale = provider.language
    paused = command == "pause"
    changed = service.set_paused(
        session,
        provider=provider,
        paused=paused,
        actor=Actor.provider(provider.id),
        note=f"by text: {body.strip()[:40]}",
    )
    if paused:
        if changed:
            return gettext(locale, "Paused: you will receive no job offers. Text RESUME to start again.")
        return gettext(locale, "You are already paused. Text RESUME to receive job offers again.")
    if changed:
        return gettext(locale, "Resumed: you will receive job offers again. Text PAUSE to stop.")
    return gettext(locale, "You are already receiving job offers. Text PAUSE to stop.")
