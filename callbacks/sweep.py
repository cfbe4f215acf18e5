"""The survey rows' due-row engine: set-based steps the sweeper (``callbacks.jobs``) runs.

1. ``schedule_completed``: every completed ticket without a survey of that completion gets one
   (channel and due time from the resident, the category and the calendar). The unique
   ``(ticket, round)`` makes a second sweep, or a second process, insert nothing. Dispatch is
   not asked to call us: whichever way a ticket reached ``completed`` (the provider's DONE, an
   operator, a script), the next sweep finds it.
2. ``claim_due``: due rows are leased in one short committed transaction (``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL). A process killed after the claim leaves leased rows that the next
   pass takes again once the lease has run out: nothing is lost.
3. ``ask_by_text``: the claimed text surveys are asked in one transaction per batch: the outbox
   rows, the surveys' ``sent`` and their audit events commit together or not at all, so a crash
   before the commit sends nothing and a crash after it has nothing left to send twice.
4. ``expire_unanswered``: texts not answered within ``answer_hours`` close as ``expired``.

The batch steps write with a few Core statements per batch (not the unit of work row by row):
``bench/callbacks.py`` measures them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, case, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from callbacks import notify, timing
from callbacks.models import CallbackEvent, Survey
from callbacks.states import ASKED, DUE
from config import clock, phones
from config.catalog import Category, ServiceItem
from config.db import Database
from config.settings import Settings
from dispatch.models import Resident, ResidentTag, Ticket
from sms.encoding import encoding_of
from sms.models import OutboundMessage

LEASE = dt.timedelta(minutes=5)
SURVEYED_STATUSES = ("completed", "closed")  # a completed service, closed or not yet
SURVEYS = cast(Table, Survey.__table__)
EVENTS = cast(Table, CallbackEvent.__table__)
OUTBOX = cast(Table, OutboundMessage.__table__)


def voice_ready(settings: Settings) -> bool:
    """Automated survey calls need a Twilio account and number; a demo or training centre without
    them rings the phone simulator instead (``hotline.simulator.phone.SimulatorCallPlacer``)."""
    twilio = settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number
    return bool(twilio or settings.demo or settings.training)


def channel_for(*, phone: str, tags: Iterable[str], category: str | None, settings: Settings) -> str:
    """A person calls residents who prefer one (tags such as elderly, one-touch) and landlines;
    otherwise the category's channel, else a text. An automated call without Twilio: the desk."""
    config = settings.callbacks
    if set(tags) & set(config.desk_tags) or not phones.is_mobile(phone):
        return "desk"
    channel = config.channels.get(category or "", "sms")
    return "desk" if channel == "voice" and not voice_ready(settings) else channel


def _insert(connection: Connection) -> Any:
    return (sqlite if connection.dialect.name == "sqlite" else postgresql).insert(SURVEYS)


def _events(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(EVENTS), rows)


def _event(survey_id: int, at: dt.datetime, kind: str, frm: str | None, to: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "survey_id": survey_id,
        "complaint_id": None,
        "at": at,
        "kind": kind,
        "actor": "system",
        "staff_id": None,
        "from_status": frm,
        "to_status": to,
        "note": extra.pop("note", None),
        "data": extra or None,
    }


