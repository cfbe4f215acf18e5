"""Residents hear how their tickets ended (办理结果反馈): when a ticket is closed or cancelled the
resident is texted, once per closing (``result_notices`` is unique on the ticket and the closing
time, so a second sweep or process tells nobody twice). A resident who opted out of our texts, or
whose phone takes no texts, is skipped and the skip recorded."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Table, exists, select
from sqlalchemy.dialects import postgresql, sqlite

from callbacks import notify
from callbacks.models import ResultNotice
from config import clock, phones
from config.catalog import ServiceItem
from config.db import Database
from config.settings import Settings
from dispatch.models import Resident, Ticket

NOTICES = cast(Table, ResultNotice.__table__)


def tell_closed(db: Database, settings: Settings, *, limit: int = 200) -> int:
    """One batch: tickets closed or cancelled within the horizon and not told yet."""
    now = clock.now()
    told = exists().where(ResultNotice.ticket_id == Ticket.id, ResultNotice.closed_at == Ticket.closed_at)
    query = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.status,
            Ticket.closed_at,
            Ticket.resolution,
            Resident.phone,
            Resident.language,
            Resident.sms_opt_out,
            ServiceItem.name_zh,
            ServiceItem.name_en,
        )
        .join(Resident, Resident.id == Ticket.resident_id)
        .outerjoin(ServiceItem, ServiceItem.id == Ticket.item_id)
        .where(
            Ticket.status.in_(("closed", "cancelled")),
            Ticket.closed_at >= now - dt.timedelta(days=settings.callbacks.horizon_days),
            ~told,
        )
        .order_by(Ticket.closed_at, Ticket.id)
        .limit(limit)
    )
    with db.transaction() as session:
        rows = session.execute(query).all()
        connection = session.connection()
        insert = (sqlite if connection.dialect.name == "sqlite" else postgresql).insert(NOTICES)
        for row in rows:
            skip = "opted_out" if row.sms_opt_out else None if phones.is_mobile(row.phone) else "landline"
            made = connection.execute(
                insert.values(
                    ticket_id=row.id,
                    closed_at=row.closed_at,
                    status="skipped" if skip else "told",
                    reason=skip,
                    created_at=now,
                ).on_conflict_do_nothing(index_elements=["ticket_id", "closed_at"])
            ).rowcount  # type: ignore[attr-defined]
            if not made or skip:
                continue
            how = "cancelled" if row.status == "cancelled" else "resolved" if row.resolution else "closed"
            locale = row.language
            item = (row.name_en if locale == "en" else row.name_zh) or ""
            notify.text(
                session,
                to=row.phone,
                body=notify.result(settings, locale, how=how, number=row.number, item=item, resolution=row.resolution),
                purpose="result",
                subject=f"ticket:{row.number}",
                key=f"ticket:{row.number}:result:{int(row.closed_at.timestamp())}",
                quiet=True,
            )
    return len(rows)
