"""The ticket page: what a role sees, and every role against every action on it."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from callbacks import complaints
from config import clock
from config.db import Database
from config.i18n import gettext
from config.settings import Settings
from config.staff import Actor
from dispatch import escalation, lifecycle, offers, service
from dispatch.models import TicketEvent
from hotline.app import create_app
from hotline.ticket_page import KIND_LABELS
from hotline.voice import service as voice_service
from hotline.voice.models import Call
from tests.console_support import log_in
from tests.dispatch import scene

ROLES = ("observer", "operator", "dispatcher", "supervisor", "admin")
# From the issue: operators triage, offer, note and resolve; dispatchers also override, cancel, reopen.
ALLOWED = {
    "triage": {"operator", "dispatcher", "supervisor", "admin"},
    "offer": {"operator", "dispatcher", "supervisor", "admin"},
    "note": {"operator", "dispatcher", "supervisor", "admin"},
    "resolve": {"operator", "dispatcher", "supervisor", "admin"},
    "override": {"dispatcher", "supervisor", "admin"},
    "cancel": {"dispatcher", "supervisor", "admin"},
    "reopen": {"dispatcher", "supervisor", "admin"},
    "escalate": {"dispatcher", "supervisor", "admin"},
    "acknowledge": {"dispatcher", "supervisor", "admin"},  # an escalation to the dispatchers
}


def _ticket(
    db: Database, settings: Settings, phone: str, *, cancelled: bool = False, escalated: str | None = None
) -> str:
    with db.transaction() as session:
        ticket = scene.leak(session, settings, phone=phone)
        if cancelled:
            lifecycle.cancel(session, ticket=ticket, settings=settings, actor=Actor.system(), note="duplicate")
        if escalated:
            why = "rounds" if escalated == "dispatcher" else "sla_breached"
            escalation.escalate(session, ticket=ticket, settings=settings, level=escalated, why=why)
        return ticket.number


def _second_choice(db: Database, settings: Settings, number: str) -> int:
    with db.read() as session:
        ranking = offers.suggest(session, ticket=service.get_ticket(session, number=number), settings=settings)
        return ranking.candidates[1].provider.id


def _post(client: TestClient, csrf: str, number: str, action: str, second: int):  # type: ignore[no-untyped-def]
    path, form = {
        "triage": ("triage", {"urgency": "urgent"}),
        "offer": ("offer", {}),
        "override": ("offer", {"provider_id": str(second), "reason": "居民点名要他"}),
        "note": ("note", {"text": "居民下午在家"}),
        "resolve": ("resolve", {"text": "已告知物业电话"}),
        "cancel": ("cancel", {"reason": "重复工单"}),
        "reopen": ("reopen", {"reason": "居民再次来电"}),
        "escalate": ("escalate", {"reason": "居民第三次来电，仍无人接单"}),
        "acknowledge": ("acknowledge", {"note": "我来联系备用服务商"}),
    }[action]
    return client.post(f"/tickets/{number}/{path}", data={"csrf": csrf, **form}, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_its_actions_and_each_is_audited(db: Database, settings: Settings, role: str) -> None:
    with clock.freeze(scene.NOW):
        with db.transaction() as session:
            for n in range(2):
                scene.plumber(session, settings, n)
        with TestClient(create_app(settings, db)) as client:
            me = log_in(client, db, settings, role)
            for n, action in enumerate(ALLOWED):
                number = _ticket(
                    db,
                    settings,
                    f"+861380013{n:04d}",
                    cancelled=action == "reopen",
                    escalated="dispatcher" if action == "acknowledge" else None,
                )
                with db.read() as session:
                    before = len(service.get_ticket(session, number=number).events)
                second = _second_choice(db, settings, number) if action == "override" else 0
                response = _post(client, me.csrf, number, action, second)
                with db.read() as session:
                    events = service.get_ticket(session, number=number).events
                    after, last = len(events), events[-1]
                    staff_id = last.staff_id
                if role in ALLOWED[action]:
                    assert response.status_code == 303, (role, action, response.text[-500:])
                    assert after > before and staff_id == me.staff_id, (role, action)
                else:
                    assert response.status_code == 403, (role, action, response.status_code)
                    assert after == before, (role, action)


def test_the_page_shows_timeline_resident_and_suggestions_by_role(db: Database, settings: Settings) -> None:
    with clock.freeze(scene.NOW):
        with db.transaction() as session:
            scene.plumber(session, settings, 0)
            ticket = scene.leak(session, settings)
            service.add_note(session, ticket=ticket, note='<script>alert("x")</script>"onerror=', actor=Actor.system())
            number = ticket.number
        with TestClient(create_app(settings, db)) as client:
            log_in(client, db, settings, "operator")
            page = client.get(f"/tickets/{number}", headers={"accept-language": "zh-CN"}).text
            log_in(client, db, settings, "observer")
            observed = client.get(f"/tickets/{number}").text
            missing = client.get("/tickets/0000000000", headers={"accept": "text/html"})
    assert number in page and "李阿姨" in page and "138 0013 8000" in page and "厨房水管漏水" in page
    assert "水电维修1号" in page and 'id="offer-top"' in page and "推荐服务主体" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#34;onerror=" in page
    assert "138****8000" in observed and "+8613800138000" not in observed
    assert f'action="/tickets/{number}/' not in observed  # an observer gets no forms
    assert missing.status_code == 404 and "<h1>" in missing.text


def test_a_refused_action_shows_why_and_changes_nothing(db: Database, settings: Settings) -> None:
    with clock.freeze(scene.NOW):
        number = _ticket(db, settings, "+8613800138000")
        with TestClient(create_app(settings, db)) as client:
            me = log_in(client, db, settings, "operator")
            empty = client.post(f"/tickets/{number}/note", data={"csrf": me.csrf, "text": "  "})
            no_csrf = client.post(f"/tickets/{number}/note", data={"text": "hello"})
    assert empty.status_code == 422 and "note is empty" in empty.text
    assert no_csrf.status_code == 403
    with db.read() as session:
        kinds = [e.kind for e in session.query(TicketEvent).all()]
    assert kinds == ["created"]


def test_escalations_are_taken_in_hand_by_the_role_that_may_and_shown(db: Database, settings: Settings) -> None:
    with clock.freeze(scene.NOW):
        to_supervisor = _ticket(db, settings, "+8613800138001", escalated="supervisor")
        by_hand = _ticket(db, settings, "+8613800138002")
        with TestClient(create_app(settings, db)) as client:
            dispatcher = log_in(client, db, settings, "dispatcher")
            shown = client.get(f"/tickets/{to_supervisor}").text
            refused = client.post(f"/tickets/{to_supervisor}/acknowledge", data={"csrf": dispatcher.csrf})
            raised = client.post(
                f"/tickets/{by_hand}/escalate",
                data={"csrf": dispatcher.csrf, "reason": "居民情绪激动"},
                follow_redirects=False,
            )
            again = client.post(f"/tickets/{by_hand}/escalate", data={"csrf": dispatcher.csrf, "reason": "再次"})
            supervisor = log_in(client, db, settings, "supervisor")
            taken = client.post(
                f"/tickets/{by_hand}/acknowledge",
                data={"csrf": supervisor.csrf, "note": "我来处理"},
                follow_redirects=False,
            )
            twice = client.post(f"/tickets/{by_hand}/acknowledge", data={"csrf": supervisor.csrf})
            after = client.get(f"/tickets/{by_hand}", headers={"accept-language": "en"}).text
    assert 'action="/tickets/' + to_supervisor + '/acknowledge"' not in shown  # a dispatcher may not take it
    assert refused.status_code == 403
    assert raised.status_code == 303 and again.status_code == 409
    assert taken.status_code == 303 and twice.status_code == 409
    assert "Escalated to a supervisor" in after and f"taken in hand by {supervisor.name}" in after
    with db.read() as session:
        events = service.get_ticket(session, number=by_hand).events
        raised_and_taken = [
            (e.kind, e.staff_id, e.note, e.data) for e in events if e.kind in ("escalated", "acknowledged")
        ]
    assert raised_and_taken == [
        ("escalated", dispatcher.staff_id, "居民情绪激动", {"level": "supervisor", "why": "by_hand"}),
        ("acknowledged", supervisor.staff_id, "我来处理", {"level": "supervisor"}),
    ]


def test_calls_show_in_the_timeline_with_their_recording_for_roles_that_see_personal_data(
    db: Database, settings: Settings
) -> None:
    with clock.freeze(scene.NOW):
        number = _ticket(db, settings, "+8613800138000")
        with db.transaction() as session:
            ticket = service.get_ticket(session, number=number)
            for n, url in enumerate(("https://api.twilio.com/2010-04-01/Recordings/RE1", "javascript:alert(1)")):
                session.add(
                    Call(
                        transport="twilio",
                        external_id=f"CA{n}",
                        caller_phone="+8613800138000",
                        ticket_id=ticket.id,
                        outcome="answered",
                        talk_seconds=95,
                        recording_url=url,
                    )
                )
        with TestClient(create_app(settings, db)) as client:
            log_in(client, db, settings, "operator")
            operator = client.get(f"/tickets/{number}", headers={"accept-language": "en"}).text
            log_in(client, db, settings, "observer")
            observer = client.get(f"/tickets/{number}", headers={"accept-language": "en"}).text
    assert operator.count("Call (Answered)") == 2 and "95 s" in operator
    assert 'href="https://api.twilio.com/2010-04-01/Recordings/RE1"' in operator and "javascript:" not in operator
    assert "Call (Answered)" in observer and "Recordings/RE1" not in observer


def test_a_linked_call_and_a_complaint_read_in_the_readers_language_without_the_callers_phone(
    db: Database, settings: Settings
) -> None:
    """The timeline's own lines name the call and the complaint; the caller's phone shows only on
    the call's line, masked for roles that may not see phones."""
    with clock.freeze(scene.NOW):
        number = _ticket(db, settings, "+8613800138000")
        with db.transaction() as session:
            ticket = service.get_ticket(session, number=number)
            call = Call(transport="twilio", external_id="CA9", caller_phone="+8613900139000", outcome="answered")
            session.add(call)
            session.flush()
            assert voice_service.link_call_to_ticket(session, call=call, ticket=ticket, actor=Actor.system())
            complaint = complaints.open_complaint(
                session, resident=ticket.resident, text="师傅迟到", source="operator", actor=Actor.system(),
                settings=settings, ticket=ticket,
            )  # fmt: skip
            complaints.decide(
                session, complaint=complaint, outcome="upheld", reply="已核实", actor=Actor.system(), settings=settings
            )
        with TestClient(create_app(settings, db)) as client:
            log_in(client, db, settings, "observer")
            en = client.get(f"/tickets/{number}", headers={"accept-language": "en"}).text
            zh = client.get(f"/tickets/{number}", headers={"accept-language": "zh-CN"}).text
    assert "Phone call linked" in en and f"Call {call.id}" in en
    assert "Complaint opened" in en and f"Complaint {complaint.id}: upheld" in en and "师傅迟到" in en
    assert "已关联来电" in zh and "投诉已登记" in zh and "投诉已处理" in zh
    assert f"投诉 {complaint.id}：{gettext('zh_CN', 'upheld')}" in zh
    assert "+8613900139000" not in en and "13900139000" not in zh  # the observer sees the caller masked


