"""Ranking one ticket's candidates (dispatch.offers.suggest) against today's eligibility query.

    python bench/matching.py [--providers 10000] [--facts 100000] [--runs 300] [--postgres URL]

Setup: a temporary SQLite database migrated with the real Alembic tree; providers written with
providers.bulk (Core executemany): each has one trade (a catalogue category), offers 1-4 of its
items and covers 1-3 communities, a street or (a few) a district; mostly active, some on
probation, suspended or applying, a few paused, with an expired document or course, or off duty.
Then performance-ledger facts (offered, accepted / declined / timed_out, completed on time / late,
survey scores 1-5) over the 365 days before the moment measured, and one ticket (PE-PIPE-LEAK in
330402003001) made by dispatch.service.create_ticket. The clock is frozen on a Wednesday 10:00
(centre time), so the figures do not depend on the hour the bench runs.

Measured, interleaved (alternating which goes first), each call in a fresh read session with the
ticket loaded untimed: suggest(ticket) and the baseline eligible_providers(item, community).
Before measuring, the heap is settled as ``hotline serve`` settles it after start-up
(config.heap: collect, then gc.freeze); ``--no-settle`` measures without it.
Prints p50/p99 of both and the ratios. Targets: p99(suggest) < 20 ms on SQLite and
p99(suggest) <= 1.5x p99(eligibility). ``--postgres URL`` (an admin URL) repeats it all in a
database created and dropped for the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.progress import Progress  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import create_engine, event, insert, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from config import areas, catalog, clock, heap  # noqa: E402
from config.db import Database  # noqa: E402
from config.errors import ConfigError  # noqa: E402
from config.settings import Settings, load_settings  # noqa: E402
from config.staff import Actor  # noqa: E402
from dispatch import offers, residents, service  # noqa: E402
from dispatch.models import Ticket  # noqa: E402
from hotline import db as migrations  # noqa: E402
from providers import bulk, eligibility  # noqa: E402
from providers import hours as working_hours  # noqa: E402
from providers.imports import ProviderRow  # noqa: E402
from providers.models import LedgerEntry, Provider  # noqa: E402
from providers.states import REQUIRED_COURSES, REQUIRED_DOCUMENTS  # noqa: E402

TICKET_ITEM, TICKET_COMMUNITY = "PE-PIPE-LEAK", "330402003001"
P99_TARGET_MS, RATIO_TARGET = 20.0, 1.5
STATUSES = {"active": 84, "probation": 6, "applicant": 4, "suspended": 3, "vetting": 3}
SPANS = {
    "daily 07:00-21:00": 40,
    "mon-fri 08:00-18:00": 25,
    "mon-sat 08:00-20:00": 20,
    "daily 00:00-24:00": 10,
    "sat-sun 09:00-17:00": 5,  # off duty on the Wednesday measured
}
TRADES = {  # how many providers work in each category (the rest: 1)
    "housekeeping": 20,
    "home_repair": 15,
    "plumbing_electrical": 15,
    "moving_cleaning": 12,
    "appliance_repair": 10,
    "elderly_care": 10,
    "medical_escort": 5,
    "emergency_help": 4,
}
ANSWERS = ("accepted", "declined", "timed_out")
console = Console()


def measured_moment(zone: dt.tzinfo) -> dt.datetime:
    """The last Wednesday before today, 10:00 centre time: inside most providers' hours."""
    day = dt.datetime.now(zone).date() - dt.timedelta(days=1)
    while day.weekday() != 2:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone).astimezone(dt.UTC)


