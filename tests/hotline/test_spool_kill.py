"""The spool's promise under the worst crash: ``hotline serve`` answers a text it could only
spool, is killed with SIGKILL before it could write the text into the database, and the text is
written exactly once after the restart (the job that ``hotline serve`` runs, run by hand here)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from config.db import Database
from config.spool import Spool
from tests.conftest import TEST_SECRET, Cli
from tests.hotline.test_sms_intake import inbound, tickets
from tests.hotline.test_spool import database_held
from tests.support import REPO, free_port
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL, sign

HOLDING = "我们已收到您的短信，话务员会尽快跟进。"


def test_a_spooled_text_survives_kill_9_before_the_database_write_and_is_written_once(
    db: Database, database_url: str, spool_dir: Path, cli: Cli, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": database_url,
        "HOTLINE_SECRET_KEY": TEST_SECRET,
        "HOTLINE_SPOOL_DIR": str(spool_dir),
        "HOTLINE_WEBHOOK_DB_WAIT": "0.5",
        "HOTLINE_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+8657396345",
    }
    form = {"MessageSid": "SM" + "9" * 32, "From": "+8613800138000", "To": "+8657396345", "Body": "水管爆了"}
    signature = sign(PUBLIC_URL + "/sms/twilio/inbound", form)
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "hotline", "serve", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=log
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                try:
                    httpx.get(base + "/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "hotline serve did not start"
                    time.sleep(0.2)
            with database_held(db):
                response = httpx.post(
                    base + "/sms/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature}, timeout=15
                )
                assert response.status_code == 200 and HOLDING in response.text
                # fsync'd and answered; the database is still held, so nothing could be written yet
                os.kill(server.pid, signal.SIGKILL)
                server.wait(10)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(10)
    assert server.returncode == -signal.SIGKILL
    assert inbound(db) == []
    assert len(Spool(spool_dir).pending()) == 1
    assert cli("jobs", "run", "hotline.spool").output.strip() == "hotline.spool: 1 handled"
    assert cli("jobs", "run", "hotline.spool").output.strip() == "hotline.spool: 0 handled"
    [message] = inbound(db)
    assert (message.message_sid, message.body) == ("SM" + "9" * 32, "水管爆了")
    assert len(tickets(db)) == 1
    assert Spool(spool_dir).pending() == []
