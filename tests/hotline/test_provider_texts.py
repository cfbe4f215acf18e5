"""Providers text the hotline: their commands are carried out, their other texts open no ticket;
the expiry reminders the providers' sweeper sends leave through the SMS outbox."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from config import clock
from config.db import Database
from config.settings import Settings
from dispatch.models import Ticket
from hotline import scheduler
from hotline.app import background_workers, create_app
from providers import jobs, service
from sms import service as sms_service
from sms.models import InboundMessage, OutboundMessage
from tests.providers import builders
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL, text

PROVIDER_PHONE = "+8613857300101"


@pytest.fixture
def hotline(settings: Settings, db: Database) -> Iterator[TestClient]:
    with db.transaction() as session:
        builders.provider(session, settings, phone=PROVIDER_PHONE)
    app = create_app(settings.model_copy(update={"public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN}), db)
    with clock.freeze(builders.WORKDAY_MORNING), TestClient(app) as client:
        yield client


def reply(client: TestClient, body: str) -> str:
    response = text(client, body, sender=PROVIDER_PHONE)
    assert response.status_code == 200, response.text
    message = ET.fromstring(response.text).find("Message")
    assert message is not None and message.text
    return message.text


def paused(db: Database) -> bool:
    with db.read() as session:
        provider = service.get_provider_by_phone(session, phone=PROVIDER_PHONE)
        assert provider is not None
        return provider.paused


def test_provider_texts_pause_then_resume_and_gets_answers(hotline: TestClient, db: Database) -> None:
    answer = reply(hotline, "暂停")
    assert paused(db) and "暂停" in answer
    answer = reply(hotline, " ＲＥＳＵＭＥ ")
    assert not paused(db) and answer
    with db.read() as session:
        handled = list(session.scalars(select(InboundMessage.handled_as).order_by(InboundMessage.id)))
        assert handled == ["provider_command", "provider_command"]
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_other_texts_from_a_provider_are_kept_but_open_no_ticket(hotline: TestClient, db: Database) -> None:
    answer = reply(hotline, "收到，明天上午过去修水管")
    assert "暂停" in answer and "恢复" in answer
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0
        [message] = session.scalars(select(InboundMessage))
        assert (message.handled_as, message.body) == ("provider_text", "收到，明天上午过去修水管")


def test_serve_runs_the_expiry_reminder_sweeper(settings: Settings, db: Database) -> None:
    assert "scheduler" in background_workers(create_app(settings, db))
    assert scheduler.JOBS[jobs.JOB_NAME].every.total_seconds() == 60


def test_an_expiring_document_reminder_leaves_through_the_outbox(settings: Settings, db: Database) -> None:
    with clock.freeze(builders.WORKDAY_MORNING), db.transaction() as session:
        builders.provider(session, settings, phone=PROVIDER_PHONE, documents_valid_until=dt.date(2026, 12, 1))
    with clock.freeze(builders.WORKDAY_MORNING + dt.timedelta(days=15)):
        handled = jobs.send_due_reminders(db, settings, send=sms_service.queue_message)
    assert handled >= 1
    with db.read() as session:
        texts = list(session.scalars(select(OutboundMessage).where(OutboundMessage.to == PROVIDER_PHONE)))
        assert texts and all(t.purpose == "provider_reminder" and t.status == "queued" for t in texts)
        # the sweeper ran after the expiry day: only the "expired" texts, no late "will expire" warnings
        assert sorted(t.body for t in texts) == [
            "【96345 社区服务热线】您的营业执照已于2026-12-01到期，在中心收到更新材料前将暂停向您派单。",
            "【96345 社区服务热线】您的责任保险已于2026-12-01到期，在中心收到更新材料前将暂停向您派单。",
        ]
    with clock.freeze(builders.WORKDAY_MORNING + dt.timedelta(days=15)):
        assert jobs.send_due_reminders(db, settings, send=sms_service.queue_message) == 0  # sent once
