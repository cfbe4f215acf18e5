"""Open311 GeoReport v2 at ``/open311/v2/``, mapped onto the catalogue and the tickets.

    GET  discovery.{fmt}                 where the endpoint is, what it speaks
    GET  services.{fmt}                  catalogue items (service_code = item code, group = category)
    GET  services/{code}.{fmt}           a service definition (no item has extra fields: no attributes)
    GET  requests.{fmt}                  tickets, public: no phone, name, address detail or description
    POST requests.{fmt}                  api_key (a key allowed ticket.create) -> the new service_request_id
    GET  requests/{id}.{fmt}             one ticket, as above

``service_request_id`` is the ticket number. ``status`` is ``open`` while the ticket is open
(``dispatch.states.OPEN_STATUSES``) and ``closed`` once completed, surveyed, closed or cancelled.
Times are ISO 8601 in the centre's time zone with its offset. ``jurisdiction_id`` is accepted and
ignored (one jurisdiction per endpoint), missing or empty alike. The centre answers residents by
phone, so a POST without ``phone`` is refused naming it. Handlers are plain ``def`` (thread pool).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from config import areas, catalog, clock, logins, roles
from config.db import Database
from config.errors import HotlineError
from config.settings import Settings
from config.staff import Actor
from config.web import request_locale
from dispatch import classifier
from hotline.open311 import records
from hotline.open311.formats import Open311Error, error_response, format_of, respond
from hotline.web_form.intake import open_request

router = APIRouter(prefix="/open311/v2", tags=["open311"])
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27 00:00"  # of this mapping; the catalogue itself changes only with a deploy
WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000


def _answer(fmt_name: str, work: Callable[[str], Response]) -> Response:
    fmt = format_of(fmt_name)
    try:
        if fmt is None:
            raise Open311Error(400, f"unknown format {fmt_name!r}: use .json or .xml")
        return work(fmt)
    except Open311Error as exc:
        return error_response(fmt, exc)
    except HotlineError as exc:
        return error_response(fmt, Open311Error(exc.status_code if exc.status_code in (403, 404) else 400, exc.message))


def _split(resource: str) -> tuple[str, str]:
    name, dot, fmt = resource.rpartition(".")
    return (name, fmt) if dot else (resource, "")


def _state(request: Request) -> tuple[Database, Settings]:
    return request.app.state.db, request.app.state.settings


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: str) -> Response:
    _, settings = _state(request)

    def work(fmt: str) -> Response:
        return respond(
            fmt,
            "discovery",
            {
                "changeset": CHANGESET,
                "contact": f"{settings.centre_name_en} ({settings.public_url})",
                "key_service": "API keys are issued by the centre's administrator (hotline apikeys create).",
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": settings.public_url.rstrip("/") + "/open311/v2",
                        "changeset": CHANGESET,
                        "type": "test" if settings.demo else "production",
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            },
        )

    return _answer(fmt, work)


@router.get("/services.{fmt}")
def service_list(request: Request, fmt: str) -> Response:
    db, _ = _state(request)
    locale = request_locale(request)

    def work(fmt: str) -> Response:
        with db.read() as session:
            services = [records.service(item, locale) for item in catalog.list_items(session)]
        return respond(fmt, "services", services)

    return _answer(fmt, work)


@router.get("/services/{resource}")
def service_definition(request: Request, resource: str) -> Response:
    db, _ = _state(request)
    code, fmt = _split(resource)

    def work(fmt: str) -> Response:
        with db.read() as session:
            found = _item(session, code).code
        return respond(fmt, "service_definition", {"service_code": found, "attributes": []})

    return _answer(fmt, work)


def _item(session: Any, code: str) -> catalog.ServiceItem:
    if not code.strip():
        raise Open311Error(400, "service_code was not provided")
    try:
        item = catalog.get_item(session, code=code)
    except HotlineError:
        raise Open311Error(404, f"service_code {code!r} not found") from None
    if not item.active:
        raise Open311Error(404, f"service_code {code!r} is no longer offered")
    return item


@router.get("/requests.{fmt}")
def request_list(request: Request, fmt: str) -> Response:
    db, settings = _state(request)
    params = request.query_params
    locale = request_locale(request)

    def work(fmt: str) -> Response:
        ids = _list_param(params.get("service_request_id"))
        with db.read() as session:
            if ids:  # overrides every other argument
                tickets = records.tickets_by_number(session, numbers=ids[:MAX_RESULTS])
            else:
                start, end = _window(params.get("start_date"), params.get("end_date"), settings)
                tickets = records.tickets_between(
                    session,
                    start=start,
                    end=end,
                    codes=[c.upper() for c in _list_param(params.get("service_code"))],
                    statuses=_statuses(params.get("status")),
                    limit=MAX_RESULTS,
                )
            found = [records.service_request(t, locale, settings) for t in tickets]
        return respond(fmt, "service_requests", found)

    return _answer(fmt, work)


@router.get("/requests/{resource}")
def request_one(request: Request, resource: str) -> Response:
    db, settings = _state(request)
    number, fmt = _split(resource)
    locale = request_locale(request)

    def work(fmt: str) -> Response:
        with db.read() as session:
            tickets = records.tickets_by_number(session, numbers=[number.strip()])
            if not tickets:
                raise Open311Error(404, f"service_request_id {number!r} not found")
            found = [records.service_request(tickets[0], locale, settings)]
        return respond(fmt, "service_requests", found)

    return _answer(fmt, work)


@router.post("/requests.{fmt}")
async def create_request(request: Request, fmt: str) -> Response:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
    else:
        # the spec: what a client sends is UTF-8. Starlette reads unescaped bytes of a urlencoded
        # body as Latin-1 (curl -d '地址=…' would arrive garbled), so the body is decoded here.
        try:
            fields = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return error_response(format_of(fmt), Open311Error(400, "the request body is not UTF-8"))
    return await run_in_threadpool(_create, request, fmt, fields)


def _create(request: Request, fmt_name: str, fields: dict[str, str]) -> Response:
    db, settings = _state(request)
    try:  # a client without a good key learns nothing else, not even that its format is wrong
        with db.read() as session:
            _key_actor(session, fields.get("api_key", "").strip())
    except Open311Error as exc:
        return error_response(format_of(fmt_name), exc)

    def work(fmt: str) -> Response:
        def given(name: str) -> str:
            return fields.get(name, "").strip()

        with db.transaction() as session:
            actor = _key_actor(session, given("api_key"))
            item = _item(session, given("service_code"))
            problems = []
            phone = ""
            if not given("phone"):
                problems.append("phone is required: the centre answers residents by phone")
            else:
                try:
                    phone = settings.normalize_phone(given("phone"))
                except HotlineError as exc:
                    problems.append(f"phone: {exc.message}")
            location, location_problem = _location(
                given("lat"), given("long"), given("address_string"), given("address_id")
            )
            if location_problem:
                problems.append(location_problem)
            description = given("description")
            if len(description) > MAX_DESCRIPTION:
                problems.append(f"description is longer than {MAX_DESCRIPTION} characters")
            community = None
            if given("address_id"):
                try:
                    community = areas.get_community(session, code=given("address_id"))
                except HotlineError:
                    problems.append(f"address_id {given('address_id')!r} is not a community code of this centre")
            if problems:
                raise Open311Error(400, *problems)
            if community is None:
                finder = classifier.for_session(session, precision_target=settings.classifier_precision_target)[1]
                found = finder.find(f"{given('address_string')} {description}")
                community = areas.get_community(session, code=found) if found else None
            if given("media_url"):
                description = f"{description}\n{given('media_url')}".strip()
            name = " ".join(part for part in (given("first_name"), given("last_name")) if part) or None
            language = classifier.guess_language(description) if description else settings.locale
            opened = open_request(
                session,
                settings=settings,
                phone=phone,
                language=language,
                channel="api",
                actor=actor,
                description=description,
                item=item,
                community=community,
                address=location,
                name=name,
                sms_key=f"open311:{uuid.uuid4()}",
            )
            notice = records.notice(opened.ticket, created=opened.created, locale=request_locale(request))
            answer = [{"service_request_id": opened.ticket.number, "service_notice": notice, "account_id": None}]
        return respond(fmt, "service_requests", answer)

    return _answer(fmt_name, work)


def _key_actor(session: Any, secret: str) -> Actor:
    if not secret:
        raise Open311Error(403, "api_key is missing: ask the centre for a key")
    key = logins.api_key_for(session, secret=secret)
    if key is None:
        raise Open311Error(403, "api_key is unknown or revoked")
    if not roles.allows(key.role, "open311.post"):
        raise Open311Error(403, f"this api_key's role ({key.role}) may not create requests")
    return Actor(f"apikey:{key.id}")


def _location(lat: str, long: str, address: str, address_id: str) -> tuple[str | None, str | None]:
    """The address kept on the ticket, or the problem with what was sent."""
    if address:
        return address[:200], None
    if lat or long:
        try:
            latitude, longitude = float(lat), float(long)
        except ValueError:
            return None, "lat and long must both be given as decimal degrees (WGS84)"
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None, "lat must be within -90..90 and long within -180..180"
        return f"{latitude:.6f}, {longitude:.6f} (WGS84)", None
    if address_id:
        return None, None
    return None, "a location is required: lat and long, address_string or address_id"


def _list_param(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _statuses(value: str | None) -> set[str]:
    wanted = {part.lower() for part in _list_param(value)}
    unknown = wanted - {"open", "closed"}
    if unknown:
        raise Open311Error(400, f"status must be open or closed (got {', '.join(sorted(unknown))})")
    return wanted


def _parse_date(name: str, value: str, zone: dt.tzinfo) -> dt.datetime:
    text = value.strip()
    if "T" in text and " " in text:  # a '+' of the offset sent unencoded arrives as a space
        text = text.replace(" ", "+")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(400, f"{name} must be a w3 date-time such as 2026-11-01T00:00:00+08:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _window(start_text: str | None, end_text: str | None, settings: Settings) -> tuple[dt.datetime, dt.datetime]:
    """The spec's window: the last 90 days by default; never more than 90 days."""
    start = _parse_date("start_date", start_text, settings.zone) if start_text else None
    end = _parse_date("end_date", end_text, settings.zone) if end_text else None
    if start is None and end is None:
        end = clock.now()
        start = end - WINDOW
    elif start is None:
        assert end is not None
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end
