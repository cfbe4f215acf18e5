"""Scheduled work of the providers package: the expiry-reminder sweeper.

Reminder rows (``provider_reminders``) are written when a document or course is recorded; this
job claims the due ones in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and hands each text
to ``send``, which has the signature of ``sms.service.queue_message`` so the outbox row is written
in the same transaction as the reminder is marked sent::

    send_due_reminders(db, settings, send=sms.service.queue_message)
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import clock
from config.db import Database
from config.i18n import N_, gettext
from config.settings import Settings
from providers import service
from providers.models import ProviderReminder
from providers.states import COURSE_LABELS, DOCUMENT_LABELS

log = logging.getLogger("hotline.providers.jobs")
JOB_NAME = "providers.expiry_reminders"
MAX_ATTEMPTS = 5
EXPIRING_TEXT = N_(
    "{centre}: your {what} expires on {date}. Please renew it and send the centre a copy, "
    "or you will stop receiving jobs."
)
EXPIRED_TEXT = N_("{centre}: your {what} expired on {date}. You will receive no jobs until the centre has the renewal.")


class ReminderSender(Protocol):
    """What the job hands a text to: ``sms.service.queue_message`` fits as it is."""

    def __call__(
        self,
        session: Session,
        *,
        to: str,
        body: str,
        purpose: str,
        subject: str | None = None,
        idempotency_key: str | None = None,
    ) -> object: ...


def _current_expiry(reminder: ProviderReminder) -> dt.date | None:
    kind, _, name = reminder.subject.partition(":")
    provider = reminder.provider
    record = (service.latest_documents(provider) if kind == "document" else service.latest_trainings(provider)).get(
        name
    )
    return record.expires_on if record is not None else None


def reminder_text(reminder: ProviderReminder, settings: Settings) -> str:
    provider = reminder.provider
    locale = provider.language
    kind, _, name = reminder.subject.partition(":")
    label = DOCUMENT_LABELS.get(name) if kind == "document" else COURSE_LABELS.get(name)
    what = gettext(locale, label or name)
    if kind == "training":
        what = gettext(locale, "{course} training", course=what)
    centre = settings.centre_name_en if locale == "en" else settings.centre_name_zh
    message = EXPIRING_TEXT if reminder.stage == "expiring" else EXPIRED_TEXT
    return gettext(locale, message, centre=centre, what=what, date=reminder.expires_on.isoformat())


def _handle(session: Session, reminder: ProviderReminder, settings: Settings, send: ReminderSender) -> None:
    now = clock.now()
    provider = reminder.provider
    if provider.status == "removed" or _current_expiry(reminder) != reminder.expires_on:
        reminder.outcome, reminder.sent_at = "skipped", now  # removed, or renewed since it was scheduled
        return
    if reminder.stage == "expiring" and now.astimezone(settings.zone).date() >= reminder.expires_on:
        reminder.outcome, reminder.sent_at = "skipped", now  # too late to warn: the "expired" text says it all
        return
    try:
        with session.begin_nested():
            send(
                session,
                to=provider.phone,
                body=reminder_text(reminder, settings),
                purpose="provider_reminder",
                subject=f"provider:{provider.id}",
                idempotency_key=f"provider-reminder:{reminder.id}",
            )
    except Exception as exc:
        reminder.attempts += 1
        reminder.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if reminder.attempts >= MAX_ATTEMPTS:
            reminder.outcome, reminder.sent_at = "failed", now
        else:
            reminder.due_at = now + dt.timedelta(minutes=2**reminder.attempts)
        log.warning("reminder %s for provider %s failed: %s", reminder.id, provider.id, reminder.last_error)
        return
    reminder.outcome, reminder.sent_at = "sent", now


def send_due_reminders(db: Database, settings: Settings, *, send: ReminderSender, batch: int = 100) -> int:
    """Claim due reminders in batches, one transaction per batch; returns how many were handled.
    One failing text does not stop the others: it is retried later with a backoff."""
    handled = 0
    while True:
        with db.transaction() as session:
            due = list(
                session.scalars(
                    select(ProviderReminder)
                    .where(ProviderReminder.sent_at.is_(None), ProviderReminder.due_at <= clock.now())
                    .order_by(ProviderReminder.due_at, ProviderReminder.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True, of=ProviderReminder)
                )
            )
            for reminder in due:
                _handle(session, reminder, settings, send)
            session.flush()
        handled += len(due)
        if len(due) < batch:
            return handled
