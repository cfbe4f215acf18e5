"""The queue page with 10,000 open tickets, against a bare query of the same rows, same server.

    python bench/console_queue.py [--tickets 10000] [--requests 200]

A real uvicorn server (a child process) serves the hotline on SQLite with ``--tickets`` open
tickets (texts from the labelled set, every urgency, spread over two days) plus ``GET
/bench/bare``: the first page's 50 rows by the same order, straight from SQL, as JSON. The client
alternates the two (the queue page is fetched with an observer's API key, as a console would,
through the whole stack: auth, filters, count, SLA marks, template). Prints p50/p99 of each and
the ratio of the p99s. Target: the page's p99 < 150 ms.

The server settles its heap once started, as ``hotline serve`` does (config.heap: collect, then
``gc.freeze``); ``--no-settle`` serves without it (then a full collection, ~100 ms on a 2-core
machine, lands in the slowest requests). Wall-clock figures move with the machine's load, so the
server's CPU time per request (page alone, then bare alone, from /proc) is printed too.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.console_events import _free_port, _percentile  # noqa: E402

TARGET_P99_MS = 150.0


def bench_app() -> Any:
    from fastapi.responses import JSONResponse
    from sqlalchemy import literal_column, select

    from config.settings import load_settings
    from dispatch.models import Resident, Ticket, queue_keys
    from hotline.app import create_app

    app = create_app(load_settings())
    database = app.state.db
    # The same rows in the same order, read through the same index (ix_tickets_queue) in one query.
    open_, emergency_first, no_due_time_last = (literal_column(key) for key in queue_keys("tickets"))
    query = (
        select(Ticket.number, Ticket.status, Ticket.urgency, Ticket.due_at, Ticket.description, Resident.phone)
        .join(Resident, Ticket.resident_id == Resident.id)
        .where(open_ == 0)
        .order_by(emergency_first, no_due_time_last, Ticket.due_at, Ticket.created_at, Ticket.id)
        .limit(50)
    )

    @app.get("/bench/bare")
    def bare() -> JSONResponse:
        with database.read() as session:
            rows = [[str(value) for value in row] for row in session.execute(query)]
        return JSONResponse(rows)

    return app


def seed(url: str, count: int) -> None:
    from config import catalog, clock
    from config.db import Database
    from config.settings import load_settings
    from config.staff import Actor
    from dispatch import service

    settings = load_settings(database_url=url, demo=True)
    with (ROOT / "tests" / "data" / "sms_labelled.csv").open(encoding="utf-8", newline="") as fh:
        rows = [(row["text"], row.get("item_code") or "") for row in csv.DictReader(fh)]
    database = Database(url)
    start = clock.now() - dt.timedelta(days=2)
    with database.transaction() as session:
        items = {i.code: i for i in catalog.list_items(session)}
        for n in range(count):
            text, code = rows[n % len(rows)]
            with clock.freeze(start + dt.timedelta(seconds=17 * n)):
                service.open_ticket(
                    session,
                    resident=None,
                    phone=f"+86139{n:08d}",
                    language="zh_CN",
                    channel="sms",
                    description=text,
                    zone=settings.zone,
                    actor=Actor.system(),
                    item=items.get(code),
                    urgency=("normal", "normal", "normal", "urgent", "emergency")[n % 5],
                )
    database.dispose()


def _cpu_seconds(pid: int) -> float | None:
    """The process's user + system CPU time so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu_ms(client: httpx.Client, pid: int, path: str, headers: dict[str, str], count: int) -> float | None:
    """The server's CPU time per request for ``count`` requests to ``path`` alone."""
    before = _cpu_seconds(pid)
    for _ in range(count):
        client.get(path, headers=headers).raise_for_status()
    after = _cpu_seconds(pid)
    return None if before is None or after is None else (after - before) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-settle", action="store_true", help="serve without settling the heap (config.heap)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        import uvicorn

        from config import heap

        app = bench_app()
        if not args.no_settle:  # as ``hotline serve`` does once started
            heap.settle()
        uvicorn.run(app, host="127.0.0.1", port=args.serve, log_level="warning", access_log=False)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        env = {**os.environ, "HOTLINE_DATABASE_URL": url, "HOTLINE_SECRET_KEY": secrets.token_urlsafe(32)}
        hotline = [sys.executable, "-m", "hotline"]
        subprocess.run([*hotline, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
        key = (
            subprocess.run(
                [*hotline, "apikeys", "create", "--name", "bench", "--role", "observer"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        began = time.perf_counter()
        seed(url, args.tickets)
        print(f"seeded {args.tickets} open tickets in {time.perf_counter() - began:.1f} s")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [sys.executable, __file__, "--serve", str(port), *(["--no-settle"] if args.no_settle else [])]
        server = subprocess.Popen(serve, env=env, cwd=ROOT)
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz", timeout=1.0).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            page_ms: list[float] = []
            bare_ms: list[float] = []
            headers = {"authorization": f"Bearer {key}", "accept": "text/html"}
            with httpx.Client(base_url=base, timeout=30) as client:
                for n in range(args.requests + 10):
                    for path, into in (("/", page_ms), ("/bench/bare", bare_ms)):
                        t0 = time.perf_counter()
                        response = client.get(path, headers=headers)
                        elapsed = (time.perf_counter() - t0) * 1000
                        response.raise_for_status()
                        if n >= 10:  # the first ten warm up
                            into.append(elapsed)
                assert client.get("/", headers=headers).text.count("data-number=") == 50
                cpu = {
                    path: _server_cpu_ms(client, server.pid, path, headers, args.requests)
                    for path in ("/", "/bench/bare")
                }
        finally:
            server.terminate()
            server.wait(timeout=10)
    page_p99, bare_p99 = _percentile(page_ms, 0.99), _percentile(bare_ms, 0.99)
    print(f"queue page: p50 {_percentile(page_ms, 0.5):.1f} ms, p99 {page_p99:.1f} ms")
    print(f"bare query: p50 {_percentile(bare_ms, 0.5):.1f} ms, p99 {bare_p99:.1f} ms")
    if cpu["/"] is not None and cpu["/bench/bare"] is not None:
        print(f"server CPU per request: page {cpu['/']:.1f} ms, bare {cpu['/bench/bare']:.1f} ms")
    verdict = "met" if page_p99 < TARGET_P99_MS else "NOT met"
    print(f"ratio page/bare p99 {page_p99 / bare_p99:.1f}; target page p99 < {TARGET_P99_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
