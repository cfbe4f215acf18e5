"""The outbox sender: delivers queued texts after their transaction committed.

One pass (``deliver_due``) claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers never take the same row), marks them ``sending`` with a lease, commits, sends each outside
any transaction, and records the outcome in a short transaction of its own. A retryable failure
waits ``retry_seconds * 2**(attempts-1)`` (capped at an hour); a permanent failure, or the last of
``max_attempts``, leaves the row ``dead`` for an operator. A sender that dies mid-send leaves a
``sending`` row whose lease expires; it is tried again (at least once, never lost) until the
attempts reach ``max_attempts``, then it is ``dead`` too (a row that crashes its sender every time
must not be re-sent forever).

One row never stops the batch: a sender's exception or a failure to record the outcome is logged
and the pass goes on. If the pass itself is cut short (the database went away, Ctrl+C), the rows it
claimed but did not try are handed back (``queued`` again, the attempt not counted).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from config import clock, phones
from config.db import Database
from config.settings import QuietHours, Settings
from sms.models import OutboundMessage
from sms.senders import Outgoing, SendError, SmsSender

log = logging.getLogger("hotline.sms")
LEASE = dt.timedelta(minutes=5)
MAX_DELAY = dt.timedelta(hours=1)


@dataclass
class Policy:
    max_attempts: int = 6
    retry_seconds: float = 30.0
    batch: int = 20
    quiet_hours: QuietHours | None = None  # rows marked ``quiet`` wait while these last ...
    zone: dt.tzinfo = dt.UTC  # ... read in this zone

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            max_attempts=settings.sms_max_attempts,
            retry_seconds=settings.sms_retry_seconds,
            quiet_hours=settings.quiet_hours,
            zone=settings.zone,
        )

    def quiet_until(self, now: dt.datetime) -> dt.datetime | None:
        """The end of the quiet hours ``now`` falls in (UTC), or None outside them."""
        if self.quiet_hours is None:
            return None
        local = now.astimezone(self.zone)
        if not self.quiet_hours.contains(local.time()):
            return None
        end = dt.time.fromisoformat(self.quiet_hours.end)
        until = dt.datetime.combine(local.date(), end, tzinfo=self.zone)
        if until <= local:
            until = dt.datetime.combine(local.date() + dt.timedelta(days=1), end, tzinfo=self.zone)
        return until.astimezone(dt.UTC)

    def delay(self, attempts: int) -> dt.timedelta:
        return min(dt.timedelta(seconds=self.retry_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)


@dataclass
class PassReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.dead


def _claim(db: Database, *, policy: Policy) -> list[tuple[int, Outgoing]]:
    now = clock.now()
    quiet_until = policy.quiet_until(now)
    with db.transaction() as session:
        query = (
            select(OutboundMessage)
            .where(OutboundMessage.status.in_(("queued", "retrying", "sending")))
            .where(OutboundMessage.next_attempt_at <= now)
            .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
            .limit(policy.batch)
        )
        if not db.is_sqlite:  # SQLite serialises writers already
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for message in session.scalars(query):
            if message.status == "sending" and message.attempts >= policy.max_attempts:
                # its lease ran out without an outcome every time: the sender dies on it
                message.status, message.next_attempt_at, message.updated_at = "dead", None, now
                message.last_error = f"no outcome recorded after {message.attempts} attempts (sender crashed?)"
                log.warning("SMS %s to %s is dead: %s", message.id, phones.for_log(message.to), message.last_error)
                continue
            if message.quiet and quiet_until is not None:  # not urgent: wait for the morning
                message.next_attempt_at, message.updated_at = quiet_until, now
                continue
            message.status = "sending"
            message.attempts += 1
            message.next_attempt_at = now + LEASE
            message.updated_at = now
            key = message.idempotency_key or f"outbox-{message.id}"
            claimed.append((message.id, Outgoing(to=message.to, body=message.body, idempotency_key=key)))
    return claimed


def _record(
    db: Database, message_id: int, *, sender: str, sid: str | None, error: SendError | None, policy: Policy
) -> str:
    try:
        return _write_outcome(db, message_id, sender=sender, sid=sid, error=error, policy=policy)
    except IntegrityError:
        if sid is None:
            raise
        # the provider's id is on another row already: the text left, keep that and the clash
        log.error("SMS %s: provider id %s is already recorded on another text", message_id, sid)
        return _write_outcome(
            db, message_id, sender=sender, sid=None, error=None, policy=policy, note=f"provider id {sid} recorded twice"
        )


def _write_outcome(
    db: Database,
    message_id: int,
    *,
    sender: str,
    sid: str | None,
    error: SendError | None,
    policy: Policy,
    note: str | None = None,
) -> str:
    now = clock.now()
    with db.transaction() as session:
        message = session.get(OutboundMessage, message_id)
        assert message is not None
        message.sender = sender
        message.updated_at = now
        if error is None:
            message.status, message.provider_sid, message.sent_at = "sent", sid, now
            message.next_attempt_at, message.last_error = None, note
        elif error.retryable and message.attempts < policy.max_attempts:
            message.status, message.last_error = "retrying", str(error)
            message.next_attempt_at = now + policy.delay(message.attempts)
        else:
            message.status, message.last_error, message.next_attempt_at = "dead", str(error), None
        return message.status


def _release(db: Database, message_ids: list[int]) -> None:
    """Hand back rows claimed but never tried: due now, the attempt not counted."""
    if not message_ids:
        return
    now = clock.now()
    with db.transaction() as session:
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id.in_(message_ids), OutboundMessage.status == "sending")
            .values(
                status="queued",
                attempts=OutboundMessage.attempts - 1,
                next_attempt_at=now,
                updated_at=now,
            )
        )


def deliver_due(db: Database, sender: SmsSender, *, policy: Policy | None = None) -> PassReport:
    """One pass of the sender loop: deliver every due outbox row (up to a batch)."""
    policy = policy or Policy()
    report = PassReport()
    claimed = _claim(db, policy=policy)
    untried = [message_id for message_id, _ in claimed]
    try:
        for message_id, outgoing in claimed:
            untried.remove(message_id)
            _deliver(db, sender, message_id, outgoing, policy=policy, report=report)
    finally:
        try:
            _release(db, untried)
        except Exception:  # their lease runs out and they are tried again
            log.exception("could not hand back %d claimed texts", len(untried))
    return report


def _deliver(
    db: Database, sender: SmsSender, message_id: int, outgoing: Outgoing, *, policy: Policy, report: PassReport
) -> None:
    sid: str | None = None
    error: SendError | None = None
    try:
        sid = sender.send(outgoing)
    except SendError as exc:
        error = exc
    except Exception as exc:  # a bug in a sender must not stop the others
        log.exception("SMS sender %s failed on message %s", sender.name, message_id)
        error = SendError(f"{type(exc).__name__}: {exc}", retryable=True)
    try:
        status = _record(db, message_id, sender=sender.name, sid=sid, error=error, policy=policy)
    except Exception as exc:  # the row keeps its lease and comes back; the others go on
        log.exception("SMS %s: the outcome could not be recorded", message_id)
        report.errors.append(f"message {message_id}: outcome not recorded ({type(exc).__name__})")
        return
    if status == "sent":
        report.sent += 1
    elif status == "retrying":
        report.retrying += 1
    else:
        report.dead += 1
        log.warning("SMS %s to %s is dead: %s", message_id, phones.for_log(outgoing.to), error)
    if error is not None:
        report.errors.append(str(error))
