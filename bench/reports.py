"""Time the monthly providers report and the review against the floor: one hand-written GROUP BY
over the ledger for the same month, measured in the same run.

    .venv/bin/python bench/reports.py [--scale 1.0] [--url postgresql+psycopg://...] [--keep PATH]

At scale 1: 1,000,000 tickets and 3,000,000 ledger facts over 12 months, 500 providers (bulk Core
inserts on SQLite, COPY on PostgreSQL; never the ORM). Free disk is checked first. Prints the
seconds of each step and the ratios (target: report and review each within 3x the floor)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select, text

from config import areas, catalog, periods
from config.db import Database
from config.settings import load_settings
from dispatch.models import Resident
from hotline import db as migrations
from hotline.reports import figures
from providers import reviews
from providers.models import Provider, ProviderItem

console = Console()
PROVIDERS = 500
TICKETS = 1_000_000
BYTES_PER_TICKET = 1_100  # measured: ticket + 3 facts with their indexes, SQLite
END = dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)  # 2026-11-01 00:00 Shanghai
START = END - dt.timedelta(days=365)
CHUNK = 50_000


def _copy(db: Database, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    raw = db.engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _insert(db: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    """Plain DBAPI ``executemany`` of tuples (SQLite) or ``COPY`` (PostgreSQL): no ORM, no
    per-row SQLAlchemy bookkeeping."""
    if not rows:
        return
    columns = list(rows[0])
    values = [tuple(r[c] for c in columns) for r in rows]
    if db.engine.dialect.name == "postgresql":
        plain = [tuple(json.dumps(v) if isinstance(v, dict | list) else v for v in row) for row in values]
        _copy(db, model.__tablename__, columns, plain)
        return
    table = model.__table__
    processors = [table.c[c].type.bind_processor(db.engine.dialect) for c in columns]
    if any(processors):
        values = [tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in values]
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        marks = ", ".join("?" for _ in columns)
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", values)
        raw.commit()
    finally:
        raw.close()


def generate(db: Database, scale: float, seed: int = 7) -> tuple[int, int]:
    rng = random.Random(seed)
    n_tickets = max(1000, int(TICKETS * scale))
    with db.transaction() as session:
        catalog.load(session)
        areas.load(session)
        items = [(i.id, i.sla_minutes) for i in catalog.list_items(session)]
        communities = [a.id for a in areas.list_areas(session) if a.level == "community"]
    providers = [
        {
            "kind": rng.choice(("company", "company", "individual", "volunteer")),
            "name_zh": f"服务商{i:04d}",
            "phone": f"+86139{i:08d}",
            "status": "active",
            "uuid": f"00000000-0000-4000-8000-{i:012d}",
            "other_phones": [],
            "language": "zh_CN",
            "capacity": 3,
            "hours": {},
            "days_off": [],
            "standard_prices": True,
            "paused": False,
            "created_at": START,
            "updated_at": START,
        }
        for i in range(PROVIDERS)
    ]
    _insert(db, Provider, providers)
    with db.engine.connect() as connection:
        provider_ids = [row[0] for row in connection.execute(text("SELECT id FROM providers ORDER BY id"))]
    quality = {pid: rng.choice((0.97, 0.95, 0.9, 0.9, 0.8, 0.6)) for pid in provider_ids}
    _insert(
        db,
        ProviderItem,
        [
            {"provider_id": pid, "item_id": item}
            for pid in provider_ids
            for item in rng.sample([i for i, _ in items], 3)
        ],
    )
    residents = [
        {
            "phone": f"+86138{i:08d}",
            "language": "zh_CN",
            "sms_opt_out": False,
            "call_opt_out": False,
            "created_at": START,
            "updated_at": START,
        }
        for i in range(max(1000, n_tickets // 20))
    ]
    for i in range(0, len(residents), CHUNK):
        _insert(db, Resident, residents[i : i + CHUNK])
    with db.engine.connect() as connection:
        first_resident = connection.execute(text("SELECT min(id) FROM residents")).scalar_one()
    sqlite = db.engine.dialect.name == "sqlite"

    def stamp(value: dt.datetime | None) -> Any:  # what the column stores: naive UTC text on SQLite
        if value is None or not sqlite:
            return value
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")  # SQLAlchemy's stored form

    ticket_columns = [
        "number",
        "channel",
        "description",
        "urgency",
        "rounds",
        "sla_flag",
        "overcharged",
        "resident_id",
        "item_id",
        "community_id",
        "status",
        "created_at",
        "updated_at",
        "due_at",
        "accepted_at",
        "completed_at",
        "provider_id",
    ]
    ledger_columns = ["provider_id", "kind", "at", "ticket_ref", "value", "created_at"]
    dropped = _drop_indexes(db, ("tickets", "provider_ledger"))  # rebuilt once at the end: faster than per row
    facts = 0
    span = (END - START).total_seconds()
    n_residents = len(residents)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("tickets + ledger facts", total=n_tickets)
        for base in range(0, n_tickets, CHUNK):
            tickets: list[tuple[Any, ...]] = []
            ledger: list[tuple[Any, ...]] = []
            for i in range(base, min(base + CHUNK, n_tickets)):
                created = START + dt.timedelta(seconds=span * i / n_tickets)
                item, sla = rng.choice(items)
                pid = rng.choice(provider_ids)
                q = quality[pid]
                number = f"{created:%y%m%d}{i:07d}"
                ref = f"ticket:{number}"
                at = stamp(created)
                ledger.append((pid, "offered", at, ref, None, at))
                if rng.random() >= 0.92:
                    tickets.append(
                        (number, "phone", "", "normal", 1, 0, False, first_resident + i % n_residents, item,
                         rng.choice(communities), "cancelled", at, at, stamp(created + dt.timedelta(minutes=sla)),
                         None, None, None)
                    )  # fmt: skip
                    ledger.append((pid, "timed_out", at, ref, None, at))
                    ledger.append((pid, "declined", at, ref, None, at))
                    continue
                accepted_at = created + dt.timedelta(minutes=rng.expovariate(1 / 12))
                completed_at = accepted_at + dt.timedelta(minutes=rng.randint(30, 240))
                took, done = stamp(accepted_at), stamp(completed_at)
                tickets.append(
                    (number, rng.choice(CHANNELS), "", "normal", 1, 0, False, first_resident + i % n_residents, item,
                     rng.choice(communities), "closed", at, done, stamp(created + dt.timedelta(minutes=sla)),
                     took, done, pid)
                )  # fmt: skip
                ledger.append((pid, "accepted", took, ref, None, took))
                roll = rng.random()
                if roll < 0.55:
                    kind = "completed_on_time" if rng.random() < q else "completed_late"
                    ledger.append((pid, kind, done, ref, None, done))
                elif roll < 0.97:
                    score = 5.0 if rng.random() < q else float(rng.randint(1, 4))
                    ledger.append((pid, "survey_score", done, ref, score, done))
                elif rng.random() > q:
                    ledger.append((pid, "complaint", done, ref, None, done))
                else:
                    ledger.append((pid, "overcharge", done, ref, 30.0, done))
            _insert_rows(db, "tickets", ticket_columns, tickets)
            _insert_rows(db, "provider_ledger", ledger_columns, ledger)
            facts += len(ledger)
            progress.update(task, advance=len(tickets))
        task = progress.add_task("indexes", total=len(dropped))
        with db.engine.begin() as connection:
            for ddl in dropped:
                connection.exec_driver_sql(ddl)
                progress.update(task, advance=1)
    return n_tickets, facts


CHANNELS = ("phone", "phone", "phone", "sms", "web")


def _drop_indexes(db: Database, tables: tuple[str, ...]) -> list[str]:
    """Drop the tables' plain (non-unique) indexes; return their DDL to recreate them."""
    marks = ", ".join(f"'{t}'" for t in tables)
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
            ).all()
        else:
            rows = connection.exec_driver_sql(
                f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({marks}) "
                "AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
            ).all()
        for name, _ in rows:
            connection.exec_driver_sql(f"DROP INDEX {name}")
    return [ddl for _, ddl in rows]


