"""User-facing text through Babel. Every package keeps ``<package>/locale/<locale>/LC_MESSAGES/messages.po``;
the catalogs are merged per locale and compiled in memory, so no binary ``.mo`` file is committed.

In Python:   ``gettext(locale, "Ticket {number} created", number=n)`` (placeholders are ``str.format``)
Deferred:    ``N_("In service")`` marks a string for extraction; translate it later with ``gettext``.
Templates:   ``{{ _("Tickets") }}`` and ``{% trans %}``; render with ``template_globals(locale)``.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Babel is imported when a text is first translated: most CLI commands never do
    from babel.support import NullTranslations

LOCALES = ("zh_CN", "en")
ROOT = Path(__file__).resolve().parent.parent
# Every package that may carry a catalog, lowest layer first (paths only: config imports none of
# them). A sub-package listed here keeps its own catalog, apart from its parent's.
PACKAGES = (
    "config",
    "sms",
    "providers",
    "dispatch",
    "callbacks",
    "hotline",
    "hotline/voice",
    "hotline/web_form",
    "hotline/open311",
    "hotline/simulator",
    "hotline/training",
)
# Keywords for extraction (the message is the second argument of gettext).
EXTRACT_KEYWORDS: dict[str, Any] = {"gettext": (2,), "ngettext": (2, 3), "_": None, "N_": None}


def N_(message: str) -> str:
    return message


def catalog_paths(locale: str) -> list[Path]:
    return [
        path
        for package in PACKAGES
        if (path := ROOT / package / "locale" / locale / "LC_MESSAGES" / "messages.po").exists()
    ]


def normalize_locale(locale: str | None) -> str:
    if not locale:
        return LOCALES[0]
    value = locale.replace("-", "_")
    if value.lower().startswith("zh"):
        return "zh_CN"
    if value.lower().startswith("en"):
        return "en"
    return LOCALES[0]


@functools.cache
def translations(locale: str) -> NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    merged: NullTranslations | None = None
    for path in catalog_paths(normalize_locale(locale)):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=normalize_locale(locale))
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer)
        if merged is None:
            merged = part
        else:
            assert isinstance(merged, Translations)
            merged.merge(part)
    return merged or NullTranslations()


def gettext(locale: str | None, message: str, **params: Any) -> str:
    text = translations(normalize_locale(locale)).gettext(message)
    return text.format(**params) if params else text


def ngettext(locale: str | None, singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(normalize_locale(locale)).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def template_globals(locale: str | None) -> dict[str, Any]:
    """``_``/``gettext``/``ngettext`` for a Jinja2 template rendered in ``locale``."""
    tr = translations(normalize_locale(locale))

    def _gettext(message: str, **params: Any) -> str:
        text = tr.gettext(message)
        return text % params if params else text

    def _ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
        text = tr.ngettext(singular, plural, n)
        return text % {"num": n, **params}

    return {"_": _gettext, "gettext": _gettext, "ngettext": _ngettext, "locale": normalize_locale(locale)}
