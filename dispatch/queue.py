"""The live queue: which open tickets an operator sees, in which order, filtered and searched.

Order: emergencies first, then by the time left to the response target (``due_at``; tickets
without one last), then oldest first. At-risk and breached come from ``escalation.sla_state``,
the one definition the SLA sweeper uses too. The stream's cursor is the newest audit event id:
every ticket change writes one (in any process), so a console that saw id N and finds a larger
one knows to refetch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, lazyload

from config import clock
from config.areas import Area
from config.catalog import ServiceItem
from config.errors import InvalidInput
from config.settings import Settings
from dispatch.escalation import sla_state
from dispatch.models import Resident, Ticket, TicketEvent
from dispatch.states import CHANNELS, OPEN_STATUSES

PAGE_SIZE = 50
_PHONE_PUNCTUATION = re.compile(r"[\s\-()（）.+]")


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None  # one open status; None: all open
    category: str | None = None  # category code
    area: str | None = None  # area code: a community, or a street/district and what is under it
    channel: str | None = None
    operator_id: int | None = None
    q: str = ""  # ticket number, phone (as people type it) or words of the text
    page: int = 1

    def query_string(self, **override: object) -> str:
        values: dict[str, object] = {
            "status": self.status,
            "category": self.category,
            "area": self.area,
            "channel": self.channel,
            "operator": self.operator_id,
            "q": self.q or None,
            "page": self.page if self.page > 1 else None,
        }
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@dataclass
class QueueRow:
    ticket: Ticket
    sla: str  # ok, at_risk, breached
    minutes_left: int | None  # to due_at; negative when past it


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    cursor: int  # newest ticket event id when read


def cursor(session: Session) -> int:
    """The newest ticket event id: changes whenever any ticket changes, in any process."""
    return session.scalar(select(func.max(TicketEvent.id))) or 0


def _area_ids(session: Session, code: str) -> list[int]:
    """The area and everything under it (district → streets → communities)."""
    root = session.scalar(select(Area.id).where(Area.code == code))
    if root is None:
        return []
    found, frontier = [root], [root]
    while frontier:
        frontier = list(session.scalars(select(Area.id).where(Area.parent_id.in_(frontier))))
        found.extend(frontier)
    return found


def _search(query: Select[int], text: str, settings: Settings) -> Select[int]:
    text = text.strip()
    if not text:
        return query
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.isdigit() or (digits.startswith("00") and digits[2:].isdigit()):
        query = query.join(Resident, Ticket.resident_id == Resident.id)
        wanted = [Ticket.number.startswith(digits)]
        with contextlib.suppress(InvalidInput):  # not a whole number: the other matches stay
            wanted.append(Resident.phone == settings.normalize_phone(text))
        if len(digits) >= 4:
            wanted.append(Resident.phone.contains(digits.lstrip("0")))
        return query.where(or_(*wanted))
    for word in text.split()[:5]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Ticket.description.ilike(f"%{escaped}%", escape="\\"))
    return query


def _filtered(session: Session, filters: QueueFilters, settings: Settings) -> Select[int]:
    statuses = [filters.status] if filters.status in OPEN_STATUSES else sorted(OPEN_STATUSES)
    query = select(Ticket.id).where(Ticket.status.in_(statuses))
    if filters.category:
        query = query.join(ServiceItem, Ticket.item_id == ServiceItem.id).where(
            ServiceItem.category.has(code=filters.category)
        )
    if filters.area:
        query = query.where(Ticket.community_id.in_(_area_ids(session, filters.area)))
    if filters.channel in CHANNELS:
        query = query.where(Ticket.channel == filters.channel)
    if filters.operator_id:
        query = query.where(Ticket.operator_id == filters.operator_id)
    return _search(query, filters.q, settings)


def open_queue(
    session: Session, *, settings: Settings, filters: QueueFilters, at: dt.datetime | None = None
) -> QueuePage:
    now = at or clock.now()
    mark = cursor(session)
    query = _filtered(session, filters, settings)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    ordered = query.order_by(
        case((Ticket.urgency == "emergency", 0), else_=1),
        case((Ticket.due_at.is_(None), 1), else_=0),
        Ticket.due_at,
        Ticket.created_at,
        Ticket.id,
    )
    # Sort narrow rows (ids), then load the page's 50 tickets: sorting whole rows with their joined
    # relations costs three times as much with 10,000 open tickets.
    ids = list(session.scalars(ordered.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    loaded = session.scalars(
        select(Ticket).where(Ticket.id.in_(ids)).options(lazyload(Ticket.events), lazyload(Ticket.offers))
    ).unique()
    by_id = {ticket.id: ticket for ticket in loaded}
    tickets = [by_id[ticket_id] for ticket_id in ids]
    share = settings.dispatch.at_risk_share
    rows = []
    for ticket in tickets:
        left = None if ticket.due_at is None else int((ticket.due_at - now).total_seconds() // 60)
        rows.append(QueueRow(ticket, sla_state(ticket, share=share, at=now), left))
    return QueuePage(rows=rows, total=total, page=page, pages=pages, cursor=mark)
