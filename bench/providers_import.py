"""Import 10,000 providers from an XLSX roster, then time the eligibility query for one ticket.

Prints: import seconds (read, check, write); the eligibility query's p50/p99 over many runs and
its ratio against a bare indexed SQL count of the same candidates, measured in the same run.
SQLite in a temporary directory by default; HOTLINE_BENCH_DATABASE_URL=postgresql+psycopg://...
points it at an empty PostgreSQL database instead."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook
from rich.console import Console
from rich.table import Table
from sqlalchemy import exists, func, select

from config import areas, catalog, clock
from config.db import Database
from config.settings import load_settings
from config.staff import Actor
from hotline import db as migrations
from providers import bulk, eligibility, imports
from providers.models import Provider, ProviderArea, ProviderItem
from providers.states import DISPATCHABLE

ROWS = 10_000
RUNS = 300
WARMUP = 10
TICKET_ITEM, TICKET_COMMUNITY = "PE-PIPE-LEAK", "330402003001"
console = Console()


def make_roster(path: Path, item_codes: list[str], area_codes: list[str]) -> None:
    rng = random.Random(96345)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("providers")
    sheet.append(
        [
            "kind",
            "name",
            "phone",
            "items",
            "areas",
            "capacity",
            "status",
            "organisation",
            "hours",
            "licence_expires",
            "insurance_expires",
            "certificate_expires",
            "training_induction",
            "training_etiquette",
            "training_safety",
        ]
    )
    today = dt.date.today()
    for n in range(ROWS):
        kind = rng.choices(["company", "individual", "volunteer"], weights=[25, 60, 15])[0]
        later = dt.datetime.combine(today + dt.timedelta(days=rng.randint(40, 900)), dt.time())
        trained = dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, 300)), dt.time())
        sheet.append(
            [
                kind,
                f"服务商{n:05d}",
                f"139{n:08d}",
                ";".join(rng.sample(item_codes, rng.randint(1, 4))),
                ";".join(rng.sample(area_codes, rng.randint(1, 3))),
                rng.randint(1, 5),
                rng.choices(["active", "probation", "applicant", "suspended"], weights=[80, 8, 8, 4])[0],
                f"总站 > 分站{n % 7} > 服务点{n % 40}" if kind == "volunteer" else "",
                rng.choice(["daily 00:00-24:00", "mon-fri 08:00-18:00", "daily 07:00-21:00", "mon-sat 08:00-20:00"]),
                later if kind == "company" else None,
                later if kind == "company" else None,
                later if kind == "individual" else None,
                trained,
                trained,
                trained,
            ]
        )
    book.save(path)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    url = os.environ.get("HOTLINE_BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    settings = load_settings(demo=True, database_url=url)
    db = Database(settings.database_url)
    migrations.upgrade(db)
    with db.transaction() as session:
        catalog.load(session)
        areas.load(session)
        item_codes = [i.code for i in catalog.list_items(session)]
        area_codes = [a.code for a in areas.list_areas(session) if a.level in ("street", "community")]
    roster = workdir / "providers.xlsx"
    started = time.perf_counter()
    make_roster(roster, item_codes, area_codes)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    table = imports.read_table(roster)
    read = time.perf_counter() - started
    with db.transaction() as session:
        started = time.perf_counter()
        good, errors = imports.check_rows(session, settings, table)
        checked = time.perf_counter() - started
        assert not errors, errors[:3]
        started = time.perf_counter()
        bulk.write_rows(session, good, actor=Actor("bench"), zone=settings.zone, source=roster.name)
    written = time.perf_counter() - started
    imported = read + checked + written

    with db.read() as session:
        item = catalog.get_item(session, code=TICKET_ITEM)
        community = areas.get_community(session, code=TICKET_COMMUNITY)
        chain = [a.id for a in areas.ancestors_and_self(community)]
        count_query = (
            select(func.count())
            .select_from(Provider)
            .where(
                Provider.status.in_(sorted(DISPATCHABLE)),
                Provider.paused.is_(False),
                exists().where(ProviderItem.provider_id == Provider.id, ProviderItem.item_id == item.id),
                exists().where(ProviderArea.provider_id == Provider.id, ProviderArea.area_id.in_(chain)),
            )
        )
        now = clock.now()
        query_ms: list[float] = []
        count_ms: list[float] = []
        for run in range(RUNS + WARMUP):
            started = time.perf_counter()
            found = eligibility.eligible_providers(session, item=item, community=community, at=now, zone=settings.zone)
            elapsed = (time.perf_counter() - started) * 1000
            session.expunge_all()  # every run loads its providers afresh, as a request would
            started = time.perf_counter()
            candidates = session.scalar(count_query)
            if run >= WARMUP:  # the first runs fill caches (statement compilation, pages)
                query_ms.append(elapsed)
                count_ms.append((time.perf_counter() - started) * 1000)
        total = session.scalar(select(func.count()).select_from(Provider))

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]

    report = Table(title=f"providers: {total} imported on {db.engine.dialect.name}")
    report.add_column("measure")
    report.add_column("value", justify="right")
    report.add_row("generate XLSX (not part of the import)", f"{generated:.2f} s")
    report.add_row("import: read XLSX", f"{read:.2f} s")
    report.add_row("import: check rows", f"{checked:.2f} s")
    report.add_row("import: write", f"{written:.2f} s")
    report.add_row("import total", f"{imported:.2f} s ({ROWS / imported:,.0f} rows/s)")
    report.add_row(f"ticket {TICKET_ITEM} in {TICKET_COMMUNITY}", f"{candidates} candidates, {len(found)} eligible now")
    report.add_row("eligibility query p50 / p99", f"{p(query_ms, 50):.2f} / {p(query_ms, 99):.2f} ms")
    report.add_row("bare indexed SQL count p50 / p99", f"{p(count_ms, 50):.2f} / {p(count_ms, 99):.2f} ms")
    report.add_row("ratio (p50 query / p50 count)", f"{p(query_ms, 50) / p(count_ms, 50):.1f}x")
    console.print(report)
    db.dispose()


if __name__ == "__main__":
    main()
