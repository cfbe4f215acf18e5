"""The live queue (``/``): open tickets, emergencies first, then by time left to the response
target; filters, search, pages. ``/queue/rows`` is the same table body for a refresh, and
``/queue/events`` the Server-Sent Events stream that says when to refresh.

Residents' phones are shown in full only to roles allowed ``resident.phone``, masked for others.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from config import phones
from config.areas import Area
from config.auth import Principal, require
from config.catalog import Category
from config.events import EventBus
from config.i18n import gettext
from config.staff import Staff
from config.web import DatabaseDep, LocaleDep, SettingsDep, render
from dispatch import queue
from dispatch.service import TOPIC
from dispatch.states import CHANNEL_LABELS, CHANNELS, LABELS, OPEN_STATUSES, STATUSES, URGENCY_LABELS

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("console.view"))]
POLL_SECONDS = 1.0  # the stream looks at the database this often (changes made by other processes)
KEEPALIVE_SECONDS = 15.0


async def _filters(  # async: no thread-pool hop for parsing (config.web)
    status: str | None = None,
    category: str | None = None,
    area: str | None = None,
    channel: str | None = None,
    operator: str = "",  # a form's empty choice sends "", so not an int parameter
    q: str = "",
    page: str = "1",
) -> queue.QueueFilters:
    return queue.QueueFilters(
        status=status if status in OPEN_STATUSES else None,
        category=category or None,
        area=area or None,
        channel=channel if channel in CHANNELS else None,
        operator_id=int(operator) if operator.isdigit() else None,
        q=q[:100],
        page=max(1, int(page)) if page.isdigit() else 1,
    )


Filters = Annotated[queue.QueueFilters, Depends(_filters)]


@dataclass(slots=True)
class ShownRow:
    """One line of the queue as the template shows it (attributes, not a dict: Jinja tries an
    attribute first, and a dict's key costs it a failed lookup each)."""

    number: str
    created_at: dt.datetime
    channel: str
    item: str | None
    community: str | None
    phone: str
    urgency: str
    urgency_code: str
    status: str
    status_code: str
    description: str
    sla: str
    minutes_left: int | None
    operator: str | None
    due: str = ""  # the time left or past due, in words an operator reads at a glance


@functools.lru_cache(maxsize=4096)
def due_in_words(minutes_left: int, locale: str) -> str:
    """``25 min``, ``3 h 20 min``, ``1 d 12 h``, with ``left`` or ``late`` (剩3小时20分, 超时1天12小时):
    two days late reads better than 2880 minutes."""
    m = abs(minutes_left)
    if m < 60:
        span = gettext(locale, "{minutes} min", minutes=m)
    elif m < 24 * 60:
        span = gettext(locale, "{hours} h {minutes} min", hours=m // 60, minutes=m % 60)
    else:
        span = gettext(locale, "{days} d {hours} h", days=m // 1440, hours=m % 1440 // 60)
    return gettext(locale, "{span} late", span=span) if minutes_left < 0 else gettext(locale, "{span} left", span=span)


@functools.cache
def _labels(locale: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Channels, urgencies and statuses in ``locale`` (the catalogues are read once per process)."""
    return (
        {code: gettext(locale, label) for code, label in CHANNEL_LABELS.items()},
        {code: gettext(locale, label) for code, label in URGENCY_LABELS.items()},
        {code: gettext(locale, label) for code, label in LABELS.items()},
    )


def _rows(found: queue.QueuePage, who: Principal, locale: str, region: str) -> list[ShownRow]:
    full = who.can("resident.phone")
    channels, urgencies, statuses = _labels(locale)
    shown = []
    for r in found.rows:
        t = r.ticket
        shown.append(
            ShownRow(
                number=t.number,
                created_at=t.created_at,
                channel=channels[t.channel],
                item=t.item_name(locale),
                community=t.community_name(locale),
                phone=phones.on_screen(t.phone, full=full, region=region),
                urgency=urgencies[t.urgency],
                urgency_code=t.urgency,
                status=statuses[t.status],
                status_code=t.status,
                description=t.description,
                sla=r.sla,
                minutes_left=r.minutes_left,
                operator=t.operator,
                due=due_in_words(r.minutes_left, locale) if r.minutes_left is not None else "",
            )
        )
    return shown


# The choices' statements, built once (see queue._SHOWN).
_OPERATORS = select(Staff.id, Staff.name).where(Staff.active.is_(True)).order_by(Staff.name)
_CATEGORIES = select(Category.code, Category.name_zh, Category.name_en).order_by(Category.position)
_PLACES = (
    select(Area.code, Area.name_zh, Area.name_en, Area.level)
    .where(Area.level.in_(("street", "community")))
    .order_by(Area.position)
)


def _choices(session: Session, locale: str) -> dict[str, Any]:
    """The filters' choices, read as plain columns (ORM rows with their joined parents cost more
    than the page's tickets)."""
    english = locale == "en"

    def named(zh: str, en: str) -> str:
        return en if english else zh

    operators = session.execute(_OPERATORS)
    categories = session.execute(_CATEGORIES)
    places = session.execute(_PLACES)
    return {
        "status_choices": [(code, gettext(locale, LABELS[code])) for code in STATUSES if code in OPEN_STATUSES],
        "category_choices": [(code, named(zh, en)) for code, zh, en in categories],
        "area_choices": [
            (code, ("— " if level == "community" else "") + named(zh, en)) for code, zh, en, level in places
        ],
        "channel_choices": [(code, gettext(locale, CHANNEL_LABELS[code])) for code in CHANNELS],
        "operator_choices": [tuple(row) for row in operators],
    }


@router.get("/", response_class=HTMLResponse)
def queue_page(
    request: Request, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, who: Viewer, filters: Filters
) -> HTMLResponse:
    # The read session is opened here, not by a dependency: a generator dependency costs two
    # more thread-pool hops (its start and its end) on the console's most requested page.
    with db.read() as session:
        found = queue.open_queue(session, settings=settings, filters=filters)
        choices = _choices(session, locale)
    context = {
        "found": found,
        "rows": _rows(found, who, locale, settings.default_region),
        "filters": filters,
        **choices,
    }
    return render(request, "dispatch/queue.html", context)


@router.get("/queue/rows", response_class=HTMLResponse)
def queue_rows(
    request: Request, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, who: Viewer, filters: Filters
) -> HTMLResponse:
    """The table body and the counts, for the page's refresh after an event (every console
    refetches it after each change: its read session is opened here, as the page's)."""
    with db.read() as session:
        found = queue.open_queue(session, settings=settings, filters=filters)
    return render(
        request,
        "dispatch/_queue_rows.html",
        {"found": found, "rows": _rows(found, who, locale, settings.default_region)},
    )


def _cursor(db: Any) -> int:
    with db.read() as session:
        return queue.cursor(session)


@router.get("/queue/events", response_class=StreamingResponse)
async def queue_events(request: Request, db: DatabaseDep, who: Viewer) -> StreamingResponse:
    """``event: tickets`` whenever a ticket changes, with ``id:`` the newest audit event id. A
    client reconnecting with ``Last-Event-ID`` older than that is told at once, and refetches the
    whole queue (never "what changed since")."""
    bus: EventBus = request.app.state.events
    last = request.headers.get("last-event-id", "")
    seen = int(last) if last.isdigit() else None
    return StreamingResponse(_stream(request, db, bus, seen), media_type="text/event-stream", headers=_NO_CACHE)


_NO_CACHE = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _event(cursor: int, numbers: list[str]) -> str:
    return f"id: {cursor}\nevent: tickets\ndata: {json.dumps({'numbers': numbers})}\n\n"


async def _stream(request: Request, db: Any, bus: EventBus, seen: int | None) -> AsyncIterator[str]:
    with bus.subscribe(TOPIC) as subscription:
        current = await run_in_threadpool(_cursor, db)
        if seen is None:
            yield f"id: {current}\nretry: 1000\n: connected\n\n"
        elif seen != current:
            yield _event(current, [])  # missed while away: refetch everything
        seen = current
        quiet = 0.0
        while not await request.is_disconnected():
            numbers: list[str] = []
            try:
                payload = await asyncio.wait_for(subscription.get(), POLL_SECONDS)
                numbers.append(str(payload.get("number", "")))
                numbers.extend(str(more.get("number", "")) for more in subscription.drain())  # a burst: one refresh
            except TimeoutError:
                pass
            current = await run_in_threadpool(_cursor, db)
            if numbers or current != seen:
                seen = max(seen, current)
                quiet = 0.0
                yield _event(seen, sorted(set(filter(None, numbers))))
                continue
            quiet += POLL_SECONDS
            if quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield ": keepalive\n\n"