def schedule_completed(session: Session, *, settings: Settings, limit: int = 500) -> int:
    """Give a survey to each completed ticket (up to ``limit``) that has none for its latest
    completion; returns how many tickets were looked at."""
    now = clock.now()
    surveyed = exists().where(Survey.ticket_id == Ticket.id, Survey.completed_at >= Ticket.completed_at)
    rounds = select(func.count()).where(Survey.ticket_id == Ticket.id).scalar_subquery()
    query = (
        select(
            Ticket.id,
            Ticket.completed_at,
            Ticket.resident_id,
            Resident.phone,
            Resident.sms_opt_out,
            Resident.call_opt_out,
            Category.code,
            rounds,
        )
        .join(Resident, Resident.id == Ticket.resident_id)
        .outerjoin(ServiceItem, ServiceItem.id == Ticket.item_id)
        .outerjoin(Category, Category.id == ServiceItem.category_id)
        .where(
            Ticket.status.in_(SURVEYED_STATUSES),
            Ticket.completed_at >= now - dt.timedelta(days=settings.callbacks.horizon_days),
            ~surveyed,
        )
        .order_by(Ticket.completed_at, Ticket.id)
        .limit(limit)
    )
    found = session.execute(query).all()
    if not found:
        return 0
    tags: dict[int, list[str]] = {}
    for resident_id, tag in session.execute(
        select(ResidentTag.resident_id, ResidentTag.tag).where(ResidentTag.resident_id.in_({r[2] for r in found}))
    ):
        tags.setdefault(resident_id, []).append(tag)
    rows = []
    for ticket_id, completed_at, resident_id, phone, sms_out, call_out, category, done in found:
        channel = channel_for(phone=phone, tags=tags.get(resident_id, ()), category=category, settings=settings)
        opted_out = sms_out if channel == "sms" else call_out
        rows.append(
            {
                "ticket_id": ticket_id,
                "round": done + 1,
                "resident_id": resident_id,
                "channel": channel,
                "status": "opted_out" if opted_out else "scheduled",
                "reason": "opted_out" if opted_out else None,
                "completed_at": completed_at,
                "due_at": timing.survey_due(completed_at, channel=channel, category=category, settings=settings),
                "attempts": 0,
                "clarified": False,
                "created_at": now,
            }
        )
    connection = session.connection()
    statement = _insert(connection).on_conflict_do_nothing(index_elements=["ticket_id", "round"])
    made = connection.execute(
        statement.returning(SURVEYS.c.id, SURVEYS.c.channel, SURVEYS.c.status, SURVEYS.c.due_at), rows
    )
    _events(
        connection,
        [
            _event(sid, now, "scheduled", None, status, channel=channel, due_at=due.isoformat())
            for sid, channel, status, due in made
        ],
    )
    return len(found)


