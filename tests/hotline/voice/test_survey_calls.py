"""The survey call list's click-to-call: the operator's extension rings, then the resident, through
a real AMI peer; an unanswered call is an attempt, tried again later."""

from __future__ import annotations

import json

from sqlalchemy import select

from callbacks.models import CallbackEvent
from config import clock
from config.db import Database
from config.settings import Settings
from hotline.voice import survey_calls
from tests.callbacks import world
from tests.callbacks.world import at
from tests.hotline.voice.ami_peer import SECRET, USERNAME, AmiPeer, Connection, ThreadedPeer, transcript
from tests.providers import builders


def on_the_call_list(db: Database, settings: Settings) -> int:
    world.completed_job(db, settings, tags=("elderly",))
    with db.transaction() as session:
        builders.operator(session, "王芳", "7001")
    world.sweep(db, settings, at(0.1))
    (survey,) = world.surveys(db)
    return survey.id


def asterisk_says(reason: int):  # type: ignore[no-untyped-def]
    """The recorded Originate transcript with our ActionID, the call answered (4) or not (3: no answer)."""

    def answer(action: dict[str, str]) -> bytes:
        recorded = transcript("originate.txt").replace(b"OPS494-ORIG-A", action["ActionID"].encode())
        if reason == 4:
            return recorded
        return recorded.replace(b"Response: Success\r\nChannel", b"Response: Failure\r\nChannel").replace(
            b"Reason: 4", f"Reason: {reason}".encode()
        )

    return answer


def ami(settings: Settings, peer: AmiPeer) -> Settings:
    return settings.model_copy(
        update={"ami_host": "127.0.0.1", "ami_port": peer.port, "ami_username": USERNAME, "ami_secret": SECRET}
    )


async def test_click_to_call_rings_the_operator_then_the_resident_and_the_answer_is_the_operators(
    db: Database, settings: Settings
) -> None:
    survey_id = on_the_call_list(db, settings)
    with clock.freeze(at(24)):
        async with AmiPeer(Connection(on_originate=asterisk_says(4))) as peer:
            result = await survey_calls.call_resident(
                db=db, settings=ami(settings, peer), survey_id=survey_id, extension="7001"
            )
    (originate,) = [a for a in peer.actions if a.get("Action") == "Originate"]
    assert originate["Channel"] == "Local/7001@from-internal" and originate["Exten"] == "13800138000"
    assert originate["Account"] == f"hotline-callback-survey-{survey_id}"  # the tracker: a call we placed
    assert (result.result, result.number) == ("answered", "13800138000")
    (survey,) = world.surveys(db)
    assert (survey.status, survey.attempts) == ("scheduled", 0)  # the operator records what was said
    with db.read() as session:
        (call,) = session.scalars(select(CallbackEvent).where(CallbackEvent.kind == "call"))
        assert call.data == {"action_id": result.action_id, "extension": "7001"} and call.actor.startswith("staff:")


async def test_an_unanswered_survey_call_is_an_attempt_tried_again_that_afternoon(
    db: Database, settings: Settings
) -> None:
    survey_id = on_the_call_list(db, settings)
    with clock.freeze(at(24)):
        async with AmiPeer(Connection(on_originate=asterisk_says(3))) as peer:
            result = await survey_calls.call_resident(
                db=db, settings=ami(settings, peer), survey_id=survey_id, extension="7001"
            )
    assert result.result == "no_answer"
    (survey,) = world.surveys(db)
    assert (survey.status, survey.attempts, survey.reason, survey.due_at) == ("no_answer", 1, "no_answer", at(28))


def test_the_operator_calls_from_the_command_line(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    survey_id = on_the_call_list(db, settings)
    with clock.freeze(at(24)), ThreadedPeer(Connection(on_originate=asterisk_says(4))) as peer:
        cli.env.update(
            HOTLINE_AMI_HOST="127.0.0.1",
            HOTLINE_AMI_PORT=str(peer.port),
            HOTLINE_AMI_USERNAME=USERNAME,
            HOTLINE_AMI_SECRET=SECRET,
        )
        called = cli("surveys", "call", str(survey_id), "--operator", "7001")
        assert called.exit_code == 0, called.output
        assert called.stdout == f"survey {survey_id}: 13800138000 via extension 7001: answered\n"
        recorded = cli("surveys", "record", str(survey_id), "--score", "5", "--operator", "7001")
        assert recorded.stdout == f"survey {survey_id}: answered 5\n"
        refused = cli("surveys", "call", str(survey_id), "--operator", "7001")
    assert json.loads(cli("surveys", "desk", "--json").stdout) == []
    assert refused.exit_code == 2 and f"survey {survey_id} is answered: there is nothing to ask" in refused.stderr
