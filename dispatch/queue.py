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
from typing import NamedTuple
from urllib.parse import urlencode

from sqlalchemy import ColumnClause, Select, bindparam, func, literal_column, or_, select
from sqlalchemy.orm import Session

from config import clock
from config.areas import Area
from config.catalog import ServiceItem
from config.errors import InvalidInput
from config.settings import Settings
from config.staff import Staff
from dispatch.escalation import sla_state
from dispatch.models import Resident, Ticket, TicketEvent, queue_keys
from dispatch.states import CHANNELS, OPEN_STATUSES

PAGE_SIZE = 50
# The order's keys exactly as ``ix_tickets_queue`` has them (see ``models.queue_keys``).
_KEYS: list[ColumnClause[int]] = [literal_column(key) for key in queue_keys("tickets")]
_OPEN, _EMERGENCY_FIRST, _NO_DUE_TIME_LAST = _KEYS
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


class QueueTicket(NamedTuple):
    """What the queue shows of a ticket, read as plain columns: loading the page's tickets as ORM
    objects with their resident, item, community and operator cost two thirds of the page's query
    time (instances, identity map, JSON columns the queue does not show)."""

    id: int
    number: str
    channel: str
    urgency: str
    status: str
    description: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    accepted_at: dt.datetime | None
    sla_flag: int
    phone: str  # the resident's, E.164
    item_code: str | None  # None: awaits triage
    item_zh: str | None
    item_en: str | None
    community_code: str | None
    community_zh: str | None
    community_en: str | None
    operator: str | None  # the operator's name

    def item_name(self, locale: str) -> str | None:
        return self.item_en if locale == "en" else self.item_zh

    def community_name(self, locale: str) -> str | None:
        return self.community_en if locale == "en" else self.community_zh


# The page's tickets by id, as QueueTickets (its columns in the fields' order). Built once: a
# statement that does not change is not rebuilt, nor its cache key recomputed, on every request.
_SHOWN = (
    select(
        Ticket.id,
        Ticket.number,
        Ticket.channel,
        Ticket.urgency,
        Ticket.status,
        Ticket.description,
        Ticket.created_at,
        Ticket.due_at,
        Ticket.accepted_at,
        Ticket.sla_flag,
        Resident.phone,
        ServiceItem.code,
        ServiceItem.name_zh,
        ServiceItem.name_en,
        Area.code,
        Area.name_zh,
        Area.name_en,
        Staff.name,
    )
    .join(Resident, Ticket.resident_id == Resident.id)
    .outerjoin(ServiceItem, Ticket.item_id == ServiceItem.id)
    .outerjoin(Area, Ticket.community_id == Area.id)
    .outerjoin(Staff, Ticket.operator_id == Staff.id)
    .where(Ticket.id.in_(bindparam("ids", expanding=True)))
)
_CURSOR = select(func.max(TicketEvent.id))


@dataclass(slots=True)
class QueueRow:
    ticket: QueueTicket
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
    return session.scalar(_CURSOR) or 0


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


def _search(query: Select[int], text: str, settings: Settings, *, sqlite: bool) -> Select[int]:
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
        pattern = f"%{escaped}%"
        # SQLite's LIKE already ignores case (as its lower() does: ASCII only), so ``ilike``'s
        # lower() on both sides, on every open ticket's text, would only cost (~40 % of a search).
        matches = Ticket.description.like if sqlite else Ticket.description.ilike
        query = query.where(matches(pattern, escape="\\"))
    return query


def _filtered(
    filters: QueueFilters, settings: Settings, area_ids: list[int] | None, *, in_order: bool, sqlite: bool
) -> Select[int]:
    """The filtered ids. ``in_order``: open tickets as ``ix_tickets_queue`` has them (to read a page
    in order); else by status (``ix_tickets_status_due_at``, which a count reads fastest)."""
    query = select(Ticket.id).where(_OPEN == 0 if in_order else Ticket.status.in_(sorted(OPEN_STATUSES)))
    if filters.status in OPEN_STATUSES:
        query = query.where(Ticket.status == filters.status)
    if filters.category:
        query = query.join(ServiceItem, Ticket.item_id == ServiceItem.id).where(
            ServiceItem.category.has(code=filters.category)
        )
    if area_ids is not None:
        query = query.where(Ticket.community_id.in_(area_ids))
    if filters.channel in CHANNELS:
        query = query.where(Ticket.channel == filters.channel)
    if filters.operator_id:
        query = query.where(Ticket.operator_id == filters.operator_id)
    return _search(query, filters.q, settings, sqlite=sqlite)


def open_queue(
    session: Session, *, settings: Settings, filters: QueueFilters, at: dt.datetime | None = None
) -> QueuePage:
    """One page of the queue. Its cost does not grow with the number of open tickets but for the
    count (an index-only count): the ids come from ``ix_tickets_queue`` in order (no sort), and
    only the page's 50 tickets are read (the columns the queue shows, in one query) and given an
    SLA state."""
    now = at or clock.now()
    mark = cursor(session)
    area_ids = _area_ids(session, filters.area) if filters.area else None
    sqlite = session.get_bind().dialect.name == "sqlite"
    ordered = _filtered(filters, settings, area_ids, in_order=True, sqlite=sqlite).order_by(
        _EMERGENCY_FIRST, _NO_DUE_TIME_LAST, Ticket.due_at, Ticket.created_at, Ticket.id
    )
    found: list[int] | None = None
    if filters.q.strip():
        # No index finds words inside a text (or digits inside a phone): a search reads every open
        # ticket once whatever it finds, so one pass gives the count and the order (a count, then
        # a walk of the index that finds few matches, read them all twice).
        found = list(session.scalars(ordered))
        total = len(found)
    else:
        counted = _filtered(filters, settings, area_ids, in_order=False, sqlite=sqlite)
        total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    if found is not None:  # the search's own pass already holds the page
        ids = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    else:
        ids = list(session.scalars(ordered.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    by_id = {row.id: row for row in map(QueueTicket._make, session.execute(_SHOWN, {"ids": ids}))} if ids else {}
    tickets = [by_id[ticket_id] for ticket_id in ids]
    share = settings.dispatch.at_risk_share
    rows = []
    for ticket in tickets:
        left = None if ticket.due_at is None else int((ticket.due_at - now).total_seconds() // 60)
        rows.append(QueueRow(ticket, sla_state(ticket, share=share, at=now), left))
    return QueuePage(rows=rows, total=total, page=page, pages=pages, cursor=mark)
