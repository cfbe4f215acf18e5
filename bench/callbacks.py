"""Surveys as due rows swept in batches against one APScheduler job per survey, in the same run.

Schedules 100,000 surveys (100,000 completed tickets; the sweeper's own ``schedule_completed``),
then times the sweep of a burst of 10,000 due ones (claim with a lease, texts queued in the
outbox, surveys marked sent, audit events: ``callbacks.jobs.send_due``), and the same burst done
the other way: one APScheduler ``SQLAlchemyJobStore`` job per survey, each claiming and asking
its survey with the very same functions. Prints both (rows/s) and the ratio; the target is the
sweep at least 20x faster. Adding the 10,000 jobs is timed too (each would be added at completion).

SQLite in a temporary directory by default (the job store in a file of its own beside it, so
the two never wait on one file lock); HOTLINE_BENCH_DATABASE_URL=postgresql+psycopg://... uses an
empty PostgreSQL database for both. ``--surveys N --burst M`` for a shorter run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select, update

from callbacks import jobs, sweep
from callbacks.models import Survey
from config import areas, catalog, clock, staff
from config.db import Database
from config.settings import Settings, load_settings
from config.staff import Actor
from dispatch.models import Resident, Ticket
from hotline import db as migrations
from providers import hours, service
from sms.models import OutboundMessage

T0 = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # Friday 10:00 in Shanghai
CHUNK = 5_000
console = Console()
state: dict[str, object] = {}


def seed(db: Database, settings: Settings, total: int, burst: int) -> None:
    """``total`` residents with a completed ticket each: two bursts completed an hour apart at
    T0, the rest a day later (not due during the bench)."""
    with clock.freeze(T0 - dt.timedelta(days=1)), db.transaction() as session:
        catalog.load(session)
        areas.load(session)
        item = catalog.get_item(session, code="PE-PIPE-LEAK")
        provider = service.create_provider(
            session,
            kind="company",
            name_zh="南湖水电维修服务部",
            phone="+8613857300101",
            items=[item],
            areas=[areas.get(session, code="330402003")],
            capacity=5,
            hours=hours.parse("daily 00:00-24:00"),
            status="active",
            language="zh_CN",
            organisation=None,
            actor=Actor.system(),
        )
        operator = staff.create(session, name="王芳", role="operator", extension="7001")
        item_id, provider_id, operator_id = item.id, provider.id, operator.id
    with db.transaction() as session:
        connection = session.connection()
        for start in range(0, total, CHUNK):
            numbers = range(start, min(start + CHUNK, total))
            ids = connection.execute(
                insert(Resident).returning(Resident.id, sort_by_parameter_order=True),
                [{"phone": f"+86139{n:08d}", "language": "zh_CN"} for n in numbers],
            ).scalars()
            rows = []
            for n, resident_id in zip(numbers, ids, strict=True):
                done = T0 if n < burst else T0 + dt.timedelta(hours=1) if n < 2 * burst else T0 + dt.timedelta(days=1)
                rows.append(
                    {
                        "number": f"2611{n:06d}",
                        "channel": "sms",
                        "resident_id": resident_id,
                        "item_id": item_id,
                        "description": "厨房水管漏水",
                        "status": "completed",
                        "operator_id": operator_id,
                        "provider_id": provider_id,
                        "created_at": done - dt.timedelta(hours=3),
                        "updated_at": done,
                        "accepted_at": done - dt.timedelta(hours=2),
                        "completed_at": done,
                    }
                )
            connection.execute(insert(Ticket), rows)


def schedule_all(db: Database, settings: Settings, total: int) -> float:
    started = time.perf_counter()
    with clock.freeze(T0 + dt.timedelta(days=1, minutes=1)):
        while True:
            with db.transaction() as session:
                looked_at = sweep.schedule_completed(session, settings=settings, limit=10_000)
            if looked_at < 10_000:
                break
    elapsed = time.perf_counter() - started
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Survey)) == total
    return elapsed


def idle_pass(db: Database, settings: Settings) -> float:
    """One scheduling pass that finds every completed ticket surveyed (the sweeper's steady cost
    with this many completions inside the horizon)."""
    started = time.perf_counter()
    with clock.freeze(T0 + dt.timedelta(days=1, minutes=2)), db.transaction() as session:
        assert sweep.schedule_completed(session, settings=settings) == 0
    return time.perf_counter() - started


def sweep_burst(db: Database, settings: Settings, burst: int) -> float:
    started = time.perf_counter()
    with clock.freeze(T0 + dt.timedelta(hours=2)):
        handled = jobs.send_due(db, settings)
    elapsed = time.perf_counter() - started
    assert handled == burst, handled
    return elapsed


def ask_one(survey_id: int) -> None:
    """One APScheduler job: claim this survey and ask it, with the sweep's own steps."""
    db, settings = state["db"], state["settings"]
    assert isinstance(db, Database) and isinstance(settings, Settings)
    token = uuid.uuid4().hex
    now = clock.now()
    with db.transaction() as session:
        session.execute(
            update(Survey)
            .where(Survey.id == survey_id, Survey.status == "scheduled")
            .values(claim=token, lease_until=now + sweep.LEASE)
        )
    with db.transaction() as session:
        sweep.ask_by_text(session, token=token, ids=[survey_id], settings=settings)
    with state["lock"]:  # type: ignore[attr-defined]
        state["done"] = int(state["done"]) + 1  # type: ignore[call-overload]
        if state["done"] == state["expected"]:
            state["finished"].set()  # type: ignore[attr-defined]