def claim_due(db: Database, *, channels: tuple[str, ...] = ("sms", "voice"), limit: int = 500) -> tuple[str, list[int]]:
    """Lease up to ``limit`` due surveys for this pass and commit; returns the pass's token and
    the ids. A row whose lease ran out (its claimer died) is due again."""
    token = uuid.uuid4().hex
    now = clock.now()
    with db.transaction() as session:
        query = (
            select(Survey.id)
            .where(
                Survey.status.in_(DUE),
                Survey.channel.in_(channels),
                Survey.due_at <= now,
                or_(Survey.lease_until.is_(None), Survey.lease_until <= now),
            )
            .order_by(Survey.due_at, Survey.id)
            .limit(limit)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            session.execute(update(SURVEYS).where(SURVEYS.c.id.in_(ids)).values(lease_until=now + LEASE, claim=token))
    return token, ids


def claimed(session: Session, *, token: str, ids: list[int], channel: str) -> list[Any]:
    """The rows of ``ids`` this pass still holds (``token``), of one channel."""
    return list(
        session.execute(
            select(
                Survey.id,
                Survey.status,
                Survey.completed_at,
                Ticket.number,
                Ticket.status.label("ticket_status"),
                Ticket.completed_at.label("ticket_completed_at"),
                Resident.id.label("resident_id"),
                Resident.phone,
                Resident.language,
                Resident.sms_opt_out,
                Resident.call_opt_out,
                ServiceItem.name_zh,
                ServiceItem.name_en,
            )
            .join(Ticket, Ticket.id == Survey.ticket_id)
            .join(Resident, Resident.id == Survey.resident_id)
            .outerjoin(ServiceItem, ServiceItem.id == Ticket.item_id)
            .where(Survey.id.in_(ids), Survey.claim == token, Survey.status.in_(DUE), Survey.channel == channel)
            .order_by(Survey.id)
        )
    )


def obstacle(row: Any) -> tuple[str, str] | None:
    """Why a claimed survey must not be asked: (status, reason), or None. A ticket reopened,
    cancelled or completed again since is not surveyed for this completion (chatwoot #4003)."""
    if row.ticket_status not in SURVEYED_STATUSES or row.ticket_completed_at != row.completed_at:
        return "expired", f"ticket_{row.ticket_status}"
    return None


def item_name(row: Any, locale: str) -> str:
    name = row.name_en if locale == "en" else row.name_zh
    return name or ("service" if locale == "en" else "服务")


def _codes(session: Session, resident_ids: set[int]) -> dict[int, set[str]]:
    taken: dict[int, set[str]] = {}
    query = select(Survey.resident_id, Survey.code).where(
        Survey.resident_id.in_(resident_ids), Survey.status.in_(ASKED)
    )
    for resident_id, code in session.execute(query):
        taken.setdefault(resident_id, set()).add(code or "")
    return taken


def code_for(number: str, taken: set[str]) -> str:
    """The ticket number's last 4 digits, or more of them when the resident's other open survey
    has those."""
    for width in (4, 6, len(number)):
        if number[-width:] not in taken:
            return number[-width:]
    return number


def ask_by_text(session: Session, *, token: str, ids: list[int], settings: Settings) -> int:
    """Ask the claimed text surveys: outbox rows, ``sent``, events, in the caller's transaction."""
    rows = claimed(session, token=token, ids=ids, channel="sms")
    if not rows:
        return 0
    now = clock.now()
    taken = _codes(session, {row.resident_id for row in rows})
    expires = now + dt.timedelta(hours=settings.callbacks.answer_hours)
    sent: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for row in rows:
        stop = ("opted_out", "opted_out") if row.sms_opt_out else obstacle(row)
        if stop is not None:
            closed.append({"sid": row.id, "status": stop[0], "reason": stop[1]})
            events.append(_event(row.id, now, "status", row.status, stop[0], note=stop[1]))
            continue
        mine = taken.setdefault(row.resident_id, set())
        code = code_for(row.number, mine)
        several = bool(mine)
        mine.add(code)
        body = notify.survey_question(
            settings, row.language, item=item_name(row, row.language), code=code, several=several
        )
        encoding = encoding_of(body)
        texts.append(
            {
                "to": row.phone,
                "body": body,
                "purpose": "survey",
                "subject": f"ticket:{row.number}",
                "idempotency_key": f"survey:{row.id}:ask",
                "via": "outbox",
                "quiet": True,  # the outbox holds it through the quiet hours if the pass runs late
                "encoding": encoding.name,
                "segments": encoding.segments,
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
        sent.append({"sid": row.id, "code": code})
        events.append(_event(row.id, now, "status", row.status, "sent", channel="sms", code=code))
    connection = session.connection()
    if texts:
        connection.execute(insert(OUTBOX), texts)
    if sent:  # one statement for the batch (an executemany is a round trip a row on PostgreSQL)
        ticket = select(Ticket).where(Ticket.id == SURVEYS.c.ticket_id)
        connection.execute(
            update(SURVEYS)
            .where(SURVEYS.c.id.in_([row["sid"] for row in sent]))
            .values(
                status="sent",
                code=case({row["sid"]: row["code"] for row in sent}, value=SURVEYS.c.id),
                sent_at=func.coalesce(SURVEYS.c.sent_at, now),
                expires_at=expires,
                provider_id=ticket.with_only_columns(Ticket.provider_id).scalar_subquery(),
                operator_id=ticket.with_only_columns(Ticket.operator_id).scalar_subquery(),
                attempts=SURVEYS.c.attempts + 1,
                lease_until=None,
                claim=None,
            )
        )
    if closed:
        connection.execute(
            update(SURVEYS)
            .where(SURVEYS.c.id == bindparam("sid"))
            .values(status=bindparam("status"), reason=bindparam("reason"), lease_until=None, claim=None),
            closed,
        )
    _events(connection, events)
    return len(rows)


def expire_unanswered(session: Session, *, limit: int = 1000) -> int:
    """Surveys asked by text and not answered within their window close as ``expired``."""
    now = clock.now()
    query = (
        select(Survey.id, Survey.status)
        .where(Survey.status.in_(ASKED), Survey.expires_at.is_not(None), Survey.expires_at <= now)
        .order_by(Survey.expires_at, Survey.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True, of=Survey)
    rows = session.execute(query).all()
    if rows:
        connection = session.connection()
        connection.execute(
            update(SURVEYS)
            .where(SURVEYS.c.id.in_([sid for sid, _ in rows]))
            .values(status="expired", reason="no_answer", lease_until=None, claim=None)
        )
        _events(connection, [_event(sid, now, "status", status, "expired", note="no_answer") for sid, status in rows])
    return len(rows)
