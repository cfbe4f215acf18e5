"""Taking a call in the console: the new-ticket form, the classifier's suggestion, the call link."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from config import clock
from config.db import Database
from config.settings import Settings
from dispatch import service
from hotline.app import create_app
from hotline.voice import service as voice_service
from hotline.voice.callerid import CallerId
from hotline.voice.models import Call
from tests import factories
from tests.console_support import log_in


def test_a_known_caller_is_on_the_form_with_their_open_tickets(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        factories.resident(session, "+8613800138000", name="李阿姨")
        number = factories.ticket(session, settings, text="水管又漏了").number
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "operator")
        page = client.get("/tickets/new?phone=138%200013%208000&call=5", headers={"accept-language": "zh-CN"}).text
        new = client.get("/tickets/new?phone=13900000000").text
    assert 'value="李阿姨"' in page and f'href="/tickets/{number}"' in page and "通话中" in page
    assert 'name="call" value="5"' in page
    assert "新来电" in new


def test_the_operator_opens_a_ticket_linked_to_the_call(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        call_id = voice_service.create_call(
            session,
            transport="ami",
            external_id="1700000000.1",
            caller=CallerId("+8613800138000", "8613800138000", False),
            started_at=clock.now(),
        ).id
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        form = {
            "csrf": me.csrf,
            "phone": "13800138000",
            "name": "李阿姨",
            "item": "PE-PIPE-LEAK",
            "text": "厨房水管漏水",
            "community": "330402003001",
            "address": "3幢401",
            "urgency": "urgent",
            "channel": "phone",
            "call": str(call_id),
        }
        missing = client.post("/tickets/new", data={**form, "item": ""})
        created = client.post("/tickets/new", data=form, follow_redirects=False)
    assert missing.status_code == 422 and "请选择居民需要的服务项目" in missing.text
    assert 'value="李阿姨"' in missing.text  # what was typed is kept
    assert created.status_code == 303
    number = created.headers["location"].removeprefix("/tickets/")
    with db.read() as session:
        ticket = service.get_ticket(session, number=number)
        assert (ticket.operator_id, ticket.urgency, ticket.community.code) == (me.staff_id, "urgent", "330402003001")
        assert ticket.resident.name == "李阿姨" and ticket.events[0].staff_id == me.staff_id
        assert session.get(Call, call_id).ticket_id == ticket.id


def test_the_classifier_suggests_from_what_is_typed(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "operator")
        found = client.get("/tickets/new/suggest", params={"text": "厨房水管漏水了"}).json()["suggestions"]
        nothing = client.get("/tickets/new/suggest", params={"text": ""}).json()["suggestions"]
    assert found[0]["code"] == "PE-PIPE-LEAK" and found[0]["name_zh"] == "水管漏水维修"
    assert nothing == []


def test_observers_take_no_calls_and_operators_watch_only_their_extension(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "observer")
        assert client.get("/tickets/new").status_code == 403
        log_in(client, db, settings, "operator")  # extension 7001
        other = client.get("/voice/events", params={"extension": "7002"})
        page = client.get("/").text
    assert other.status_code == 403 and "only their own extension" in other.json()["detail"]
    assert re.search(r'<meta name="hotline-extension" content="7001">', page)


def test_a_walk_in_records_where_it_was_received(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        form = {"csrf": me.csrf, "phone": "13800138000", "item": "EC-VISIT", "text": "想申请上门探访"}
        created = client.post(
            "/tickets/new",
            data={**form, "channel": "walk_in", "intake_point": "南湖社区服务中心"},
            follow_redirects=False,
        )
        number = created.headers["location"].removeprefix("/tickets/")
        page = client.get(f"/tickets/{number}", headers={"accept-language": "zh-CN"}).text
    with db.read() as session:
        ticket = service.get_ticket(session, number=number)
        assert ticket.channel == "walk_in"
        assert [(e.kind, e.note) for e in ticket.events][-1] == ("intake_point", "南湖社区服务中心")
    assert "受理点" in page and "南湖社区服务中心" in page
