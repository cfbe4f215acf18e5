"""Twilio's delivery status callbacks update the text we sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from sms import outbox, service
from sms.models import OutboundMessage
from sms.senders import ConsoleSender
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL, post_signed


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN}), db)
    with TestClient(app) as test_client:
        yield test_client


def _sent_offer(db: Database) -> str:
    with db.transaction() as session:
        service.queue_message(session, to="+8613800138000", body="新工单，回复1接单", purpose="offer")
    assert outbox.deliver_due(db, ConsoleSender()).sent == 1
    with db.read() as session:
        sid = session.scalars(select(OutboundMessage.provider_sid)).one()
    assert sid is not None
    return sid


def _status(client: TestClient, sid: str, status: str, **extra: str) -> int:
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, **extra}
    return post_signed(client, "/sms/twilio/status", form).status_code


def _row(db: Database) -> OutboundMessage:
    with db.read() as session:
        row = session.scalars(select(OutboundMessage)).one()
        session.expunge_all()
        return row


def test_delivered_callback_marks_the_text_delivered(client: TestClient, db: Database) -> None:
    sid = _sent_offer(db)
    assert _status(client, sid, "sent") == 204
    assert _status(client, sid, "delivered") == 204
    row = _row(db)
    assert row.status == "delivered" and row.delivered_at is not None


def test_a_late_sent_callback_does_not_undo_delivered(client: TestClient, db: Database) -> None:
    sid = _sent_offer(db)
    _status(client, sid, "delivered")
    _status(client, sid, "sent")
    assert _row(db).status == "delivered"


def test_undelivered_callback_keeps_twilios_error_code(client: TestClient, db: Database) -> None:
    sid = _sent_offer(db)
    assert _status(client, sid, "undelivered", ErrorCode="30003") == 204
    row = _row(db)
    assert row.status == "undelivered" and "30003" in (row.last_error or "")


def test_callbacks_for_unknown_messages_or_unsigned_are_harmless(client: TestClient, db: Database) -> None:
    _sent_offer(db)
    assert _status(client, "SM" + "f" * 32, "delivered") == 204
    assert _status(client, "", "") == 204
    unsigned = client.post("/sms/twilio/status", data={"MessageSid": "console-1", "MessageStatus": "failed"})
    assert unsigned.status_code == 403
    assert _row(db).status == "sent"
