from __future__ import annotations

import json

from config.db import Database
from config.settings import Settings
from hotline.voice.ami import parse_transcript
from hotline.voice.tracker import CallTracker
from tests import factories
from tests.hotline.voice.ami_peer import transcript


def replay(db: Database, settings: Settings, data: bytes) -> None:
    CallTracker(db, settings).handle_many(dict(m.items()) for m in parse_transcript(data))


def until_hangup(data: bytes) -> bytes:
    head, _sep, _tail = data.partition(b"Event: Hangup\r\n")
    return head


def test_call_log_lists_queue_and_missed_calls_as_json(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        factories.operator(session, name="李娜", extension="7006")
    replay(db, settings, transcript("queue.txt"))
    replay(db, settings, transcript("missed.txt"))
    result = cli("calls", "list", "--json")
    assert result.exit_code == 0, result.output
    missed, answered = json.loads(result.output)  # newest first
    assert (answered["outcome"], answered["queue"], answered["operator"], answered["hold_seconds"]) == (
        "answered",
        "88",
        "李娜",
        28,
    )
    assert answered["transport"] == "ami" and answered["external_id"] == "1781704152.3807872"
    assert missed["outcome"] == "missed" and missed["hangup_cause"] == 21 and missed["caller_number"] == "7003"
    text = cli("calls", "list", "--outcome", "missed").output
    assert "missed" in text and "7003" in text and "answered" not in text


def test_ticket_created_by_the_operator_on_a_live_call_is_linked_to_it(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        factories.operator(session, name="张伟", extension="7002")
    live = until_hangup(transcript("answered.txt")).replace(b"CallerIDNum: 7001\r\n", b"CallerIDNum: 13800138000\r\n")
    replay(db, settings, live)
    created = cli(
        "ticket",
        "create",
        "--phone",
        "13800138000",
        "--item",
        "PE-PIPE-LEAK",
        "--text",
        "厨房水管漏水",
        "--operator",
        "7002",
    )
    assert created.exit_code == 0, created.output
    number = created.stdout.strip()
    assert "linked to call 1 (the call 7002 is on)" in created.stderr
    [call] = json.loads(cli("calls", "list", "--json").output)
    assert call["ticket_number"] == number and call["outcome"] == "in_progress"
    history = json.loads(cli("ticket", "show", number, "--json").output)["events"]
    assert (history[-1]["kind"], history[-1]["data"], history[-1]["note"]) == ("call_linked", {"call": 1}, None)
    moved = cli("ticket", "move", number, "dispatching", "--operator", "7002")
    assert moved.exit_code == 0 and "linked" not in moved.stderr  # already this call's ticket


def test_ticket_the_operator_works_on_during_a_call_is_linked_to_it(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        factories.operator(session, name="张伟", extension="7002")
        number = factories.ticket(session, settings, phone="+8613800138000").number
    replay(db, settings, until_hangup(transcript("answered.txt")))
    moved = cli("ticket", "move", number, "dispatching", "--operator", "7002")
    assert moved.exit_code == 0 and "linked to call 1 (the call 7002 is on)" in moved.stderr
    [call] = json.loads(cli("calls", "list", "--json").output)
    assert call["ticket_number"] == number


def test_operator_links_a_call_to_a_ticket_by_hand(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        first = factories.ticket(session, settings, phone="+8613800138000").number
        second = factories.ticket(session, settings, phone="+8613900139000", item="HK-CLEAN-HOURLY").number
    replay(db, settings, transcript("missed.txt"))
    linked = cli("calls", "link", "1", first)
    assert linked.exit_code == 0 and linked.output.strip() == f"call 1 linked to ticket {first}"
    assert cli("calls", "link", "1", first).output.strip() == f"call 1 was already linked to ticket {first}"
    clash = cli("calls", "link", "1", second)
    assert clash.exit_code == 2 and f"call 1 is already linked to ticket {first}" in clash.output
    missing = cli("calls", "link", "99", first)
    assert missing.exit_code == 2 and "no call with id 99" in missing.output
