from __future__ import annotations

import json

from sqlalchemy import select

from config import clock
from config.db import Database
from config.settings import Settings
from hotline.voice import callerid, flows, service
from hotline.voice.models import CallbackAttempt
from tests import factories
from tests.hotline.voice.ami_peer import SECRET, USERNAME, AmiPeer, Connection, ThreadedPeer, transcript


def missed_call_on_the_list(db: Database, settings: Settings, raw: str = "013800138000") -> int:
    with db.transaction() as session:
        factories.operator(session, name="王芳", extension="7001")
        call = service.create_call(
            session,
            transport="ami",
            external_id="1781705000.1",
            caller=callerid.parse(raw, settings),
            started_at=clock.now(),
        )
        entry = service.finish_call(session, call=call, ended_at=clock.now(), cause=21)
        assert entry is not None
        return entry.id


def ami(settings: Settings, peer: AmiPeer) -> Settings:
    return settings.model_copy(
        update={"ami_host": "127.0.0.1", "ami_port": peer.port, "ami_username": USERNAME, "ami_secret": SECRET}
    )


def answer_with_originate_transcript(action: dict[str, str]) -> bytes:
    return transcript("originate.txt")


def originate_transcript_for_our_action_id(action: dict[str, str]) -> bytes:
    return transcript("originate.txt").replace(b"OPS494-ORIG-A", action["ActionID"].encode())


def attempts(db: Database) -> list[tuple[str, str | None, int | None, str | None]]:
    with db.read() as session:
        return [(a.action_id, a.result, a.reason_code, a.channel) for a in session.scalars(select(CallbackAttempt))]


async def test_click_to_call_rings_the_operator_then_the_resident_and_records_the_answer(
    db: Database, settings: Settings
) -> None:
    entry_id = missed_call_on_the_list(db, settings)
    async with AmiPeer(Connection(on_originate=answer_with_originate_transcript)) as peer:
        result = await flows.call_back(
            db=db, settings=ami(settings, peer), entry_id=entry_id, extension="7001", action_id="OPS494-ORIG-A"
        )
    [originate] = [a for a in peer.actions if a.get("Action") == "Originate"]
    assert originate["Channel"] == "Local/7001@from-internal"
    assert originate["Exten"] == "13800138000" and originate["Context"] == "from-internal"
    assert originate["Async"] == "true" and originate["ActionID"] == "OPS494-ORIG-A"
    assert originate["Account"] == f"hotline-callback-{entry_id}"
    assert result.result == "answered"
    assert attempts(db) == [("OPS494-ORIG-A", "answered", 4, "Local/*43@from-internal-00120ed7;1")]
    with db.read() as session:
        entry = service.get_callback(session, entry_id=entry_id)
        assert (entry.attempts, entry.last_result, entry.status, entry.operator.name) == (1, "answered", "open", "王芳")


async def test_refused_originate_is_recorded_as_failed_and_stays_on_the_list(db: Database, settings: Settings) -> None:
    entry_id = missed_call_on_the_list(db, settings)

    def refuse(action: dict[str, str]) -> bytes:
        return f"Response: Error\r\nActionID: {action['ActionID']}\r\nMessage: Permission denied\r\n\r\n".encode()

    async with AmiPeer(Connection(on_originate=refuse)) as peer:
        result = await flows.call_back(db=db, settings=ami(settings, peer), entry_id=entry_id, extension="7001")
    assert result.result == "failed"
    with db.read() as session:
        assert service.get_callback(session, entry_id=entry_id).status == "open"


async def test_connection_lost_before_the_answer_fails_the_attempt_instead_of_hanging(
    db: Database, settings: Settings
) -> None:
    entry_id = missed_call_on_the_list(db, settings)

    def queued_then_gone(action: dict[str, str]) -> None:
        return None  # the peer drops the socket instead of answering

    async with AmiPeer(Connection(on_originate=queued_then_gone)) as peer:
        result = await flows.call_back(db=db, settings=ami(settings, peer), entry_id=entry_id, extension="7001")
    assert result.result == "connection_lost"
    assert [r for _a, r, _c, _ch in attempts(db)] == ["connection_lost"]


def test_operator_works_the_callback_list_from_the_command_line(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    entry_id = missed_call_on_the_list(db, settings, raw="82123456")
    listed = json.loads(cli("callbacks-desk", "list", "--json").output)
    assert [(e["id"], e["phone"], e["number"], e["reason"], e["status"]) for e in listed] == [
        (entry_id, "+8657382123456", "057382123456", "missed", "open")
    ]
    with ThreadedPeer(Connection(on_originate=originate_transcript_for_our_action_id)) as peer:
        cli.env.update(
            HOTLINE_AMI_HOST="127.0.0.1",
            HOTLINE_AMI_PORT=str(peer.port),
            HOTLINE_AMI_USERNAME=USERNAME,
            HOTLINE_AMI_SECRET=SECRET,
        )
        called = cli("callbacks-desk", "call", str(entry_id), "--operator", "7001")
    assert called.exit_code == 0, called.output
    assert called.output.strip() == f"callback {entry_id}: 057382123456 via extension 7001: answered"
    done = cli("callbacks-desk", "done", str(entry_id), "--operator", "7001", "--note", "水管已修好")
    assert done.exit_code == 0 and f"callback {entry_id} done" in done.output
    assert json.loads(cli("callbacks-desk", "list", "--json").output) == []
    [closed] = json.loads(cli("callbacks-desk", "list", "--status", "done", "--json").output)
    assert closed["note"] == "水管已修好" and closed["operator"] == "王芳" and closed["attempts"] == 1
    again = cli("callbacks-desk", "done", str(entry_id))
    assert again.exit_code == 2 and f"callback {entry_id} is already done" in again.output


def test_callback_with_a_refused_ami_login_says_so_and_records_no_attempt(
    db: Database, settings: Settings, cli
) -> None:  # type: ignore[no-untyped-def]
    entry_id = missed_call_on_the_list(db, settings)
    with ThreadedPeer(Connection(on_originate=originate_transcript_for_our_action_id)) as peer:
        cli.env.update(
            HOTLINE_AMI_HOST="127.0.0.1",
            HOTLINE_AMI_PORT=str(peer.port),
            HOTLINE_AMI_USERNAME=USERNAME,
            HOTLINE_AMI_SECRET="wrong",
        )
        refused = cli("callbacks-desk", "call", str(entry_id), "--operator", "7001")
    assert refused.exit_code == 2
    assert f"hotline: error: AMI login refused by 127.0.0.1:{peer.port}: Authentication failed" in refused.output
    assert attempts(db) == [] and not any(a.get("Action") == "Originate" for a in peer.actions)
    cli.env.pop("HOTLINE_AMI_HOST")
    unset = cli("callbacks-desk", "call", str(entry_id), "--operator", "7001")
    assert unset.exit_code == 2 and "HOTLINE_AMI_HOST is not set" in unset.output