def provider_rows(session: Any, count: int, at: dt.datetime, zone: dt.tzinfo, rng: random.Random) -> list[ProviderRow]:
    trades: dict[str, list[catalog.ServiceItem]] = {}
    for item in catalog.list_items(session):
        trades.setdefault(item.category.code, []).append(item)
    welfare = [i for i in catalog.list_items(session) if i.welfare] or [i for t in trades.values() for i in t]
    names = sorted(trades)
    districts = areas.list_areas(session, level="district")
    streets = areas.list_areas(session, level="street")
    communities = areas.list_areas(session, level="community")
    today = at.astimezone(zone).date()
    rows = []
    for n in range(count):
        kind = rng.choices(["company", "individual", "volunteer"], weights=[25, 60, 15])[0]
        trade = rng.choices(names, weights=[TRADES.get(name, 1) for name in names])[0]
        pool = welfare if kind == "volunteer" else trades[trade]
        reach = rng.random()
        if reach < 0.05:
            covers = [rng.choice(districts)]
        elif reach < 0.45:
            covers = [rng.choice(streets)]
        else:
            covers = rng.sample(communities, rng.randint(1, 3))
        expired = rng.random() < 0.04  # one document or course out of date
        documents = {k: today + dt.timedelta(days=rng.randint(40, 900)) for k in REQUIRED_DOCUMENTS[kind]}
        courses = {c: today - dt.timedelta(days=rng.randint(1, 300)) for c in REQUIRED_COURSES[kind]}
        if expired and documents:
            documents[next(iter(documents))] = today - dt.timedelta(days=rng.randint(1, 60))
        elif expired:
            courses["safety"] = today - dt.timedelta(days=400)
        rows.append(
            ProviderRow(
                line=n + 2,
                raw={},
                kind=kind,
                name_zh=f"服务商{n:05d}",
                name_en=None,
                phone=f"+86139{n:08d}",
                other_phones=[],
                items=sorted(rng.sample(pool, min(len(pool), rng.randint(1, 4))), key=lambda i: i.id),
                areas=sorted(covers, key=lambda a: a.id),
                capacity=rng.randint(1, 5),
                status=rng.choices(list(STATUSES), weights=list(STATUSES.values()))[0],
                organisation=f"总站 > 分站{n % 7} > 服务点{n % 40}" if kind == "volunteer" else None,
                hours=working_hours.parse(rng.choices(list(SPANS), weights=list(SPANS.values()))[0]),
                days_off=[today.isoformat()] if rng.random() < 0.02 else [],
                standard_prices=True,
                language="en" if rng.random() < 0.1 else "zh_CN",
                licence_number=None,
                documents=documents,
                courses=courses,
            )
        )
    return rows


def ledger_rows(provider_ids: list[int], count: int, at: dt.datetime, rng: random.Random) -> list[dict[str, Any]]:
    """Whole jobs, fact by fact, until ``count``: offered, then accepted (then completed, maybe
    surveyed), declined or timed out. Some providers get far more work than others."""
    cumulative = list(itertools.accumulate(rng.paretovariate(1.5) for _ in provider_ids))
    rows: list[dict[str, Any]] = []
    job = 0
    while len(rows) < count:
        for provider_id in rng.choices(provider_ids, cum_weights=cumulative, k=1000):
            job += 1
            offered = at - dt.timedelta(seconds=rng.randint(600, 365 * 86400))
            facts: list[tuple[str, dt.datetime, float | None]] = [("offered", offered, None)]
            answer = rng.choices(ANSWERS, cum_weights=(70, 90, 100))[0]
            facts.append((answer, offered + dt.timedelta(minutes=rng.randint(1, 30)), None))
            if answer == "accepted" and rng.random() < 0.95:
                done = offered + dt.timedelta(minutes=rng.randint(40, 300))
                facts.append(("completed_on_time" if rng.random() < 0.85 else "completed_late", done, None))
                if rng.random() < 0.6:
                    score = float(rng.choices((1, 2, 3, 4, 5), cum_weights=(3, 8, 20, 55, 100))[0])
                    facts.append(("survey_score", done + dt.timedelta(hours=rng.randint(2, 48)), score))
            ref = f"ticket:bench{job:08d}"
            rows += [
                {"provider_id": provider_id, "kind": kind, "at": when, "ticket_ref": ref, "value": value}
                | {"note": None, "created_at": when}
                for kind, when, value in facts
                if when <= at
            ]
    return rows[:count]


