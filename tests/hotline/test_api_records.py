"""The API's residents, phone surveys and provider paperwork: every role against every endpoint
(the role table decides), each write audited, and all of it in the OpenAPI document."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from callbacks.models import Survey
from config import clock
from config.db import Database
from config.settings import Settings
from dispatch import residents
from hotline.app import create_app
from providers import service as provider_service
from tests.callbacks.world import at
from tests.console_support import log_in
from tests.hotline.voice.test_survey_calls import on_the_call_list
from tests.providers import builders

ROLES = ("observer", "operator", "dispatcher", "supervisor", "admin")
STAFF = {"operator", "dispatcher", "supervisor", "admin"}
ALLOWED = {
    "show resident": set(ROLES),  # console.view (the phone masked without resident.phone)
    "tag resident": STAFF,  # resident.edit
    "surveys due": set(ROLES),  # console.view
    "survey result": STAFF,  # survey.record
    "document": STAFF,  # provider.vet
    "training": STAFF,  # provider.vet
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_use_exactly_its_endpoints_and_writes_are_audited(
    db: Database, settings: Settings, role: str
) -> None:
    survey_id = on_the_call_list(db, settings)  # resident +8613800138000, an elderly one
    with db.transaction() as session:
        provider_id = builders.provider(session, settings, kind="individual", phone="+8613857300999").id
    with clock.freeze(at(24)), TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, role)
        headers = {"x-csrf-token": me.csrf}
        calls = {
            "show resident": lambda: client.get("/api/v1/residents/13800138000"),
            "tag resident": lambda: client.post(
                "/api/v1/residents/13800138000/tags", json={"add": ["lives_alone"]}, headers=headers
            ),
            "surveys due": lambda: client.get("/api/v1/surveys/due"),
            "survey result": lambda: client.post(
                f"/api/v1/surveys/{survey_id}/result", json={"score": 5, "comment": "很满意"}, headers=headers
            ),
            "document": lambda: client.post(
                f"/api/v1/providers/{provider_id}/documents",
                json={"kind": "insurance", "expires_on": "2028-06-30", "number": "PICC-9"},
                headers=headers,
            ),
            "training": lambda: client.post(
                f"/api/v1/providers/{provider_id}/trainings",
                json={"course": "safety", "completed_on": "2026-11-01"},
                headers=headers,
            ),
        }
        answers = {name: call() for name, call in calls.items()}
    for name, response in answers.items():
        if role in ALLOWED[name]:
            assert response.status_code in (200, 201), (role, name, response.text)
        else:
            assert response.status_code == 403, (role, name, response.status_code)
            assert f"{role}: not allowed to" in response.json()["detail"]
    shown = answers["show resident"].json()["resident"]["phone"]
    assert shown == ("138****8000" if role == "observer" else "+8613800138000")
    due = answers["surveys due"].json()
    assert [entry["survey"]["id"] for entry in due] == [survey_id]
    with db.read() as session:
        resident = residents.get_resident_by_phone(session, phone="+8613800138000")
        assert resident is not None
        survey = session.get(Survey, survey_id)
        provider = provider_service.get_provider(session, provider_id=provider_id)
        events = provider_service.events_of(session, provider=provider)
        if role in STAFF:
            assert "lives_alone" in resident.tags
            assert (survey.status, survey.score) == ("answered", 5)
            assert [d.number for d in provider.documents if d.kind == "insurance"] == ["PICC-9"]
            assert [e.actor for e in events][-2:] == [f"staff:{me.staff_id}"] * 2
        else:
            assert "lives_alone" not in resident.tags and survey.status != "answered"


def test_bad_paperwork_and_results_are_refused_with_a_reason(db: Database, settings: Settings) -> None:
    survey_id = on_the_call_list(db, settings)
    with db.transaction() as session:
        provider_id = builders.provider(session, settings, kind="individual", phone="+8613857300998").id
    with clock.freeze(at(24)), TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        headers = {"x-csrf-token": me.csrf}
        lapsed = client.post(
            f"/api/v1/providers/{provider_id}/documents",
            json={"kind": "insurance", "expires_on": "2020-01-31"},
            headers=headers,
        )
        neither = client.post(f"/api/v1/surveys/{survey_id}/result", json={}, headers=headers)
        out_of_range = client.post(f"/api/v1/surveys/{survey_id}/result", json={"score": 9}, headers=headers)
        bad_tag = client.post("/api/v1/residents/13800138000/tags", json={"add": ["vip"]}, headers=headers)
        nobody = client.get("/api/v1/residents/13900000000")
    assert lapsed.status_code == 422 and "has passed; record the renewed document" in lapsed.json()["detail"]
    assert neither.status_code == 422 and "give a score or no_answer" in neither.json()["detail"]
    assert out_of_range.status_code == 422
    assert bad_tag.status_code == 422 and "unknown tag(s) vip" in bad_tag.json()["detail"]
    assert nobody.status_code == 404


def test_the_new_endpoints_are_in_the_openapi_document(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "observer")
        paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/residents/{phone}",
        "/api/v1/residents/{phone}/tags",
        "/api/v1/surveys/due",
        "/api/v1/surveys/{survey_id}/result",
        "/api/v1/providers/{provider_id}/documents",
        "/api/v1/providers/{provider_id}/trainings",
    ):
        assert path in paths, path
