"""What the resident pages share: the anti-forgery token of a page without a login, the form's
fields read and checked (every error is for one field, in the reader's language), and the
catalogue as a resident chooses from it (names in both languages, standard prices)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy.orm import Session

from config import areas, catalog, clock, phones
from config.auth import cookie_secure
from config.errors import HotlineError, InvalidInput
from config.i18n import gettext
from config.settings import Settings
from dispatch import classifier
from dispatch.notify import price_text

FORM_COOKIE = "hotline_form"
FORM_MAX_AGE = 4 * 3600  # an elderly resident may take a while
FIELDS = ("item", "community", "address", "description", "phone", "name")
LIMITS = {"address": 200, "description": 2000, "name": 80, "phone": 40, "q": 100}


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _signer(settings: Settings) -> TimestampSigner:
    return _ClockSigner(settings.secret_key, salt="hotline.web-form")


def form_token(request: Request, settings: Settings) -> tuple[str, str]:
    """(cookie value, token for the form): a double-submit pair, as on the login page."""
    cookie = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    return cookie, _signer(settings).sign(cookie).decode()


def set_form_cookie(response: Response, settings: Settings, cookie: str) -> None:
    response.set_cookie(FORM_COOKIE, cookie, httponly=True, samesite="lax", secure=cookie_secure(settings))


def token_is_fresh(request: Request, settings: Settings, token: str) -> bool:
    try:
        value = _signer(settings).unsign(token, max_age=FORM_MAX_AGE).decode()
    except (BadSignature, SignatureExpired):
        return False
    return secrets.compare_digest(value, request.cookies.get(FORM_COOKIE, ""))


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def values_of(form: Any) -> dict[str, str]:
    values = {}
    for name in (*FIELDS, "q"):
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        values[name] = value[: LIMITS.get(name, 40)] if name in LIMITS else value[:40]
    return values


@dataclass
class Checked:
    errors: dict[str, str] = field(default_factory=dict)
    phone: str = ""  # E.164
    item: catalog.ServiceItem | None = None
    community: areas.Area | None = None


def check(session: Session, settings: Settings, locale: str, values: dict[str, str]) -> Checked:
    found = Checked()
    errors = found.errors
    if not values["description"]:
        errors["description"] = gettext(locale, "Please tell us what you need.")
    if values["item"]:
        try:
            found.item = catalog.get_item(session, code=values["item"])
        except HotlineError:
            found.item = None
        if found.item is None or not found.item.active:
            errors["item"] = gettext(locale, "This service is not offered any more. Please choose another.")
    if not values["community"]:
        errors["community"] = gettext(locale, "Please choose your community.")
    else:
        try:
            found.community = areas.get_community(session, code=values["community"])
        except HotlineError:
            errors["community"] = gettext(locale, "Please choose your community.")
    if not values["address"]:
        errors["address"] = gettext(locale, "Please give your address: building and room.")
    if not values["phone"]:
        errors["phone"] = gettext(locale, "Please give your mobile phone number: we text you a code.")
    else:
        try:
            found.phone = settings.normalize_phone(values["phone"])
        except InvalidInput:
            errors["phone"] = gettext(locale, "This is not a phone number we can text. Please check it.")
        else:
            if not phones.is_mobile(found.phone):
                errors["phone"] = gettext(
                    locale, "We text a code, so this must be a mobile number. On a landline, please call us."
                )
    return found


def catalogue(session: Session, locale: str) -> list[dict[str, Any]]:
    """Categories with their items: code, both names, price text, for the picker and the search."""
    groups: dict[str, dict[str, Any]] = {}
    for item in catalog.list_items(session):
        group = groups.setdefault(item.category.code, {"name": item.category.name(locale), "items": []})
        group["items"].append(item_choice(item, locale))
    return list(groups.values())


def item_choice(item: catalog.ServiceItem, locale: str) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name(locale),
        "other_name": item.name("zh_CN" if locale == "en" else "en"),
        "price": price_text(item, locale),
        "category": item.category.name(locale),
        "words": " ".join([item.name_zh, item.name_en, *item.keywords_zh, *item.keywords_en]).lower(),
    }


def search(session: Session, settings: Settings, locale: str, query: str, limit: int = 8) -> list[dict[str, Any]]:
    """Items for what the resident typed: the classifier's suggestions for a sentence first, then
    items whose names or keywords (either language) contain a word of it."""
    query = query.strip()[: LIMITS["q"]]
    if not query:
        return []
    items = {item.code: item for item in catalog.list_items(session)}
    found: list[str] = []
    model, _ = classifier.for_session(session, precision_target=settings.classifier_precision_target)
    for suggestion in model.classify(query).suggestions[:3]:
        if suggestion.code in items and suggestion.confidence >= 0.05:
            found.append(suggestion.code)
    words = [w for w in query.lower().replace(",", " ").replace("，", " ").split() if w]
    for code, item in items.items():
        haystack = " ".join([item.name_zh, item.name_en, *item.keywords_zh, *item.keywords_en]).lower()
        if any(w in haystack for w in words) or any(k and k in query for k in item.keywords_zh):
            found.append(code)
    unique = list(dict.fromkeys(found))[:limit]
    return [item_choice(items[code], locale) for code in unique]


def communities(session: Session, locale: str) -> list[dict[str, Any]]:
    """Communities grouped by street, for a select with optgroups."""
    streets: dict[str, dict[str, Any]] = {}
    for area in areas.list_areas(session, level="community"):
        street = area.parent
        key = street.code if street else ""
        group = streets.setdefault(key, {"name": street.path(locale) if street else "", "communities": []})
        group["communities"].append({"code": area.code, "name": area.name(locale)})
    return list(streets.values())