def setup(db: Database, settings: Settings, args: argparse.Namespace, at: dt.datetime, progress: Progress) -> dict:
    rng = random.Random(96345)
    started = time.perf_counter()
    migrations.upgrade(db)
    with db.transaction() as session:
        catalog.load(session)
        areas.load(session)
    migrated = time.perf_counter() - started
    task = progress.add_task("providers", total=args.providers)
    started = time.perf_counter()
    with db.transaction() as session:
        rows = provider_rows(session, args.providers, at, settings.zone, rng)
        ids = bulk.write_rows(
            session,
            rows,
            actor=Actor("bench"),
            zone=settings.zone,
            source="bench",
            progress=lambda n: progress.advance(task, n),
        )
        paused = rng.sample(ids, len(ids) // 50)
        session.execute(update(Provider).where(Provider.id.in_(paused)).values(paused=True))
    providers_s = time.perf_counter() - started
    task = progress.add_task("ledger facts", total=args.facts)
    started = time.perf_counter()
    facts = ledger_rows(ids, args.facts, at, rng)
    with db.transaction() as session:
        for start in range(0, len(facts), 5000):
            session.execute(insert(LedgerEntry.__table__), facts[start : start + 5000])  # type: ignore[arg-type]
            progress.advance(task, len(facts[start : start + 5000]))
    facts_s = time.perf_counter() - started
    with db.transaction() as session:
        community = areas.get_community(session, code=TICKET_COMMUNITY)
        resident = residents.get_or_create_resident(
            session, phone="+8613800138000", name="李阿姨", community=community, address="3幢401"
        )
        ticket, _ = service.create_ticket(
            session,
            resident=resident,
            channel="phone",
            description="厨房水管漏水",
            zone=settings.zone,
            actor=Actor.system(),
            item=catalog.get_item(session, code=TICKET_ITEM),
            community=community,
            address="3幢401",
        )
        ticket_id = ticket.id
    return {"ticket_id": ticket_id, "migrate": migrated, "providers": providers_s, "facts": facts_s}


def measure(
    db: Database, settings: Settings, ticket_id: int, at: dt.datetime, runs: int, warmup: int, progress: Progress
) -> dict[str, Any]:
    def call(name: str, counting: list[str] | None) -> tuple[float, float, Any]:
        with db.read() as session:
            ticket = session.get_one(Ticket, ticket_id)  # untimed, for both: a request has it already
            if counting:
                counting[0] = name
            started, cpu_started = time.perf_counter(), time.thread_time()
            if name == "suggest":
                result: Any = offers.suggest(session, ticket=ticket, settings=settings, at=at)
            else:
                result = eligibility.eligible_providers(
                    session, item=ticket.item, community=ticket.community, at=at, zone=settings.zone
                )
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.thread_time() - cpu_started) * 1000
            if counting:
                counting[0] = ""
            if name != "suggest":
                return elapsed, cpu, {"eligible": len(result)}
            top = result.top
            return (
                elapsed,
                cpu,
                {
                    "candidates": len(result.candidates),
                    "excluded": len(result.excluded),
                    "why": Counter(r.code for left in result.excluded for r in left.reasons),
                    "top": f"provider {top.provider.id}, score {top.score}" if top else "-",
                },
            )

    statements: Counter[str] = Counter()
    counting = [""]  # the call whose statements are counted (one of each, after the warm-up)

    def count(*_: Any) -> None:
        if counting[0]:
            statements[counting[0]] += 1

    ms: dict[str, list[float]] = {"suggest": [], "eligibility": []}
    cpu_ms: dict[str, list[float]] = {"suggest": [], "eligibility": []}
    results: dict[str, Any] = {}
    task = progress.add_task("timed calls", total=runs + warmup)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for run in range(runs + warmup):
            for name in ("suggest", "eligibility") if run % 2 else ("eligibility", "suggest"):
                elapsed, cpu, results[name] = call(name, counting if run == warmup else None)
                if run >= warmup:  # the first runs fill caches (statement compilation, pages)
                    ms[name].append(elapsed)
                    cpu_ms[name].append(cpu)
            progress.advance(task)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return {"ms": ms, "cpu_ms": cpu_ms, "statements": statements, **results}


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(backend: str, args: argparse.Namespace, at: dt.datetime, made: dict, got: dict) -> bool:
    ranking, ms = got["suggest"], got["ms"]
    s50, s99, e50, e99 = (
        pct(ms["suggest"], 50),
        pct(ms["suggest"], 99),
        pct(ms["eligibility"], 50),
        pct(ms["eligibility"], 99),
    )
    why = ranking["why"]
    table = Table(title=f"matching on {backend}: {args.providers:,} providers, {args.facts:,} ledger facts")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("setup: migrate, catalogue, areas", f"{made['migrate']:.1f} s")
    table.add_row("setup: providers (providers.bulk)", f"{made['providers']:.1f} s")
    table.add_row("setup: ledger facts (executemany)", f"{made['facts']:.1f} s")
    table.add_row(
        f"ticket {TICKET_ITEM} in {TICKET_COMMUNITY}", at.astimezone(args.zone).strftime("at %a %Y-%m-%d %H:%M")
    )
    table.add_row("  suggest: candidates / excluded", f"{ranking['candidates']} / {ranking['excluded']}")
    table.add_row("  excluded because", ",".join(f"{c}:{n}" for c, n in why.most_common()) or "-")
    table.add_row("  eligible_providers: eligible", str(got["eligibility"]["eligible"]))
    table.add_row("  top candidate", ranking["top"])
    table.add_row(
        "statements per call", f"suggest {got['statements']['suggest']}, eligibility {got['statements']['eligibility']}"
    )
    table.add_row("heap settled (config.heap)", f"{made['frozen']:,} objects frozen" if made["frozen"] else "no")
    table.add_row(f"suggest p50 / p99 ({args.runs} runs)", f"{s50:.2f} / {s99:.2f} ms")
    table.add_row(f"eligibility p50 / p99 ({args.runs} runs)", f"{e50:.2f} / {e99:.2f} ms")
    cpu = got["cpu_ms"]
    for name in ("suggest", "eligibility"):  # this thread's CPU time: a busy machine's waits are not in it
        table.add_row(f"  {name} CPU p50 / p99", f"{pct(cpu[name], 50):.2f} / {pct(cpu[name], 99):.2f} ms")
    table.add_row("ratio p50 suggest / eligibility", f"{s50 / e50:.2f}x")
    table.add_row("ratio p99 suggest / eligibility", f"{s99 / e99:.2f}x")
    console.print(table)
    ok_ratio = s99 / e99 <= RATIO_TARGET
    ok_abs = backend != "sqlite" or s99 < P99_TARGET_MS
    verdicts = (
        [f"p99 {s99:.1f} ms {'meets' if ok_abs else 'misses'} < {P99_TARGET_MS:.0f} ms"] if backend == "sqlite" else []
    )
    verdicts.append(f"p99 ratio {s99 / e99:.2f} {'meets' if ok_ratio else 'misses'} <= {RATIO_TARGET}")
    console.print(("[green]" if ok_ratio and ok_abs else "[red]") + "; ".join(verdicts))
    return ok_ratio and ok_abs


