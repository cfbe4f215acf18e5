"""The JSON API: bearer keys and sessions, the role table, the same actions as the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from config import clock, staff
from config.db import Database
from config.settings import Settings
from dispatch import service
from hotline.app import create_app
from providers import service as provider_service
from providers.states import CHECKLIST
from tests.console_support import log_in
from tests.dispatch import scene
from tests.providers import builders


def _key(cli, role: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    key = cli("apikeys", "create", "--name", f"{role} tool", "--role", role).stdout.splitlines()[-1]
    return {"authorization": f"Bearer {key}"}


def test_a_key_opens_triages_and_offers_a_ticket(cli, db: Database, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    operator = _key(cli, "operator")
    observer = _key(cli, "observer")
    with clock.freeze(scene.NOW), TestClient(create_app(settings, db)) as client:
        with db.transaction() as session:
            scene.plumber(session, settings, 0)
        body = {"phone": "138 0013 8000", "item": "PE-PIPE-LEAK", "text": "厨房水管漏水"}
        assert client.post("/api/v1/tickets", json=body, headers=observer).status_code == 403
        created = client.post("/api/v1/tickets", json=body, headers=operator)
        assert created.status_code == 201, created.text
        number = created.json()["number"]
        assert created.json()["phone"] == "+8613800138000" and created.json()["channel"] == "api"
        refused = client.post(f"/api/v1/tickets/{number}/offer", json={}, headers=operator)
        assert refused.status_code == 422 and "has no community" in refused.json()["detail"]
        triaged = client.post(
            f"/api/v1/tickets/{number}/triage",
            json={"community": scene.COMMUNITY, "urgency": "urgent"},
            headers=operator,
        )
        assert triaged.json()["community_code"] == scene.COMMUNITY and triaged.json()["urgency"] == "urgent"
        offered = client.post(f"/api/v1/tickets/{number}/offer", json={}, headers=operator).json()
        assert offered["status"] == "offered" and offered["offers"][0]["status"] == "live"
        listed = client.get("/api/v1/tickets", headers=observer).json()
        assert listed["total"] == 1 and listed["tickets"][0]["phone"] == "138****8000"
        assert client.get(f"/api/v1/tickets/{number}", headers=observer).json()["phone"] == "138****8000"
        assert (
            client.post(f"/api/v1/tickets/{number}/cancel", json={"reason": "x"}, headers=operator).status_code == 403
        )
        assert client.get("/api/v1/tickets/0000000000", headers=observer).json() == {
            "detail": "no ticket numbered '0000000000'"
        }
    with db.read() as session:
        actors = {e.actor for e in service.get_ticket(session, number=number).events}
    assert actors == {"apikey:1"}


def test_an_operator_is_refused_approval_and_a_supervisor_approves(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        provider = builders.provider(session, settings, status="vetting")
        checker = staff.create(session, name="检查员", role="operator")
        for item in CHECKLIST[provider.kind]:
            provider_service.check_vetting_item(session, provider=provider, item=item, staff=checker, note=None)
        provider_id = provider.id
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        no_token = client.post(f"/api/v1/providers/{provider_id}/approve", json={})
        refused = client.post(f"/api/v1/providers/{provider_id}/approve", json={}, headers={"x-csrf-token": me.csrf})
        boss = log_in(client, db, settings, "supervisor")
        approved = client.post(
            f"/api/v1/providers/{provider_id}/approve", json={"probation": True}, headers={"x-csrf-token": boss.csrf}
        )
    assert no_token.status_code == 403 and "reload the page" in no_token.json()["detail"]
    assert (
        refused.status_code == 403 and refused.json()["detail"] == "王芳 is operator: not allowed to provider.approve"
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "probation"


def test_the_api_is_documented_with_its_bearer_scheme(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "observer")
        schema = client.get("/openapi.json").json()
    assert "/api/v1/tickets/{number}/offer" in schema["paths"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "/tickets/{number}/offer" not in schema["paths"]  # the page's forms are not the API
