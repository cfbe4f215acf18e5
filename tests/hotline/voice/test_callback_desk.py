"""The callback desk in the browser: the list, click-to-call through Asterisk, done with a note."""

from __future__ import annotations

from fastapi.testclient import TestClient

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from hotline.voice import service
from tests.console_support import log_in
from tests.hotline.voice.ami_peer import Connection, ThreadedPeer
from tests.hotline.voice.test_callbacks import ami, missed_call_on_the_list, originate_transcript_for_our_action_id


def test_an_operator_calls_back_and_closes_the_entry(db: Database, settings: Settings) -> None:
    entry_id = missed_call_on_the_list(db, settings, raw="82123456")  # operator 王芳 at 7001
    with (
        ThreadedPeer(Connection(on_originate=originate_transcript_for_our_action_id)) as peer,
        TestClient(create_app(ami(settings, peer), db)) as client,
    ):
        me = log_in(client, db, settings, "operator")
        listed = client.get("/callbacks", headers={"accept-language": "zh-CN"}).text
        called = client.post(f"/callbacks/{entry_id}/call", data={"csrf": me.csrf}, headers={"accept-language": "en"})
        done = client.post(f"/callbacks/{entry_id}/done", data={"csrf": me.csrf, "note": "水管已修好"})
        again = client.post(f"/callbacks/{entry_id}/done", data={"csrf": me.csrf})
    assert "0573 8212 3456" in listed and "未接" in listed and f'action="/callbacks/{entry_id}/call"' in listed
    assert called.status_code == 200 and f"Callback {entry_id}: answered" in called.text
    assert [a.get("Channel") for a in peer.actions if a.get("Action") == "Originate"] == ["Local/7001@from-internal"]
    assert done.status_code == 200 and "没有待回拨的来电" in done.text  # back on the (now empty) list
    assert again.status_code == 409 and "is already done" in again.text
    with db.read() as session:
        entry = service.get_callback(session, entry_id=entry_id)
        assert (entry.status, entry.note, entry.operator_id, entry.attempts) == ("done", "水管已修好", me.staff_id, 1)


def test_without_asterisk_the_desk_says_so(db: Database, settings: Settings) -> None:
    entry_id = missed_call_on_the_list(db, settings)
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        refused = client.post(f"/callbacks/{entry_id}/call", data={"csrf": me.csrf})
        log_in(client, db, settings, "observer")
        observer = client.get("/callbacks")
    assert "HOTLINE_AMI_HOST is not set" in refused.text
    assert observer.status_code == 403


def test_surveys_due_by_phone_are_called_and_recorded_from_the_desk(db: Database, settings: Settings) -> None:
    from callbacks.models import Survey
    from config import clock
    from tests.callbacks.world import at
    from tests.hotline.voice.test_survey_calls import ami as survey_ami
    from tests.hotline.voice.test_survey_calls import asterisk_says, on_the_call_list

    survey_id = on_the_call_list(db, settings)  # an elderly resident's survey, by phone; 王芳 at 7001
    with (
        clock.freeze(at(24)),
        ThreadedPeer(Connection(on_originate=asterisk_says(4))) as peer,
        TestClient(create_app(survey_ami(settings, peer), db)) as client,
    ):
        me = log_in(client, db, settings, "operator", name="王芳")
        listed = client.get("/callbacks", headers={"accept-language": "en"}).text
        called = client.post(
            f"/callbacks/surveys/{survey_id}/call", data={"csrf": me.csrf}, headers={"accept-language": "en"}
        )
        no_score = client.post(f"/callbacks/surveys/{survey_id}/record", data={"csrf": me.csrf, "score": ""})
        recorded = client.post(
            f"/callbacks/surveys/{survey_id}/record",
            data={"csrf": me.csrf, "score": "5", "comment": "师傅很好"},
            follow_redirects=False,
        )
        after = client.get("/callbacks", headers={"accept-language": "en"}).text
        log_in(client, db, settings, "observer")
        desk = client.get("/surveys/desk", headers={"accept-language": "en"}).text
    assert "Surveys due by phone" in listed and f'action="/callbacks/surveys/{survey_id}/call"' in listed
    assert f'action="/callbacks/surveys/{survey_id}/record"' in listed and "138 0013 8000" in listed
    assert called.status_code == 200 and f"Survey {survey_id}: answered" in called.text
    assert [a["Exten"] for a in peer.actions if a.get("Action") == "Originate"] == ["13800138000"]
    assert no_score.status_code == 422
    assert recorded.status_code == 303
    assert f'data-survey="{survey_id}"' not in after  # answered: off the list
    assert "/callbacks#surveys" not in desk  # an observer does not take calls
    with db.read() as session:
        survey = session.get(Survey, survey_id)
        assert (survey.status, survey.score, survey.comment) == ("answered", 5, "师傅很好")
