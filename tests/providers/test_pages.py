"""The supervisor's pages: provider list with filters, profile, vetting queue (staff only)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from hotline.app import create_app
from providers import ledger, service
from tests.console_support import log_in
from tests.providers import builders
from tests.providers.builders import WORKDAY_MORNING


def _seed(db: Database, settings: Settings) -> dict[str, int]:
    with db.transaction() as session:
        boss = builders.supervisor(session)
        ready = builders.provider(session, settings, name="南湖水电维修服务部")
        expired = builders.provider(
            session, settings, phone="+8613800000002", name="过期保险公司", documents_valid_until=dt.date(2026, 11, 1)
        )
        applicant = builders.provider(
            session,
            settings,
            kind="volunteer",
            phone="+8613657300106",
            name="张志愿",
            status="applicant",
            items=("EC-VISIT",),
        )
        service.check_vetting_item(session, provider=applicant, item="identity", staff=boss, note="身份证已看")
        ledger.record(session, provider=ready, kind="offered", ticket_ref="ticket:1", at=WORKDAY_MORNING)
        ledger.record(session, provider=ready, kind="accepted", ticket_ref="ticket:1", at=WORKDAY_MORNING)
        service.set_paused(session, provider=expired, paused=True, actor=Actor.provider(expired.id))
        return {"ready": ready.id, "expired": expired.id, "applicant": applicant.id}


def test_pages_need_a_login(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        assert client.get("/providers").status_code == 401
        assert client.get("/providers/vetting").status_code == 401


def test_the_list_filters_and_says_why_a_provider_may_not_be_dispatched(db: Database, settings: Settings) -> None:
    ids = _seed(db, settings)
    with clock.freeze(WORKDAY_MORNING), TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "observer", name="观察员")
        page = client.get("/providers?lang=en").text
        assert "南湖水电维修服务部" in page and "张志愿" in page
        assert "Liability insurance expired on 2026-11-01" in page
        assert "138****0002" in page and "+8613800000002" not in page
        log_in(client, db, settings, "dispatcher", name="调度员")  # rings a provider who has not answered
        dispatcher = client.get("/providers?lang=en").text
        assert "138 0000 0002" in dispatcher and "138****0002" not in dispatcher
        assert "138 0000 0002" in client.get(f"/providers/{ids['expired']}?lang=en").text
        log_in(client, db, settings, "observer", name="观察员")
        eligible = client.get("/providers?lang=en&item=PE-PIPE-LEAK&area=330402003001&eligible=1").text
        assert f'href="/providers/{ids["ready"]}"' in eligible and "过期保险公司" not in eligible
        volunteers = client.get("/providers?lang=zh_CN&kind=volunteer").text
        assert "张志愿" in volunteers and "南湖水电维修服务部" not in volunteers
        assert "状态为“申请中”" in volunteers
        assert client.get("/providers?item=NOPE&area=1").status_code == 200  # unknown codes: no filter


def test_profile_and_vetting_queue_in_both_languages(db: Database, settings: Settings) -> None:
    ids = _seed(db, settings)
    with clock.freeze(WORKDAY_MORNING), TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "observer", name="观察员")
        profile = client.get(f"/providers/{ids['ready']}?lang=en").text
        assert "May be offered jobs now." in profile
        assert "Acceptance rate" in profile and "100%" in profile
        zh = client.get(f"/providers/{ids['expired']}?lang=zh_CN").text
        assert "当前不可派单" in zh and "责任保险已于2026-11-01过期" in zh and "已暂停接单" in zh
        queue = client.get("/providers/vetting?lang=zh_CN").text
        assert "张志愿" in queue and "1/3" in queue and "身份证已核验" in queue
        assert client.get("/providers/999").status_code == 404
