"""`hotline serve` as a whole: the app runs the AMI listener as a background worker, reports it on
/healthz, and streams screen pops to the operator's console over Server-Sent Events."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests import factories
from tests.console_support import log_in
from tests.hotline.voice.ami_peer import SECRET, USERNAME, Connection, ThreadedPeer, transcript


class Server:
    def __init__(self, app: FastAPI) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def wait_until(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.02)
    return value


@pytest.fixture
def demo(settings: Settings) -> Settings:
    return settings.model_copy(update={"demo": True})


def test_operator_console_receives_the_screen_pop_when_the_queue_rings_their_extension(
    db: Database, demo: Settings
) -> None:
    with db.transaction() as session:
        factories.operator(session, name="李娜", extension="7006")
    gate = threading.Event()
    with ThreadedPeer(Connection(after_login=[transcript("queue.txt")], gate=gate)) as peer:
        configured = demo.model_copy(
            update={"ami_host": "127.0.0.1", "ami_port": peer.port, "ami_username": USERNAME, "ami_secret": SECRET}
        )
        app = create_app(configured, db, background=True)
        with Server(app) as base, httpx.Client(base_url=base, timeout=10) as client:
            log_in(client, db, configured, "operator", name="李娜")
            wait_until(lambda: client.get("/healthz").status_code == 200)
            assert client.get("/healthz").json()["checks"]["ami"] == "ok"
            with client.stream("GET", "/voice/events", params={"extension": "7006"}) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                raw = stream.iter_lines()
                lines = (line for line in raw if line and not line.startswith(":"))
                assert (next(lines), next(lines)) == ("event: ready", "data: {}")  # subscribed
                gate.set()  # now Asterisk sends the call
                event = next(lines)
                data = next(lines)
    assert event == "event: screen_pop"
    pop = json.loads(data.removeprefix("data: "))
    assert pop["extension"] == "7006" and pop["caller"] == "7007" and pop["new_caller"] is True and pop["queue"] == "88"


def test_screen_pop_stream_is_for_staff_who_take_calls(db: Database, settings: Settings) -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings, db)) as client:
        assert client.get("/voice/events", params={"extension": "7006"}).status_code == 401
        log_in(client, db, settings, "observer")
        assert client.get("/voice/events", params={"extension": "7006"}).status_code == 403
        log_in(client, db, settings, "operator")
        assert client.get("/voice/events", params={"extension": "not-a-number"}).status_code == 422


def test_serve_without_ami_host_runs_no_listener(db: Database, settings: Settings) -> None:
    from hotline.app import background_workers

    app = create_app(settings, db)
    assert "ami" not in background_workers(app) and "ami" not in app.state.health_checks
