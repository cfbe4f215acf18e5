"""Residents answer survey texts: the right survey, the first answer, and a clear reply to every
bad input with nothing half-written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from config import clock
from config.db import Database
from config.settings import Settings
from dispatch import residents
from dispatch.models import Ticket
from providers.models import LedgerEntry
from sms.models import InboundMessage
from tests.callbacks import world
from tests.callbacks.world import NOW, RESIDENT, at, says


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


def asked(db: Database, settings: Settings, jobs: int = 1) -> list[str]:
    """``jobs`` finished jobs of the resident, their survey texts sent at 12:00; their numbers."""
    numbers = [world.completed_job(db, settings) for _ in range(jobs)]
    world.sweep(db, settings, at(0.1))
    world.sweep(db, settings, at(2))
    assert [s.status for s in world.surveys(db)] == ["sent"] * jobs
    return numbers


def reply(db: Database, settings: Settings, body: str, hours: float = 2.5, phone: str = RESIDENT) -> str:
    with clock.freeze(at(hours)):
        return says(db, settings, phone, body)


def counts(db: Database) -> tuple[int, int, int]:
    """(survey scores in the ledger, tickets, surveyed tickets)"""
    with db.read() as session:
        scores = session.scalar(select(func.count()).where(LedgerEntry.kind == "survey_score"))
        tickets = session.scalar(select(func.count()).select_from(Ticket))
        surveyed = session.scalar(select(func.count()).where(Ticket.status == "surveyed"))
        return scores or 0, tickets or 0, surveyed or 0


def test_with_two_surveys_open_the_resident_is_asked_which_and_the_code_picks_it(
    db: Database, settings: Settings
) -> None:
    first, second = asked(db, settings, jobs=2)
    assert "请在分数前加编号" in world.survey_texts(db)[1]
    answer = reply(db, settings, "5")
    listed = f"#{second[-4:]} 水管漏水维修、#{first[-4:]} 水管漏水维修"
    assert answer == f"您待评价的回访：{listed}。请回复编号和分数，如“{second[-4:]} 5”。"
    assert counts(db)[0] == 0
    assert reply(db, settings, f"{first[-4:]} 4") == "感谢您的评价（4分）。"
    assert [(s.ticket.number, s.status, s.score) for s in world.surveys(db)] == [
        (first, "answered", 4),
        (second, "sent", None),
    ]
    assert reply(db, settings, "5") == "感谢您的评价（5分）。"  # one left open: no code needed


@pytest.mark.parametrize("body", ["6", "0", "10", "-1", "4.5"])
def test_a_score_out_of_range_is_answered_with_the_range_and_changes_nothing(
    db: Database, settings: Settings, body: str
) -> None:
    asked(db, settings)
    assert reply(db, settings, body) == "评分为1到5的整数，请回复1-5分（5分最满意）。"
    assert [s.status for s in world.surveys(db)] == ["sent"] and counts(db) == (0, 1, 0)


def test_the_first_answer_stands_and_a_second_is_acknowledged(db: Database, settings: Settings) -> None:
    (number,) = asked(db, settings)
    reply(db, settings, "4")
    assert reply(db, settings, "5 其实很好", hours=3) == f"您已为工单{number}评过分（4分），以第一次评价为准。谢谢！"
    (survey,) = world.surveys(db)
    assert survey.score == 4 and counts(db) == (1, 1, 1)


def test_an_answer_after_the_survey_expired_is_told_it_closed(db: Database, settings: Settings) -> None:
    (number,) = asked(db, settings)
    world.sweep(db, settings, at(2 + 48))
    (survey,) = world.surveys(db)
    assert (survey.status, survey.reason) == ("expired", "no_answer")
    answer = reply(db, settings, "5", hours=51)
    assert answer == f"工单{number}的回访已结束，谢谢您。如需服务，请直接发送需求和地址。" and counts(db) == (0, 1, 0)


def test_a_code_of_no_open_survey_is_refused_with_the_right_code(db: Database, settings: Settings) -> None:
    (number,) = asked(db, settings)
    answer = reply(db, settings, "9999 5")
    assert answer.startswith("没有找到编号为9999的回访。") and f"#{number[-4:]}" in answer
    assert counts(db)[0] == 0


def test_stop_in_the_middle_of_a_survey_opts_out_and_closes_it(db: Database, settings: Settings) -> None:
    asked(db, settings)
    assert reply(db, settings, "退订") == "您已退订回访短信，本次回访已关闭。回复“订阅”可重新接收。"
    (survey,) = world.surveys(db)
    assert (survey.status, survey.reason) == ("opted_out", "stop")
    with db.read() as session:
        resident = residents.get_resident_by_phone(session, phone=RESIDENT)
        assert resident is not None and resident.sms_opt_out
    world.completed_job(db, settings)  # the next job: recorded, not texted
    world.sweep(db, settings, at(0.2))
    assert [(s.status, s.reason) for s in world.surveys(db)][-1] == ("opted_out", "opted_out")
    assert len(world.survey_texts(db)) == 1


def test_an_empty_reply_is_answered_and_the_survey_stays_open(db: Database, settings: Settings) -> None:
    asked(db, settings)
    assert "空" in reply(db, settings, "   ")
    assert [s.status for s in world.surveys(db)] == ["sent"]


def test_a_very_long_comment_is_kept_to_its_limit(db: Database, settings: Settings) -> None:
    asked(db, settings)
    assert reply(db, settings, "5 " + "师傅很好" * 300) == "感谢您的评价（5分）。"
    (survey,) = world.surveys(db)
    assert survey.score == 5 and survey.comment is not None and len(survey.comment) == 500


def test_a_score_from_someone_with_no_survey_opens_nothing(db: Database, settings: Settings) -> None:
    answer = reply(db, settings, "5分", phone="+8613900139000")
    assert answer == "目前没有需要您评价的回访。如需服务，请直接发送需求和地址。" and counts(db) == (0, 0, 0)
    answer = reply(db, settings, "5", phone="+8613900139001")  # a digit says no language: the intake guesses English
    assert answer.startswith("We have no survey open for you.") and counts(db) == (0, 0, 0)


def test_a_new_request_while_a_survey_is_open_opens_a_ticket_not_a_score(db: Database, settings: Settings) -> None:
    asked(db, settings)
    answer = reply(db, settings, "水管又漏了")
    assert "工单" in answer and counts(db) == (0, 2, 0)
    assert [s.status for s in world.surveys(db)] == ["sent"]
    with db.read() as session:
        assert session.scalars(select(InboundMessage.handled_as).order_by(InboundMessage.id.desc())).first() in (
            "new_ticket",
            "threaded",
        )


def test_an_unclear_reply_gets_one_clarifying_question(db: Database, settings: Settings) -> None:
    (number,) = asked(db, settings)
    assert (
        reply(db, settings, "谢谢")
        == f"请回复1-5的数字为您的水管漏水维修（#{number[-4:]}）评分：5分非常满意，1分非常不满意。"
    )
    assert reply(db, settings, "好的") == "谢谢，您的留言已转交话务员。"
    assert reply(db, settings, "很满意") == "感谢您的评价（5分）。"


def test_a_low_score_opens_a_complaint_with_a_deadline(db: Database, settings: Settings) -> None:
    (number,) = asked(db, settings)
    answer = reply(db, settings, "2 师傅迟到了一个小时")
    (complaint,) = world.complaints(db)
    # three working days after Friday: Saturday, Sunday (the centre opens every day) and Monday, at its close
    assert answer == f"感谢您的评价（2分）。很抱歉。您的投诉已登记，编号{complaint.id}，主管将于11-23 20:00前答复您。"
    assert (complaint.source, complaint.text, complaint.status) == ("survey", "师傅迟到了一个小时", "open")
    assert complaint.provider_id is not None and complaint.ticket_id is not None
    with db.read() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        event = ticket.events[-1]
        assert ticket.status == "surveyed"
        assert (event.kind, event.data, event.note) == ("complaint_opened", {"complaint": complaint.id}, complaint.text)


def test_complaint_words_open_a_complaint_and_the_survey_still_takes_a_score(db: Database, settings: Settings) -> None:
    asked(db, settings)
    answer = reply(db, settings, "师傅乱收费")
    assert "投诉已登记" in answer and "也请回复1-5分" in answer
    assert reply(db, settings, "3") == "感谢您的评价（3分）。"
    assert len(world.complaints(db)) == 1 and [s.score for s in world.surveys(db)] == [3]
