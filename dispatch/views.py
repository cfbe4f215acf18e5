"""The live queue (``/``): open tickets, emergencies first, then by time left to the response
target; filters, search, pages. ``/queue/rows`` is the same table body for a refresh, and
``/queue/events`` the Server-Sent Events stream that says when to refresh.

Residents' phones are shown in full only to roles allowed ``resident.phone``, masked for others.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
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
from config.web import DatabaseDep, LocaleDep, ReadSession, SettingsDep, render
from dispatch import queue
from dispatch.service import TOPIC
from dispatch.states import CHANNEL_LABELS, CHANNELS, LABELS, OPEN_STATUSES, STATUSES, URGENCY_LABELS

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("console.view"))]
POLL_SECONDS = 1.0  # the stream looks at the database this often (changes made by other processes)
KEEPALIVE_SECONDS = 15.0


def _filters(
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


def _rows(found: queue.QueuePage, who: Principal, locale: str) -> list[dict[str, Any]]:
    full = who.can("resident.phone")
    return [
        {
            "number": r.ticket.number,
            "created_at": r.ticket.created_at,
            "channel": gettext(locale, CHANNEL_LABELS[r.ticket.channel]),
            "item": r.ticket.item.name(locale) if r.ticket.item else None,
            "community": r.ticket.community.name(locale) if r.ticket.community else None,
            "phone": r.ticket.resident.phone if full else phones.masked(r.ticket.resident.phone),
            "urgency": gettext(locale, URGENCY_LABELS[r.ticket.urgency]),
            "urgency_code": r.ticket.urgency,
            "status": gettext(locale, LABELS[r.ticket.status]),
            "status_code": r.ticket.status,
            "description": r.ticket.description,
            "sla": r.sla,
            "minutes_left": r.minutes_left,
            "operator": r.ticket.operator.name if r.ticket.operator else None,
        }
        for r in found.rows
    ]


def _choices(session: Session, locale: str) -> dict[str, Any]:
    """The filters' choices, read as plain columns (ORM rows with their joined parents cost more
    than the page's tickets)."""
    english = locale == "en"

    def named(zh: str, en: str) -> str:
        return en if english else zh

    operators = session.execute(select(Staff.id, Staff.name).where(Staff.active.is_(True)).order_by(Staff.name))
    categories = session.execute(select(Category.code, Category.name_zh, Category.name_en).order_by(Category.position))
    places = session.execute(
        select(Area.code, Area.name_zh, Area.name_en, Area.level)
        .where(Area.level.in_(("street", "community")))
        .order_by(Area.position)
    )
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
    request: Request, session: ReadSession, settings: SettingsDep, locale: LocaleDep, who: Viewer, filters: Filters
) -> HTMLResponse:
    found = queue.open_queue(session, settings=settings, filters=filters)
    context = {"found": found, "rows": _rows(found, who, locale), "filters": filters, **_choices(session, locale)}
    return render(request, "dispatch/queue.html", context)


@router.get("/queue/rows", response_class=HTMLResponse)
def queue_rows(
    request: Request, session: ReadSession, settings: SettingsDep, locale: LocaleDep, who: Viewer, filters: Filters
) -> HTMLResponse:
    """The table body and the counts, for the page's refresh after an event."""
    found = queue.open_queue(session, settings=settings, filters=filters)
    return render(request, "dispatch/_queue_rows.html", {"found": found, "rows": _rows(found, who, locale)})


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
