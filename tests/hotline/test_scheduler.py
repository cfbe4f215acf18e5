"""hotline serve sweeps due rows with APScheduler: the outbox and the providers' expiry reminders."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from sqlalchemy import select

from config import clock
from config.db import Database
from config.settings import Settings
from hotline import scheduler
from sms import service as sms_service
from sms.models import OutboundMessage
from tests.providers import builders


def outbound(db: Database) -> list[tuple[str, str, str]]:
    with db.read() as session:
        return [
            (m.to, m.purpose, m.status) for m in session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))
        ]


async def test_serve_delivers_queued_texts_and_provider_reminders_until_stopped(
    db: Database, settings: Settings
) -> None:
    with clock.freeze(builders.WORKDAY_MORNING), db.transaction() as session:
        sms_service.queue_message(session, to="+8613800138000", body="您的工单已派出", purpose="ticket_update")
        builders.provider(session, settings, phone="+8613857300101", documents_valid_until=dt.date(2026, 12, 10))
    with clock.freeze(builders.WORKDAY_MORNING + dt.timedelta(days=12)):  # the 30-day reminders are due
        task = asyncio.create_task(scheduler.run(db, settings))
        for _ in range(300):
            rows = outbound(db)
            if len(rows) == 3 and all(status == "sent" for *_, status in rows):
                break
            await asyncio.sleep(0.02)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert outbound(db) == [
        ("+8613800138000", "ticket_update", "sent"),
        ("+8613857300101", "provider_reminder", "sent"),
        ("+8613857300101", "provider_reminder", "sent"),
    ]


def test_every_job_is_scheduled_once_with_its_interval(db: Database, settings: Settings) -> None:
    built = scheduler.build(db, settings)
    assert {(job.id, job.trigger.interval) for job in built.get_jobs()} == {
        (name, job.every) for name, job in scheduler.JOBS.items()
    }
    assert all(job.max_instances == 1 and job.coalesce for job in built.get_jobs())


def test_operator_lists_jobs_and_runs_one_by_name(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    listed = json.loads(cli("jobs", "list", "--json").stdout)
    assert [row["name"] for row in listed] == list(scheduler.JOBS)
    with db.transaction() as session:
        sms_service.queue_message(session, to="+8613800138000", body="hello", purpose="ticket_update")
    result = cli("jobs", "run", "sms.outbox")
    assert result.exit_code == 0 and result.stdout == "sms.outbox: 1 handled\n"
    assert outbound(db) == [("+8613800138000", "ticket_update", "sent")]
    unknown = cli("jobs", "run", "nope")
    assert unknown.exit_code == 2 and "no job named 'nope'" in unknown.stderr
