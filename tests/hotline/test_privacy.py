"""A resident's personal data has an end: exported on request, erased on request, anonymised after
the retention period; tickets and statistics stay countable, and every step is audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from config import catalog, clock, staff
from config.db import Database
from config.privacy import PrivacyEvent
from config.settings import Settings
from dispatch.models import LabelledText, Resident, Ticket
from hotline.voice import service as voice_service
from hotline.voice.callerid import CallerId
from hotline.voice.models import Call
from sms import service as sms_service
from sms.models import InboundMessage, OutboundMessage
from tests import factories
from tests.conftest import Cli

PHONE = "+8613800138000"
LONG_AGO = dt.datetime(2023, 3, 1, 2, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)


def _resident_with_everything(db: Database, settings: Settings, *, at: dt.datetime = NOW) -> int:
    """A resident who phoned and texted: a ticket with an operator-labelled text, texts both ways
    (one still queued), a call with a recording."""
    with clock.freeze(at), db.transaction() as session:
        staff.create(session, name="王芳", role="supervisor", extension="7001")  # personal data: supervisors
        ticket = factories.ticket(session, settings, phone=PHONE, text="张阿姨家厨房水管漏水，紫阳小区3幢402")
        ticket.resident.name, ticket.resident.address, ticket.address = "张阿姨", "3幢402", "3幢402"
        item = catalog.get_item(session, code="PE-PIPE-LEAK")
        session.add(LabelledText(text=ticket.description, item_id=item.id, ticket_id=ticket.id, actor="staff:1"))
        inbound = sms_service.new_inbound(
            message_sid="SM" + "1" * 32, from_raw=PHONE, phone=PHONE, to_number="+8657396345", body="水管漏水"
        )
        sms_service.record_exchange(session, inbound=inbound, reply="已收到")
        sms_service.queue_message(session, to=PHONE, body="请为本次服务打分", purpose="survey")
        call = voice_service.create_call(
            session, transport="twilio", external_id="CA" + "2" * 32, caller=CallerId(PHONE, "13800138000", False),
            started_at=clock.now(),
        )  # fmt: skip
        call.resident_id, call.recording_url = ticket.resident_id, "https://api.twilio.com/rec/RE1"
        return ticket.resident_id


def _events(db: Database) -> list[PrivacyEvent]:
    with db.read() as session:
        events = list(session.scalars(select(PrivacyEvent).order_by(PrivacyEvent.id)))
        session.expunge_all()  # readable after the read unit rolls back
        return events


def test_a_resident_gets_everything_held_about_them_and_the_export_is_audited(
    cli: Cli, db: Database, settings: Settings
) -> None:
    resident_id = _resident_with_everything(db, settings)
    result = cli("residents", "export", "138 0013 8000", "--by", "7001", "--reason", "resident's request")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["phone"] == PHONE
    [resident, ticket] = data["tickets"]
    assert resident["resident"]["name"] == "张阿姨" and resident["resident"]["address"] == "3幢402"
    assert ticket["ticket"]["description"].startswith("张阿姨家厨房水管漏水")
    assert ticket["ticket"]["labelled_texts"] == ["张阿姨家厨房水管漏水，紫阳小区3幢402"]
    texts = [(t["direction"], t["body"]) for t in data["texts"]]
    assert texts == [("in", "水管漏水"), ("out", "已收到"), ("out", "请为本次服务打分")]
    assert data["calls"][0]["recording_url"] == "https://api.twilio.com/rec/RE1"
    [event] = _events(db)
    assert (event.kind, event.actor, event.resident_id, event.reason) == (
        "export",
        "staff:1",
        resident_id,
        "resident's request",
    )
    assert event.counts == {"offers": 0, "surveys": 0, "texts": 3, "calls": 1, "tickets": 2, "web_forms": 0}


def test_erasing_a_resident_anonymises_everything_keeps_tickets_countable_and_cancels_what_is_queued(
    cli: Cli, db: Database, settings: Settings
) -> None:
    resident_id = _resident_with_everything(db, settings)
    result = cli("residents", "erase", PHONE, "--by", "王芳", "--reason", "resident's request of 2026-11-20")
    assert result.exit_code == 0, result.stderr
    with db.read() as session:
        resident = session.get(Resident, resident_id)
        assert resident is not None
        assert (resident.phone, resident.name, resident.address, resident.tags) == (
            f"erased:{resident_id}",
            None,
            None,
            [],
        )
        [ticket] = session.scalars(select(Ticket)).all()
        assert (ticket.description, ticket.address, ticket.item.code) == ("", None, "PE-PIPE-LEAK")  # still counts
        assert all(event.note is None for event in ticket.events)
        assert session.scalar(select(func.count()).select_from(LabelledText)) == 0
        texts = session.execute(select(InboundMessage.phone, InboundMessage.from_raw, InboundMessage.body)).all()
        assert [tuple(t) for t in texts] == [(None, "erased", "")]
        outbound = session.execute(
            select(OutboundMessage.to, OutboundMessage.body, OutboundMessage.status).order_by(OutboundMessage.id)
        ).all()
        assert [tuple(o) for o in outbound] == [("erased", "", "sent"), ("erased", "", "cancelled")]
        call = session.scalars(select(Call)).one()
        assert (call.caller_phone, call.caller_number, call.recording_url) == (None, None, None)
    [event] = _events(db)
    assert (event.kind, event.actor, event.resident_id) == ("erase", "staff:1", resident_id)
    assert PHONE not in json.dumps(event.counts) and PHONE not in (event.reason or "")
    again = cli("residents", "export", PHONE, "--by", "7001")
    assert again.exit_code == 2 and f"nothing is held about {PHONE}" in again.stderr


def test_erase_needs_who_and_why(cli: Cli, db: Database) -> None:
    result = cli("residents", "erase", PHONE, "--by", "王芳")
    assert result.exit_code == 2 and "--reason" in result.output


def test_the_retention_job_anonymises_old_closed_tickets_and_leaves_recent_work_alone(
    cli: Cli, db: Database, settings: Settings
) -> None:
    old_id = _resident_with_everything(db, settings, at=LONG_AGO)
    with clock.freeze(LONG_AGO), db.transaction() as session:
        session.scalars(select(Ticket)).one().status = "closed"
    with clock.freeze(NOW), db.transaction() as session:
        recent = factories.ticket(session, settings, phone="+8613912345678", text="楼道灯坏了，禾兴小区5幢")
        recent_resident = recent.resident_id
    with clock.freeze(NOW):
        first = cli("jobs", "run", "hotline.retention")
        second = cli("jobs", "run", "hotline.retention")
    assert first.exit_code == 0 and first.output.strip() != "hotline.retention: 0 handled"
    assert second.output.strip() == "hotline.retention: 0 handled"
    with db.read() as session:
        old = session.get(Resident, old_id)
        assert old is not None and old.phone == f"erased:{old_id}" and old.name is None
        descriptions = {r: d for r, d in session.execute(select(Ticket.resident_id, Ticket.description))}
        assert descriptions == {old_id: "", recent_resident: "楼道灯坏了，禾兴小区5幢"}
        assert session.scalar(select(func.count()).select_from(LabelledText)) == 0
        assert session.scalars(select(InboundMessage.body)).all() == [""]
        assert session.scalar(select(Resident.phone).where(Resident.id == recent_resident)) == "+8613912345678"
    [event] = _events(db)
    assert (event.kind, event.actor, event.reason) == ("retention", "system", "older than 730 days")


@pytest.mark.parametrize("days", [29, 0])
def test_the_retention_period_cannot_be_set_below_30_days(days: int) -> None:
    from config.errors import ConfigError
    from config.settings import load_settings

    with pytest.raises(ConfigError, match="HOTLINE_RETENTION_DAYS"):
        load_settings(demo=True, retention_days=days)


def test_an_operator_may_neither_export_nor_erase(cli: Cli, db: Database) -> None:
    with db.transaction() as session:
        factories.operator(session, name="李强", extension="7002")
    for command in ("export", "erase"):
        result = cli("residents", command, PHONE, "--by", "7002", "--reason", "asked")
        assert result.exit_code == 2 and "resident.data" in result.stderr
