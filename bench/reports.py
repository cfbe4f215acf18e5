"""Time the monthly providers report and the review against the floor: one hand-written GROUP BY
over the ledger for the same month, measured in the same run.

    .venv/bin/python bench/reports.py [--scale 1.0] [--url postgresql+psycopg://...] [--keep PATH] [--rounds 5]

At scale 1: 1,000,000 tickets and 3,000,000 ledger facts over 12 months, 500 providers, generated in
about a minute on a shared 2-CPU machine (tuples through the driver's ``executemany`` on SQLite,
COPY on PostgreSQL, never the ORM; indexes, and on PostgreSQL constraints, built after the load).
Free disk is checked first: about 1.15 GB at scale 1 for SQLite (the database itself: no journal
while loading, index sorts in memory), plus about 1 GB of memory while loading; a PostgreSQL
database grows by about as much on its server (not checked from here). The floor, the review and
the report are then timed in rounds, one after the other; prints the median seconds of each and
the median of the rounds' own ratios (target: report and review each within 3x the floor)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select, text
from sqlalchemy.schema import CreateIndex

from config import areas, catalog, periods
from config.db import Database
from config.settings import load_settings
from dispatch.models import Resident
from hotline import db as migrations
from hotline.models import metadata
from hotline.reports import figures
from providers import reviews
from providers.models import Provider, ProviderItem

console = Console()
PROVIDERS = 500
TICKETS = 1_000_000
BYTES_PER_TICKET = 1_100  # measured: ticket + 3 facts with their indexes (SQLite 1.12 GB, PostgreSQL 1.1 GB)
END = dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)  # 2026-11-01 00:00 Shanghai
START = END - dt.timedelta(days=365)
CHUNK = 50_000
CACHE_KIB = 512 * 1024  # SQLite page cache while loading


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


def generate(db: Database, scale: float, seed: int = 7) -> tuple[int, int, float]:
    """Load the data set; return the tickets, the facts and the seconds spent building the indexes."""
    rng = random.Random(seed)
    n_tickets = max(1000, int(TICKETS * scale))
    with db.transaction() as session:
        catalog.load(session)
        areas.load(session)
        items = [(i.id, i.sla_minutes) for i in catalog.list_items(session)]
        communities = [a.id for a in areas.list_areas(session) if a.level == "community"]
    providers: list[dict[str, Any]] = [
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
    chunks = _tickets(
        rng,
        n_tickets,
        items=items,
        provider_ids=provider_ids,
        quality=quality,
        communities=communities,
        residents=range(first_resident, first_resident + len(residents)),
        clock=_clock(db.engine.dialect.name == "sqlite"),
    )
    facts = 0
    with (
        Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress,
        _Bulk(db) as bulk,
    ):
        dropped = bulk.drop_indexes(("tickets", "provider_ledger"))  # built once at the end: faster than per row
        task = progress.add_task("tickets + ledger facts", total=n_tickets)
        for tickets, ledger in chunks:
            bulk.rows("tickets", TICKET_COLUMNS, tickets)
            bulk.rows("provider_ledger", LEDGER_COLUMNS, ledger)
            facts += len(ledger)
            progress.update(task, advance=len(tickets))
        task = progress.add_task("indexes and constraints", total=len(dropped))
        indexing = time.perf_counter()
        for ddl in dropped:
            bulk.execute(ddl)
            progress.update(task, advance=1)
        indexed = time.perf_counter() - indexing
    return n_tickets, facts, indexed


CHANNELS = ("phone", "phone", "phone", "sms", "web")
TICKET_COLUMNS = [
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
LEDGER_COLUMNS = ["provider_id", "kind", "at", "ticket_ref", "value", "created_at"]
Rows = list[tuple[Any, ...]]


def _clock(sqlite: bool) -> Callable[[float], str]:
    """Seconds since the epoch as the column's stored text: SQLAlchemy's naive UTC on SQLite
    (``2026-10-01 08:00:00.000000``), the same with ``+00:00`` for PostgreSQL's COPY. Four per
    ticket: ``utcfromtimestamp`` is about twice as fast as ``fromtimestamp(t, UTC)``."""
    utc = dt.datetime.utcfromtimestamp
    if sqlite:
        return lambda t: utc(t).isoformat(" ", "microseconds")
    return lambda t: utc(t).isoformat(" ", "microseconds") + "+00:00"


def _tickets(
    rng: random.Random,
    n_tickets: int,
    *,
    items: list[tuple[int, int]],
    provider_ids: list[int],
    quality: dict[int, float],
    communities: list[int],
    residents: range,
    clock: Callable[[float], str],
) -> Iterator[tuple[Rows, Rows]]:
    """The tickets and their ledger facts as tuples, a chunk at a time, in time order (so ids follow
    time, as in a centre). Each ticket is offered to one provider: 8% expire and are cancelled
    (offered, timed out, declined); the rest are accepted (after Exp(mean 12) minutes), done in 30
    to 240 minutes and closed with one more fact: 55% a completion (on time with the provider's
    quality), 42% a survey (5 with that chance, else 1-4), 3% a complaint or an overcharge. The
    per-ticket choices are drawn a chunk at a time (``random.choices`` with ``k``)."""
    origin, step = START.timestamp(), (END - START).total_seconds() / n_tickets
    draw, log = rng.random, math.log
    first_resident, n_residents = residents.start, len(residents)
    for base in range(0, n_tickets, CHUNK):
        size = min(CHUNK, n_tickets - base)
        tickets: Rows = []
        ledger: Rows = []
        ticket, fact = tickets.append, ledger.append
        picks = zip(
            range(base, base + size),
            rng.choices(items, k=size),
            rng.choices(provider_ids, k=size),
            rng.choices(communities, k=size),
            rng.choices(CHANNELS, k=size),
            strict=True,
        )
        for i, (item, sla), pid, community, channel in picks:
            created = origin + step * i
            at = clock(created)
            number = f"{at[2:4]}{at[5:7]}{at[8:10]}{i:07d}"  # yymmdd + sequence, as tickets are numbered
            ref = "ticket:" + number
            due = clock(created + 60 * sla)
            resident = first_resident + i % n_residents
            fact((pid, "offered", at, ref, None, at))
            if draw() >= 0.92:
                ticket((number, "phone", "", "normal", 1, 0, False, resident, item, community, "cancelled",
                        at, at, due, None, None, None))  # fmt: skip
                fact((pid, "timed_out", at, ref, None, at))
                fact((pid, "declined", at, ref, None, at))
                continue
            accepted = created - 720 * log(1.0 - draw())  # Exp(mean 12 minutes), in seconds
            took = clock(accepted)
            done = clock(accepted + 60 * (30 + int(211 * draw())))  # 30 to 240 minutes
            ticket((number, channel, "", "normal", 1, 0, False, resident, item, community, "closed",
                    at, done, due, took, done, pid))  # fmt: skip
            fact((pid, "accepted", took, ref, None, took))
            roll, q = draw(), quality[pid]
            if roll < 0.55:
                fact((pid, "completed_on_time" if draw() < q else "completed_late", done, ref, None, done))
            elif roll < 0.97:
                score = 5.0 if draw() < q else float(1 + int(4 * draw()))
                fact((pid, "survey_score", done, ref, score, done))
            elif draw() > q:
                fact((pid, "complaint", done, ref, None, done))
            else:
                fact((pid, "overcharge", done, ref, 30.0, done))
        yield tickets, ledger


class _Bulk:
    """One connection for the load. SQLite: no journal, no fsync, foreign keys not checked per row
    (the rows are built from the ids just read; ``PRAGMA foreign_key_check`` runs at the end) and a
    512 MiB page cache (the unique ``(provider_id, kind, ticket_ref)`` index takes a row in each of
    500 providers' runs: with the default 2 MiB cache every insert read its page back), then WAL
    again. PostgreSQL: COPY, no wait for the commit's flush, unique and foreign-key constraints added
    back after the load (``drop_indexes``). The connection is discarded afterwards so the timed steps
    run on connections set up as in production."""

    def __init__(self, db: Database) -> None:
        self.sqlite = db.engine.dialect.name == "sqlite"
        self.dialect = db.engine.dialect
        db.engine.dispose()  # SQLite leaves WAL only with no other connection open
        self.raw = db.engine.raw_connection()
        setup = (
            [
                "PRAGMA foreign_keys=OFF",
                "PRAGMA journal_mode=OFF",
                "PRAGMA synchronous=OFF",
                f"PRAGMA cache_size=-{CACHE_KIB}",
            ]
            if self.sqlite
            else ["SET synchronous_commit = off", "SET maintenance_work_mem = '512MB'"]
        )
        cursor = self.raw.cursor()
        for statement in setup:
            cursor.execute(statement)
        cursor.close()
        self.raw.commit()

    def __enter__(self) -> _Bulk:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.sqlite and exc[0] is None:
                cursor = self.raw.cursor()
                broken = cursor.execute("PRAGMA foreign_key_check").fetchmany(3)
                if broken:
                    raise RuntimeError(f"generated rows break foreign keys: {broken}")
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.close()
        finally:
            self.raw.invalidate()  # closed, never handed out again by the pool

    def execute(self, sql: str) -> None:
        cursor = self.raw.cursor()
        if self.sqlite:
            cursor.execute("BEGIN")
        cursor.execute(sql)
        cursor.close()
        self.raw.commit()

    def rows(self, table: str, columns: list[str], rows: Rows) -> None:
        cursor = self.raw.cursor()
        names = ", ".join(columns)
        if self.sqlite:
            cursor.execute("BEGIN")
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
        else:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        cursor.close()
        self.raw.commit()

    def drop_indexes(self, tables: tuple[str, ...]) -> list[str]:
        """Drop what every row would otherwise maintain: the tables' plain indexes and, on PostgreSQL,
        their unique and foreign-key constraints too (added back with the same names and
        definitions, each checked in one pass, as the manual's "Populating a Database" advises;
        SQLite cannot drop a constraint). Return the DDL that builds them again, in order."""
        marks = ", ".join(f"'{t}'" for t in tables)
        cursor = self.raw.cursor()
        constraints: list[Any] = []
        if self.sqlite:
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
            )
            indexes = list(cursor.fetchall())
        else:
            cursor.execute(
                f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({marks}) "
                "AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
            )
            # Built from the models, not from pg_indexes: PostgreSQL deparses an expression index
            # (ix_tickets_queue) into text that parses back into a different expression.
            models = {i.name: i for t in tables for i in metadata.tables[t].indexes}
            indexes = [
                (name, str(CreateIndex(models[name]).compile(dialect=self.dialect)) if name in models else ddl)
                for name, ddl in cursor.fetchall()
            ]
            cursor.execute(  # unique ones first: the foreign keys are added back last
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                f"WHERE conrelid::regclass::text IN ({marks}) AND contype IN ('u', 'f') ORDER BY contype DESC, conname"
            )
            constraints = list(cursor.fetchall())
        cursor.close()
        for table, name, _ in constraints:
            self.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in indexes:
            self.execute(f"DROP INDEX {name}")
        return [ddl for _, ddl in indexes] + [
            f"ALTER TABLE {table} ADD CONSTRAINT {name} {ddl}" for table, name, ddl in constraints
        ]


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
    parser.add_argument("--rounds", type=int, default=5, help="rounds of floor, review and report (medians)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-reports-"))
    target = Path(args.keep) if args.keep else workdir / "bench.db"
    need = int(BYTES_PER_TICKET * TICKETS * args.scale) + 50_000_000
    free = shutil.disk_usage(target.parent if args.keep else workdir).free
    if args.url:
        console.print(f"disk: the database grows by about {need / 1e9:.2f} GB on its server (not checked from here)")
    else:
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
        n_tickets, n_facts, indexed = generate(db, args.scale)
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
        t_run = timed(review_run, runs=1)  # first: the report reads the stored proposals
        # Rounds of floor, review and report one after the other, so a change of the machine's load
        # hits all three alike; each ratio is the median of the rounds' own ratios.
        rounds: dict[str, list[float]] = {"floor": [], "review": [], "report": []}
        for _ in range(args.rounds):
            for name, step in (("floor", floor), ("review", review), ("report", report)):
                rounds[name].append(timed(step, runs=1))
        t_floor, t_review, t_report = (statistics.median(rounds[n]) for n in ("floor", "review", "report"))

        def ratio(name: str) -> float:
            return statistics.median(t / f for t, f in zip(rounds[name], rounds["floor"], strict=True))

        both = statistics.median(
            (r + v) / f for r, v, f in zip(rounds["report"], rounds["review"], rounds["floor"], strict=True)
        )
        table = Table(title=f"reports bench, {db.engine.dialect.name}, scale {args.scale}")
        for column in ("step", "seconds", "ratio to floor"):
            table.add_column(column, justify="right" if column != "step" else "left")
        table.add_row(f"generate {n_tickets:,} tickets, {n_facts:,} facts", f"{generated:.1f}", "")
        table.add_row("  of which: indexes (PostgreSQL: and constraints) built after", f"{indexed:.1f}", "")
        table.add_row("floor: one GROUP BY over the month's ledger", f"{t_floor:.3f}", "1.00")
        table.add_row(
            "review (proposals; earlier periods where removal needs them)", f"{t_review:.3f}", f"{ratio('review'):.2f}"
        )
        table.add_row("review run (proposals + 500 rows written, once)", f"{t_run:.3f}", f"{t_run / t_floor:.2f}")
        table.add_row("monthly providers report", f"{t_report:.3f}", f"{ratio('report'):.2f}")
        table.add_row("report + review together", f"{t_report + t_review:.3f}", f"{both:.2f}")
        console.print(table)
    finally:
        db.dispose()
        shutil.rmtree(workdir, ignore_errors=True)  # with --keep the database is elsewhere: empty


def reviews_providers(session: Any) -> list[int]:
    return list(session.scalars(select(Provider.id).where(Provider.status.in_(reviews.REVIEWED))))


if __name__ == "__main__":
    main()
