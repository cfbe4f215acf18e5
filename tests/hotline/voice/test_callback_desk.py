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
    assert "+8657382123456" in listed and "未接" in listed and f'action="/callbacks/{entry_id}/call"' in listed
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
