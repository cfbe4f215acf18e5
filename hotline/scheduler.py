"""The periodic sweepers, run by APScheduler inside ``hotline serve``.

Everything that must happen later is a row with a due time (outbox texts, expiry reminders, offer
timeouts, response times, surveys, complaint deadlines). A few named jobs sweep those rows in
batches on an interval; there is never one scheduler job per row (ARCHITECTURE.md). Each job is a plain function of the
database and settings that does one pass and returns how many rows it handled; APScheduler runs it
in a worker thread, never two of the same at once, and logs a failure without stopping the others.
Any job can be run once by name: ``hotline jobs run NAME``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from callbacks import calls as survey_calls
from callbacks import jobs as callback_jobs
from config import spool
from config.db import Database
from config.errors import NotFound
from config.settings import Settings
from config.staff import Actor
from dispatch import jobs as dispatch_jobs
from hotline import intake, privacy
from hotline.simulator import phone as simulator_phone
from hotline.voice import views as voice_views
from providers import jobs as provider_jobs
from providers import reviews
from sms import outbox
from sms import service as sms_service
from sms import views as sms_views
from sms.senders import SmsSender, sender_for

log = logging.getLogger("hotline.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    summary: str
    make: Callable[[Database, Settings], Callable[[], int]]  # builds the pass once (senders, policy)
    first_run_after: dt.timedelta = dt.timedelta(0)  # heavy jobs never run at start-up


def _outbox_pass(db: Database, settings: Settings, sender: SmsSender | None = None) -> Callable[[], int]:
    sender = sender or sender_for(settings)
    policy = outbox.Policy.of(settings)

    def deliver() -> int:
        handled = 0
        while True:  # while whole batches come back there is more due: keep going
            report = outbox.deliver_due(db, sender, policy=policy)
            handled += report.claimed
            if report.claimed < policy.batch:
                return handled

    return deliver


def _classifier_pass(db: Database, settings: Settings) -> Callable[[], int]:
    """Retrain only when an operator has labelled a text since the model in use (1: retrained)."""

    def retrain() -> int:
        from dispatch.classifier import learning  # lazy: numpy and scikit-learn only when it runs

        with db.transaction() as session:
            result = learning.retrain(
                session, precision_target=settings.classifier_precision_target, actor=Actor.system(), only_if_new=True
            )
        return int(result.accepted)

    return retrain


def _reminders_pass(db: Database, settings: Settings) -> Callable[[], int]:
    return lambda: provider_jobs.send_due_reminders(db, settings, send=sms_service.queue_message)


SPOOL_JOB = "hotline.spool"


def spool_replayers(settings: Settings) -> dict[str, spool.Replayer]:
    """Every kind of webhook request the spool may hold, and how it is written."""
    return {
        sms_views.SPOOL_KIND: sms_views.replay_inbound(intake.router_for(settings), settings),
        sms_views.STATUS_SPOOL_KIND: sms_views.replay_status,
        **voice_views.spool_replayers(settings),
    }


def _spool_pass(db: Database, settings: Settings) -> Callable[[], int]:
    webhooks = spool.Spool(settings.spool_dir)
    replayers = spool_replayers(settings)
    return lambda: spool.replay(db, webhooks, replayers, wait=settings.webhook_db_wait)


def _surveys_pass(db: Database, settings: Settings) -> Callable[[], int]:
    # automated survey calls need Twilio; a demo or training centre without it rings the simulator
    placer = survey_calls.placer_for(settings) or simulator_phone.placer_for(settings)
    return lambda: callback_jobs.sweep_surveys(db, settings, placer=placer)


REVIEWS_JOB = "providers.reviews"


def _reviews_pass(db: Database, settings: Settings) -> Callable[[], int]:
    """Once a day: the last whole month's (or quarter's) proposals, written once the period has
    ended and refreshed while undecided (``hotline review run`` does the same by hand)."""

    def review() -> int:
        with db.transaction() as session:
            return reviews.run_due(session, settings=settings)

    return review


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(SPOOL_JOB, dt.timedelta(seconds=2), "write webhook requests kept in the spool", _spool_pass),
        Job(
            privacy.JOB_NAME,
            dt.timedelta(hours=1),
            "anonymise residents' data older than the retention period",
            lambda db, settings: lambda: privacy.expire_pass(db, settings),
        ),
        Job("sms.outbox", dt.timedelta(seconds=1), "deliver the texts that are due", _outbox_pass),
        Job(
            provider_jobs.JOB_NAME,
            dt.timedelta(minutes=1),
            "text providers whose documents or training expire",
            _reminders_pass,
        ),
        Job(
            "dispatch.offers",
            dt.timedelta(seconds=10),
            "expire unanswered offers, withdraw those of suspended or removed providers, offer the next candidate",
            lambda db, settings: lambda: dispatch_jobs.sweep_offers(db, settings),
        ),
        Job(
            "dispatch.auto",
            dt.timedelta(seconds=5),
            "offer new tickets of the automatic categories without an operator",
            lambda db, settings: lambda: dispatch_jobs.auto_dispatch(db, settings),
        ),
        Job(
            "dispatch.sla",
            dt.timedelta(minutes=1),
            "mark tickets at risk of their response time, escalate breached ones",
            lambda db, settings: lambda: dispatch_jobs.watch_sla(db, settings),
        ),
        Job(
            "dispatch.classifier_train",
            dt.timedelta(hours=1),
            "retrain the text classifier when operators have labelled texts",
            _classifier_pass,
            first_run_after=dt.timedelta(hours=1),
        ),
        Job(
            callback_jobs.SURVEYS_JOB,
            dt.timedelta(seconds=30),
            "survey completed tickets, ask due surveys, close unanswered ones, tell residents results",
            _surveys_pass,
        ),
        Job(
            REVIEWS_JOB,
            dt.timedelta(hours=24),
            "propose keep / warn / probation / remove for the last whole review period",
            _reviews_pass,
            first_run_after=dt.timedelta(hours=1),
        ),
        Job(
            callback_jobs.COMPLAINTS_JOB,
            dt.timedelta(minutes=1),
            "escalate complaints past their deadline",
            lambda db, settings: lambda: callback_jobs.sweep_complaints(db, settings),
        ),
    )
}


def get_job(name: str) -> Job:
    try:
        return JOBS[name]
    except KeyError:
        raise NotFound(f"no job named {name!r} (one of {', '.join(JOBS)})") from None


def build(db: Database, settings: Settings) -> AsyncIOScheduler:
    """A scheduler with every job, not yet started (call ``start()`` inside a running loop)."""
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    for job in JOBS.values():
        scheduler.add_job(
            job.make(db, settings),
            IntervalTrigger(seconds=job.every.total_seconds()),
            id=job.name,
            name=job.name,
            max_instances=1,  # a slow pass is never overlapped by the next
            coalesce=True,  # missed runs collapse into one
            next_run_time=dt.datetime.now(dt.UTC) + job.first_run_after,
        )
    return scheduler


async def run(db: Database, settings: Settings) -> None:
    """The background worker ``hotline serve`` runs: the scheduler until cancelled."""
    scheduler = build(db, settings)
    scheduler.start()
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
