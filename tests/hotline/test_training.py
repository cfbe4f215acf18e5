"""Training mode: scenario runs scored from what the trainee did, kept per operator."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from config import areas, catalog, clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor, Staff
from dispatch import lifecycle, offers, residents, service
from dispatch.models import Resident
from hotline.app import create_app
from hotline.training import flows, results, scenarios, scoring
from hotline.training.models import TrainingRun
from tests.console_support import log_in, staff_member
from tests.hotline.test_sms_intake import MONDAY_10AM
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL

START = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
LEAK = scenarios.get("elderly_leak")
DECLINES = scenarios.get("provider_declines")


def test_a_perfect_call_scores_100_and_a_slow_wrong_one_much_less() -> None:
    perfect = scoring.Facts(
        started_at=START,
        ticket_number="2611230001",
        ticket_at=START + dt.timedelta(seconds=90),
        item="PE-PIPE-LEAK",
        community=LEAK.community,
        urgency="urgent",
        offers=1,
        trainee_offers=1,
        resident_told=True,
    )
    assert scoring.score(LEAK, perfect)[0] == 100
    slow = scoring.Facts(
        started_at=START,
        ticket_number="2611230001",
        ticket_at=START + dt.timedelta(seconds=2 * LEAK.target_seconds),  # half the time marks
        item="PE-TAP",
        community=LEAK.community,
        urgency="normal",
    )
    total, marks = scoring.score(LEAK, slow)
    by = {m.criterion: m.points for m in marks}
    assert by == {"time_to_ticket": 10, "item": 0, "community": 15, "urgency": 0, "offer": 0, "resident_told": 0}
    assert total == 25
    assert scoring.score(LEAK, scoring.Facts(started_at=START))[0] == 0


def test_a_declined_offer_counts_only_when_the_ticket_is_offered_again() -> None:
    base = dict(
        started_at=START,
        ticket_number="2611230001",
        ticket_at=START,
        item="AR-WASHER",
        community=DECLINES.community,
        urgency="normal",
        resident_told=True,
    )
    stuck = scoring.score(DECLINES, scoring.Facts(**base, offers=1, trainee_offers=1, declined=1))  # type: ignore[arg-type]
    again = scoring.score(
        DECLINES,
        scoring.Facts(**base, offers=2, trainee_offers=1, declined=1, offers_after_decline=1),  # type: ignore[arg-type]
    )
    assert (stuck[0], again[0]) == (80, 100)
    # the engine's re-offer alone earns nothing: the offer points are for the trainee's own offer
    engine_only = scoring.Facts(**base, offers=2, trainee_offers=0, declined=1, offers_after_decline=1)  # type: ignore[arg-type]
    assert scoring.score(DECLINES, engine_only)[0] == 80


def test_readiness_needs_every_scenario_at_the_ready_score(db: Database) -> None:
    member = staff_member(db, "operator")
    with db.transaction() as session:
        for n, scenario in enumerate(scenarios.SCENARIOS):
            score = 90 if n else 70
            session.add(
                TrainingRun(
                    scenario=scenario.code,
                    staff_id=member.id,
                    trainee=member.name,
                    phone=scenario.phone,
                    started_at=START,
                    finished_at=START + dt.timedelta(minutes=n),
                    score=score,
                    script={},
                    marks={},
                )
            )
    with db.read() as session:
        (row,) = results.by_trainee(session)
    assert row.trainee == "王芳" and row.runs == 4 and not row.ready
    with db.transaction() as session:
        session.add(
            TrainingRun(
                scenario=scenarios.SCENARIOS[0].code,
                staff_id=member.id,
                trainee=member.name,
                phone="+8613900000001",
                started_at=START,
                finished_at=START + dt.timedelta(hours=1),
                score=85,
                script={},
                marks={},
            )
        )
    with db.read() as session:
        (row,) = results.by_trainee(session)
    assert row.ready and row.best[scenarios.SCENARIOS[0].code] == 85


@pytest.fixture
def training(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    app = create_app(
        settings.model_copy(update={"training": True, "public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN}), db
    )
    with db.transaction() as session:
        flows.seed(session, app.state.settings)
    with clock.freeze(MONDAY_10AM), TestClient(app) as client:
        yield client


def test_the_decline_scenario_is_played_and_scored_through_the_webhooks(
    training: TestClient, db: Database, settings: Settings, cli
) -> None:  # type: ignore[no-untyped-def]
    me = log_in(training, db, settings, "operator")
    started = training.post(
        "/training/runs", data={"scenario": "provider_declines", "csrf": me.csrf}, follow_redirects=False
    )
    assert started.status_code == 303
    run_id = int(started.headers["location"].rsplit("/", 1)[1])
    with db.transaction() as session:  # the trainee triages and offers on the console
        run = session.get(TrainingRun, run_id)
        ticket = flows.ticket_of(session, run)
        assert ticket is not None and ticket.channel == "sms"  # the resident's text opened it
        actor = Actor.of_staff(session.get(Staff, me.staff_id))
        service.set_item(session, ticket=ticket, item=catalog.get_item(session, code="AR-WASHER"), actor=actor)
        community = areas.get_community(session, code=DECLINES.community)
        lifecycle.set_location(session, ticket=ticket, community=community, address="18幢502", actor=actor)
        offers.offer(session, ticket=ticket, settings=settings, actor=actor)
    headers = {"X-CSRF-Token": me.csrf}
    first = training.post(f"/training/runs/{run_id}/advance", headers=headers).json()
    assert first["played"][0].startswith("N ")  # the first provider declines, by text
    # the decline sends the ticket to the next candidate (dispatch's redispatch round)
    second = training.post(f"/training/runs/{run_id}/advance", headers=headers).json()
    assert second["played"][0].startswith("Y ") and second["status"] == "offered"
    assert training.post(f"/training/runs/{run_id}/advance", headers=headers).json() == {
        "ticket": ticket.number,
        "status": "accepted",
        "played": [],
    }
    finished = training.post(f"/training/runs/{run_id}/finish", data={"csrf": me.csrf}, follow_redirects=False)
    assert finished.status_code == 303
    with db.read() as session:
        run = session.get(TrainingRun, run_id)
        assert ticket.number == run.ticket_number
        marks = {m["criterion"]: m["points"] for m in run.marks["marks"]}
        total = run.score
    assert marks["offer"] == 20 and marks["item"] == 20 and marks["community"] == 15
    assert marks["resident_told"] == 10  # told who is coming when the second provider accepted
    assert total == 100
    page = training.get(f"/training/runs/{run_id}", params={"lang": "zh_CN"})
    assert "得分：100 / 100" in page.text, page.text[page.text.find("<h2>") :][:400]
    out = cli("training", "results", "--database", str(db.url), "--json")
    assert out.exit_code == 0, out.output
    trainees = json.loads(out.stdout)["trainees"]
    assert trainees[0]["trainee"] == "王芳" and trainees[0]["latest"] == {"provider_declines": 100}


def test_the_one_touch_scenario_calls_into_the_emergency_queue_and_scores_a_slow_normal_ticket(
    training: TestClient, db: Database, settings: Settings
) -> None:
    from hotline.voice.models import Call

    me = log_in(training, db, settings, "operator")
    started = training.post(
        "/training/runs", data={"scenario": "one_touch_emergency", "csrf": me.csrf}, follow_redirects=False
    )
    run_id = int(started.headers["location"].rsplit("/", 1)[1])
    scenario = scenarios.get("one_touch_emergency")
    with db.read() as session:
        run = session.get(TrainingRun, run_id)
        call = session.get(Call, run.script["call_id"])
        assert (call.queue, call.emergency, run.ticket_number) == ("hotline-emergency", True, None)
        call_id = call.id
    page = training.get(f"/training/runs/{run_id}")
    assert f"/tickets/new?channel=phone&amp;phone=%2B8613900000004&amp;call={call_id}" in page.text
    later = MONDAY_10AM + dt.timedelta(seconds=2 * scenario.target_seconds)  # the trainee took two minutes
    with clock.freeze(later), db.transaction() as session:
        resident = session.scalar(select(Resident).where(Resident.phone == scenario.phone))
        service.create_ticket(
            session,
            resident=resident,
            channel="phone",
            description="老人摔倒",
            zone=settings.zone,
            actor=Actor.of_staff(session.get(Staff, me.staff_id)),
            item=catalog.get_item(session, code="EH-ELDERLY-FALL"),
            community=areas.get_community(session, code=scenario.community),
            urgency="urgent",  # not an emergency: wrong
        )
    assert training.post(f"/training/runs/{run_id}/advance", headers={"X-CSRF-Token": me.csrf}).json()["played"] == []
    training.post(f"/training/runs/{run_id}/finish", data={"csrf": me.csrf})
    with db.read() as session:
        run = session.get(TrainingRun, run_id)
        marks = {m["criterion"]: m["points"] for m in run.marks["marks"]}
        total = run.score
    assert marks == {"time_to_ticket": 10, "item": 20, "community": 15, "urgency": 0, "offer": 0, "resident_told": 0}
    assert total == 45
    again = training.post(f"/training/runs/{run_id}/finish", data={"csrf": me.csrf}, follow_redirects=False)
    assert again.status_code == 303  # a finished run keeps its score


def test_a_trainee_sees_only_their_own_runs_and_results_are_for_supervisors(
    training: TestClient, db: Database, settings: Settings
) -> None:
    me = log_in(training, db, settings, "operator")
    started = training.post(
        "/training/runs", data={"scenario": "angry_repeat", "csrf": me.csrf}, follow_redirects=False
    )
    run_id = int(started.headers["location"].rsplit("/", 1)[1])
    with db.read() as session:
        run = session.get(TrainingRun, run_id)
        ticket = service.get_ticket(session, number=run.ticket_number)
        kinds = [e.kind for e in ticket.events]
    assert "repeat_contact" in kinds  # the angry text landed on the earlier, still open request
    assert training.get("/training/results").status_code == 403
    with db.transaction() as session:
        from config import staff as staff_mod

        staff_mod.create(session, name="李强", role="operator", extension="7002")
    log_in(training, db, settings, "operator", name="李强")
    assert training.get(f"/training/runs/{run_id}").status_code == 403
    log_in(training, db, settings, "supervisor")
    assert training.get(f"/training/runs/{run_id}").status_code == 200
    assert training.get("/training/results", params={"lang": "en"}).status_code == 200


def test_the_cli_sets_up_a_training_database_and_refuses_one_with_real_residents(
    cli, db: Database, settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'training.db'}"
    first = cli("training", "seed", "--database", url)
    assert first.exit_code == 0, first.output
    assert "4 training providers added" in first.stderr
    assert "0 training providers added" in cli("training", "seed", "--database", url).stderr
    assert cli("training", "results", "--database", url).stdout.strip() == "no finished training runs"
    with db.transaction() as session:
        residents.get_or_create_resident(session, phone="+8613800138000")
    other = Database(url)
    try:  # a trainer texted from any number in the training centre's simulator: still a training database
        with other.transaction() as session:
            residents.get_or_create_resident(session, phone="+8613800138001")
    finally:
        other.dispose()
    assert cli("training", "seed", "--database", url).exit_code == 0
    refused = cli("training", "seed", "--database", str(db.url))
    assert refused.exit_code == 2
    assert "1 residents who are not training scenarios'" in refused.stderr
