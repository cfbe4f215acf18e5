"""Restarting at any moment loses no survey and sends none twice: a sweeper killed (SIGKILL)
between its claim and the send leaves leased rows that the next pass takes after the lease, and
two sweepers at once never ask the same survey twice."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from callbacks import jobs, sweep
from config import clock
from config.db import Database
from config.settings import Settings
from sms.models import OutboundMessage
from tests.callbacks import world
from tests.callbacks.world import NOW, at
from tests.support import REPO

KILLED_AFTER_THE_CLAIM = """
import datetime as dt, os, signal, sys
from callbacks import jobs, sweep
from config import clock
from config.db import Database
from config.settings import load_settings

url, when = sys.argv[1], dt.datetime.fromisoformat(sys.argv[2])
settings = load_settings(database_url=url, demo=True)

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # the claim is committed; not one text was queued

sweep.ask_by_text = die
with clock.freeze(when):
    jobs.sweep_surveys(Database(url), settings)
"""


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


def survey_texts(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).where(OutboundMessage.purpose == "survey")) or 0


def test_a_sweeper_killed_between_claim_and_send_loses_nothing_and_sends_once(db: Database, settings: Settings) -> None:
    world.completed_job(db, settings)
    world.sweep(db, settings, at(0.1))
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_THE_CLAIM, settings.database_url, at(2).isoformat()],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (survey,) = world.surveys(db)
    assert survey.status == "scheduled" and survey.claim is not None and survey.lease_until == at(2) + sweep.LEASE
    assert survey_texts(db) == 0
    world.sweep(db, settings, at(2) + sweep.LEASE / 2)  # the dead pass's lease still holds
    assert survey_texts(db) == 0
    world.sweep(db, settings, at(2) + sweep.LEASE)  # it ran out: taken again
    world.sweep(db, settings, at(3))
    (survey,) = world.surveys(db)
    assert survey.status == "sent" and survey.claim is None and survey_texts(db) == 1


def test_two_sweepers_at_once_ask_every_survey_exactly_once(db: Database, settings: Settings) -> None:
    for _ in range(5):  # the plumber's texts stay under the rate limit (10 a minute)
        world.completed_job(db, settings, phone=f"+86138001380{len(world.surveys(db)) + 10}")
        world.sweep(db, settings, at(0.1))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with clock.freeze(at(2)):
                jobs.send_due(db, settings, batch=2)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [s.status for s in world.surveys(db)] == ["sent"] * 5 and survey_texts(db) == 5
