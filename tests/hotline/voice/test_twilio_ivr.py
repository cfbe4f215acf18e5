from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from config import clock
from config.db import Database
from config.settings import Settings
from dispatch import residents
from dispatch.models import Ticket
from hotline.app import create_app
from hotline.voice.models import Call, CallbackEntry
from tests import factories
from tests.support import shared_fixture

TOKEN = "12345"
MONDAY_MORNING = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
SUNDAY_NIGHT = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def recorded_bodies() -> list[dict[str, str]]:
    lines = shared_fixture("twilio", "request_variables.form.txt").read_text().splitlines()
    return [dict(urllib.parse.parse_qsl(line, keep_blank_values=True)) for line in lines if line.strip()]


def voice_call_from_a_phone() -> dict[str, str]:
    """The recorded outbound-api Voice webhook (From=+19253920364)."""
    return next(b for b in recorded_bodies() if b.get("Direction") == "outbound-api")


def voice_call_from_a_browser() -> dict[str, str]:
    """A recorded Voice client call: From=client:joey_ramone, no phone number."""
    return next(b for b in recorded_bodies() if b.get("From", "").startswith("client:"))


class Twilio:
    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client, self.settings = client, settings

    def post(self, path: str, params: dict[str, str], *, signature: str | None = None):  # type: ignore[no-untyped-def]
        url = self.settings.public_url.rstrip("/") + path
        signed = signature if signature is not None else RequestValidator(TOKEN).compute_signature(url, params)
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": signed})


@pytest.fixture
def twilio(db: Database, settings: Settings) -> Iterator[Twilio]:
    configured = settings.model_copy(update={"twilio_auth_token": TOKEN})
    with TestClient(create_app(configured, db)) as client:
        yield Twilio(client, configured)


def the_call(db: Database, sid: str) -> Call:
    with db.read() as session:
        call = session.scalar(select(Call).where(Call.external_id == sid))
        assert call is not None
        session.expunge(call)
        return call


def test_resident_hears_the_menu_in_english_picks_plumbing_and_reaches_an_operator(
    db: Database, twilio: Twilio
) -> None:
    body = voice_call_from_a_phone()
    with db.transaction() as session:
        factories.resident(session, phone="+19253920364", language="en", name="Joey")
    with clock.freeze(MONDAY_MORNING):
        menu = twilio.post("/voice/twilio/incoming", body)
        assert menu.status_code == 200 and menu.headers["content-type"].startswith("application/xml")
        assert '<Gather action="/voice/twilio/menu"' in menu.text and 'language="en-US"' in menu.text
        assert "Welcome to 96345 Community Service Hotline." in menu.text
        assert "For Housekeeping, press 1." in menu.text and "For Emergency Help, press 11." in menu.text
        assert "To speak to an operator, press 0." in menu.text
        chosen = twilio.post("/voice/twilio/menu", {**body, "Digits": "3#"})
        assert "You chose Plumbing &amp; Electrical." in chosen.text
        assert '<Enqueue action="/voice/twilio/queue-exit"' in chosen.text and ">hotline</Enqueue>" in chosen.text
        twilio.post("/voice/twilio/queue-exit", {**body, "QueueResult": "bridged", "QueueTime": "12"})
        done = twilio.post("/voice/twilio/status", {**body, "CallStatus": "completed", "CallDuration": "95"})
    assert done.status_code == 204
    call = the_call(db, body["CallSid"])
    assert (call.transport, call.caller_phone, call.category_code, call.queue) == (
        "twilio",
        "+19253920364",
        "plumbing_electrical",
        "hotline",
    )
    assert call.outcome == "answered" and call.hold_seconds == 12 and not call.emergency


def test_unknown_caller_hears_chinese_by_default_and_is_withheld(db: Database, twilio: Twilio) -> None:
    body = voice_call_from_a_browser()
    with clock.freeze(MONDAY_MORNING):
        menu = twilio.post("/voice/twilio/incoming", body)
    assert 'language="cmn-CN"' in menu.text and "欢迎致电96345 社区服务热线。" in menu.text
    assert "家政服务请按1。" in menu.text and "人工服务请按0，然后按井号键。" in menu.text
    call = the_call(db, body["CallSid"])
    assert call.caller_withheld and call.caller_phone is None and call.resident_id is None


def test_one_touch_resident_skips_the_menu_to_the_front_of_the_queue(db: Database, twilio: Twilio) -> None:
    body = voice_call_from_a_phone()
    with db.transaction() as session:
        resident = factories.resident(session, phone="+19253920364", language="zh_CN", name="王秀英")
        residents.set_resident_tags(session, resident=resident, tags=["elderly", "lives_alone", "one_touch"])
    with clock.freeze(MONDAY_MORNING):
        answer = twilio.post("/voice/twilio/incoming", body)
    assert "<Gather" not in answer.text
    assert ">hotline-emergency</Enqueue>" in answer.text and "一键通" in answer.text
    call = the_call(db, body["CallSid"])
    assert call.emergency and call.queue == "hotline-emergency"


