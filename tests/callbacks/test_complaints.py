"""Complaints: opened by a low score, by complaint words, by a text naming a ticket, or by an
operator; owned by a supervisor, due in working days, escalated once when overdue, decided with
a reply the resident is texted, and an upheld one in the provider's ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from callbacks import complaints, jobs
from callbacks.models import CallbackEvent
from config import clock
from config.db import Database
from config.errors import Conflict, InvalidInput
from config.settings import Settings
from config.staff import Actor
from dispatch import service
from providers.models import LedgerEntry
from sms.models import OutboundMessage
from tests.callbacks import world
from tests.callbacks.world import NOW, RESIDENT, at, says
from tests.providers import builders

DUTY_SUPERVISOR = "+8613700137000"


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


@pytest.fixture
def duty(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"dispatch": settings.dispatch.model_copy(update={"duty_supervisor_phone": DUTY_SUPERVISOR})}
    )


def texts_to(db: Database, phone: str, purpose: str) -> list[str]:
    with db.read() as session:
        query = select(OutboundMessage.body).where(OutboundMessage.to == phone, OutboundMessage.purpose == purpose)
        return list(session.scalars(query.order_by(OutboundMessage.id)))


def complained(db: Database, settings: Settings) -> str:
    with db.transaction() as session:
        builders.supervisor(session, "赵敏")
    number = world.completed_job(db, settings)
    world.sweep(db, settings, at(0.1))
    world.sweep(db, settings, at(2))
    with clock.freeze(at(3)):
        says(db, settings, RESIDENT, "1 师傅态度差还乱收费")
    return number


def test_a_complaint_is_escalated_once_when_its_deadline_passes_then_decided_upheld(
    db: Database, duty: Settings
) -> None:
    number = complained(db, duty)
    (complaint,) = world.complaints(db)
    assert complaint.owner is not None and complaint.owner.name == "赵敏"
    assert complaint.deadline_at == at(24 * 3 + 10)  # Monday 20:00 (opens Sat and Sun too)
    with clock.freeze(at(82) - dt.timedelta(minutes=1)):
        assert jobs.sweep_complaints(db, duty) == 0
    with clock.freeze(at(82)):
        assert jobs.sweep_complaints(db, duty) == 1
        assert jobs.sweep_complaints(db, duty) == 0  # once
    (alert,) = texts_to(db, DUTY_SUPERVISOR, "duty_alert")
    assert alert == f"【96345 社区服务热线】投诉{complaint.id}（负责人赵敏）已超过办理时限11-23 20:00，尚未办结。"
    with clock.freeze(at(90)), db.transaction() as session:
        row = complaints.get_complaint(session, complaint_id=complaint.id)
        complaints.decide(
            session,
            complaint=row,
            outcome="upheld",
            reply="已核实多收30元，已责令退还。",
            actor=Actor("cli"),
            settings=duty,
        )
    (told,) = texts_to(db, RESIDENT, "complaint_outcome")
    assert told == f"【96345 社区服务热线】投诉{complaint.id}处理结果：经核实投诉成立。已核实多收30元，已责令退还。"
    with db.read() as session:
        fact = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "complaint")).one()
        assert fact.ticket_ref == f"ticket:{number}" and fact.provider_id == complaint.provider_id
        kinds = [
            (e.kind, e.to_status)
            for e in session.scalars(
                select(CallbackEvent).where(CallbackEvent.complaint_id == complaint.id).order_by(CallbackEvent.id)
            )
        ]
        assert kinds == [("status", "open"), ("escalated", None), ("status", "decided")]
    (decided,) = world.complaints(db)
    assert (decided.status, decided.outcome, decided.told_at) == ("decided", "upheld", at(90))
    with db.transaction() as session, pytest.raises(Conflict, match="already decided"):
        row = complaints.get_complaint(session, complaint_id=complaint.id)
        complaints.decide(session, complaint=row, outcome="withdrawn", reply="x", actor=Actor("cli"), settings=duty)


def test_a_complaint_not_upheld_writes_nothing_to_the_ledger_but_tells_the_resident(
    db: Database, settings: Settings
) -> None:
    complained(db, settings)
    (complaint,) = world.complaints(db)
    with db.transaction() as session:
        row = complaints.get_complaint(session, complaint_id=complaint.id)
        with pytest.raises(InvalidInput, match="needs a note"):
            complaints.decide(
                session, complaint=row, outcome="not_upheld", reply=" ", actor=Actor("cli"), settings=settings
            )
        with pytest.raises(InvalidInput, match="unknown outcome"):
            complaints.decide(session, complaint=row, outcome="maybe", reply="x", actor=Actor("cli"), settings=settings)
        complaints.decide(
            session,
            complaint=row,
            outcome="not_upheld",
            reply="收费符合标准价。",
            actor=Actor("cli"),
            settings=settings,
        )
    with db.read() as session:
        assert session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "complaint")).first() is None
    assert texts_to(db, RESIDENT, "complaint_outcome")[0].endswith("经核实投诉不成立。收费符合标准价。")


def test_a_text_naming_a_ticket_with_complaint_words_is_a_complaint_even_without_a_survey(
    db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings)
    with clock.freeze(at(0.5)):
        answer = says(db, settings, RESIDENT, f"投诉 {number} 师傅多收了钱")
    (complaint,) = world.complaints(db)
    assert answer.startswith(f"很抱歉。您的投诉已登记，编号{complaint.id}")
    assert (complaint.source, complaint.ticket_id is not None, complaint.provider_id is not None) == ("sms", True, True)


def test_an_operator_records_a_complaint_from_a_phone_call(db: Database, settings: Settings) -> None:
    number = world.completed_job(db, settings)
    with db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        made = complaints.open_complaint(
            session,
            resident=ticket.resident,
            text="电话投诉：师傅把地板弄脏了没有清理",
            source="operator",
            actor=Actor("cli"),
            settings=settings,
            ticket=ticket,
        )
        assert made.owner is None and made.provider_id == ticket.provider_id  # no supervisor yet
        with pytest.raises(InvalidInput, match="needs the resident's words"):
            complaints.open_complaint(
                session, resident=ticket.resident, text="  ", source="operator", actor=Actor("cli"), settings=settings
            )
    assert [c.source for c in world.complaints(db)] == ["operator"]
