"""The phone simulator: its requests are the ones Twilio sends, signed so that the real webhook
check accepts them; it exists only in demo and training mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from config import clock
from config.db import Database
from config.settings import Settings
from dispatch import offers
from dispatch.models import Ticket
from hotline.app import create_app
from hotline.simulator import phone
from sms.twilio_signature import is_valid
from tests.dispatch import scene
from tests.hotline.test_routes_protected import routes
from tests.hotline.test_sms_intake import MONDAY_10AM
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL

JSON = {"Content-Type": "application/json"}


def _demo(settings: Settings, **update: object) -> Settings:
    return settings.model_copy(
        update={"demo": True, "public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN, **update}
    )


@pytest.fixture
def simulator(settings: Settings, db: Database) -> Iterator[TestClient]:
    with clock.freeze(MONDAY_10AM), TestClient(create_app(_demo(settings), db)) as client:
        yield client


def test_the_signature_is_the_one_twilios_validator_accepts(settings: Settings) -> None:
    demo = _demo(settings)
    form = phone.text_form(demo, phone="+8613800138000", body="厨房水管漏水")
    signature = phone.sign(demo, phone.SMS_PATH, form)
    assert RequestValidator(AUTH_TOKEN).validate(PUBLIC_URL + phone.SMS_PATH, form, signature)
    assert is_valid(PUBLIC_URL + phone.SMS_PATH, form, signature, AUTH_TOKEN)
    assert not is_valid(PUBLIC_URL + phone.SMS_PATH, {**form, "Body": "改过的"}, signature, AUTH_TOKEN)
    assert not is_valid(PUBLIC_URL + "/sms/twilio/status", form, signature, AUTH_TOKEN)


def test_a_resident_texts_from_the_simulator_and_reads_the_reply(simulator: TestClient, db: Database) -> None:
    answer = simulator.post(
        "/simulator/text", json={"phone": "138 0013 8000", "body": "厨房水管漏水，南湖社区3幢401"}, headers=JSON
    )
    assert answer.status_code == 200, answer.text
    with db.read() as session:
        number = session.query(Ticket.number).one()[0]
    data = answer.json()
    assert data["phone"] == "+8613800138000"
    assert number in data["reply"][0]  # the webhook's TwiML answer
    assert [(b["mine"], b["kind"]) for b in data["bubbles"]] == [(True, "sent"), (False, "reply")]
    assert number in data["bubbles"][1]["body"]
    assert simulator.get("/simulator/thread", params={"phone": "13800138000"}).json()["bubbles"] == data["bubbles"]


def test_a_provider_accepts_an_offer_from_the_simulator(
    simulator: TestClient, db: Database, settings: Settings
) -> None:
    with db.transaction() as session:
        plumber = scene.plumber(session, settings, 0)
        plumber_phone = plumber.phone
    simulator.post(
        "/simulator/text", json={"phone": "13800138000", "body": "厨房水管漏水，南湖社区3幢401"}, headers=JSON
    )
    with db.transaction() as session:
        ticket = session.query(Ticket).one()
        ticket.community_id = scene.ticket(session, ticket.number).community_id or _community(session)
        (made,) = offers.offer(session, ticket=ticket, settings=settings, actor=scene.Actor("cli"))
        code, number = made.code, ticket.number
    offered = simulator.get("/simulator/thread", params={"phone": plumber_phone}).json()
    assert offered["who"]["kind"] == "provider"
    assert any(code in b["body"] and b["kind"] == "text" for b in offered["bubbles"])  # the outbox's offer
    accepted = simulator.post("/simulator/text", json={"phone": plumber_phone, "body": f"Y {code}"}, headers=JSON)
    assert accepted.status_code == 200
    with db.read() as session:
        assert scene.ticket(session, number).status == "accepted"


def _community(session):  # type: ignore[no-untyped-def]
    from config import areas

    return areas.get_community(session, code=scene.COMMUNITY).id


def test_a_call_hears_the_menu_and_presses_a_key(simulator: TestClient) -> None:
    dialled = simulator.post("/simulator/call", json={"phone": "13912345678"}, headers=JSON)
    assert dialled.status_code == 200, dialled.text
    screen = dialled.json()["screen"]
    assert screen["gather"]["action"] == "/voice/twilio/menu" and len(screen["says"]) > 3
    sid = dialled.json()["call_sid"]
    keyed = simulator.post(
        "/simulator/call",
        json={"phone": "13912345678", "call_sid": sid, "path": screen["gather"]["action"], "fields": {"Digits": "0"}},
        headers=JSON,
    ).json()
    assert keyed["call_sid"] == sid and keyed["screen"]["enqueue"]["queue"] == "hotline"
    hung_up = simulator.post(
        "/simulator/call",
        json={
            "phone": "13912345678",
            "call_sid": sid,
            "path": "/voice/twilio/status",
            "fields": {"CallStatus": "completed"},
        },
        headers=JSON,
    )
    assert hung_up.status_code == 200


def test_the_simulator_reaches_only_the_voice_webhooks_and_takes_only_json(simulator: TestClient) -> None:
    elsewhere = simulator.post("/simulator/call", json={"phone": "13912345678", "path": "/users"}, headers=JSON)
    assert elsewhere.status_code == 422 and "not a voice webhook" in elsewhere.json()["detail"]
    form = simulator.post("/simulator/text", data={"phone": "13912345678", "body": "hi"})
    assert form.status_code == 422
    bad_phone = simulator.post("/simulator/text", json={"phone": "110", "body": "hi"}, headers=JSON)
    assert bad_phone.status_code == 422


def test_the_page_lists_residents_and_providers_in_both_languages(
    simulator: TestClient, db: Database, settings: Settings
) -> None:
    with db.transaction() as session:
        scene.plumber(session, settings, 0)
    zh = simulator.get("/simulator", params={"lang": "zh_CN"})
    en = simulator.get("/simulator", params={"lang": "en"})
    assert zh.status_code == 200 and "电话模拟器" in zh.text and "★" in zh.text
    assert en.status_code == 200 and "Phone simulator" in en.text


def test_a_demo_without_a_twilio_token_gets_one_and_still_refuses_unsigned_requests(
    settings: Settings, db: Database
) -> None:
    with TestClient(create_app(settings.model_copy(update={"demo": True, "twilio_auth_token": ""}), db)) as client:
        assert client.app.state.settings.twilio_auth_token  # type: ignore[attr-defined]
        assert client.post("/sms/twilio/inbound", data={"From": "+8613800138000", "Body": "x"}).status_code == 403
        assert client.post("/simulator/text", json={"phone": "13800138000", "body": "楼道灯坏了"}).status_code == 200


@pytest.mark.parametrize("mode", ["demo", "training", "neither"])
def test_the_simulator_exists_only_in_demo_and_training_mode(settings: Settings, db: Database, mode: str) -> None:
    app = create_app(settings.model_copy(update={"demo": mode == "demo", "training": mode == "training"}), db)
    paths = {getattr(route, "path", "") for route in routes(app)}
    with TestClient(app) as client:
        page = client.get("/simulator")
        text = client.post("/simulator/text", json={"phone": "13800138000", "body": "x"})
    if mode == "neither":
        assert not any(p.startswith(("/simulator", "/training")) for p in paths)
        assert page.status_code == 404 and text.status_code == 404
    else:
        assert "/simulator" in paths and page.status_code == 200
        assert ("/training" in paths) == (mode == "training")


def test_a_survey_call_rings_the_simulated_phone_and_is_answered_with_a_key(db: Database, settings: Settings) -> None:
    from callbacks import jobs
    from hotline import scheduler
    from tests.callbacks import world

    demo = _demo(
        settings, callbacks=settings.callbacks.model_copy(update={"channels": {"plumbing_electrical": "voice"}})
    )
    number = world.completed_job(db, demo)
    world.sweep(db, demo, world.at(0.1))  # the completion is found; the call is due the next day
    with clock.freeze(world.at(24)), TestClient(create_app(demo, db)) as client:
        placer = scheduler.simulator_phone.placer_for(demo)
        jobs.sweep_surveys(db, demo, placer=placer)  # what the scheduler's pass does in demo mode
        ringing = client.get("/simulator/thread", params={"phone": world.RESIDENT}).json()["calls"]
        assert len(ringing) == 1, [(s.channel, s.status, s.call_sid) for s in world.surveys(db)]
        assert ringing[0]["call_sid"].startswith(phone.SIMULATED_CALL)
        survey_id, sid = ringing[0]["survey"], ringing[0]["call_sid"]

        def step(path: str, **fields: str) -> dict:  # type: ignore[type-arg]
            body = {"phone": world.RESIDENT, "call_sid": sid, "path": path, "fields": fields}
            answer = client.post("/simulator/call", json=body, headers=JSON)
            assert answer.status_code == 200, answer.text
            return answer.json()["screen"]  # type: ignore[no-any-return]

        question = step(f"/voice/twilio/survey/ask?survey={survey_id}")
        assert question["gather"]["action"] == f"/voice/twilio/survey/answer?survey={survey_id}"
        thanks = step(question["gather"]["action"], Digits="4")
        assert thanks["gather"] is None and thanks["hangup"]
        assert client.get("/simulator/thread", params={"phone": world.RESIDENT}).json()["calls"] == []
    (survey,) = world.surveys(db)
    assert (survey.status, survey.score) == ("answered", 4)
    assert number
