"""The ticket page: what a role sees, and every role against every action on it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import lifecycle, offers, service
from dispatch.models import TicketEvent
from hotline.app import create_app
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
}


def _ticket(db: Database, settings: Settings, phone: str, *, cancelled: bool = False) -> str:
    with db.transaction() as session:
        ticket = scene.leak(session, settings, phone=phone)
        if cancelled:
            lifecycle.cancel(session, ticket=ticket, settings=settings, actor=Actor.system(), note="duplicate")
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
                number = _ticket(db, settings, f"+861380013{n:04d}", cancelled=action == "reopen")
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
    assert number in page and "李阿姨" in page and "+8613800138000" in page and "厨房水管漏水" in page
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
