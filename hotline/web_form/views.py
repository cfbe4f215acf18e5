"""``/request``: a resident asks for a service; ``/status``: how it is going. No login.

    GET  /request               the form (item search, community, address, what is needed, phone)
    POST /request               action=search: the same form with matching items (nothing lost)
                                action=code: checked; a code is texted; the confirm page shows the price
    POST /request/confirm       the code: the ticket is opened (channel "web"), its number shown and texted
    GET  /status, POST /status  ticket number + phone number: the progress in plain words

Every POST carries the page's double-submit token; a stale one re-renders the page with what was
typed and says so. Errors name their field and keep every value. Works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from config import catalog
from config.db import Database
from config.errors import HotlineError
from config.i18n import gettext
from config.settings import Settings
from config.staff import Actor
from config.web import DatabaseDep, LocaleDep, SettingsDep, render
from dispatch.notify import price_text
from hotline.web_form import codes, forms, progress
from hotline.web_form.intake import open_request
from sms import service as sms_service

router = APIRouter(include_in_schema=False)
STALE = "This page was open for a long time. Please check what you typed and press the button again."


def _page(
    request: Request, settings: Settings, name: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    cookie, token = forms.form_token(request, settings)
    response = render(request, f"web_form/{name}", {"csrf": token, **context}, status_code=status)
    forms.set_form_cookie(response, settings, cookie)
    response.headers["Cache-Control"] = "no-store"  # pages with a resident's phone and address
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _form_page(
    request: Request,
    session: Session,
    settings: Settings,
    locale: str,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    notice: str = "",
    results: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    groups = forms.catalogue(session, locale)
    chosen = next((i for g in groups for i in g["items"] if i["code"] == values.get("item")), None)
    return _page(
        request,
        settings,
        "request.html",
        {
            "values": values,
            "errors": errors or {},
            "notice": notice,
            "results": results,
            "chosen": chosen,
            "groups": groups,
            "streets": forms.communities(session, locale),
        },
        status=status,
    )


@router.get("/request", response_class=HTMLResponse)
def request_form(
    request: Request, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, item: str = ""
) -> Response:
    values = dict.fromkeys((*forms.FIELDS, "q"), "")
    values["item"] = item.strip().upper()[:40]
    with db.read() as session:
        return _form_page(request, session, settings, locale, values)


@router.post("/request", response_class=HTMLResponse)
async def request_submit(request: Request, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep) -> Response:
    form = await request.form()
    values = forms.values_of(form)
    action = str(form.get("action") or "code")
    token = str(form.get("csrf") or "")
    return await run_in_threadpool(_submit, request, db, settings, locale, values, action, token)


def _submit(
    request: Request, db: Database, settings: Settings, locale: str, values: dict[str, str], action: str, token: str
) -> Response:
    if action in ("search", "lang", "all"):
        if action == "all":
            values["q"] = ""
        with db.read() as session:
            query = values["q"] or (values["description"] if action == "search" else "")
            results = forms.search(session, settings, locale, query) if query else None
            if action == "search" and results == [] and values["q"]:
                notice = gettext(locale, "No service matches these words. Choose from the list, or leave it to us.")
            else:
                notice = ""
            return _form_page(request, session, settings, locale, values, results=results, notice=notice)
    if not forms.token_is_fresh(request, settings, token):
        with db.read() as session:
            return _form_page(request, session, settings, locale, values, notice=gettext(locale, STALE), status=400)
    with db.transaction() as session:
        checked = forms.check(session, settings, locale, values)
        if checked.errors:
            return _form_page(request, session, settings, locale, values, errors=checked.errors, status=400)
        community_name = checked.community.path(locale) if checked.community else ""
        draft = {**values, "phone_e164": checked.phone, "locale": locale, "community_name": community_name}
        try:
            issued = codes.issue(
                session, secret=settings.secret_key, phone=checked.phone, client=forms.client_of(request), draft=draft
            )
        except codes.Throttled as exc:
            error = _throttled_text(locale, exc)
            return _form_page(request, session, settings, locale, values, errors={"phone": error}, status=429)
        _text_code(session, locale, issued)
        return _confirm_page(request, settings, locale, issued.row, checked.item)


def _throttled_text(locale: str, exc: codes.Throttled) -> str:
    if exc.reason == "resend":
        return gettext(locale, "We just texted a code to this phone. Please wait a minute before asking again.")
    return gettext(
        locale,
        "Too many codes were asked for. Please try again in {minutes} minutes, or call us.",
        minutes=exc.minutes,
    )


def _text_code(session: Session, locale: str, issued: codes.Issued) -> None:
    sms_service.enqueue(
        session,
        to=issued.row.phone,
        body=gettext(
            locale,
            "Your code for the service request is {code}. It is valid for 10 minutes. "
            "If you did not ask for it, ignore this text.",
            code=issued.code,
        ),
        purpose="web_code",
        idempotency_key=f"web-code:{issued.row.token}",
    )


def _confirm_page(
    request: Request,
    settings: Settings,
    locale: str,
    row: Any,
    item: catalog.ServiceItem | None,
    *,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> HTMLResponse:
    draft = row.draft
    return _page(
        request,
        settings,
        "confirm.html",
        {
            "token": row.token,
            "draft": draft,
            "item_name": item.name(locale) if item else "",
            "price": price_text(item, locale) if item else "",
            "community_name": draft.get("community_name", ""),
            "phone_shown": draft.get("phone", ""),
            "error": error,
            "notice": notice,
        },
        status=status,
    )


@router.post("/request/confirm", response_class=HTMLResponse)
async def request_confirm(request: Request, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep) -> Response:
    form = await request.form()
    fields = {name: str(form.get(name) or "")[:100] for name in ("csrf", "token", "code", "action")}
    return await run_in_threadpool(_confirm, request, db, settings, locale, fields)


def _confirm(request: Request, db: Database, settings: Settings, locale: str, fields: dict[str, str]) -> Response:
    with db.transaction() as session:
        row = codes.get(session, token=fields["token"])
        if row is None:
            values = dict.fromkeys((*forms.FIELDS, "q"), "")
            notice = gettext(locale, "This request form has expired. Please fill it in again.")
            return _form_page(request, session, settings, locale, values, notice=notice, status=404)
        values = {name: str(row.draft.get(name, "")) for name in (*forms.FIELDS, "q")}
        item = catalog.get_item(session, code=values["item"]) if values["item"] else None
        action = fields["action"] or "confirm"
        if action == "edit":
            return _form_page(request, session, settings, locale, values)
        if row.used_at is not None and row.ticket_number:
            return _done_page(request, settings, locale, row.ticket_number, row.token)
        if action == "lang":
            return _confirm_page(request, settings, locale, row, item)
        if not forms.token_is_fresh(request, settings, fields["csrf"]):
            return _confirm_page(request, settings, locale, row, item, error=gettext(locale, STALE), status=400)
        if action == "resend":
            return _resend(request, session, settings, locale, row, item)
        verdict = codes.check(session, secret=settings.secret_key, row=row, code=fields["code"])
        if not verdict.ok:
            return _confirm_page(request, settings, locale, row, item, error=_code_error(locale, verdict), status=400)
        checked = forms.check(session, settings, locale, values)  # the catalogue may have changed meanwhile
        if checked.errors:
            return _form_page(request, session, settings, locale, values, errors=checked.errors, status=400)
        opened = open_request(
            session,
            settings=settings,
            phone=checked.phone,
            language=str(row.draft.get("locale") or locale),
            channel="web",
            actor=Actor.resident(),
            description=values["description"],
            item=checked.item,
            community=checked.community,
            address=values["address"] or None,
            name=values["name"] or None,
            sms_key=f"web-request:{row.token}",
        )
        codes.mark_used(session, row=row, ticket_number=opened.ticket.number)
        return _done_page(request, settings, locale, opened.ticket.number, row.token, joined=not opened.created)


def _code_error(locale: str, verdict: codes.Checked) -> str:
    if verdict.reason == "expired":
        return gettext(locale, "This code has expired. Press “Send a new code”.")
    if verdict.reason == "used_up":
        return gettext(locale, "Too many wrong codes. Press “Send a new code”.")
    return gettext(locale, "The code is not right. You have {n} more tries.", n=verdict.tries_left)


def _resend(
    request: Request, session: Session, settings: Settings, locale: str, row: Any, item: catalog.ServiceItem | None
) -> HTMLResponse:
    try:
        issued = codes.issue(
            session,
            secret=settings.secret_key,
            phone=row.phone,
            client=forms.client_of(request),
            draft=dict(row.draft),
        )
    except codes.Throttled as exc:
        return _confirm_page(request, settings, locale, row, item, error=_throttled_text(locale, exc), status=429)
    _text_code(session, locale, issued)
    notice = gettext(locale, "We texted you a new code. The old one no longer works.")
    row.expires_at = row.created_at  # the old code is void
    return _confirm_page(request, settings, locale, issued.row, item, notice=notice)


def _done_page(
    request: Request, settings: Settings, locale: str, number: str, token: str, *, joined: bool = False
) -> HTMLResponse:
    return _page(request, settings, "done.html", {"number": number, "joined": joined, "token": token})


# --- status ----------------------------------------------------------------------------------


@router.get("/status", response_class=HTMLResponse)
def status_form(request: Request, settings: SettingsDep, number: str = "") -> Response:
    number = "".join(ch for ch in number if ch.isdigit())[:16]
    return _page(request, settings, "status.html", {"values": {"number": number, "phone": ""}, "errors": {}})


@router.post("/status", response_class=HTMLResponse)
async def status_lookup(request: Request, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "").strip()[:40] for name in ("number", "phone")}
    token = str(form.get("csrf") or "")
    if form.get("action") == "lang" and form.get("page") != "progress":  # the language switch: the form again
        return _page(request, settings, "status.html", {"values": values, "errors": {}})
    return await run_in_threadpool(_status, request, db, settings, locale, values, token)


def _status(
    request: Request, db: Database, settings: Settings, locale: str, values: dict[str, str], token: str
) -> Response:
    def again(errors: dict[str, str], status: int, notice: str = "") -> HTMLResponse:
        return _page(
            request, settings, "status.html", {"values": values, "errors": errors, "notice": notice}, status=status
        )

    if not forms.token_is_fresh(request, settings, token):
        return again({}, 400, gettext(locale, STALE))
    number = "".join(ch for ch in values["number"] if ch.isdigit())
    errors = {}
    if not number:
        errors["number"] = gettext(locale, "Please give the ticket number (10 digits, e.g. 2611270001).")
    if not values["phone"]:
        errors["phone"] = gettext(locale, "Please give the phone number you asked with.")
    if errors:
        return again(errors, 400)
    client = forms.client_of(request)
    with db.transaction() as session:  # a look-up is written: it counts towards the throttle
        try:
            codes.check_lookup_throttle(session, client=client, number=number)
        except codes.Throttled as exc:
            notice = gettext(
                locale, "Too many look-ups. Please try again in {minutes} minutes, or call us.", minutes=exc.minutes
            )
            return again({}, 429, notice)
        try:
            phone = settings.normalize_phone(values["phone"])
        except HotlineError:
            phone = ""
        ticket = progress.find(session, number=number, phone=phone) if phone else None
        codes.record_lookup(session, client=client, number=number, found=ticket is not None)
        if ticket is None:
            # the same words whether the number or the phone is wrong: nothing is told about either
            notice = gettext(locale, "We found no ticket with this number for this phone number. Please check both.")
            return again({}, 404, notice)
        shown = progress.describe(ticket, locale, settings)
    return _page(request, settings, "progress.html", {"ticket": shown, "values": values})
