"""``hotline surveys`` and ``hotline complaints``: what operators and supervisors do from the
command line, and the one-line errors when they get it wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from config import clock
from config.db import Database
from config.settings import Settings
from tests.callbacks import world
from tests.callbacks.world import NOW, at
from tests.providers import builders


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


def test_an_operator_sees_how_a_reply_is_read(cli) -> None:  # type: ignore[no-untyped-def]
    shown = json.loads(cli("surveys", "read", "5 很好 师傅很准时", "--json").stdout)
    assert shown == {
        "score": 5,
        "comment": "很好 师傅很准时",
        "complaint": False,
        "new_request": False,
        "clarify": False,
        "code": None,
        "out_of_range": False,
        "stop": False,
    }
    assert json.loads(cli("surveys", "read", "水管又漏了", "--json").stdout)["new_request"] is True
    assert "score        -" in cli("surveys", "read", "6").stdout


def test_the_survey_job_runs_by_name_at_a_time_and_the_survey_is_listed(  # type: ignore[no-untyped-def]
    cli, db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings)
    ran = cli("jobs", "run", "callbacks.surveys", "--at", "2026-11-20T10:05")
    assert ran.exit_code == 0 and ran.stdout == "callbacks.surveys: 1 handled\n"
    cli("jobs", "run", "callbacks.surveys", "--at", "2026-11-20T12:00")
    (listed,) = json.loads(cli("surveys", "list", "--json", "--ticket", number).stdout)
    assert {k: listed[k] for k in ("status", "channel", "due_at", "attempts", "score", "comment")} == {
        "status": "sent",
        "channel": "sms",
        "due_at": "2026-11-20T04:00:00Z",
        "attempts": 1,
        "score": None,
        "comment": None,
    }
    assert [e["to_status"] for e in listed["events"]] == ["scheduled", "sent"]
    assert json.loads(cli("surveys", "list", "--json", "--status", "answered").stdout) == []
    assert cli("jobs", "run", "callbacks.complaints").stdout == "callbacks.complaints: 0 handled\n"


def test_an_elderly_residents_survey_is_on_the_call_list_the_next_morning(  # type: ignore[no-untyped-def]
    cli, db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings, tags=("elderly",))
    with db.transaction() as session:
        builders.operator(session, "王芳", "7001")
    world.sweep(db, settings, at(0.1))
    assert json.loads(cli("surveys", "desk", "--json").stdout) == []
    with clock.freeze(at(24)):  # Saturday 10:00
        (entry,) = json.loads(cli("surveys", "desk", "--json").stdout)
        assert entry["survey"]["ticket"] == number and entry["survey"]["channel"] == "desk"
        assert entry["script"].startswith("您好，这里是96345 社区服务热线。回访您11-20的水管漏水维修服务")
        survey_id = str(entry["survey"]["id"])
        missed = cli("surveys", "record", survey_id, "--no-answer", "--operator", "7001")
        assert missed.stdout == f"survey {survey_id}: no_answer after 1 attempt(s), next try 11-21 14:00\n"
    with clock.freeze(at(28)):
        answered = cli("surveys", "record", survey_id, "--score", "4", "--comment", "师傅不错", "--operator", "王芳")
        assert answered.stdout == f"survey {survey_id}: answered 4\n"
    (row,) = json.loads(cli("surveys", "list", "--json").stdout)
    assert (row["status"], row["score"], row["attempts"], row["comment"]) == ("answered", 4, 2, "师傅不错")
    figures = {f["channel"]: f for f in json.loads(cli("surveys", "figures", "--json").stdout)}
    assert figures["desk"] == {
        "channel": "desk",
        "sent": 1,
        "answered": 1,
        "response_rate": 1.0,
        "median_minutes_to_answer": 240.0,
    }


def test_a_supervisor_decides_a_complaint_an_operator_may_not(  # type: ignore[no-untyped-def]
    cli, db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings)
    with db.transaction() as session:
        builders.supervisor(session, "赵敏")
        builders.operator(session, "王芳", "7001")
    opened = cli(
        "complaints", "open", "--phone", "13800138000", "--ticket", number, "--text", "师傅态度差", "--operator", "7001"
    )
    assert opened.exit_code == 0 and opened.stdout == "complaint 1: due 2026-11-23 20:00, owner 赵敏\n"
    (listed,) = json.loads(cli("complaints", "list", "--json").stdout)
    assert (listed["status"], listed["ticket"], listed["overdue"], listed["owner"]["name"]) == (
        "open",
        number,
        False,
        "赵敏",
    )
    refused = cli("complaints", "decide", "1", "--outcome", "upheld", "--note", "已核实", "--operator", "7001")
    assert refused.exit_code == 2
    assert refused.stderr == "hotline: error: 王芳 is operator: not allowed to complaint.decide\n"
    decided = cli(
        "complaints", "decide", "1", "--outcome", "upheld", "--note", "已核实，已批评教育", "--operator", "赵敏"
    )
    assert decided.stdout == "complaint 1: upheld; resident texted\n"
    again = cli("complaints", "decide", "1", "--outcome", "withdrawn", "--note", "x")
    assert again.exit_code == 2 and again.stderr == "hotline: error: complaint 1 was already decided: upheld\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("surveys", "record", "999", "--score", "4"), "no survey with id 999 (see: hotline surveys list)"),
        (("surveys", "record", "1"), "give --score N or --no-answer"),
        (("surveys", "figures", "--since", "yesterday"), "'yesterday' is not a day such as 2026-11-01"),
        (("complaints", "decide", "7", "--outcome", "upheld", "--note", "x"), "no complaint with id 7"),
        (("complaints", "open", "--phone", "13900139000", "--text", "x"), "no resident with phone +8613900139000"),
    ],
)
def test_mistakes_are_one_line_errors(cli, args: tuple[str, ...], error: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 2 and result.stderr.startswith(f"hotline: error: {error}")


def test_a_score_out_of_range_from_the_desk_is_refused(cli, db: Database, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    world.completed_job(db, settings, tags=("one_touch",))
    world.sweep(db, settings, at(0.1))
    result = cli("surveys", "record", "1", "--score", "7")
    assert (
        result.exit_code == 2
        and result.stderr == "hotline: error: a survey score is a whole number from 1 to 5, got 7\n"
    )
    assert json.loads(cli("surveys", "list", "--json").stdout)[0]["status"] == "scheduled"
