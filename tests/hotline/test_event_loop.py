"""ARCHITECTURE.md: the database layer runs in the thread pool, so nothing blocks the event loop."""

from __future__ import annotations

import asyncio
import logging

import httpx

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests import factories


async def test_requests_never_block_the_event_loop(
    db: Database, settings: Settings, caplog: logging.LogCaptureFixture
) -> None:
    with db.transaction() as session:
        for i in range(30):
            factories.ticket(session, settings, phone=f"+86138001380{i:02d}")
    app = create_app(settings.model_copy(update={"demo": True}), db)
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = 0.05  # anything holding the loop for 50 ms is reported
    caplog.set_level(logging.WARNING, logger="asyncio")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        # one at a time: with many at once the thread-pool workers' share of the GIL, not a blocking
        # call, would delay the loop
        # each request in a task of its own, so a slow step is the app's, not this test's
        responses = [await asyncio.create_task(client.get(p)) for p in ["/", "/healthz", "/?lang=en"] * 10]
    assert all(r.status_code == 200 for r in responses)
    # the app's steps, not this test's own (its setup and teardown run on the loop too)
    slow = [
        r.getMessage()
        for r in caplog.records
        if "Executing" in r.getMessage() and "test_requests_never_block_the_event_loop" not in r.getMessage()
    ]
    assert not slow, slow
