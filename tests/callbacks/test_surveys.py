"""A finished job is surveyed: scheduled at completion, texted two hours later (out of quiet
hours), answered by text, the score in the ledger and the ticket surveyed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from callbacks.models import CallbackEvent
from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import answers, service
from dispatch.models import Ticket
from providers.models import LedgerEntry
from tests.callbacks import world
from tests.callbacks.world import NOW, RESIDENT, at, says


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


def test_a_done_text_schedules_a_survey_that_is_texted_two_hours_later_and_answered_with_5(
    db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings)
    assert world.sweep(db, settings, at(0.1)) >= 1
    (survey,) = world.surveys(db)
    assert (survey.status, survey.channel, survey.round, survey.due_at) == ("scheduled", "sms", 1, at(2))
    world.sweep(db, settings, at(1.9))
    assert world.survey_texts(db) == []
    world.sweep(db, settings, at(2))
    (text,) = world.survey_texts(db)
    assert (
        text == f"【96345 社区服务热线】您的水管漏水维修（#{number[-4:]}）满意吗？请回复1-5分（5分最满意），可附意见。"
    )
    (survey,) = world.surveys(db)
    assert survey.status == "sent" and survey.code == number[-4:] and survey.provider_id is not None
    with clock.freeze(at(2.5)):
        answer = says(db, settings, RESIDENT, "5 很好 师傅很准时")
    assert answer == "感谢您的评价（5分）。"
    with db.read() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.status == "surveyed"
        assert ticket.events[-1].data == {"survey": survey.id, "score": 5, "channel": "sms"}
        score = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "survey_score")).one()
        assert (score.value, score.note, score.ticket_ref) == (5.0, "很好 师傅很准时", f"ticket:{number}")
        kinds = [(e.kind, e.to_status) for e in session.scalars(select(CallbackEvent).order_by(CallbackEvent.id))]
        assert kinds == [("scheduled", "scheduled"), ("status", "sent"), ("status", "answered")]
    (survey,) = world.surveys(db)
    assert (survey.status, survey.score, survey.comment) == ("answered", 5, "很好 师傅很准时")


def test_an_operators_completion_is_surveyed_once_however_often_the_sweep_runs(
    db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings)
    with db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        assert ticket.status == "completed"
    for hours in (0.1, 0.2, 2, 2.1, 3):
        world.sweep(db, settings, at(hours))
    assert len(world.surveys(db)) == 1 and len(world.survey_texts(db)) == 1


def test_a_reopened_job_is_not_surveyed_and_its_second_completion_is_round_two(
    db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings)
    world.sweep(db, settings, at(0.1))
    with clock.freeze(at(1)), db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        service.move_ticket(session, ticket=ticket, to="reopened", actor=Actor("cli"), note="still leaking")
    world.sweep(db, settings, at(2))
    (first,) = world.surveys(db)
    assert (first.status, first.reason) == ("expired", "ticket_reopened") and world.survey_texts(db) == []
    with clock.freeze(at(3)), db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        service.move_ticket(session, ticket=ticket, to="dispatching", actor=Actor("cli"))
        ticket.status, ticket.provider_id = "accepted", first.provider_id or ticket.provider_id
        answers.complete(session, ticket=ticket, settings=settings, actor=Actor("cli"))
    world.sweep(db, settings, at(3.1))
    world.sweep(db, settings, at(5.1))
    rounds = [(s.round, s.status) for s in world.surveys(db)]
    assert rounds == [(1, "expired"), (2, "sent")] and len(world.survey_texts(db)) == 1
