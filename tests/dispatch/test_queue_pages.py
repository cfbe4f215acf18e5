"""The queue page and its live stream, against the real app (SSE through a real uvicorn)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from fastapi.testclient import TestClient

from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import service
from dispatch.views import due_in_words
from hotline.app import create_app
from tests import factories
from tests.console_support import log_in
from tests.support import live_server


def test_the_queue_page_shows_open_tickets_to_staff(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        number = factories.ticket(session, settings, text="<script>alert(1)</script> 水管", urgency="emergency").number
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "operator")
        page = client.get("/", headers={"accept-language": "zh-CN"}).text
        rows = client.get("/queue/rows?q=" + number).text
        none = client.get("/queue/rows?q=nothing-like-this").text
    assert "待处理工单" in page and f'href="/tickets/{number}"' in page and "urgency-emergency" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert rows.startswith('<tbody id="queue-body"') and number in rows
    assert number not in none


def _events(response: httpx.Response) -> Iterator[dict[str, str]]:
    """Parse an SSE stream into {"id", "event", "data"} dicts; a comment block comes as {"comment"}."""
    current: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if "event" in current or "comment" in current:
                yield current
            current = {}
        elif line.startswith(":"):
            current["comment"] = line[1:].strip()
        else:
            key, _, value = line.partition(": ")
            current[key] = value


def test_changes_reach_the_stream_from_this_process_and_from_others(db: Database, settings: Settings) -> None:
    app = create_app(settings, db)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as client:
        log_in(client, db, settings, "observer")
        with client.stream("GET", "/queue/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = _events(stream)
            # The headers leave before the stream subscribes to the bus: wait for its "connected".
            assert next(events)["comment"] == "connected"
            with db.transaction() as session:  # the service layer publishes after commit
                number = factories.ticket(session, settings).number
            first = next(events)
            # The number is named only by the in-process bus; the database poll cannot know it.
            assert first["event"] == "tickets" and number in first["data"]
            other_process = Database(db.url)  # no bus: only the database knows
            try:
                with other_process.transaction() as session:
                    ticket = service.get_ticket(session, number=number)
                    service.move_ticket(session, ticket=ticket, to="dispatching", actor=Actor("cli"))
            finally:
                other_process.dispose()
            second = next(events)  # found by the once-a-second look at the database
            assert second["event"] == "tickets" and int(second["id"]) > int(first["id"])
        # A console that was away reconnects with the last id it saw: told at once to refetch.
        headers = {"Last-Event-ID": first["id"]}
        with client.stream("GET", "/queue/events", headers=headers) as stream:
            resync = next(_events(stream))
        assert resync["event"] == "tickets" and resync["id"] == second["id"]


def test_the_stream_needs_a_login(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        assert client.get("/queue/events").status_code == 401


def test_time_left_and_past_due_read_in_minutes_hours_or_days() -> None:
    assert due_in_words(25, "zh_CN") == "剩 25 分钟" and due_in_words(25, "en") == "25 min left"
    assert due_in_words(-59, "en") == "59 min late" and due_in_words(-60, "en") == "1 h 0 min late"
    assert due_in_words(200, "zh_CN") == "剩 3 小时 20 分"
    assert due_in_words(-2213, "zh_CN") == "超时 1 天 12 小时" and due_in_words(-2213, "en") == "1 d 12 h late"
