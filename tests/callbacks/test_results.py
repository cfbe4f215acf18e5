"""Residents hear how their tickets ended (办理结果反馈): closed, resolved at first contact or
cancelled, once per closing; a resident who opted out, or a landline, is skipped and recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from callbacks.models import ResultNotice
from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import lifecycle, residents, service
from sms.models import OutboundMessage
from tests import factories
from tests.callbacks import world
from tests.callbacks.world import NOW, RESIDENT, at, says

CENTRE = "【96345 社区服务热线】"


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


def results(db: Database, phone: str = RESIDENT) -> list[str]:
    with db.read() as session:
        query = select(OutboundMessage.body).where(OutboundMessage.to == phone, OutboundMessage.purpose == "result")
        return list(session.scalars(query.order_by(OutboundMessage.id)))


def notices(db: Database) -> list[tuple[str, str | None]]:
    with db.read() as session:
        return [(n.status, n.reason) for n in session.scalars(select(ResultNotice).order_by(ResultNotice.id))]


def close(db: Database, number: str, hours: float) -> None:
    with clock.freeze(at(hours)), db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        service.move_ticket(session, ticket=ticket, to="closed", actor=Actor("cli"))


def test_a_surveyed_ticket_closed_by_an_operator_is_told_once_and_again_after_a_reopening(
    db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings)
    world.sweep(db, settings, at(0.1))
    world.sweep(db, settings, at(2))
    with clock.freeze(at(3)):
        says(db, settings, RESIDENT, "5")
    close(db, number, 4)
    for hours in (4.1, 4.2):
        world.sweep(db, settings, at(hours))
    assert results(db) == [f"{CENTRE}您的工单{number}（水管漏水维修）已办结，感谢您的支持。"]
    with clock.freeze(at(5)), db.transaction() as session:
        ticket = service.get_ticket(session, number=number)
        service.move_ticket(session, ticket=ticket, to="reopened", actor=Actor("cli"))
    close(db, number, 6)
    world.sweep(db, settings, at(6.1))
    assert len(results(db)) == 2 and notices(db) == [("told", None), ("told", None)]


def test_first_contact_resolutions_and_cancellations_are_told_how_they_ended(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        asked = factories.ticket(session, settings, item="LC-CONSUMER", text="预付卡退款怎么办")
        lifecycle.resolve(session, ticket=asked, note="请携带预付卡和发票到市场监管所办理", actor=Actor("cli"))
        dropped = factories.ticket(session, settings, phone="+8613800138001", text="厨房水管漏水")
        lifecycle.cancel(session, ticket=dropped, settings=settings, actor=Actor("cli"), note="居民已自行修好")
        numbers = asked.number, dropped.number
    world.sweep(db, settings, at(0.1))
    assert results(db) == [f"{CENTRE}您的工单{numbers[0]}已办结：请携带预付卡和发票到市场监管所办理"]
    assert results(db, "+8613800138001") == [f"{CENTRE}您的工单{numbers[1]}已取消。如仍需服务，请再次联系我们。"]


def test_an_opted_out_resident_and_a_landline_are_skipped_and_recorded(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        quiet = factories.ticket(session, settings)
        residents.set_sms_opt_out(session, resident=quiet.resident, opted_out=True)
        landline = factories.ticket(session, settings, phone="+8657382123456")
        for ticket in (quiet, landline):
            lifecycle.resolve(session, ticket=ticket, note="已电话告知", actor=Actor("cli"))
    world.sweep(db, settings, at(0.1))
    assert results(db) == [] and results(db, "+8657382123456") == []
    assert sorted(notices(db)) == [("skipped", "landline"), ("skipped", "opted_out")]