def scheduler_burst(db: Database, settings: Settings, burst: int, store_url: str) -> tuple[float, float]:
    """(seconds to add the jobs, seconds for APScheduler to run them all)."""
    with db.read() as session:
        due = T0 + dt.timedelta(hours=3)
        ids = list(session.scalars(select(Survey.id).where(Survey.status == "scheduled", Survey.due_at <= due)))
    assert len(ids) == burst, len(ids)
    state.update(db=db, settings=settings, done=0, expected=burst, lock=threading.Lock(), finished=threading.Event())
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=store_url)},
        executors={"default": ThreadPoolExecutor(10)},
        timezone=dt.UTC,
    )
    scheduler.start(paused=True)
    started = time.perf_counter()
    run_at = dt.datetime.now(dt.UTC)
    for survey_id in ids:
        scheduler.add_job(
            ask_one, "date", run_date=run_at, args=[survey_id], id=f"survey-{survey_id}", misfire_grace_time=None
        )
    added = time.perf_counter() - started
    with clock.freeze(due):
        started = time.perf_counter()
        scheduler.resume()
        finished = state["finished"]
        assert isinstance(finished, threading.Event)
        if not finished.wait(3600):
            raise SystemExit(f"APScheduler ran {state['done']} of {burst} jobs in an hour")
        ran = time.perf_counter() - started
    scheduler.shutdown()
    return added, ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=10_000)
    args = parser.parse_args()
    assert args.surveys >= 3 * args.burst, "the bursts are two slices of the surveys, and more stay scheduled"
    url = os.environ.get("HOTLINE_BENCH_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/bench.db"
        store_url = url if not url.startswith("sqlite") else f"sqlite:///{tmp}/jobstore.db"
        settings = load_settings(database_url=url, demo=True)
        db = Database(url)
        migrations.upgrade(db)
        console.print(f"seeding {args.surveys:,} completed tickets on {db.engine.dialect.name} ...")
        seed(db, settings, args.surveys, args.burst)
        scheduled = schedule_all(db, settings, args.surveys)
        idle = idle_pass(db, settings)
        console.print(f"scheduled in {scheduled:.1f} s; sweeping {args.burst:,} due ...")
        swept = sweep_burst(db, settings, args.burst)
        console.print(f"swept in {swept:.2f} s; the same with one APScheduler job per survey ...")
        added, ran = scheduler_burst(db, settings, args.burst, store_url)
        with db.read() as session:
            texts = session.scalar(select(func.count()).where(OutboundMessage.purpose == "survey"))
        assert texts == 2 * args.burst, texts
        db.dispose()
    table = Table(title=f"{args.burst:,} due surveys of {args.surveys:,} scheduled ({db.engine.dialect.name})")
    for column in ("step", "seconds", "rows/s"):
        table.add_column(column, justify="right" if column != "step" else "left")
    table.add_row(f"schedule {args.surveys:,} (sweeper)", f"{scheduled:.1f}", f"{args.surveys / scheduled:,.0f}")
    table.add_row("a scheduling pass with nothing new", f"{idle:.2f}", "")
    table.add_row("sweep the burst", f"{swept:.2f}", f"{args.burst / swept:,.0f}")
    table.add_row("add one APScheduler job each", f"{added:.1f}", f"{args.burst / added:,.0f}")
    table.add_row("APScheduler runs them", f"{ran:.1f}", f"{args.burst / ran:,.0f}")
    console.print(table)
    ratio = ran / swept
    verdict = "[green]meets[/green]" if ratio >= 20 else "[red]misses[/red]"
    console.print(f"sweep vs one job per survey: {ratio:.1f}x faster ({verdict} the 20x target)")
    console.print(f"counting the adds too: {(ran + added) / swept:.1f}x")


if __name__ == "__main__":
    main()