def run(url: str, backend: str, args: argparse.Namespace) -> bool:
    db = None
    try:
        settings = load_settings(demo=True, database_url=url)
        args.zone, at = settings.zone, measured_moment(settings.zone)
        db = Database(url)
        with clock.freeze(at), Progress(console=console, transient=True) as progress:
            try:
                made = setup(db, settings, args, at, progress)
            except Exception as exc:
                first = str(exc).splitlines()[0] if str(exc) else ""
                raise SystemExit(f"matching: setup failed on {backend}: {type(exc).__name__}: {first}") from exc
            # As ``hotline serve`` does once started (config.heap); --no-settle shows the difference.
            made["frozen"] = 0 if args.no_settle else heap.settle()
            got = measure(db, settings, made["ticket_id"], at, args.runs, args.warmup, progress)
    except ConfigError as exc:
        raise SystemExit(f"matching: setup failed: {exc}") from exc
    finally:
        if db is not None:
            db.dispose()
    return report(backend, args, at, made, got)


def on_postgres(admin_url: str, args: argparse.Namespace) -> bool:
    name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        raise SystemExit(f"matching: cannot create a database at {admin_url}: {str(exc).splitlines()[0]}") from exc
    try:
        return run(make_url(admin_url).set(database=name).render_as_string(hide_password=False), "postgresql", args)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--facts", type=int, default=100_000, help="performance-ledger rows")
    parser.add_argument("--runs", type=int, default=300, help="timed calls of each, after the warm-up")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-settle", action="store_true", help="measure without settling the heap first")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (an admin URL; a database is made)")
    args = parser.parse_args()
    if args.runs < 2 or args.providers < 1:
        parser.error("--runs must be at least 2 and --providers at least 1")
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
        run(f"sqlite:///{tmp}/bench.db", "sqlite", args)
    if args.postgres:
        on_postgres(args.postgres, args)


if __name__ == "__main__":
    main()
