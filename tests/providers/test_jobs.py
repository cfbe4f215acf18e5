"""Expiry reminders: rows with a due time, claimed in batches by the sweeper, sent through a sender."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from providers import jobs, service
from providers.models import ProviderReminder
from tests.providers import builders


class RecordingSender:
    def __init__(self, fail_for: set[str] | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail_for = fail_for or set()

    def __call__(self, session: Any, **message: Any) -> None:
        if message["to"] in self.fail_for:
            raise ConnectionError("outbox unavailable")
        self.sent.append(message)


def _reminders(db: Database) -> list[ProviderReminder]:
    with db.read() as session:
        rows = list(session.scalars(select(ProviderReminder).order_by(ProviderReminder.id)))
        session.expunge_all()  # keep them readable after the read unit ends
        return rows


def test_insurance_reminders_go_out_30_days_ahead_and_on_the_day(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings, documents_valid_until=None, trained_on=None)
        service.add_document(
            session,
            provider=p,
            kind="insurance",
            expires_on=dt.date(2026, 12, 31),
            actor=Actor.system(),
            zone=settings.zone,
        )
    due = [(r.stage, r.due_at) for r in _reminders(db)]
    assert due == [
        ("expiring", dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)),  # 09:00 in Shanghai
        ("expired", dt.datetime(2026, 12, 31, 1, 0, tzinfo=dt.UTC)),
    ]
    sender = RecordingSender()
    with clock.freeze(dt.datetime(2026, 11, 30, tzinfo=dt.UTC)):
        assert jobs.send_due_reminders(db, settings, send=sender) == 0
    with clock.freeze(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)):
        assert jobs.send_due_reminders(db, settings, send=sender) == 1
        assert jobs.send_due_reminders(db, settings, send=sender) == 0  # never twice
    [message] = sender.sent
    assert message["to"] == p.phone
    assert message["purpose"] == "provider_reminder"
    assert message["idempotency_key"] == f"provider-reminder:{_reminders(db)[0].id}"
    assert message["body"] == (
        "【96345 社区服务热线】您的责任保险将于2026-12-31到期，请及时办理续期并将复印件交中心备案，否则将无法继续接单。"
    )


def test_a_renewed_document_cancels_its_old_reminders_and_a_failing_send_is_retried(
    db: Database, settings: Settings
) -> None:
    with db.transaction() as session:
        renewed = builders.provider(
            session,
            settings,
            phone="+8613800000001",
            language="en",
            trained_on=None,
            documents_valid_until=dt.date(2026, 12, 10),
        )
        failing = builders.provider(
            session, settings, phone="+8613800000002", trained_on=None, documents_valid_until=dt.date(2026, 12, 10)
        )
        service.add_document(
            session,
            provider=renewed,
            kind="insurance",
            expires_on=dt.date(2027, 12, 10),
            actor=Actor.system(),
            zone=settings.zone,
        )
    sender = RecordingSender(fail_for={"+8613800000002"})
    with clock.freeze(dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC)):
        handled = jobs.send_due_reminders(db, settings, send=sender, batch=3)  # 8 due: three batches
    assert handled == 8
    outcomes = {
        (r.provider_id, r.subject, r.stage): (r.outcome, r.attempts)
        for r in _reminders(db)
        if r.expires_on.year == 2026
    }
    assert outcomes[(renewed.id, "document:insurance", "expired")] == ("skipped", 0)
    assert outcomes[(renewed.id, "document:business_licence", "expired")] == ("sent", 0)
    assert outcomes[(failing.id, "document:insurance", "expired")] == (None, 1)
    assert [m["body"] for m in sender.sent if "expired" in m["body"]] == [
        "96345 Community Service Hotline: your Business licence expired on 2026-12-10. "
        "You will receive no jobs until the centre has the renewal."
    ]
    retry = [r for r in _reminders(db) if r.provider_id == failing.id and r.outcome is None]
    assert retry and all(r.last_error == "ConnectionError: outbox unavailable" for r in retry)
    with clock.freeze(dt.datetime(2026, 12, 10, 3, 5, tzinfo=dt.UTC)):
        # only the two "expired" texts are retried; the failed "expiring" ones are too late by now
        assert jobs.send_due_reminders(db, settings, send=RecordingSender()) == 2
    assert all(r.outcome is not None for r in _reminders(db) if r.expires_on.year == 2026)
