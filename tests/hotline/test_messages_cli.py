"""Operators read texts, flush the outbox and triage texted tickets from the command line."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from config import clock
from config.db import Database
from config.settings import Settings
from dispatch.models import LabelledText, Ticket
from hotline.app import create_app
from sms import service
from tests.hotline.test_sms_intake import MONDAY_10AM, reply_of
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL, text


def _texted(settings: Settings, db: Database, *bodies: str, sender: str = "+8613800138000") -> None:
    app = create_app(settings.model_copy(update={"public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN}), db)
    with clock.freeze(MONDAY_10AM), TestClient(app) as client:
        for body in bodies:
            reply_of(text(client, body, sender=sender))


def test_operator_lists_a_tickets_messages_as_json(cli, settings: Settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    _texted(settings, db, "厨房水管漏水，紫阳小区3幢", "我下午在家")
    _texted(settings, db, "空调不制冷", sender="+8613912345678")
    number = json.loads(cli("ticket", "list", "--phone", "13800138000", "--json").stdout)[0]["number"]
    records = json.loads(cli("messages", "list", "--ticket", number, "--json").stdout)
    assert [(r["direction"], r["ticket"], r["phone"]) for r in records] == [
        ("inbound", number, "+8613800138000"),
        ("outbound", number, "+8613800138000"),
        ("inbound", number, "+8613800138000"),
        ("outbound", number, "+8613800138000"),
    ]
    first = records[0]
    assert first["body"] == "厨房水管漏水，紫阳小区3幢" and first["status"] == "handled"
    assert (first["encoding"], first["segments"], first["handled_as"]) == ("UCS-2", 1, "new_ticket")
    assert first["created_at"].startswith("2026-11-23T02:00:00")
    assert records[1]["via"] == "twiml" and records[1]["status"] == "sent" and number in records[1]["body"]
    by_phone = json.loads(cli("messages", "list", "--phone", "139 1234 5678", "--json").stdout)
    assert [r["body"] for r in by_phone if r["direction"] == "inbound"] == ["空调不制冷"]
    table = cli("messages", "list", "--ticket", number)
    assert table.exit_code == 0 and "<- +8613800138000" in table.output and "厨房水管漏水" in table.output
    shown = cli("ticket", "show", number).stdout
    assert (
        "Texts:" in shown and "<- handled    我下午在家" in shown and f"-> sent       已补充到您的工单{number}" in shown
    )


def test_listing_an_unknown_ticket_is_a_clear_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("messages", "list", "--ticket", "2611239999")
    assert result.exit_code == 2 and "no ticket numbered '2611239999'" in result.stderr


def test_send_pending_delivers_the_outbox_once(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        service.queue_message(session, to="+8613800138000", body="回访：请对本次服务打分 1-5", purpose="survey")
        service.queue_message(session, to="+8613912345678", body="reminder", purpose="reminder")
    first = cli("sms", "send-pending")
    second = cli("sms", "send-pending")
    assert first.exit_code == 0 and "sent 2, retrying later 0, dead 0 (via console)" in first.stdout
    assert "sent 0" in second.stdout
    records = json.loads(cli("messages", "list", "--status", "sent", "--json").stdout)
    assert sorted(r["purpose"] for r in records) == ["reminder", "survey"]
    assert all(r["attempts"] == 1 and r["message_sid"].startswith("console-") for r in records)


def test_operator_sees_suggestions_then_corrects_a_texted_ticket(cli, settings: Settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    _texted(settings, db, "洗衣机旁边的插座漏电")
    number = json.loads(cli("ticket", "list", "--json").stdout)[0]["number"]
    shown = cli("ticket", "classify", number)
    assert shown.exit_code == 0 and "(awaiting triage)" in shown.stdout
    assert "PE-CIRCUIT-FAULT" in shown.stdout and "AR-WASHER" in shown.stdout

    assert cli("users", "create", "--name", "王芳", "--role", "operator", "--extension", "7001").exit_code == 0
    corrected = cli("ticket", "classify", number, "PE-CIRCUIT-FAULT", "--operator", "7001")
    assert corrected.exit_code == 0, corrected.output
    assert "awaiting triage -> PE-CIRCUIT-FAULT" in corrected.stdout
    record = json.loads(cli("ticket", "show", number, "--json").stdout)
    assert (record["item_code"], record["item_confidence"]) == ("PE-CIRCUIT-FAULT", None)
    assert record["due_at"] is not None
    assert record["events"][-1]["kind"] == "classified" and record["events"][-1]["actor"].startswith("staff:")
    with db.read() as session:
        example = session.scalars(select(LabelledText)).one()
        assert (example.text, example.item.code, example.predicted_item) == (
            "洗衣机旁边的插座漏电",
            "PE-CIRCUIT-FAULT",
            None,
        )
        assert example.predicted_confidence is not None and example.actor.startswith("staff:")


def test_operator_confirms_the_classifiers_choice(cli, settings: Settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    _texted(settings, db, "马桶堵了冲不下去")
    number = json.loads(cli("ticket", "list", "--json").stdout)[0]["number"]
    confirmed = cli("ticket", "classify", number, "pe-toilet-unblock")
    assert confirmed.exit_code == 0 and "confirmed PE-TOILET-UNBLOCK" in confirmed.stdout
    with db.read() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.item_confidence is None  # an operator chose it now
        example = session.scalars(select(LabelledText)).one()
        assert example.predicted_item is not None and example.predicted_item.code == example.item.code


def test_classify_refuses_an_unknown_item(cli, settings: Settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    _texted(settings, db, "马桶堵了")
    number = json.loads(cli("ticket", "list", "--json").stdout)[0]["number"]
    result = cli("ticket", "classify", number, "NO-SUCH-ITEM")
    assert result.exit_code == 2 and "unknown service item" in result.stderr
