"""Open311 ``GET requests`` at its limit (1,000 tickets in the window), against a bare query of
the same rows, in one process on SQLite.

    python bench/open311.py [--tickets 1000] [--rounds 30]

The bare baseline selects the same 1,000 tickets (the same ORM query, newest first) and dumps
number, status and time as JSON. The endpoint goes through the whole stack in-process (ASGI,
the window and filters, the record mapping, JSON or XML). Rounds alternate the three; prints
p50/p99 of each and the ratios of the p50s to the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    from fastapi.testclient import TestClient
    from rich.progress import track

    from config import areas, catalog
    from config.db import Database
    from config.settings import load_settings
    from config.staff import Actor
    from dispatch import residents, service
    from hotline import db as migrations
    from hotline.app import create_app
    from hotline.open311 import records

    folder = Path(tempfile.mkdtemp(prefix="bench-open311-"))
    url = f"sqlite:///{folder / 'hotline.db'}"
    database = Database(url)
    migrations.upgrade(database)
    with database.transaction() as session:
        catalog.load(session)
        areas.load(session)
        items = catalog.list_items(session)
        communities = areas.list_areas(session, level="community")
    for n in track(range(args.tickets), description="tickets"):
        with database.transaction() as session:
            resident = residents.get_or_create_resident(session, phone=f"+86138{n:08d}")
            service.create_ticket(
                session,
                resident=resident,
                channel="sms",
                description=f"厨房水管漏水 {n}",
                zone=dt.UTC,
                actor=Actor("system"),
                item=session.merge(items[n % len(items)]),
                community=session.merge(communities[n % len(communities)]),
            )
    settings = load_settings(database_url=url, secret_key="bench-secret-not-a-placeholder-0123456789")
    app = create_app(settings, database)
    now = dt.datetime.now(dt.UTC)

    def bare() -> None:
        with database.read() as session:
            found = records.tickets_between(
                session, start=now - dt.timedelta(days=90), end=now, codes=(), statuses=set(), limit=1000
            )
            json.dumps([{"id": t.number, "status": t.status, "at": t.created_at.isoformat()} for t in found])

    timings: dict[str, list[float]] = {"bare query": [], "requests.json": [], "requests.xml": []}
    with TestClient(app) as client:
        for fmt in ("json", "xml"):  # warm up
            assert len(client.get(f"/open311/v2/requests.{fmt}").content) > 1000
        for _ in track(range(args.rounds), description="rounds"):
            for name in timings:
                start = time.perf_counter()
                if name == "bare query":
                    bare()
                else:
                    response = client.get(f"/open311/v2/{name}")
                    assert response.status_code == 200
                timings[name].append((time.perf_counter() - start) * 1000)
    base = statistics.median(timings["bare query"])
    print(f"{args.tickets} tickets, {args.rounds} rounds (SQLite, in-process ASGI)")
    for name, values in timings.items():
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        p50 = statistics.median(values)
        print(f"{name:14} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  p50/bare {p50 / base:5.2f}")
    database.dispose()


if __name__ == "__main__":
    main()
