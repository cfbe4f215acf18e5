"""The actions on a provider's page, role by role: vetting paperwork (operators up), status and
pause (supervisors up), approval (supervisors up); each audited with the staff member."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from config import clock, staff
from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from providers import service
from providers.states import CHECKLIST
from tests.console_support import log_in
from tests.providers import builders
from tests.providers.builders import WORKDAY_MORNING

ROLES = ("observer", "operator", "dispatcher", "supervisor", "admin")
ALLOWED = {
    "vet": {"operator", "dispatcher", "supervisor", "admin"},
    "document": {"operator", "dispatcher", "supervisor", "admin"},
    "training": {"operator", "dispatcher", "supervisor", "admin"},
    "status": {"supervisor", "admin"},
    "pause": {"supervisor", "admin"},
    "approve": {"supervisor", "admin"},
}
FORMS = {
    "vet": {"item": "identity", "note": "身份证已看"},
    "document": {"kind": "insurance", "expires": "2028-06-30", "number": "PICC-1"},
    "training": {"course": "safety", "completed": "2026-11-01"},
    "status": {"to": "suspended", "reason": "投诉三次"},
    "pause": {"paused": "1", "reason": "休假"},
    "approve": {"probation": "1"},
}


def _provider(db: Database, settings: Settings, n: int, action: str) -> int:
    with db.transaction() as session:
        status = {"vet": "vetting", "approve": "vetting"}.get(action, "active")
        p = builders.provider(session, settings, kind="individual", phone=f"+861385730{n:04d}", status=status)
        if action == "approve":
            checker = staff.create(session, name=f"核查员{n}", role="operator")
            for item in CHECKLIST[p.kind]:
                service.check_vetting_item(session, provider=p, item=item, staff=checker)
        return p.id


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_take_exactly_its_provider_actions(db: Database, settings: Settings, role: str) -> None:
    with clock.freeze(WORKDAY_MORNING), TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, role)
        for n, action in enumerate(ALLOWED):
            provider_id = _provider(db, settings, n, action)
            with db.read() as session:
                before = len(
                    service.events_of(session, provider=service.get_provider(session, provider_id=provider_id))
                )
            page = client.get(f"/providers/{provider_id}").text
            response = client.post(
                f"/providers/{provider_id}/{action}", data={"csrf": me.csrf, **FORMS[action]}, follow_redirects=False
            )
            with db.read() as session:
                events = service.events_of(session, provider=service.get_provider(session, provider_id=provider_id))
                last_actor = events[-1].actor if events else None
            if role in ALLOWED[action]:
                assert f'action="/providers/{provider_id}/{action}"' in page, (role, action)
                assert response.status_code == 303, (role, action, response.text[-400:])
                assert len(events) > before and last_actor == f"staff:{me.staff_id}", (role, action)
            else:
                assert f'action="/providers/{provider_id}/{action}"' not in page, (role, action)
                assert response.status_code == 403, (role, action)
                assert len(events) == before, (role, action)


def test_a_refused_approval_says_why(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        provider_id = builders.provider(session, settings, kind="individual", status="vetting").id
    with TestClient(create_app(settings, db)) as client:
        boss = log_in(client, db, settings, "supervisor")
        refused = client.post(
            f"/providers/{provider_id}/approve", data={"csrf": boss.csrf}, headers={"accept-language": "en"}
        )
    assert refused.status_code == 422 and "vetting checklist incomplete" in refused.text
    with db.read() as session:
        assert service.get_provider(session, provider_id=provider_id).status == "vetting"


def test_recording_a_volunteers_induction_ticks_it_on_the_vetting_checklist(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        provider_id = builders.provider(session, settings, kind="volunteer", status="vetting").id
    with clock.freeze(WORKDAY_MORNING), TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        done = client.post(
            f"/providers/{provider_id}/training",
            data={"csrf": me.csrf, "course": "induction", "completed": "2026-11-18"},
            follow_redirects=False,
        )
        page = client.get(f"/providers/{provider_id}", headers={"accept-language": "en"}).text
    assert done.status_code == 303
    with db.read() as session:
        provider = service.get_provider(session, provider_id=provider_id)
        checks = [(c.item, c.staff_id) for c in provider.checks]
        kinds = [e.kind for e in service.events_of(session, provider=provider)]
    assert checks == [("induction", me.staff_id)]
    assert kinds[-2:] == ["training", "vetting_check"]
    assert "Induction training attended" in page


def test_paperwork_that_has_lapsed_is_refused_on_the_page_as_the_import_refuses_it(
    db: Database, settings: Settings
) -> None:
    with db.transaction() as session:
        provider_id = builders.provider(session, settings, kind="individual", status="active").id
    with clock.freeze(WORKDAY_MORNING), TestClient(create_app(settings, db)) as client:  # 2026-11-20 in the centre
        me = log_in(client, db, settings, "operator")

        def post(action: str, **form: str):  # type: ignore[no-untyped-def]
            return client.post(f"/providers/{provider_id}/{action}", data={"csrf": me.csrf, **form})

        expired = post("document", kind="insurance", expires="2026-11-19", number="PICC-0")
        today = post("document", kind="insurance", expires="2026-11-20", number="PICC-1")
        stale_course = post("training", course="safety", completed="2025-11-01")
        future_course = post("training", course="safety", completed="2026-12-01")
    assert expired.status_code == 422 and "insurance 2026-11-19 has passed; record the renewed document" in expired.text
    assert today.status_code == 200  # valid through its last day
    assert stale_course.status_code == 422 and "expired on 2026-11-01" in stale_course.text
    assert future_course.status_code == 422 and "is in the future" in future_course.text
    with db.read() as session:
        provider = service.get_provider(session, provider_id=provider_id)
        assert [d.number for d in provider.documents if d.kind == "insurance"] == ["PICC-1"]
        refused = {dt.date(2025, 11, 1), dt.date(2026, 12, 1)}
        assert not [t for t in provider.trainings if t.completed_on in refused]