def test_out_of_hours_voicemail_becomes_a_ticket_with_the_recording_link(db: Database, twilio: Twilio) -> None:
    body = voice_call_from_a_phone()
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC58f1e8f2b1c6b88ca90a012a4be0c279/Recordings/RE1234"
    with clock.freeze(SUNDAY_NIGHT):
        closed = twilio.post("/voice/twilio/incoming", body)
        assert "服务中心现在已下班" in closed.text and '<Record action="/voice/twilio/voicemail"' in closed.text
        left = {**body, "RecordingUrl": recording, "RecordingDuration": "17"}
        thanks = twilio.post("/voice/twilio/voicemail", left)
        again = twilio.post("/voice/twilio/voicemail", left)  # Twilio retried
        twilio.post("/voice/twilio/status", {**body, "CallStatus": "completed"})
    with db.read() as session:
        [ticket] = session.scalars(select(Ticket))
        assert ticket.channel == "phone" and ticket.item is None and recording in ticket.description
        assert ticket.resident.phone == "+19253920364" and ticket.events[0].actor == "system"
        number = ticket.number
    assert f"工单号 {' '.join(number)}" in thanks.text and thanks.text == again.text
    call = the_call(db, body["CallSid"])
    assert call.outcome == "voicemail" and call.recording_url == recording
    with db.read() as session:
        assert session.scalars(select(CallbackEntry)).all() == []


def test_no_operator_answers_in_time_so_the_caller_leaves_for_voicemail(db: Database, twilio: Twilio) -> None:
    body = voice_call_from_a_phone()
    with clock.freeze(MONDAY_MORNING):
        twilio.post("/voice/twilio/incoming", body)
        twilio.post("/voice/twilio/menu", {**body, "Digits": "0"})
        holding = twilio.post("/voice/twilio/wait", {**body, "QueueTime": "30"})
        giving_up = twilio.post("/voice/twilio/wait", {**body, "QueueTime": "125"})
        offered = twilio.post("/voice/twilio/queue-exit", {**body, "QueueResult": "leave", "QueueTime": "125"})
    assert "坐席正忙" in holding.text and "<Pause" in holding.text
    assert "<Leave />" in giving_up.text
    assert "<Record" in offered.text and "暂时没有空闲的话务员" in offered.text
    assert the_call(db, body["CallSid"]).hold_seconds == 125


def test_caller_hanging_up_in_the_queue_lands_on_the_callback_list_once(db: Database, twilio: Twilio) -> None:
    body = voice_call_from_a_phone()
    with clock.freeze(MONDAY_MORNING):
        for _ in range(2):  # Twilio retries every webhook: nothing doubles
            twilio.post("/voice/twilio/incoming", body)
            twilio.post("/voice/twilio/menu", {**body, "Digits": "0"})
            twilio.post("/voice/twilio/queue-exit", {**body, "QueueResult": "hangup", "QueueTime": "40"})
            twilio.post("/voice/twilio/status", {**body, "CallStatus": "completed"})
    with db.read() as session:
        [call] = session.scalars(select(Call))
        [entry] = session.scalars(select(CallbackEntry))
        assert call.outcome == "abandoned" and call.hangup_cause_text == "completed"
        assert (entry.reason, entry.phone, entry.number, entry.missed_count) == (
            "abandoned",
            "+19253920364",
            "0019253920364",
            1,
        )


def test_requests_without_a_valid_twilio_signature_are_refused(db: Database, twilio: Twilio) -> None:
    body = voice_call_from_a_phone()
    assert twilio.post("/voice/twilio/incoming", body, signature="").status_code == 403
    assert twilio.post("/voice/twilio/incoming", body, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert twilio.post("/voice/twilio/status", {**body, "CallStatus": "completed"}, signature="x").status_code == 403
    with db.read() as session:
        assert session.scalars(select(Call)).all() == []


def test_a_key_that_is_not_on_the_menu_plays_the_menu_again(db: Database, twilio: Twilio) -> None:
    body = voice_call_from_a_phone()
    with clock.freeze(MONDAY_MORNING):
        twilio.post("/voice/twilio/incoming", body)
        wrong = twilio.post("/voice/twilio/menu", {**body, "Digits": "42"})
    assert "不在菜单" in wrong.text and "<Redirect" in wrong.text and "/voice/twilio/incoming" in wrong.text
