"""Timers with a frozen clock: the SLA watch, quiet hours for residents' texts, automatic dispatch;
one acceptance per ticket under real concurrent writers; the ticket's JSON."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import answers, escalation, offers
from dispatch.models import Offer
from hotline import scheduler
from sms import outbox
from sms.models import OutboundMessage
from sms.senders import ConsoleSender
from tests.dispatch import scene
from tests.dispatch.scene import NOW, PLUMBERS, RESIDENT


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


def _with(settings: Settings, **dispatch: object) -> Settings:
    return settings.model_copy(update={"dispatch": settings.dispatch.model_copy(update=dispatch)})


def test_the_sla_watch_marks_at_risk_then_escalates_a_breach_once(db: Database, settings: Settings) -> None:
    settings = _with(settings, duty_supervisor_phone="+8613900000002")
    with db.transaction() as session:
        ticket = scene.leak(session, settings, urgency="urgent")
        number, due = ticket.number, ticket.due_at
        minutes = (due - NOW).total_seconds() / 60  # type: ignore[operator]
    watch = scheduler.get_job("dispatch.sla").make(db, settings)
    with clock.freeze(scene.later(minutes * 0.79)):
        assert watch() == 0
    with db.read() as session, clock.freeze(scene.later(minutes * 0.81)):
        assert escalation.sla_state(scene.ticket(session, number)) == "at_risk"
    with clock.freeze(scene.later(minutes * 0.81)):
        assert watch() == 1
        assert watch() == 0
    with clock.freeze(scene.later(minutes + 1)):
        assert watch() == 1
        assert watch() == 0
    with db.read() as session, clock.freeze(scene.later(minutes + 2)):
        ticket = scene.ticket(session, number)
        kinds = [e.kind for e in ticket.events if e.kind.startswith(("sla", "escalated"))]
        assert kinds == ["sla_at_risk", "sla_breached", "escalated"]
        assert ticket.escalation == "supervisor" and escalation.sla_state(ticket) == "breached"
        assert [t.purpose for t in scene.texts_to(session, "+8613900000002")] == ["duty_alert"]


def test_an_acceptance_stops_the_sla_clock(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        scene.plumber(session, settings, 0)
        ticket = scene.leak(session, settings)
        (offer,) = offers.offer(session, ticket=ticket, settings=settings, actor=Actor("cli"))
        assert answers.accept(session, offer=offer, settings=settings) == "accepted"
        number = ticket.number
    with db.read() as session, clock.freeze(NOW + dt.timedelta(days=2)):
        assert escalation.sla_state(scene.ticket(session, number)) == "ok"


def test_a_residents_text_about_a_normal_ticket_waits_for_the_end_of_quiet_hours(
    db: Database, settings: Settings
) -> None:
    evening = dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)  # 22:30 in Shanghai
    with db.transaction() as session:
        scene.plumber(session, settings, 0, span="mon-sun 00:00-23:59")
        normal = scene.leak(session, settings)
        urgent = scene.leak(session, settings, phone="+8613800138001", urgency="urgent")
    with clock.freeze(evening), db.transaction() as session:
        for ticket in (scene.ticket(session, normal.number), scene.ticket(session, urgent.number)):
            (offer,) = offers.offer(session, ticket=ticket, settings=settings, actor=Actor("cli"))
            assert answers.accept(session, offer=offer, settings=settings) == "accepted"
    sender = ConsoleSender()
    policy = outbox.Policy.of(settings)
    with clock.freeze(evening + dt.timedelta(minutes=1)):
        outbox.deliver_due(db, sender, policy=policy)
    with db.read() as session:
        held = {
            t.to: t for t in session.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "dispatched"))
        }
        assert held["+8613800138001"].status == "sent"  # urgent: at once
        assert held[RESIDENT].status == "queued"
        assert held[RESIDENT].next_attempt_at == dt.datetime(2026, 11, 21, 0, 0, tzinfo=dt.UTC)  # 08:00 local
        assert all(t.status == "sent" for t in scene.texts_to(session, PLUMBERS[0]))  # providers: at once
    with clock.freeze(dt.datetime(2026, 11, 21, 0, 0, 30, tzinfo=dt.UTC)):
        outbox.deliver_due(db, sender, policy=policy)
    with db.read() as session:
        assert scene.texts_to(session, RESIDENT)[-1].status == "sent"


def test_automatic_dispatch_offers_confident_tickets_of_its_categories_and_alerts_on_emergencies(
    db: Database, settings: Settings
) -> None:
    auto = _with(settings, auto_categories=["plumbing_electrical"], duty_dispatcher_phone="+8613900000001")
    with db.transaction() as session:
        scene.plumber(session, settings, 0)
        scene.plumber(session, settings, 1)
        sure = scene.leak(session, settings, urgency="emergency")
        unsure = scene.leak(session, settings, phone="+8613800138001")
        unsure.item_confidence = 0.6
        nowhere = scene.leak(session, settings, phone="+8613800138002", community=None)
        numbers = (sure.number, unsure.number, nowhere.number)
    run = scheduler.get_job("dispatch.auto").make(db, auto)
    assert run() == 1
    assert run() == 0
    with db.read() as session:
        statuses = [scene.ticket(session, n).status for n in numbers]
        assert statuses == ["offered", "new", "new"]
        assert "alerted" in [e.kind for e in scene.ticket(session, numbers[0]).events]
        assert scene.texts_to(session, "+8613900000001")


@pytest.mark.parametrize("writers", [2, 4])
def test_exactly_one_of_several_providers_accepting_at_once_wins(
    db: Database, settings: Settings, writers: int
) -> None:
    """Real concurrent writers, each in its own connection and transaction (on PostgreSQL the
    losers wait on the ticket's row lock; on SQLite on the one writer lock)."""
    with db.transaction() as session:
        for n in range(writers):
            scene.plumber(session, settings, n + 3, capacity=3)
        ticket = scene.leak(session, settings)
        made = offers.offer(session, ticket=ticket, settings=settings, actor=Actor("cli"), fan_out=writers)
        ids, number = [o.id for o in made], ticket.number
    start = threading.Barrier(writers)
    outcomes: list[str] = []

    def take(offer_id: int) -> None:
        start.wait()
        with clock.freeze(NOW + dt.timedelta(minutes=1)), db.transaction() as session:
            row = session.get(Offer, offer_id)
            assert row is not None
            outcomes.append(answers.accept(session, offer=row, settings=settings))

    threads = [threading.Thread(target=take, args=(offer_id,)) for offer_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["accepted"] + ["lost"] * (writers - 1)
    with db.read() as session:
        statuses = sorted(o.status for o in scene.offers_of(session, number))
        assert statuses == ["accepted"] + ["lost"] * (writers - 1)
        ticket = scene.ticket(session, number)
        assert sum(1 for e in ticket.events if e.to_status == "accepted") == 1


def test_ticket_show_json_carries_the_dispatch_fields(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        scene.plumber(session, settings, 0)
        ticket = scene.leak(session, settings)
        (offer,) = offers.offer(session, ticket=ticket, settings=settings, actor=Actor("cli"))
        answers.accept(session, offer=offer, settings=settings)
        number = ticket.number
    result = cli("ticket", "complete", number, "--charged", "80.5")
    assert result.exit_code == 0, result.output
    data = json.loads(cli("ticket", "show", number, "--json").output)
    assert data["provider"]["phone"] == PLUMBERS[0] and set(data["provider"]) == {"id", "name", "phone"}
    (shown,) = data["offers"]
    assert {"provider", "code", "status", "offered_at", "answered_at", "expires_at"} <= set(shown)
    assert shown["status"] == "completed"
    assert data["sla_state"] == "ok" and data["escalated"] is False
    assert data["charged"] == "80.50" and data["resolution"] is None
    listed = json.loads(cli("ticket", "list", "--json").output)
    assert listed[0]["sla_state"] == "ok" and "escalated" in listed[0]
    bad = cli("ticket", "complete", number, "--charged", "eighty")
    assert bad.exit_code == 2 and "not an amount" in bad.output