def _insert_rows(db: Database, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if db.engine.dialect.name == "postgresql":
        _copy(db, table, columns, rows)
        return
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
        raw.commit()
    finally:
        raw.close()


FLOOR = """SELECT provider_id, kind, count(*), sum(value) FROM provider_ledger
WHERE at >= :start AND at < :end GROUP BY provider_id, kind"""


def timed(step: Any, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--url", help="PostgreSQL URL of an empty database (default: SQLite in a temporary directory)")
    parser.add_argument("--keep", help="Write the SQLite database here and keep it (screenshots, demos)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-reports-"))
    target = Path(args.keep) if args.keep else workdir / "bench.db"
    need = int(BYTES_PER_TICKET * TICKETS * args.scale) + 50_000_000
    free = shutil.disk_usage(target.parent if args.keep else workdir).free
    console.print(f"disk: needs about {need / 1e9:.2f} GB (SQLite), {free / 1e9:.1f} GB free")
    if not args.url and free < need * 1.2:
        console.print(f"[red]not enough free disk for scale {args.scale}: need {need / 1e9:.2f} GB[/red]")
        sys.exit(2)
    url = args.url or f"sqlite:///{target}"
    settings = load_settings(demo=True, database_url=url)
    db = Database(url)
    try:
        migrations.upgrade(db)
        started = time.perf_counter()
        n_tickets, n_facts = generate(db, args.scale)
        generated = time.perf_counter() - started
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        period = periods.parse("2026-10", settings.zone)

        def floor() -> None:
            with db.engine.connect() as connection:
                list(connection.execute(text(FLOOR), {"start": period.start, "end": period.end}))

        def review() -> None:
            with db.read() as session:  # proposals computed as `review run` does; writes measured apart
                reviews.propose(session, period=period, settings=settings, provider_ids=reviews_providers(session))

        def report() -> None:
            with db.read() as session:
                figures.providers(session, period=period, settings=settings, locale="zh_CN")

        def review_run() -> None:
            with db.transaction() as session:
                reviews.run(session, period=period, settings=settings)

        floor()  # warm the cache
        t_floor, t_review = timed(floor), timed(review)
        t_run = timed(review_run, runs=1)
        t_report = timed(report)  # after the run: the report reads stored proposals
        table = Table(title=f"reports bench, {db.engine.dialect.name}, scale {args.scale}")
        for column in ("step", "seconds", "ratio to floor"):
            table.add_column(column, justify="right" if column != "step" else "left")
        table.add_row(f"generate {n_tickets:,} tickets, {n_facts:,} facts", f"{generated:.1f}", "")
        table.add_row("floor: one GROUP BY over the month's ledger", f"{t_floor:.3f}", "1.00")
        table.add_row(
            "review (proposals; earlier periods where removal needs them)",
            f"{t_review:.3f}",
            f"{t_review / t_floor:.2f}",
        )
        table.add_row("review run (proposals + 500 rows written)", f"{t_run:.3f}", f"{t_run / t_floor:.2f}")
        table.add_row("monthly providers report", f"{t_report:.3f}", f"{t_report / t_floor:.2f}")
        table.add_row(
            "report + review together", f"{t_report + t_review:.3f}", f"{(t_report + t_review) / t_floor:.2f}"
        )
        console.print(table)
    finally:
        db.dispose()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def reviews_providers(session: Any) -> list[int]:
    return list(session.scalars(select(Provider.id).where(Provider.status.in_(reviews.REVIEWED))))


if __name__ == "__main__":
    main()
