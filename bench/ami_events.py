"""AMI events per second: the call tracker (parse + apply to a migrated SQLite database, one
transaction per event, as the listener runs it) against a bare parse of the same bytes.

    python bench/ami_events.py [--calls 40]

Replays ../shared/fixtures/ami/pyfreepbx/queue.txt (113 events per call) as N distinct calls.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import areas, catalog
from config.db import Database
from config.events import LocalEventBus
from config.settings import load_settings
from hotline import db as migrations
from hotline.voice.ami import parse_transcript
from hotline.voice.tracker import CallTracker

FIXTURE = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "ami" / "pyfreepbx" / "queue.txt"


def calls(n: int) -> bytes:
    """``n`` copies of the queue call, each with its own Linkedid/Uniqueids."""
    data = FIXTURE.read_bytes()
    return b"".join(data.replace(b"1781704", f"{9000000 + i}".encode()) for i in range(n))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    stream = calls(args.calls)

    start = time.perf_counter()
    events = [dict(m.items()) for m in parse_transcript(stream)]
    parse_seconds = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        settings = load_settings(demo=True, database_url=url)
        db = Database(url)
        migrations.upgrade(db)
        with db.transaction() as session:
            catalog.load(session)
            areas.load(session)
        tracker = CallTracker(db, settings, LocalEventBus())
        start = time.perf_counter()
        tracker.handle_many(events)
        track_seconds = time.perf_counter() - start
        db.dispose()

    count = len(events)
    parse_rate, track_rate = count / parse_seconds, count / track_seconds
    table = Table(title=f"AMI events: {count} events, {args.calls} queue calls (SQLite WAL)")
    table.add_column("what")
    table.add_column("events/s", justify="right")
    table.add_column("µs/event", justify="right")
    table.add_row("bare parse (baseline)", f"{parse_rate:,.0f}", f"{1e6 / parse_rate:,.1f}")
    table.add_row("track + store (parsed events)", f"{track_rate:,.0f}", f"{1e6 / track_rate:,.1f}")
    Console().print(table)
    print(f"tracking costs {parse_rate / track_rate:.1f}x the bare parse; skipped {tracker.skipped}")


if __name__ == "__main__":
    main()
