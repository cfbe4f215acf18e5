"""ARCHITECTURE.md: the database layer runs in the thread pool, so nothing blocks the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import httpx

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests import factories
from tests.console_support import log_in


async def test_requests_never_block_the_event_loop(
    db: Database, settings: Settings, caplog: logging.LogCaptureFixture
) -> None:
    with db.transaction() as session:
        for i in range(30):
            factories.ticket(session, settings, phone=f"+86138001380{i:02d}")
    app = create_app(settings, db)
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = 0.05  # anything holding the loop for 50 ms is reported
    caplog.set_level(logging.WARNING, logger="asyncio")
    paths = ["/", "/healthz", "/?lang=en"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        log_in(client, db, settings, "operator")
        # one at a time: with many at once the thread-pool workers' share of the GIL, not a blocking
        # call, would delay the loop
        # each request in a task of its own, named by its path, so a slow step is the app's, not
        # this test's, and shows which page it was
        responses = [
            await asyncio.create_task(client.get(path), name=f"GET {path} #{i}") for i in range(10) for path in paths
        ]
    assert all(r.status_code == 200 for r in responses)
    # A blocking call in the app holds the loop on every request of its page; a one-off stall of
    # the (shared, virtual) machine holds it once. Count the slow steps per page.
    slow = Counter(
        path
        for record in caplog.records
        if "Executing" in record.getMessage()
        for path in paths
        if f"name='GET {path} #" in record.getMessage()
    )
    assert all(count <= 2 for count in slow.values()), (slow, [r.getMessage() for r in caplog.records])
