"""The Twilio sender against a local HTTP server standing in for api.twilio.com."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from config import clock
from config.db import Database
from sms import outbox, service
from sms.models import OutboundMessage
from sms.senders import TwilioSender
from tests.twilio_support import ACCOUNT_SID, AUTH_TOKEN, FakeTwilioApi, created, error

START = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
POLICY = outbox.Policy(max_attempts=5, retry_seconds=30)


def _sender(api: FakeTwilioApi) -> TwilioSender:
    return TwilioSender(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number="+8657396345",
        status_callback="https://hotline.example.org/sms/twilio/status",
        base_url=api.url,
    )


def _queue(db: Database, *bodies: str) -> None:
    with db.transaction() as session:
        for index, body in enumerate(bodies):
            service.queue_message(session, to=f"+861380013800{index}", body=body, purpose="offer")


def _rows(db: Database) -> list[OutboundMessage]:
    with db.read() as session:
        rows = list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))
        session.expunge_all()  # keep them readable after the read unit ends
        return rows


def test_offer_text_reaches_twilio_with_credentials_and_callback(db: Database) -> None:
    with clock.freeze(START), FakeTwilioApi() as api:
        _queue(db, "新工单：厨房水管漏水，回复1接单")
        report = outbox.deliver_due(db, _sender(api), policy=POLICY)
    assert report.sent == 1
    [request] = api.requests
    assert request["To"] == "+8613800138000" and request["From"] == "+8657396345"
    assert request["Body"] == "新工单：厨房水管漏水，回复1接单"
    assert request["StatusCallback"] == "https://hotline.example.org/sms/twilio/status"
    assert api.auth[0].startswith("Basic ")
    [row] = _rows(db)
    assert (row.status, row.provider_sid, row.attempts, row.sender) == ("sent", "SM" + "1".zfill(32), 1, "twilio")
    assert row.sent_at == START


def test_429_is_retried_after_the_backoff(db: Database) -> None:
    def script(n: int, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        return error(429, 20429, "Too Many Requests") if n == 1 else created(form, f"SM{n:032d}")

    with FakeTwilioApi(script) as api:
        with clock.freeze(START):
            _queue(db, "reminder")
            first = outbox.deliver_due(db, _sender(api), policy=POLICY)
        [row] = _rows(db)
        assert (first.retrying, row.status, row.attempts) == (1, "retrying", 1)
        assert "429" in (row.last_error or "") and row.next_attempt_at == START + dt.timedelta(seconds=30)
        with clock.freeze(START + dt.timedelta(seconds=29)):
            assert outbox.deliver_due(db, _sender(api), policy=POLICY).claimed == 0  # not yet due
        with clock.freeze(START + dt.timedelta(seconds=30)):
            assert outbox.deliver_due(db, _sender(api), policy=POLICY).sent == 1
    assert len(api.requests) == 2 and len(api.accepted) == 1
    assert _rows(db)[0].status == "sent"


def test_twilio_down_for_a_while_then_every_text_goes_out_exactly_once(db: Database) -> None:
    outage = 7  # the first 7 requests fail with 500, then Twilio recovers

    def script(n: int, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        return error(500, 20500, "Internal Server Error") if n <= outage else created(form, f"SM{n:032d}")

    bodies = [f"survey {i}" for i in range(5)]
    now = START
    with FakeTwilioApi(script) as api:
        with clock.freeze(now):
            _queue(db, *bodies)
        delays = []
        for _ in range(10):
            with clock.freeze(now):
                outbox.deliver_due(db, _sender(api), policy=POLICY)
            pending = [r for r in _rows(db) if r.status != "sent"]
            if not pending:
                break
            due = min(r.next_attempt_at for r in pending if r.next_attempt_at)
            delays.append(due - now)
            now = due
    rows = _rows(db)
    assert [r.status for r in rows] == ["sent"] * 5
    assert sorted(form["Body"] for form in api.accepted) == sorted(bodies)  # each exactly once
    assert len(api.requests) == outage + 5
    assert delays[:2] == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]  # exponential backoff
    assert max(r.attempts for r in rows) == 3


def test_400_goes_to_the_dead_letter_state_without_a_retry_storm(db: Database) -> None:
    def script(n: int, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        if form["To"].endswith("0"):
            return error(400, 21211, "The 'To' number is not a valid phone number.")
        return created(form, f"SM{n:032d}")

    with FakeTwilioApi(script) as api:
        with clock.freeze(START):
            _queue(db, "bad number", "good number")
        for minutes in (0, 5, 60, 600):
            with clock.freeze(START + dt.timedelta(minutes=minutes)):
                outbox.deliver_due(db, _sender(api), policy=POLICY)
    bad, good = _rows(db)
    assert (bad.status, bad.attempts, bad.next_attempt_at) == ("dead", 1, None)
    assert "21211" in (bad.last_error or "") and "not a valid phone number" in (bad.last_error or "")
    assert good.status == "sent"
    assert len(api.requests) == 2  # one try each, none repeated


def test_unreachable_twilio_is_retried_and_dead_after_max_attempts(db: Database) -> None:
    with FakeTwilioApi() as api:
        url = api.url  # the server is gone after this block: connection refused
    sender = TwilioSender(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number="+8657396345", base_url=url)
    policy = outbox.Policy(max_attempts=3, retry_seconds=1)
    now = START
    with clock.freeze(now):
        _queue(db, "hello")
    for _ in range(3):
        with clock.freeze(now):
            outbox.deliver_due(db, sender, policy=policy)
        now += dt.timedelta(hours=1)
    [row] = _rows(db)
    assert (row.status, row.attempts) == ("dead", 3)
    assert "unreachable" in (row.last_error or "")


def test_twilio_backend_needs_its_credentials_and_sends_with_the_status_callback() -> None:
    from config.errors import ConfigError
    from config.settings import load_settings
    from sms.senders import ConsoleSender, sender_for

    with pytest.raises(ConfigError, match="HOTLINE_SMS_BACKEND=twilio needs TWILIO_AUTH_TOKEN"):
        load_settings(demo=True, sms_backend="twilio", TWILIO_ACCOUNT_SID=ACCOUNT_SID)
    settings = load_settings(
        demo=True,
        sms_backend="twilio",
        public_url="https://hotline.example.org/",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM_NUMBER="+8657396345",
    )
    sender = sender_for(settings)
    assert isinstance(sender, TwilioSender)
    assert sender.status_callback == "https://hotline.example.org/sms/twilio/status"
    assert isinstance(sender_for(load_settings(demo=True)), ConsoleSender)