def test_respond_by_names_the_day_unless_it_is_today(db: Database, settings: Settings) -> None:
    with clock.freeze(scene.NOW):
        number = _ticket(db, settings, "+8613800138000")
        with db.read() as session:
            due = service.get_ticket(session, number=number).due_at
        assert due is not None
        local = due.astimezone(settings.zone)
        with TestClient(create_app(settings, db)) as client:
            log_in(client, db, settings, "operator")
            today = client.get(f"/tickets/{number}", headers={"accept-language": "en"}).text
            with clock.freeze(scene.NOW + dt.timedelta(days=3)):
                log_in(client, db, settings, "operator")  # the first login has timed out
                later = client.get(f"/tickets/{number}", headers={"accept-language": "en"}).text
    assert f"respond by {local:%H:%M}<" in today
    assert f"respond by {local:%m-%d %H:%M}<" in later


def test_every_kind_of_ticket_event_the_code_writes_has_a_timeline_label_in_both_languages() -> None:
    """The timeline names an event by KIND_LABELS; a kind without one would show its raw code
    (``offer_expired``) to the operator."""
    root = Path(__file__).resolve().parents[2]
    written: set[str] = set()
    for package in ("dispatch", "callbacks", "hotline", "sms"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or getattr(node.func, "id", None) not in ("_record", "_mark"):
                    continue
                literals = [k.value for k in node.keywords if k.arg == "kind"]
                if getattr(node.func, "id", None) == "_mark" and len(node.args) == 4:
                    literals.append(node.args[3])
                written |= {c.value for c in literals if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    assert {"offer_expired", "offer_withdrawn", "sla_breached", "status"} <= written  # the scan finds them
    assert sorted(written - set(KIND_LABELS)) == []
    for kind in written:
        assert gettext("zh_CN", KIND_LABELS[kind]) != KIND_LABELS[kind] or kind == "status", kind


def test_every_status_of_a_text_out_has_a_label_in_both_languages() -> None:
    from hotline.ticket_page import TEXT_OUT_LABELS
    from sms.models import OUTBOUND_STATUSES

    assert set(TEXT_OUT_LABELS) == set(OUTBOUND_STATUSES)
    assert all(gettext("zh_CN", label) != label for label in TEXT_OUT_LABELS.values())
